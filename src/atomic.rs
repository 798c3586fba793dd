//! Atomic output: write into a temporary file beside the target, then rename over it.
//! A reader sees the old complete file or the new complete file, never a partial one.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Write `path` atomically with the bytes produced by `fill`.
/// On any error the temporary file is removed and `path` is left as it was.
pub fn write_with<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create folder {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    {
        let mut buf = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buf)?;
        buf.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot move the finished file to {}", path.display()))?;
    Ok(())
}

/// Write `bytes` to `path` atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, |w| Ok(w.write_all(bytes)?))
}

/// A writer that passes bytes on and hashes them (SHA-256).
struct Hashing<'w> {
    inner: &'w mut dyn Write,
    hash: sha2::Sha256,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        sha2::Digest::update(&mut self.hash, &buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Write `path` atomically like [`write_with`] and return the SHA-256 (lowercase hex) of the
/// bytes written, without holding them in memory.
pub fn write_hashed<F>(path: &Path, fill: F) -> Result<String>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let mut digest = String::new();
    write_with(path, |w| {
        let mut h = Hashing {
            inner: w,
            hash: sha2::Sha256::default(),
        };
        fill(&mut h)?;
        digest = sha2::Digest::finalize(h.hash)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(())
    })?;
    Ok(digest)
}

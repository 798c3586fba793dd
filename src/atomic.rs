//! Atomic output: write into a temporary file beside the target, then rename over it.
//! A reader sees the old complete file or the new complete file, never a partial one.
//!
//! The temporary file is `.NAME.XXXXXX.tmp` in the target's folder (the same file system, so the
//! rename is atomic). A process killed while writing cannot remove it; the next write of the same
//! target removes such leftovers once they are older than [`STALE_AFTER`] (a younger one may
//! belong to another run still writing).

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Age after which a leftover temporary file of a target is taken to be from a killed run.
pub const STALE_AFTER: Duration = Duration::from_secs(3600);

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
    let prefix = format!(".{name}.");
    remove_stale(dir, &prefix);
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .permissions(default_permissions())
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
    // Make the rename itself durable (best effort: not every file system syncs folders).
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
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

/// The permissions of a new output: read-write for everyone the umask allows (0666 & !umask, as
/// `File::create` gives), not the 0600 of a private temporary file.
fn default_permissions() -> std::fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    }
    #[cfg(not(unix))]
    {
        let file = tempfile::tempfile().expect("a temporary file");
        file.metadata().expect("its metadata").permissions()
    }
}

/// Remove the temporary files `PREFIXxxxxxx.tmp` in `dir` older than [`STALE_AFTER`]: leftovers
/// of a run that was killed while writing the same target. Errors are ignored.
fn remove_stale(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let Some(middle) = n.strip_prefix(prefix).and_then(|r| r.strip_suffix(".tmp")) else {
            continue;
        };
        // tempfile's random part: six ASCII alphanumerics.
        if middle.len() != 6 || !middle.bytes().all(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_output_is_not_private_and_stale_leftovers_go() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let stale = dir.path().join(".out.csv.AbC123.tmp");
        let young = dir.path().join(".out.csv.XyZ789.tmp");
        let other = dir.path().join(".other.csv.AbC123.tmp");
        for p in [&stale, &young, &other] {
            std::fs::write(p, b"partial").unwrap();
        }
        let old = SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        for p in [&stale, &other] {
            std::fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        write_bytes(&target, b"complete").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"complete");
        assert!(!stale.exists(), "a stale leftover of the target is removed");
        assert!(young.exists(), "a young one may belong to a running write");
        assert!(other.exists(), "another target's leftovers are not touched");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let reference = dir.path().join("reference");
            std::fs::File::create(&reference).unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
            assert_eq!(
                mode(&target),
                mode(&reference),
                "the mode File::create gives"
            );
        }
    }
}

//! Reading a file in blocks, and cutting a block at line ends into pieces for the cores (the
//! tidy and delimited readers).

use anyhow::Result;
use rayon::prelude::*;
use std::io::Read;

/// Bytes read at a time.
pub const BLOCK: usize = 16 << 20;
/// Smallest piece of a block read by one task.
const MIN_PIECE: usize = 256 << 10;

/// Append up to `block` bytes of `input` (named `name` in messages) to `buf`; whether the input
/// ended.
pub fn fill(input: &mut impl Read, buf: &mut Vec<u8>, block: usize, name: &str) -> Result<bool> {
    let want = block.max(1);
    buf.reserve(want);
    // (Read into the spare room: no zeroing first.)
    let got = input
        .take(want as u64)
        .read_to_end(buf)
        .map_err(|e| anyhow::Error::new(e).context(format!("cannot read {name}")))?;
    Ok(got < want)
}

/// Cut `bytes` at line ends into about `n` pieces of at least `MIN_PIECE` bytes.
pub fn cut(bytes: &[u8], n: usize) -> Vec<&[u8]> {
    let size = (bytes.len() / n.max(1)).max(MIN_PIECE);
    let mut pieces = Vec::new();
    let mut rest = bytes;
    while rest.len() > size {
        match memchr::memchr(b'\n', &rest[size..]) {
            Some(i) => {
                let (piece, tail) = rest.split_at(size + i + 1);
                pieces.push(piece);
                rest = tail;
            }
            None => break,
        }
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Each piece's first line and number of lines (counted on all cores), the first piece starting
/// at `line`, which is moved past them.
pub fn lines_of(pieces: &[&[u8]], line: &mut u64) -> Vec<(u64, u64)> {
    let counts: Vec<u64> = pieces
        .par_iter()
        .map(|piece| memchr::memchr_iter(b'\n', piece).count() as u64)
        .collect();
    counts
        .into_iter()
        .map(|lines| {
            let first = *line;
            *line += lines;
            (first, lines)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_end_at_line_ends() {
        let text = b"a\nbb\nccc\n".repeat(200_000);
        let pieces = cut(&text, 4);
        assert!(pieces.len() > 1);
        assert!(pieces.iter().all(|p| p.ends_with(b"\n")));
        assert_eq!(pieces.concat(), text);
    }
}

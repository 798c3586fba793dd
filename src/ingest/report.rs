//! The ingest report: what was read, kept, suppressed, skipped, rejected (with file:line:column
//! and reason), duplicated, combined and merged; and the side CSV of rejected rows.

use super::Rejection;
use super::harmonise::Applied;
use crate::error::Location;
use crate::geo::Geography;
use crate::run_record::RunRecord;
use std::fmt::Write as _;
use std::io::Write;

/// Counts for one input file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSummary {
    /// The file as named.
    pub file: String,
    /// First 12 hex digits of its SHA-256.
    pub sha256: String,
    /// Data rows read.
    pub read: u64,
    /// Rows kept (before merging and harmonising).
    pub kept: u64,
    /// Kept rows that are suppressed.
    pub suppressed: u64,
    /// Rows skipped on purpose (other levels, unknown locations, areas outside Flanders, years
    /// not asked for).
    pub skipped: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// Everything an ingest did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Per input file.
    pub files: Vec<FileSummary>,
    /// Every rejected row.
    pub rejected: Vec<Rejection>,
    /// Rows given twice with the same counts: the first and the repeated place.
    pub duplicates: Vec<(Location, Location)>,
    /// Numerator and denominator halves from different files combined into one row.
    pub combined: usize,
    /// Rejections for unknown municipality codes or names.
    pub unknown_units: usize,
    /// The municipality set the rows are stated in.
    pub target: String,
    /// Mergers applied to reach it.
    pub merges: Vec<Applied>,
    /// Rows new to the store.
    pub added: usize,
    /// Rows already in the store with the same counts.
    pub unchanged: usize,
    /// Rows that replaced stored counts (`--replace`).
    pub replaced: usize,
    /// Remarks (encodings, scales, skipped locations).
    pub notes: Vec<String>,
}

impl Report {
    /// The report as text for the terminal. Lists at most `limit` rejections.
    pub fn render(&self, geo: &Geography, limit: usize) -> String {
        let mut out = String::new();
        for f in &self.files {
            let _ = writeln!(
                out,
                "read     {} (sha256 {}): {} rows read, {} kept ({} suppressed), {} skipped, {} rejected",
                f.file, f.sha256, f.read, f.kept, f.suppressed, f.skipped, f.rejected
            );
        }
        for n in &self.notes {
            let _ = writeln!(out, "note     {n}");
        }
        if self.combined > 0 {
            let _ = writeln!(
                out,
                "combined {} rows from a numerator file and a denominator file",
                self.combined
            );
        }
        for (first, again) in &self.duplicates {
            let _ = writeln!(
                out,
                "duplicate {again} repeats {first} with the same counts; kept once"
            );
        }
        for m in &self.merges {
            let name = |c: &str| geo.name(c, false).unwrap_or("?").to_owned();
            let old: Vec<String> = m.old.iter().map(|c| format!("{c} {}", name(c))).collect();
            let years = match (m.years.first(), m.years.last()) {
                (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
                (Some(a), _) => a.to_string(),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "merge    {} -> {} {}: {} rows ({years}), {} suppressed, {} missing (a part absent or missing)",
                old.join(" + "),
                m.new_nis,
                name(&m.new_nis),
                m.rows,
                m.suppressed,
                m.incomplete
            );
        }
        if !self.target.is_empty() {
            let _ = writeln!(
                out,
                "set      rows stated in the municipality set {}",
                self.target
            );
        }
        if !self.rejected.is_empty() {
            let _ = writeln!(
                out,
                "rejected {} rows ({} with an unknown municipality):",
                self.rejected.len(),
                self.unknown_units
            );
            for r in self.rejected.iter().take(limit) {
                let _ = writeln!(out, "  {}: {}", r.location, super::shorten(&r.reason));
            }
            if self.rejected.len() > limit {
                let _ = writeln!(out, "  ... and {} more", self.rejected.len() - limit);
            }
        }
        let _ = writeln!(
            out,
            "rows     {} added, {} unchanged, {} replaced, {} rejected",
            self.added,
            self.unchanged,
            self.replaced,
            self.rejected.len()
        );
        out
    }
}

/// Write the rejected rows as CSV (`file,line,column,reason`) after the run record.
pub fn write_rejected(
    w: &mut dyn Write,
    run: &RunRecord,
    rejected: &[Rejection],
) -> anyhow::Result<()> {
    w.write_all(run.comment_lines().as_bytes())?;
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["file", "line", "column", "reason"])?;
    for r in rejected {
        out.write_record([
            r.location.file.as_str(),
            &r.location.line.to_string(),
            r.location.column.as_deref().unwrap_or(""),
            &r.reason,
        ])?;
    }
    out.flush()?;
    Ok(())
}

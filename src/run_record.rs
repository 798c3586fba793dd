//! The run record every output carries: version, definition and store with checksums, the
//! parameters, and the time of the run (pinned with `SOURCE_DATE_EPOCH` for reproducible output).

use crate::definition::Definition;
use crate::store::{InputFile, Store, StoreMeta, sha256_hex};
use serde::Serialize;
use std::collections::BTreeMap;

/// A file with its checksum.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Checked {
    /// Path, or `<bundled ...>`.
    pub origin: String,
    /// SHA-256 of the bytes.
    pub sha256: String,
}

/// The store as the run used it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoreRecord {
    /// Path, or `<bundled demo store>`.
    pub origin: String,
    /// SHA-256 of the store's Parquet bytes.
    pub sha256: String,
    /// Whether the store is synthetic demo data.
    pub synthetic: bool,
    /// The store's own description.
    pub description: String,
    /// Files ingested into the store, with checksums.
    pub inputs: Vec<InputFile>,
}

/// Everything needed to reproduce an output.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RunRecord {
    /// Always `barometer`.
    pub tool: String,
    /// The program version.
    pub version: String,
    /// The subcommand.
    pub command: String,
    /// The parameters that shaped the output.
    pub parameters: BTreeMap<String, String>,
    /// The barometer definition.
    pub definition: Checked,
    /// The store.
    pub store: StoreRecord,
    /// UTC time of the run (RFC 3339), or `SOURCE_DATE_EPOCH` when set.
    pub generated_at: String,
}

impl RunRecord {
    /// A record for `command` run with `parameters` on `def` and `store`.
    pub fn new(
        command: &str,
        parameters: &[(&str, String)],
        def: &Definition,
        store: &Store,
    ) -> Self {
        Self::of(
            command,
            parameters,
            def,
            &store.origin,
            &store.sha256,
            &store.meta,
        )
    }

    /// A record for `command` on a store known by its origin, checksum and metadata (a store
    /// being written).
    pub fn of(
        command: &str,
        parameters: &[(&str, String)],
        def: &Definition,
        origin: &str,
        sha256: &str,
        meta: &StoreMeta,
    ) -> Self {
        RunRecord {
            tool: "barometer".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            parameters: parameters
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            definition: Checked {
                origin: def.origin.clone(),
                sha256: sha256_hex(def.text.as_bytes()),
            },
            store: StoreRecord {
                origin: origin.to_owned(),
                sha256: sha256.to_owned(),
                synthetic: meta.synthetic,
                description: meta.description.clone(),
                inputs: meta.inputs.clone(),
            },
            generated_at: now_rfc3339(),
        }
    }

    /// The record as `# key: value` lines, for the top of a CSV file.
    pub fn comment_lines(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: &str| out.push_str(&format!("# {k}: {v}\n"));
        line("tool", &format!("{} {}", self.tool, self.version));
        line("command", &self.command);
        for (k, v) in &self.parameters {
            line(&format!("parameter {k}"), v);
        }
        line(
            "definition",
            &format!(
                "{} sha256 {}",
                self.definition.origin, self.definition.sha256
            ),
        );
        line(
            "store",
            &format!("{} sha256 {}", self.store.origin, self.store.sha256),
        );
        if self.store.synthetic {
            line("data", &self.store.description);
        }
        for i in &self.store.inputs {
            line(
                "input",
                &format!("{} sha256 {} ({} rows)", i.file, i.sha256, i.rows),
            );
        }
        line("generated_at", &self.generated_at);
        out
    }
}

/// The time of the run: `SOURCE_DATE_EPOCH` (seconds) when set, else the system clock.
pub fn now_rfc3339() -> String {
    rfc3339(now_secs())
}

/// The time of the run in seconds since 1970 UTC: `SOURCE_DATE_EPOCH` when set, else the system
/// clock (also the creation time written into XLSX files, so they are reproducible too).
pub fn now_secs() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        })
}

/// A new XLSX workbook whose document properties carry the run's time (`now_secs`) instead of
/// the clock's, so that the same run gives the same bytes.
pub fn xlsx_workbook() -> rust_xlsxwriter::Workbook {
    let mut book = rust_xlsxwriter::Workbook::new();
    if let Ok(created) = rust_xlsxwriter::ExcelDateTime::from_timestamp(now_secs()) {
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    }
    book
}

/// Seconds since 1970-01-01 UTC as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian calendar).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn formats_utc_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_482_061), "2026-11-24T01:01:01Z");
    }
}

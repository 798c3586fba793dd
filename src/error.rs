//! Error kinds and their exit codes: usage errors exit 2, data errors exit 1.

use std::fmt;
use std::path::Path;

/// Where in an input file a problem sits: file, 1-based line and column (column name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// The column's header name, when the problem is in one cell.
    pub column: Option<String>,
}

impl Location {
    /// A location in `file` at `line`, optionally in column `column`.
    pub fn new(file: &Path, line: u64, column: Option<&str>) -> Self {
        Self {
            file: file.display().to_string(),
            line,
            column: column.map(str::to_owned),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column '{c}'")?;
        }
        Ok(())
    }
}

/// An error the user caused by how the command was called (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// An error in the data or definition files (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DataError(pub String);

/// Shorthand for a usage error wrapped in `anyhow`.
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

/// Shorthand for a data error wrapped in `anyhow`.
pub fn data(msg: impl Into<String>) -> anyhow::Error {
    DataError(msg.into()).into()
}

/// The process exit code for an error: 2 for usage errors, 1 for everything else.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err.chain().any(|e| e.is::<UsageError>()) {
        2
    } else {
        1
    }
}

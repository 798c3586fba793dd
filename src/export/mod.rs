//! File exports shared by several commands.

pub mod csv_fields;
pub mod xlsx;

//! File exports shared by several commands.

pub mod xlsx;

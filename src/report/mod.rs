//! Human and machine renderings of results: number formats, text tables, the scoreboard.

pub mod format;
pub mod profile_html;
pub mod profile_tables;
pub mod scoreboard;
pub mod table;

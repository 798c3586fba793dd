//! A plain text table for terminals: columns padded to their widest cell, numbers right-aligned.

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left-aligned (text).
    Left,
    /// Right-aligned (numbers).
    Right,
}

/// A text table with a header row.
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers and alignments.
    pub fn new(header: Vec<(String, Align)>) -> Self {
        Table {
            header,
            rows: Vec::new(),
        }
    }

    /// Add a row (as many cells as columns).
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len());
        self.rows.push(row);
    }

    /// Render with two spaces between columns.
    pub fn render(&self) -> String {
        let width = |s: &str| s.chars().count();
        let widths: Vec<usize> = (0..self.header.len())
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| width(&r[c]))
                    .chain([width(&self.header[c].0)])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: Vec<&str>| {
            let parts: Vec<String> = cells
                .iter()
                .zip(&widths)
                .zip(&self.header)
                .map(|((cell, &w), (_, align))| {
                    let pad = " ".repeat(w - width(cell));
                    match align {
                        Align::Left => format!("{cell}{pad}"),
                        Align::Right => format!("{pad}{cell}"),
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_owned()
        };
        let mut out = line(self.header.iter().map(|(h, _)| h.as_str()).collect());
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row.iter().map(String::as_str).collect()));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_by_characters_not_bytes() {
        let mut t = Table::new(vec![
            ("Gemeente".into(), Align::Left),
            ("Score".into(), Align::Right),
        ]);
        t.push(vec!["Sint-Niklaas".into(), "7".into()]);
        t.push(vec!["Zoersel".into(), "12".into()]);
        assert_eq!(
            t.render(),
            "Gemeente      Score\nSint-Niklaas      7\nZoersel          12\n"
        );
    }
}

//! Two allocation rules side by side: per municipality the amount under each, the difference,
//! and a summary of who gains and who loses.

use super::money::plain;
use super::plan::{Allocation, euro};
use crate::export::xlsx::{Sheet, Value, record_lines, workbook};
use crate::lang::Lang;
use crate::report::table::{Align, Table};
use crate::run_record::RunRecord;
use anyhow::Result;
use std::fmt::Write as _;
use std::io::Write;

/// One municipality under both rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// REFNIS code.
    pub nis: String,
    /// Name.
    pub name: String,
    /// Score.
    pub score: u32,
    /// Amount under rule A, in cents.
    pub a: i64,
    /// Amount under rule B, in cents.
    pub b: i64,
}

impl Diff {
    /// B - A in cents: positive when the municipality gains under B.
    pub fn change(&self) -> i64 {
        self.b - self.a
    }
}

/// The rows of both allocations (same year and municipalities), in rank order.
pub fn diff(a: &Allocation, b: &Allocation) -> Vec<Diff> {
    a.lines
        .iter()
        .zip(&b.lines)
        .map(|(x, y)| {
            debug_assert_eq!(x.nis, y.nis);
            Diff {
                nis: x.nis.clone(),
                name: x.name.clone(),
                score: x.score,
                a: x.cents,
                b: y.cents,
            }
        })
        .collect()
}

fn audit(a: &Allocation, b: &Allocation, record: &RunRecord) -> Vec<(String, String)> {
    let mut lines = record_lines(&record.comment_lines());
    for (tag, alloc) in [("A", a), ("B", b)] {
        lines.extend(
            alloc
                .audit()
                .into_iter()
                .map(|(k, v)| (format!("rule {tag} {k}"), v)),
        );
    }
    lines
}

/// The terminal table: municipalities funded under either rule, then gains and losses.
pub fn table(a: &Allocation, b: &Allocation, record: &RunRecord, lang: Lang) -> String {
    let rows = diff(a, b);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}: A = {} | B = {} | {}",
        lang.pick("Vergelijking", "Comparison"),
        a.year,
        a.rule.name,
        b.rule.name,
        euro(a.budget, lang)
    );
    out.push('\n');
    let mut t = Table::new(vec![
        ("NIS".into(), Align::Left),
        (lang.pick("Gemeente", "Municipality").into(), Align::Left),
        ("Score".into(), Align::Right),
        ("A".into(), Align::Right),
        ("B".into(), Align::Right),
        ("B - A".into(), Align::Right),
    ]);
    for d in rows.iter().filter(|d| d.a != 0 || d.b != 0) {
        let change = d.change();
        let sign = if change > 0 { "+" } else { "" };
        t.push(vec![
            d.nis.clone(),
            d.name.clone(),
            d.score.to_string(),
            euro(d.a, lang),
            euro(d.b, lang),
            format!("{sign}{}", euro(change, lang)),
        ]);
    }
    out.push_str(&t.render());
    let gains: Vec<&Diff> = rows.iter().filter(|d| d.change() > 0).collect();
    let losses: Vec<&Diff> = rows.iter().filter(|d| d.change() < 0).collect();
    let sum = |v: &[&Diff]| v.iter().map(|d| d.change()).sum::<i64>();
    let _ = writeln!(
        out,
        "\n{}: {} ({} {}) | {}: {} ({} {}) | {}: {}",
        lang.pick("Winnen", "Gain"),
        gains.len(),
        lang.pick("samen", "together"),
        euro(sum(&gains), lang),
        lang.pick("Verliezen", "Lose"),
        losses.len(),
        lang.pick("samen", "together"),
        euro(sum(&losses), lang),
        lang.pick("Gelijk", "Unchanged"),
        rows.len() - gains.len() - losses.len()
    );
    let _ = writeln!(out, "\n{}:", lang.pick("Audit", "Audit"));
    for (k, v) in audit(a, b, record) {
        let _ = writeln!(out, "  {k}: {v}");
    }
    out
}

/// CSV with the audit of both rules as `#` lines.
pub fn csv(a: &Allocation, b: &Allocation, record: &RunRecord, w: &mut dyn Write) -> Result<()> {
    for (k, v) in audit(a, b, record) {
        writeln!(w, "# {k}: {v}")?;
    }
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["nis", "name", "score", "amount_a", "amount_b", "change"])?;
    for d in diff(a, b) {
        out.write_record([
            d.nis.clone(),
            d.name.clone(),
            d.score.to_string(),
            plain(d.a),
            plain(d.b),
            plain(d.change()),
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// XLSX with euro formats and an audit sheet.
pub fn xlsx(a: &Allocation, b: &Allocation, record: &RunRecord, lang: Lang) -> Result<Vec<u8>> {
    let header = vec![
        "NIS".into(),
        lang.pick("Gemeente", "Municipality").into(),
        "Score".into(),
        format!("A: {}", a.rule.name),
        format!("B: {}", b.rule.name),
        "B - A".into(),
    ];
    let mut sheet = Sheet::new(lang.pick("Vergelijking", "Comparison"), header);
    for d in diff(a, b) {
        sheet.rows.push(vec![
            Value::Text(d.nis.clone()),
            Value::Text(d.name.clone()),
            Value::Int(d.score.into()),
            Value::Euro(d.a),
            Value::Euro(d.b),
            Value::Euro(d.change()),
        ]);
    }
    workbook(&[sheet, Sheet::key_values("Audit", &audit(a, b, record))])
}

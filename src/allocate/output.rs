//! Renderings of an [`Allocation`]: a terminal table (Dutch by default, Belgian amounts), CSV and
//! JSON with plain numbers, and an XLSX workbook with euro formats; each carries the audit.

use super::money::plain;
use super::plan::{Allocation, bound_text, euro};
use crate::export::xlsx::{Sheet, Value, record_lines, workbook};
use crate::geo::Geography;
use crate::lang::Lang;
use crate::report::format::number;
use crate::report::table::{Align, Table};
use crate::run_record::RunRecord;
use anyhow::Result;
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write;

/// The audit lines: the run record, then the allocation's own section.
pub fn audit_lines(alloc: &Allocation, record: &RunRecord) -> Vec<(String, String)> {
    let mut lines = record_lines(&record.comment_lines());
    lines.extend(
        alloc
            .audit()
            .into_iter()
            .map(|(k, v)| (format!("audit {k}"), v)),
    );
    lines
}

fn key_text(v: Option<f64>) -> String {
    v.map_or(String::new(), |k| ((k * 1e6).round() / 1e6).to_string())
}

/// The terminal table: eligible municipalities first (rank order), then a count of the others.
pub fn table(
    alloc: &Allocation,
    geo: &Geography,
    record: &RunRecord,
    lang: Lang,
    all: bool,
) -> String {
    let en = lang.english();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} - {}: {} {} {} {}",
        lang.pick("Toewijzing", "Allocation"),
        alloc.year,
        alloc.rule.name,
        euro(alloc.budget, lang),
        lang.pick("over", "over"),
        alloc.eligible(),
        if alloc
            .lines
            .iter()
            .any(|l| crate::geo::sector_municipality(&l.nis).is_some())
        {
            lang.pick("statistische sectoren", "statistical sectors")
        } else {
            lang.pick("gemeenten", "municipalities")
        },
    );
    if record.store.synthetic {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "LET OP: synthetische demodata, geen echte cijfers.",
                "NOTE: synthetic demo data, not real statistics."
            )
        );
    }
    out.push('\n');
    let mut t = Table::new(vec![
        (lang.pick("Rang", "Rank").into(), Align::Right),
        ("NIS".into(), Align::Left),
        (lang.pick("Gemeente", "Municipality").into(), Align::Left),
        (lang.pick("Provincie", "Province").into(), Align::Left),
        ("Score".into(), Align::Right),
        (lang.pick("Reden", "Reason").into(), Align::Left),
        (lang.pick("Sleutel", "Key").into(), Align::Right),
        (lang.pick("Aandeel", "Share").into(), Align::Right),
        (lang.pick("Bedrag", "Amount").into(), Align::Right),
        (lang.pick("Grens", "Bound").into(), Align::Left),
    ]);
    for l in alloc.lines.iter().filter(|l| all || l.eligible) {
        t.push(vec![
            l.rank.to_string(),
            l.nis.clone(),
            l.name.clone(),
            geo.name(&l.province, en).unwrap_or(&l.province).to_owned(),
            l.score.to_string(),
            l.reason.text(l.eligible, lang),
            l.key.map_or("-".into(), |k| {
                number(k, if k.fract() == 0.0 { 0 } else { 2 }, lang)
            }),
            l.key_share
                .map_or("-".into(), |s| format!("{} %", number(s * 100.0, 2, lang))),
            euro(l.cents, lang),
            bound_text(l, lang).into(),
        ]);
    }
    out.push_str(&t.render());
    let others = alloc.lines.len() - alloc.eligible();
    if !all && others > 0 {
        let _ = writeln!(
            out,
            "... {others} {}",
            lang.pick(
                "gemeenten komen niet in aanmerking (--all toont ze met hun reden)",
                "municipalities are not eligible (--all lists them with the reason)"
            )
        );
    }
    let total: i64 = alloc.lines.iter().map(|l| l.cents).sum();
    let _ = writeln!(
        out,
        "{}: {}",
        lang.pick("Totaal", "Total"),
        euro(total, lang)
    );
    let _ = writeln!(out, "\n{}:", lang.pick("Audit", "Audit"));
    for (k, v) in audit_lines(alloc, record) {
        let _ = writeln!(out, "  {k}: {v}");
    }
    out
}

/// CSV: the audit as `#` lines, then one row per municipality (amounts in plain euros).
pub fn csv(alloc: &Allocation, record: &RunRecord, w: &mut dyn Write) -> Result<()> {
    for (k, v) in audit_lines(alloc, record) {
        writeln!(w, "# {k}: {v}")?;
    }
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "nis",
        "name",
        "province",
        "score",
        "rank",
        "eligible",
        "reason",
        "key",
        "key_year",
        "key_share",
        "guarantee",
        "bound",
        "amount",
    ])?;
    for l in &alloc.lines {
        out.write_record([
            l.nis.clone(),
            l.name.clone(),
            l.province.clone(),
            l.score.to_string(),
            l.rank.to_string(),
            u8::from(l.eligible).to_string(),
            l.reason.text(l.eligible, Lang::En),
            key_text(l.key),
            l.key_year.map_or(String::new(), |y| y.to_string()),
            l.key_share.map_or(String::new(), |s| format!("{:.9}", s)),
            l.guarantee.map_or(String::new(), plain),
            bound_text(l, Lang::En).into(),
            plain(l.cents),
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// JSON: the run record, the audit and one object per municipality.
pub fn json(alloc: &Allocation, record: &RunRecord) -> serde_json::Value {
    let audit: serde_json::Map<String, serde_json::Value> = alloc
        .audit()
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    let rows: Vec<serde_json::Value> = alloc
        .lines
        .iter()
        .map(|l| {
            json!({
                "nis": l.nis, "name": l.name, "province": l.province, "score": l.score,
                "rank": l.rank, "eligible": l.eligible, "reason": l.reason.text(l.eligible, Lang::En),
                "key": l.key, "key_year": l.key_year, "key_share": l.key_share, "guarantee_cents": l.guarantee,
                "bound": l.bound, "amount_cents": l.cents, "amount": plain(l.cents),
            })
        })
        .collect();
    json!({ "run": record, "audit": audit, "municipalities": rows })
}

/// XLSX: a sheet with the allocation (euro formats) and a sheet with the audit.
pub fn xlsx(alloc: &Allocation, record: &RunRecord, lang: Lang) -> Result<Vec<u8>> {
    let header: Vec<String> = [
        ("NIS", "NIS"),
        ("Gemeente", "Municipality"),
        ("Provincie", "Province"),
        ("Score", "Score"),
        ("Rang", "Rank"),
        ("In aanmerking", "Eligible"),
        ("Reden", "Reason"),
        ("Sleutel", "Key"),
        ("Aandeel sleutel", "Key share"),
        ("Garantie", "Guarantee"),
        ("Grens", "Bound"),
        ("Bedrag", "Amount"),
    ]
    .iter()
    .map(|(nl, en)| lang.pick(nl, en).to_owned())
    .collect();
    let mut sheet = Sheet::new(lang.pick("Toewijzing", "Allocation"), header);
    for l in &alloc.lines {
        sheet.rows.push(vec![
            Value::Text(l.nis.clone()),
            Value::Text(l.name.clone()),
            Value::Text(l.province.clone()),
            Value::Int(l.score.into()),
            Value::Int(l.rank.into()),
            Value::Text(
                lang.pick(
                    if l.eligible { "ja" } else { "nee" },
                    if l.eligible { "yes" } else { "no" },
                )
                .into(),
            ),
            Value::Text(l.reason.text(l.eligible, lang)),
            l.key.map_or(Value::Empty, |k| Value::Number(k, 2)),
            l.key_share.map_or(Value::Empty, Value::Percent),
            l.guarantee.map_or(Value::Empty, Value::Euro),
            Value::Text(bound_text(l, lang).into()),
            Value::Euro(l.cents),
        ]);
    }
    let total: i64 = alloc.lines.iter().map(|l| l.cents).sum();
    let mut last = vec![Value::Empty; 12];
    last[1] = Value::Text(lang.pick("Totaal", "Total").into());
    last[11] = Value::Euro(total);
    sheet.rows.push(last);
    workbook(&[
        sheet,
        Sheet::key_values("Audit", &audit_lines(alloc, record)),
    ])
}

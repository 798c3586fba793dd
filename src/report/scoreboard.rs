//! Renderings of a [`Scoreboard`]: a terminal table (Dutch by default), and CSV and JSON with
//! one row per municipality in the SVI style (per indicator value, reference, point; then score,
//! composite, rank, percentile, decile), each carrying the run record.

use super::format::{number, signed};
use super::table::{Align, Table};
use crate::barometer::{Row, Scoreboard};
use crate::definition::Definition;
use crate::geo::Geography;
use crate::lang::Lang;
use crate::run_record::RunRecord;
use anyhow::Result;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::io::Write;

/// Round for machine output: nine decimals, enough for any published figure, without binary noise.
fn plain(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

/// The table mark of a point: ● point, · no point, ? missing.
pub fn point_mark(p: Option<bool>) -> &'static str {
    match p {
        Some(true) => "●",
        Some(false) => "·",
        None => "?",
    }
}

/// The terminal table with title, references, legend and a short run record.
pub fn table(
    board: &Scoreboard,
    def: &Definition,
    geo: &Geography,
    record: &RunRecord,
    lang: Lang,
) -> String {
    let en = lang.english();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} - {} {} ({} {})",
        def.name.get(en),
        board.year,
        board.rows.len(),
        board.units_word(lang),
        lang.pick("indeling", "municipality set"),
        board.municipality_set
    );
    if record.store.synthetic {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "LET OP: synthetische demodata, geen echte cijfers (op enkele gepubliceerde cijfers na).",
                "NOTE: synthetic demo data, not real statistics (except a few published figures)."
            )
        );
    }
    out.push('\n');
    let mut header = vec![
        (lang.pick("Rang", "Rank").to_owned(), Align::Right),
        ("NIS".to_owned(), Align::Left),
        (
            lang.pick("Gemeente", "Municipality").to_owned(),
            Align::Left,
        ),
        (lang.pick("Provincie", "Province").to_owned(), Align::Left),
    ];
    header.extend(
        def.indicators
            .iter()
            .map(|i| (i.short.clone(), Align::Right)),
    );
    header.push(("Score".to_owned(), Align::Right));
    header.push(("Ind.".to_owned(), Align::Right));
    header.push((lang.pick("Composiet", "Composite").to_owned(), Align::Right));
    header.push((lang.pick("Deciel", "Decile").to_owned(), Align::Right));
    let mut t = Table::new(header);
    for r in &board.rows {
        let mut row = vec![
            r.rank.to_string(),
            r.nis.clone(),
            r.name.to_string(),
            geo.name(&r.province, en).unwrap_or(&r.province).to_owned(),
        ];
        row.extend(r.cells.iter().map(|c| point_mark(c.point).to_owned()));
        row.push(r.score.to_string());
        row.push(r.indicators.to_string());
        row.push(
            r.composite
                .map_or("-".into(), |c| format!("{} %", signed(c * 100.0, 1, lang))),
        );
        row.push(r.decile.to_string());
        t.push(row);
    }
    out.push_str(&t.render());
    out.push('\n');
    let _ = writeln!(out, "{}", lang.pick("Referenties:", "References:"));
    for (ind, reference) in def.indicators.iter().zip(&board.references) {
        let method = match reference.method {
            crate::definition::Reference::Flanders => lang.pick("Vlaams Gewest", "Flemish Region"),
            crate::definition::Reference::Mean => {
                lang.pick("gemiddelde gemeenten", "mean of municipalities")
            }
            crate::definition::Reference::Median => {
                lang.pick("mediaan gemeenten", "median of municipalities")
            }
            crate::definition::Reference::Fixed => lang.pick("vaste waarde", "fixed value"),
        };
        let value = reference.value.map_or("-".into(), |v| {
            format!(
                "{}{}",
                number(ind.display(v), ind.unit.decimals() + 1, lang),
                ind.unit.suffix()
            )
        });
        let _ = writeln!(
            out,
            "  {:<4} {:<58} {:>10}  ({method})",
            ind.short,
            ind.label.get(en),
            value
        );
    }
    let _ = writeln!(
        out,
        "{}",
        lang.pick(
            "● = punt (slechter dan de referentie)  · = geen punt  ? = ontbrekend; Ind. = aantal indicatoren waarop de score rust",
            "● = point (worse than the reference)  · = no point  ? = missing; Ind. = number of indicators the score rests on"
        )
    );
    if !board.absent.is_empty() {
        let shown: Vec<&str> = board.absent.iter().take(10).map(String::as_str).collect();
        let more = if board.absent.len() > shown.len() {
            ", ..."
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{} {} {}: {}{more}",
            board.absent.len(),
            lang.pick(
                "gemeenten van de indeling zonder gegevens",
                "municipalities of the set without data"
            ),
            board.municipality_set,
            shown.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} {} {} | {} {} (sha256 {}) | store {} (sha256 {}) | {}",
        record.tool,
        record.version,
        record.command,
        lang.pick("definitie", "definition"),
        record.definition.origin,
        &record.definition.sha256[..12],
        record.store.origin,
        &record.store.sha256[..12],
        record.generated_at
    );
    out
}

/// CSV: the run record as `#` comment lines, then one row per municipality.
pub fn csv(
    board: &Scoreboard,
    def: &Definition,
    record: &RunRecord,
    w: &mut dyn Write,
) -> Result<()> {
    w.write_all(record.comment_lines().as_bytes())?;
    let mut out = csv::Writer::from_writer(w);
    out.write_record(csv_header(def))?;
    for r in &board.rows {
        out.write_record(csv_row(r, def))?;
    }
    out.flush()?;
    Ok(())
}

/// The CSV header: identification, per indicator value/reference/point, then the summary.
pub fn csv_header(def: &Definition) -> Vec<String> {
    let mut header: Vec<String> = ["nis", "name", "arrondissement", "province"]
        .map(String::from)
        .to_vec();
    for ind in &def.indicators {
        for part in ["value", "reference", "point"] {
            header.push(format!("{}_{part}", ind.id));
        }
    }
    header.extend(
        [
            "score",
            "indicators",
            "composite",
            "rank",
            "percentile",
            "decile",
        ]
        .map(String::from),
    );
    header
}

/// One municipality's CSV row, matching [`csv_header`].
pub fn csv_row(r: &Row, def: &Definition) -> Vec<String> {
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| plain(v).to_string());
    let mut row = vec![
        r.nis.clone(),
        r.name.to_string(),
        r.arrondissement.to_string(),
        r.province.to_string(),
    ];
    for (ind, c) in def.indicators.iter().zip(&r.cells) {
        row.push(opt(c.value.map(|v| ind.display(v))));
        row.push(opt(c.reference.map(|v| ind.display(v))));
        row.push(c.point.map_or(String::new(), |p| u8::from(p).to_string()));
    }
    row.push(r.score.to_string());
    row.push(r.indicators.to_string());
    row.push(opt(r.composite));
    row.push(r.rank.to_string());
    row.push(plain(r.percentile).to_string());
    row.push(r.decile.to_string());
    row
}

/// JSON: the run record, the references and one object per municipality.
pub fn json(board: &Scoreboard, def: &Definition, record: &RunRecord) -> Value {
    let opt = |v: Option<f64>| v.map(plain);
    let municipalities: Vec<Value> = board
        .rows
        .iter()
        .map(|r| {
            let indicators: serde_json::Map<String, Value> = def
                .indicators
                .iter()
                .zip(&r.cells)
                .map(|(ind, c)| {
                    (
                        ind.id.clone(),
                        json!({
                            "value": opt(c.value.map(|v| ind.display(v))),
                            "reference": opt(c.reference.map(|v| ind.display(v))),
                            "point": c.point.map(u8::from),
                            "numerator": c.numerator,
                            "denominator": c.denominator,
                            "status": c.status.as_str(),
                        }),
                    )
                })
                .collect();
            json!({
                "nis": r.nis,
                "name": &*r.name,
                "arrondissement": &*r.arrondissement,
                "province": &*r.province,
                "indicators": indicators,
                "score": r.score,
                "indicators_used": r.indicators,
                "composite": opt(r.composite),
                "rank": r.rank,
                "percentile": plain(r.percentile),
                "decile": r.decile,
            })
        })
        .collect();
    let references: Vec<Value> = def
        .indicators
        .iter()
        .zip(&board.references)
        .map(|(ind, r)| {
            json!({
                "indicator": ind.id,
                "method": r.method,
                "value": opt(r.value.map(|v| ind.display(v))),
                "unit": ind.unit,
                "municipalities_with_value": r.municipalities_with_value,
            })
        })
        .collect();
    json!({
        "run": record,
        "barometer": { "id": def.id, "name": def.name },
        "year": board.year,
        "municipality_set": board.municipality_set,
        "absent": board.absent,
        "references": references,
        "municipalities": municipalities,
    })
}

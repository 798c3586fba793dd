//! The ranking of every municipality with, optionally, its movement since a comparison year:
//! rank change (previous rank - rank; positive = moved up toward more risk) and score change.
//! Renderings: terminal table, CSV, JSON (the scoreboard's, extended) and XLSX.

use crate::barometer::{Row, Scoreboard};
use crate::definition::Definition;
use crate::export::xlsx::{Sheet, Value, record_lines, workbook};
use crate::geo::Geography;
use crate::lang::Lang;
use crate::report::format::signed;
use crate::report::scoreboard::{self, point_mark};
use crate::report::table::{Align, Table};
use crate::run_record::RunRecord;
use anyhow::Result;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

/// A municipality's place in the comparison year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Previous {
    /// Rank in the comparison year.
    pub rank: u32,
    /// Score in the comparison year.
    pub score: u32,
}

/// A ranking, with the comparison year's ranks and scores when asked.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// The year's scoreboard.
    pub board: Scoreboard,
    /// The comparison year, if any.
    pub compare_year: Option<i32>,
    /// Previous rank and score per REFNIS code (absent: not scored then).
    pub previous: BTreeMap<String, Previous>,
}

impl Ranking {
    /// Rank `board`, compared with `before` when given.
    pub fn new(board: Scoreboard, before: Option<&Scoreboard>) -> Ranking {
        let previous = before
            .map(|b| {
                b.rows
                    .iter()
                    .map(|r| {
                        (
                            r.nis.clone(),
                            Previous {
                                rank: r.rank,
                                score: r.score,
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ranking {
            compare_year: before.map(|b| b.year),
            board,
            previous,
        }
    }

    /// Previous rank - rank (positive: moved toward the top, more at risk).
    pub fn rank_change(&self, r: &Row) -> Option<i64> {
        self.previous
            .get(&r.nis)
            .map(|p| i64::from(p.rank) - i64::from(r.rank))
    }

    /// Score - previous score.
    pub fn score_change(&self, r: &Row) -> Option<i64> {
        self.previous
            .get(&r.nis)
            .map(|p| i64::from(r.score) - i64::from(p.score))
    }
}

fn arrow(change: Option<i64>, lang: Lang) -> String {
    match change {
        None => lang.pick("nieuw", "new").into(),
        Some(0) => "=".into(),
        Some(c) if c > 0 => format!("▲{c}"),
        Some(c) => format!("▼{}", -c),
    }
}

/// The terminal table.
pub fn table(
    ranking: &Ranking,
    def: &Definition,
    geo: &Geography,
    record: &RunRecord,
    lang: Lang,
) -> String {
    let board = &ranking.board;
    let en = lang.english();
    let mut out = String::new();
    let _ = write!(
        out,
        "{} {} - {} {} {}",
        def.name.get(en),
        board.year,
        board.rows.len(),
        board.units_word(lang),
        lang.pick("gerangschikt", "ranked"),
    );
    if let Some(y0) = ranking.compare_year {
        let _ = write!(
            out,
            " ({} {y0})",
            lang.pick("beweging sinds", "movement since")
        );
    }
    out.push('\n');
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
    let compare = ranking.compare_year.is_some();
    let mut header = vec![(lang.pick("Rang", "Rank").to_owned(), Align::Right)];
    if compare {
        header.push(("Δ".to_owned(), Align::Right));
    }
    header.extend([
        ("NIS".to_owned(), Align::Left),
        (
            lang.pick("Gemeente", "Municipality").to_owned(),
            Align::Left,
        ),
        (lang.pick("Provincie", "Province").to_owned(), Align::Left),
    ]);
    header.extend(
        def.indicators
            .iter()
            .map(|i| (i.short.clone(), Align::Right)),
    );
    header.push(("Score".to_owned(), Align::Right));
    if compare {
        header.push(("ΔScore".to_owned(), Align::Right));
    }
    header.push((lang.pick("Composiet", "Composite").to_owned(), Align::Right));
    header.push((lang.pick("Deciel", "Decile").to_owned(), Align::Right));
    let mut t = Table::new(header);
    for r in &board.rows {
        let mut row = vec![r.rank.to_string()];
        if compare {
            row.push(arrow(ranking.rank_change(r), lang));
        }
        row.extend([
            r.nis.clone(),
            r.name.to_string(),
            geo.name(&r.province, en).unwrap_or(&r.province).to_owned(),
        ]);
        row.extend(r.cells.iter().map(|c| point_mark(c.point).to_owned()));
        row.push(r.score.to_string());
        if compare {
            row.push(
                ranking
                    .score_change(r)
                    .map_or("-".into(), |c| signed(c as f64, 0, lang)),
            );
        }
        row.push(
            r.composite
                .map_or("-".into(), |c| format!("{} %", signed(c * 100.0, 1, lang))),
        );
        row.push(r.decile.to_string());
        t.push(row);
    }
    out.push_str(&t.render());
    if compare {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "Δ = vorige rang - rang (▲ gestegen naar meer risico, ▼ gedaald); ΔScore = score - vorige score",
                "Δ = previous rank - rank (▲ moved up toward more risk, ▼ down); ΔScore = score - previous score"
            )
        );
    }
    let _ = writeln!(
        out,
        "\n{} {} {} | store {} (sha256 {}) | {}",
        record.tool,
        record.version,
        record.command,
        record.store.origin,
        &record.store.sha256[..12],
        record.generated_at
    );
    out
}

/// CSV: the scoreboard's columns, then previous rank/score and the changes when compared.
pub fn csv(
    ranking: &Ranking,
    def: &Definition,
    record: &RunRecord,
    w: &mut dyn Write,
) -> Result<()> {
    w.write_all(record.comment_lines().as_bytes())?;
    let mut out = csv::Writer::from_writer(w);
    let mut header = scoreboard::csv_header(def);
    if ranking.compare_year.is_some() {
        header.extend(
            [
                "previous_rank",
                "previous_score",
                "rank_change",
                "score_change",
            ]
            .map(String::from),
        );
    }
    out.write_record(&header)?;
    let opt = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
    for r in &ranking.board.rows {
        let mut row = scoreboard::csv_row(r, def);
        if ranking.compare_year.is_some() {
            let p = ranking.previous.get(&r.nis);
            row.push(opt(p.map(|p| p.rank.into())));
            row.push(opt(p.map(|p| p.score.into())));
            row.push(opt(ranking.rank_change(r)));
            row.push(opt(ranking.score_change(r)));
        }
        out.write_record(&row)?;
    }
    out.flush()?;
    Ok(())
}

/// JSON: the scoreboard's JSON with `compare_year` and a `movement` object per municipality.
pub fn json(ranking: &Ranking, def: &Definition, record: &RunRecord) -> serde_json::Value {
    let mut v = scoreboard::json(&ranking.board, def, record);
    if let Some(y0) = ranking.compare_year {
        v["compare_year"] = y0.into();
        if let Some(list) = v["municipalities"].as_array_mut() {
            for (m, r) in list.iter_mut().zip(&ranking.board.rows) {
                let p = ranking.previous.get(&r.nis);
                m["movement"] = serde_json::json!({
                    "previous_rank": p.map(|p| p.rank),
                    "previous_score": p.map(|p| p.score),
                    "rank_change": ranking.rank_change(r),
                    "score_change": ranking.score_change(r),
                });
            }
        }
    }
    v
}

/// XLSX: one sheet with the ranking (numbers as numbers) and one with the run record.
pub fn xlsx(
    ranking: &Ranking,
    def: &Definition,
    record: &RunRecord,
    lang: Lang,
) -> Result<Vec<u8>> {
    let compare = ranking.compare_year.is_some();
    let mut header: Vec<String> = [
        lang.pick("Rang", "Rank"),
        "NIS",
        lang.pick("Gemeente", "Municipality"),
        lang.pick("Provincie", "Province"),
    ]
    .map(String::from)
    .to_vec();
    header.extend(def.indicators.iter().map(|i| i.short.clone()));
    header.extend(
        [
            "Score",
            "Ind.",
            lang.pick("Composiet", "Composite"),
            lang.pick("Deciel", "Decile"),
        ]
        .map(String::from),
    );
    if compare {
        header.extend(
            [
                lang.pick("Vorige rang", "Previous rank"),
                lang.pick("Vorige score", "Previous score"),
                lang.pick("Rangverschil", "Rank change"),
                lang.pick("Scoreverschil", "Score change"),
            ]
            .map(String::from),
        );
    }
    let mut sheet = Sheet::new(lang.pick("Rangschikking", "Ranking"), header);
    let int = |v: Option<i64>| v.map_or(Value::Empty, Value::Int);
    for r in &ranking.board.rows {
        let mut row = vec![
            Value::Int(r.rank.into()),
            Value::Text(r.nis.clone()),
            Value::Text(r.name.to_string()),
            Value::Text(r.province.to_string()),
        ];
        row.extend(r.cells.iter().map(|c| int(c.point.map(i64::from))));
        row.push(Value::Int(r.score.into()));
        row.push(Value::Int(r.indicators.into()));
        row.push(r.composite.map_or(Value::Empty, Value::Percent));
        row.push(Value::Int(r.decile.into()));
        if compare {
            let p = ranking.previous.get(&r.nis);
            row.push(int(p.map(|p| p.rank.into())));
            row.push(int(p.map(|p| p.score.into())));
            row.push(int(ranking.rank_change(r)));
            row.push(int(ranking.score_change(r)));
        }
        sheet.rows.push(row);
    }
    workbook(&[
        sheet,
        Sheet::key_values("Run", &record_lines(&record.comment_lines())),
    ])
}

//! The map model both renderers draw: shapes in pixel coordinates with fill and tooltip, province
//! outlines from edges not shared within a province, the legend, and the join report.

use super::classify::{Classes, MISSING, Method, classify, colours};
use super::geometry::{Crs, Layer, Polygon, bounds};
use crate::barometer::{Row, Scoreboard};
use crate::definition::Definition;
use crate::error::usage;
use crate::geo::Geography;
use crate::lang::Lang;
use crate::report::format::number;
use std::collections::{BTreeMap, HashMap};

/// What the map shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metric {
    /// The score 0-7, one class per score.
    Score,
    /// The rank (1 = most at risk, darkest).
    Rank,
    /// An indicator's value, in its display unit.
    Indicator(String),
}

impl Metric {
    /// Parse `--metric`.
    pub fn parse(text: &str, def: &Definition) -> Result<Metric, String> {
        match text {
            "score" => Ok(Metric::Score),
            "rank" => Ok(Metric::Rank),
            id if def.indicators.iter().any(|i| i.id == id) => Ok(Metric::Indicator(id.into())),
            other => {
                let ids: Vec<&str> = def.indicators.iter().map(|i| i.id.as_str()).collect();
                Err(format!(
                    "unknown --metric '{other}'; use score, rank or a scored indicator: {}",
                    ids.join(", ")
                ))
            }
        }
    }
}

/// Size of the drawing in SVG pixels and its margins.
pub const WIDTH: f64 = 1000.0;
const MAP_TOP: f64 = 64.0;
const MARGIN: f64 = 16.0;
const FOOTER: f64 = 106.0;

/// One municipality on the map (all features with its code after mergers).
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// REFNIS code in the scoreboard.
    pub nis: String,
    /// Name.
    pub name: String,
    /// Province code.
    pub province: String,
    /// Polygons in pixel coordinates (y down).
    pub polygons: Vec<Polygon>,
    /// Class index, `None` without data.
    pub class: Option<usize>,
    /// Fill colour.
    pub fill: (u8, u8, u8),
    /// Tooltip text.
    pub tooltip: String,
    /// Metric value.
    pub value: Option<f64>,
}

/// Codes that did not match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JoinReport {
    /// Features outside Flanders (not drawn).
    pub outside: usize,
    /// Old codes mapped to their merged municipality: (old, new).
    pub merged: Vec<(String, String)>,
    /// Flemish codes in the geometry that are not in the scoreboard and cannot be merged.
    pub geometry_only: Vec<String>,
    /// Scoreboard municipalities without any geometry.
    pub store_only: Vec<String>,
}

impl JoinReport {
    /// Lines for the terminal: what was matched, merged, missing.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        if self.outside > 0 {
            out.push(format!(
                "{} {}",
                self.outside,
                lang.pick(
                    "vormen buiten Vlaanderen niet getekend",
                    "features outside Flanders not drawn"
                )
            ));
        }
        if !self.merged.is_empty() {
            let list: Vec<String> = self
                .merged
                .iter()
                .map(|(o, n)| format!("{o}->{n}"))
                .collect();
            out.push(format!(
                "{} {}: {}",
                self.merged.len(),
                lang.pick("oude codes samengevoegd", "old codes merged"),
                list.join(", ")
            ));
        }
        if !self.geometry_only.is_empty() {
            out.push(format!(
                "{} {}: {}",
                self.geometry_only.len(),
                lang.pick(
                    "codes in de geometrie zonder gegevens",
                    "codes in the geometry without data"
                ),
                self.geometry_only.join(", ")
            ));
        }
        if !self.store_only.is_empty() {
            out.push(format!(
                "{} {}: {}",
                self.store_only.len(),
                lang.pick(
                    "gemeenten met gegevens zonder geometrie",
                    "municipalities with data but no geometry"
                ),
                self.store_only.join(", ")
            ));
        }
        out
    }
}

/// A legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    /// Fill colour.
    pub fill: (u8, u8, u8),
    /// Label.
    pub label: String,
    /// Whether this is the "no data" entry.
    pub missing: bool,
}

/// Everything to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Width and height in SVG pixels.
    pub size: (f64, f64),
    /// Title line.
    pub title: String,
    /// Source lines at the bottom.
    pub source: Vec<String>,
    /// Municipalities, sorted by decreasing extent (larger first, so enclaves are drawn on top).
    pub shapes: Vec<Shape>,
    /// Province (and Flemish) outlines as segments in pixel coordinates.
    pub province_edges: Vec<[[f64; 2]; 2]>,
    /// Legend entries, lowest class first, "no data" last.
    pub legend: Vec<LegendItem>,
    /// Legend heading.
    pub legend_title: String,
    /// The classes used.
    pub classes: Classes,
    /// Join report.
    pub report: JoinReport,
    /// The coordinate system of the input.
    pub crs: Crs,
}

/// An edge of a province: the province code and the two quantised end points, sorted.
type EdgeKey<'a> = (&'a str, (i64, i64), (i64, i64));

fn is_flemish(code: &str) -> bool {
    code.len() == 5
        && (matches!(code.as_bytes()[0], b'1' | b'3' | b'4' | b'7')
            || code.starts_with("23")
            || code.starts_with("24"))
}

/// The metric's value for a row, in display units.
fn value(row: &Row, metric: &Metric, def: &Definition) -> Option<f64> {
    match metric {
        Metric::Score => (row.indicators > 0).then_some(f64::from(row.score)),
        Metric::Rank => Some(f64::from(row.rank)),
        Metric::Indicator(id) => {
            let k = def.indicators.iter().position(|i| &i.id == id)?;
            row.cells[k].value.map(|v| def.indicators[k].display(v))
        }
    }
}

fn tooltip(row: &Row, def: &Definition, metric: &Metric, v: Option<f64>, lang: Lang) -> String {
    let points: Vec<String> = def
        .indicators
        .iter()
        .zip(&row.cells)
        .map(|(i, c)| {
            let mark = match c.point {
                Some(true) => "●",
                Some(false) => "·",
                None => "?",
            };
            format!("{} {mark}", i.short)
        })
        .collect();
    let mut t = format!(
        "{} ({}): score {}/{}, {} {}; {}: {}",
        row.name,
        row.nis,
        row.score,
        row.indicators,
        lang.pick("rang", "rank"),
        row.rank,
        lang.pick("punten", "points"),
        points.join(" ")
    );
    if let (Metric::Indicator(id), Some(v)) = (metric, v)
        && let Some(ind) = def.indicators.iter().find(|i| &i.id == id)
    {
        t.push_str(&format!(
            "; {}: {}{}",
            ind.short,
            number(v, ind.unit.decimals(), lang),
            ind.unit.suffix()
        ));
    }
    t
}

/// The parameters of a map besides the data.
#[derive(Debug, Clone)]
pub struct Options {
    /// What to show.
    pub metric: Metric,
    /// How to class a continuous metric (ignored for the score).
    pub method: Method,
    /// Language.
    pub lang: Lang,
    /// Source lines at the bottom (data, boundaries, run).
    pub source: Vec<String>,
}

/// Join `layer` to `board`, class the metric and project into a drawing.
pub fn build(
    layer: &Layer,
    board: &Scoreboard,
    def: &Definition,
    geo: &Geography,
    opts: &Options,
) -> anyhow::Result<Model> {
    let lang = opts.lang;
    let rows: BTreeMap<&str, &Row> = board.rows.iter().map(|r| (r.nis.as_str(), r)).collect();
    let merged_into: HashMap<&str, &str> = geo
        .mergers()
        .iter()
        .map(|m| (m.old_nis.as_str(), m.new_nis.as_str()))
        .collect();
    let mut report = JoinReport::default();
    let mut groups: BTreeMap<String, Vec<&Polygon>> = BTreeMap::new();
    for f in &layer.features {
        let mut code = f.code.as_str();
        if !rows.contains_key(code) {
            // Follow mergers (2019, then 2025) until a scored code is found.
            let mut c = code;
            while let Some(&next) = merged_into.get(c).filter(|n| **n != c) {
                c = next;
                if rows.contains_key(c) {
                    break;
                }
            }
            if rows.contains_key(c) {
                report.merged.push((code.to_owned(), c.to_owned()));
                code = c;
            } else if geo.municipality(code).is_some() || is_flemish(code) {
                report.geometry_only.push(code.to_owned());
                continue;
            } else {
                report.outside += 1;
                continue;
            }
        }
        groups
            .entry(code.to_owned())
            .or_default()
            .extend(f.polygons.iter());
    }
    report.merged.sort();
    report.merged.dedup();
    report.store_only = rows
        .keys()
        .filter(|c| !groups.contains_key(**c))
        .map(|c| (*c).to_owned())
        .collect();
    if groups.is_empty() {
        return Err(usage(format!(
            "no feature of the geometry matches a municipality scored in {}; is the key property right (--key)?",
            board.year
        )));
    }
    // Classes.
    let values: Vec<f64> = board
        .rows
        .iter()
        .filter_map(|r| value(r, &opts.metric, def))
        .collect();
    let method = match opts.metric {
        Metric::Score => Method::Integer(def.indicators.len() as u32),
        _ => opts.method.clone(),
    };
    let classes = classify(&values, &method);
    let palette = colours(classes.len());
    // Rank 1 is most at risk; lower-is-worse indicators likewise: darkest for the worst.
    let reversed = match &opts.metric {
        Metric::Rank => true,
        Metric::Indicator(id) => def
            .indicators
            .iter()
            .any(|i| &i.id == id && i.direction.sign() < 0.0),
        Metric::Score => false,
    };
    let colour_of = |class: usize| {
        if reversed {
            palette[palette.len() - 1 - class]
        } else {
            palette[class]
        }
    };
    // Projection: Lambert 72 is planar metres; WGS84 equirectangular with cos(mean latitude).
    let kept: Vec<&Polygon> = groups.values().flatten().copied().collect();
    let b = bounds(kept.iter().copied());
    let kx = match layer.crs {
        Crs::Lambert72 => 1.0,
        Crs::Wgs84 => ((b[1] + b[3]) / 2.0).to_radians().cos(),
    };
    let (dx, dy) = ((b[2] - b[0]) * kx, b[3] - b[1]);
    let inner_w = WIDTH - 2.0 * MARGIN;
    let scale = inner_w / dx.max(f64::MIN_POSITIVE);
    let map_h = (dy * scale).min(inner_w * 1.2);
    let scale = scale.min(map_h / dy.max(f64::MIN_POSITIVE));
    let x0 = MARGIN + (inner_w - dx * scale) / 2.0;
    let project = |p: &[f64; 2]| {
        [
            x0 + (p[0] - b[0]) * kx * scale,
            MAP_TOP + (b[3] - p[1]) * scale,
        ]
    };
    let project_poly = |poly: &Polygon| -> Polygon {
        poly.iter()
            .map(|ring| ring.iter().map(project).collect())
            .collect()
    };
    let mut shapes: Vec<(f64, Shape)> = Vec::new();
    for (nis, polys) in &groups {
        let row = rows[nis.as_str()];
        let v = value(row, &opts.metric, def);
        let class = v.map(|v| classes.class_of(v));
        let bb = bounds(polys.iter().copied());
        let extent = (bb[2] - bb[0]) * (bb[3] - bb[1]);
        shapes.push((
            extent,
            Shape {
                nis: nis.clone(),
                name: row.name.to_string(),
                province: row.province.to_string(),
                polygons: polys.iter().map(|p| project_poly(p)).collect(),
                class,
                fill: class.map_or(MISSING, colour_of),
                tooltip: tooltip(row, def, &opts.metric, v, lang),
                value: v,
            },
        ));
    }
    shapes.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.nis.cmp(&b.1.nis)));
    // Province outlines: edges that occur once among the rings of a province's municipalities.
    let q = match layer.crs {
        Crs::Lambert72 => 100.0,
        Crs::Wgs84 => 1e6,
    };
    let key = |p: &[f64; 2]| ((p[0] * q).round() as i64, (p[1] * q).round() as i64);
    // A BTreeMap: the edges come out in one order whatever the hasher (the SVG is byte-stable).
    let mut count: BTreeMap<EdgeKey, (usize, [f64; 2], [f64; 2])> = BTreeMap::new();
    for (nis, polys) in &groups {
        let province = &*rows[nis.as_str()].province;
        for ring in polys.iter().flat_map(|p| p.iter()) {
            for w in ring.windows(2) {
                let (a, bk) = (key(&w[0]), key(&w[1]));
                if a == bk {
                    continue;
                }
                let k = if a < bk {
                    (province, a, bk)
                } else {
                    (province, bk, a)
                };
                count.entry(k).or_insert((0, w[0], w[1])).0 += 1;
            }
        }
    }
    let mut province_edges: Vec<[[f64; 2]; 2]> = count
        .values()
        .filter(|(n, _, _)| *n == 1)
        .map(|(_, a, b)| [project(a), project(b)])
        .collect();
    province_edges.sort_by(|a, b| {
        a[0][0]
            .total_cmp(&b[0][0])
            .then(a[0][1].total_cmp(&b[0][1]))
            .then(a[1][0].total_cmp(&b[1][0]))
            .then(a[1][1].total_cmp(&b[1][1]))
    });
    // Legend.
    let fmt = |v: f64| match &opts.metric {
        Metric::Rank => number(v, 0, lang),
        Metric::Indicator(id) => {
            let d = def
                .indicators
                .iter()
                .find(|i| &i.id == id)
                .map_or(1, |i| i.unit.decimals());
            number(v, d, lang)
        }
        Metric::Score => number(v, 0, lang),
    };
    let mut legend: Vec<LegendItem> = (0..classes.len())
        .map(|c| {
            let label = match method {
                Method::Integer(_) => c.to_string(),
                _ => {
                    let lo = if c == 0 {
                        classes.range.0
                    } else {
                        classes.breaks[c - 1]
                    };
                    let hi = classes.breaks.get(c).copied().unwrap_or(classes.range.1);
                    if c == 0 {
                        format!("{} - {}", fmt(lo), fmt(hi))
                    } else {
                        format!("> {} - {}", fmt(lo), fmt(hi))
                    }
                }
            };
            LegendItem {
                fill: colour_of(c),
                label,
                missing: false,
            }
        })
        .collect();
    legend.push(LegendItem {
        fill: MISSING,
        label: lang.pick("geen gegevens", "no data").into(),
        missing: true,
    });
    let en = lang.english();
    let metric_name = match &opts.metric {
        Metric::Score => lang
            .pick("Score (aantal punten)", "Score (number of points)")
            .to_owned(),
        Metric::Rank => lang
            .pick("Rang (1 = hoogste risico)", "Rank (1 = highest risk)")
            .to_owned(),
        Metric::Indicator(id) => {
            let i = def
                .indicators
                .iter()
                .find(|i| &i.id == id)
                .expect("checked by Metric::parse");
            format!(
                "{}{}",
                i.label.get(en),
                i.unit.suffix().replace(' ', " in ")
            )
        }
    };
    let method_name = match method {
        Method::Integer(_) => String::new(),
        Method::Quantile(_) => lang.pick(", kwantielen", ", quantiles").into(),
        Method::Jenks(_) => lang
            .pick(", natuurlijke grenzen (Jenks)", ", natural breaks (Jenks)")
            .into(),
        Method::Equal(_) => lang
            .pick(", gelijke intervallen", ", equal intervals")
            .into(),
        Method::Fixed(_) => lang.pick(", vaste grenzen", ", fixed breaks").into(),
    };
    let height = MAP_TOP + map_h + FOOTER;
    Ok(Model {
        size: (WIDTH, height.round()),
        title: format!("{} {}", def.name.get(en), board.year),
        source: opts.source.clone(),
        shapes: shapes.into_iter().map(|(_, s)| s).collect(),
        province_edges,
        legend,
        legend_title: format!("{metric_name}{method_name}"),
        classes,
        report,
        crs: layer.crs,
    })
}

/// Legend layout shared by the renderers: top-left corner of item `i` and the swatch size.
pub fn legend_slot(model: &Model, i: usize) -> (f64, f64) {
    let per_row = 5;
    let y = model.size.1 - FOOTER + 30.0 + (i / per_row) as f64 * 20.0;
    let x = MARGIN + (i % per_row) as f64 * 190.0;
    (x, y)
}

/// Where the legend title and the first source line go (source lines are 13 px apart).
pub fn footer_lines(model: &Model) -> ((f64, f64), (f64, f64)) {
    (
        (MARGIN, model.size.1 - FOOTER + 20.0),
        (MARGIN, model.size.1 - 23.0),
    )
}

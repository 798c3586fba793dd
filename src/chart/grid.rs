//! The barometer at a glance: municipalities (rows, by rank) by indicators (columns), a filled
//! square for a point, an empty one for no point, a grey one with "?" for a missing value.

use super::{Chart, FAMILY, plot_err};
use anyhow::Result;
use plotters::prelude::*;

/// One municipality's row.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRow {
    /// Label (rank and name).
    pub label: String,
    /// Points per indicator.
    pub points: Vec<Option<bool>>,
    /// The score, shown at the end.
    pub score: u32,
}

/// The chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Title.
    pub title: String,
    /// Column headers (indicator short names).
    pub columns: Vec<String>,
    /// Rows, most at risk first.
    pub rows: Vec<GridRow>,
    /// Legend: point, no point, missing.
    pub legend: [String; 3],
    /// Footer lines (source, store, synthetic-data warning).
    pub footer: Vec<String>,
}

const CELL: f64 = 30.0;
const LABEL_W: f64 = 230.0;
const TOP: f64 = 80.0;

/// Colour of a point (vermillion, Okabe-Ito).
pub const POINT: RGBColor = super::PALETTE[5];

impl Chart for Grid {
    fn size(&self) -> (u32, u32) {
        let w = (LABEL_W + (self.columns.len() as f64 + 2.0) * CELL + 40.0).max(760.0);
        (
            w as u32,
            (TOP + self.rows.len() as f64 * CELL + 76.0) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        scale: f64,
    ) -> Result<()> {
        let px = |x: f64, y: f64| ((x * scale).round() as i32, (y * scale).round() as i32);
        let text = |size: f64| (FAMILY, size * scale).into_font().color(&BLACK);
        area.draw_text(
            &self.title,
            &(FAMILY, 18.0 * scale)
                .into_font()
                .style(FontStyle::Bold)
                .color(&BLACK),
            px(16.0, 14.0),
        )
        .map_err(plot_err)?;
        let grey = RGBColor(107, 107, 107);
        let missing = RGBColor(204, 204, 204);
        for (c, name) in self
            .columns
            .iter()
            .chain(std::iter::once(&"S".to_owned()))
            .enumerate()
        {
            area.draw_text(
                name,
                &text(10.0),
                px(LABEL_W + c as f64 * CELL + 1.0, TOP - 16.0),
            )
            .map_err(plot_err)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let y = TOP + r as f64 * CELL;
            area.draw_text(&row.label, &text(11.0), px(16.0, y + 8.0))
                .map_err(plot_err)?;
            for (c, p) in row.points.iter().enumerate() {
                let x = LABEL_W + c as f64 * CELL;
                let rect = [px(x + 4.0, y + 4.0), px(x + CELL - 4.0, y + CELL - 4.0)];
                match p {
                    Some(true) => area.draw(&Rectangle::new(rect, POINT.filled())),
                    Some(false) => area.draw(&Rectangle::new(
                        rect,
                        grey.stroke_width(scale.max(1.0) as u32),
                    )),
                    None => area.draw(&Rectangle::new(rect, missing.filled())),
                }
                .map_err(plot_err)?;
                if p.is_none() {
                    area.draw_text("?", &text(10.0), px(x + 11.0, y + 8.0))
                        .map_err(plot_err)?;
                }
            }
            let x = LABEL_W + row.points.len() as f64 * CELL;
            area.draw_text(&row.score.to_string(), &text(11.0), px(x + 6.0, y + 8.0))
                .map_err(plot_err)?;
        }
        let (_, h) = self.size();
        let ly = f64::from(h) - 62.0;
        let swatches = [
            (Some(true), &self.legend[0]),
            (Some(false), &self.legend[1]),
            (None, &self.legend[2]),
        ];
        for (i, (p, label)) in swatches.iter().enumerate() {
            let x = 16.0 + i as f64 * 190.0;
            let rect = [px(x, ly), px(x + 14.0, ly + 14.0)];
            match p {
                Some(true) => area.draw(&Rectangle::new(rect, POINT.filled())),
                Some(false) => area.draw(&Rectangle::new(
                    rect,
                    grey.stroke_width(scale.max(1.0) as u32),
                )),
                None => area.draw(&Rectangle::new(rect, missing.filled())),
            }
            .map_err(plot_err)?;
            area.draw_text(label, &text(11.0), px(x + 20.0, ly + 1.0))
                .map_err(plot_err)?;
        }
        for (i, line) in self.footer.iter().enumerate() {
            let y = f64::from(h) - 30.0 + 13.0 * i as f64;
            area.draw_text(
                line,
                &(FAMILY, 10.0 * scale)
                    .into_font()
                    .color(&RGBColor(68, 68, 68)),
                px(16.0, y),
            )
            .map_err(plot_err)?;
        }
        Ok(())
    }
}

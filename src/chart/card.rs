//! The barometer card: the indicators with value, reference and point, and the score.

use super::{Chart, FAMILY, PALETTE, plot_err};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One line of the card.
#[derive(Debug, Clone)]
pub struct CardLine {
    /// Indicator label.
    pub label: String,
    /// Formatted value.
    pub value: String,
    /// Formatted reference.
    pub reference: String,
    /// Point: Some(true) point, Some(false) none, None missing.
    pub point: Option<bool>,
}

/// The barometer card.
#[derive(Debug, Clone)]
pub struct CardChart {
    /// Title, e.g. "Kinderarmoedebarometer Genk 2023".
    pub title: String,
    /// Column headers: indicator, value, reference, point.
    pub headers: [String; 4],
    /// One line per indicator.
    pub lines: Vec<CardLine>,
    /// The score text, e.g. "6 / 7".
    pub score: String,
    /// Text under the score, e.g. "rang 10 van 300".
    pub note: String,
}

impl Chart for CardChart {
    fn size(&self) -> (u32, u32) {
        (720, 80 + 34 * self.lines.len() as u32 + 20)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        let s = |v: f64| (v * scale).round() as i32;
        let text = |t: &str, x: f64, y: f64, size: f64, bold: bool, pos: HPos| {
            let font = (FAMILY, size * scale).into_font();
            let font = if bold {
                font.style(FontStyle::Bold)
            } else {
                font
            };
            area.draw(&Text::new(
                t.to_owned(),
                (s(x), s(y)),
                font.color(&BLACK).pos(Pos::new(pos, VPos::Center)),
            ))
            .map_err(plot_err)
        };
        text(&self.title, 16.0, 24.0, 18.0, true, HPos::Left)?;
        // Columns: label (left-aligned), value and reference (right edges), point (centre).
        let (label_x, value_x, reference_x, point_x) = (16.0, 470.0, 560.0, 605.0);
        let [h_label, h_value, h_reference, h_point] = &self.headers;
        text(h_label, label_x, 60.0, 12.0, true, HPos::Left)?;
        text(h_value, value_x, 60.0, 12.0, true, HPos::Right)?;
        text(h_reference, reference_x, 60.0, 12.0, true, HPos::Right)?;
        text(h_point, point_x, 60.0, 12.0, true, HPos::Center)?;
        for (k, line) in self.lines.iter().enumerate() {
            let y = 92.0 + 34.0 * k as f64;
            if k % 2 == 0 {
                area.draw(&Rectangle::new(
                    [(s(8.0), s(y - 16.0)), (s(630.0), s(y + 16.0))],
                    RGBColor(244, 244, 244).filled(),
                ))
                .map_err(plot_err)?;
            }
            let label = if line.label.chars().count() > 52 {
                format!(
                    "{}…",
                    line.label.chars().take(51).collect::<String>().trim_end()
                )
            } else {
                line.label.clone()
            };
            text(&label, label_x, y, 13.0, false, HPos::Left)?;
            text(&line.value, value_x, y, 13.0, false, HPos::Right)?;
            text(&line.reference, reference_x, y, 13.0, false, HPos::Right)?;
            let centre = (s(point_x), s(y));
            match line.point {
                Some(true) => area
                    .draw(&Circle::new(centre, s(9.0), PALETTE[5].filled()))
                    .map_err(plot_err)?,
                Some(false) => area
                    .draw(&Circle::new(
                        centre,
                        s(9.0),
                        RGBColor(120, 120, 120).stroke_width(s(2.0) as u32),
                    ))
                    .map_err(plot_err)?,
                None => text("?", point_x, y, 14.0, true, HPos::Center)?,
            }
        }
        let mid = 80.0 + 17.0 * self.lines.len() as f64;
        text(&self.score, 675.0, mid, 26.0, true, HPos::Center)?;
        text(&self.note, 675.0, mid + 28.0, 10.0, false, HPos::Center)?;
        Ok(())
    }
}

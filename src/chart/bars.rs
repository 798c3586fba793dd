//! A ranked horizontal bar chart: the top N municipalities by score, bars coloured by score
//! (ColorBrewer YlOrRd, one colour per score), labelled with rank and name.

use super::{Chart, FAMILY, plot_err};
use anyhow::Result;
use plotters::prelude::*;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label left of the bar (e.g. "1. Antwerpen").
    pub label: String,
    /// Bar length in axis units.
    pub value: f64,
    /// Text at the end of the bar.
    pub value_label: String,
    /// Fill colour.
    pub fill: (u8, u8, u8),
}

/// The chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// Title.
    pub title: String,
    /// Footer lines (source, store, synthetic-data warning).
    pub footer: Vec<String>,
    /// Axis maximum.
    pub max: f64,
    /// Bars, top first.
    pub bars: Vec<Bar>,
}

const ROW: f64 = 22.0;
const LABEL_W: f64 = 230.0;
const WIDTH: f64 = 820.0;

impl Chart for Bars {
    fn size(&self) -> (u32, u32) {
        (
            WIDTH as u32,
            (70.0 + self.bars.len() as f64 * ROW + 50.0) as u32,
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
        let bar_w = WIDTH - LABEL_W - 80.0;
        let top = 56.0;
        // Grid lines at whole units.
        let grey = RGBColor(220, 220, 220);
        let mut tick = 0.0;
        while tick <= self.max + 1e-9 {
            let x = LABEL_W + bar_w * tick / self.max.max(f64::MIN_POSITIVE);
            area.draw(&PathElement::new(
                vec![px(x, top - 4.0), px(x, top + self.bars.len() as f64 * ROW)],
                grey.stroke_width(scale.max(1.0) as u32),
            ))
            .map_err(plot_err)?;
            area.draw_text(&format!("{tick}"), &text(10.0), px(x - 3.0, top - 16.0))
                .map_err(plot_err)?;
            tick += (self.max / 7.0).ceil().max(1.0);
        }
        for (i, b) in self.bars.iter().enumerate() {
            let y = top + i as f64 * ROW;
            let w = bar_w * b.value / self.max.max(f64::MIN_POSITIVE);
            area.draw_text(&b.label, &text(12.0), px(16.0, y + 4.0))
                .map_err(plot_err)?;
            let fill = RGBColor(b.fill.0, b.fill.1, b.fill.2);
            area.draw(&Rectangle::new(
                [px(LABEL_W, y + 3.0), px(LABEL_W + w, y + ROW - 3.0)],
                fill.filled(),
            ))
            .map_err(plot_err)?;
            area.draw(&Rectangle::new(
                [px(LABEL_W, y + 3.0), px(LABEL_W + w, y + ROW - 3.0)],
                RGBColor(107, 107, 107).stroke_width(1),
            ))
            .map_err(plot_err)?;
            area.draw_text(&b.value_label, &text(11.0), px(LABEL_W + w + 6.0, y + 5.0))
                .map_err(plot_err)?;
        }
        let (_, h) = self.size();
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

//! A line chart over the years: the municipality with its 95 % interval as a band, its province
//! and Flanders.

use super::{Chart, FAMILY, PALETTE, plot_err};
use crate::lang::Lang;
use crate::report::format::number;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One line: a name and (year, value) points in display units.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend label.
    pub name: String,
    /// (year, value) points.
    pub points: Vec<(i32, f64)>,
}

/// The trend chart.
#[derive(Debug, Clone)]
pub struct TrendChart {
    /// Title.
    pub title: String,
    /// Y-axis label (unit).
    pub y_label: String,
    /// Decimals of the y labels.
    pub decimals: usize,
    /// The municipality's interval per year: (year, lower, upper).
    pub band: Vec<(i32, f64, f64)>,
    /// Lines: the municipality first, then the areas.
    pub lines: Vec<Line>,
    /// Language of number formats.
    pub lang: Lang,
}

impl Chart for TrendChart {
    fn size(&self) -> (u32, u32) {
        (720, 400)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        let px = |v: f64| (v * scale).round() as u32;
        let years = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .chain(self.band.iter().map(|b| b.0));
        let (x0, x1) = years.fold((i32::MAX, i32::MIN), |(a, b), y| (a.min(y), b.max(y)));
        let (x0, x1) = if x0 > x1 {
            (0, 1)
        } else {
            (x0, x1.max(x0 + 1))
        };
        let values = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .chain(self.band.iter().flat_map(|b| [b.1, b.2]));
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let (lo, hi) = if lo.is_finite() {
            (lo.min(0.0), hi * 1.08 + 1e-9)
        } else {
            (0.0, 1.0)
        };
        let lang = self.lang;
        let decimals = self.decimals;
        let mut chart = ChartBuilder::on(area)
            .caption(
                &self.title,
                (FAMILY, 17.0 * scale).into_font().style(FontStyle::Bold),
            )
            .margin(px(12.0))
            .x_label_area_size(px(32.0))
            .y_label_area_size(px(58.0))
            .build_cartesian_2d(f64::from(x0) - 0.3..f64::from(x1) + 0.3, lo..hi)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_labels((x1 - x0 + 1) as usize)
            .x_label_formatter(&|x| format!("{}", x.round() as i32))
            .y_label_formatter(&|y| number(*y, decimals, lang))
            .y_desc(&self.y_label)
            .label_style((FAMILY, 12.0 * scale))
            .axis_desc_style((FAMILY, 12.0 * scale))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(210, 210, 210))
            .draw()
            .map_err(plot_err)?;
        if !self.band.is_empty() {
            let mut outline: Vec<(f64, f64)> =
                self.band.iter().map(|b| (f64::from(b.0), b.2)).collect();
            outline.extend(self.band.iter().rev().map(|b| (f64::from(b.0), b.1)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    PALETTE[0].mix(0.18).filled(),
                )))
                .map_err(plot_err)?
                .label(lang.pick("95 %-interval gemeente", "95 % interval municipality"))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 20, y + 5)], PALETTE[0].mix(0.18).filled())
                });
        }
        for (i, line) in self.lines.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let width = px(if i == 0 { 3.0 } else { 2.0 });
            let pts: Vec<(f64, f64)> = line.points.iter().map(|p| (f64::from(p.0), p.1)).collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(width)))
                .map_err(plot_err)?
                .label(&line.name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(width))
                });
            chart
                .draw_series(
                    pts.into_iter()
                        .map(|p| Circle::new(p, px(3.0), color.filled())),
                )
                .map_err(plot_err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FAMILY, 12.0 * scale))
            .draw()
            .map_err(plot_err)?;
        Ok(())
    }
}

//! A bar chart of one year: the municipality beside its arrondissement, province and Flanders.

use super::{Chart, FAMILY, PALETTE, plot_err};
use crate::lang::Lang;
use crate::report::format::number;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The comparison chart.
#[derive(Debug, Clone)]
pub struct ComparisonChart {
    /// Title.
    pub title: String,
    /// (name, value in display units); the first bar is the municipality.
    pub bars: Vec<(String, f64)>,
    /// Unit suffix for the value labels.
    pub suffix: String,
    /// Decimals of the value labels.
    pub decimals: usize,
    /// Language of number formats.
    pub lang: Lang,
}

impl Chart for ComparisonChart {
    fn size(&self) -> (u32, u32) {
        (720, 360)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        let px = |v: f64| (v * scale).round() as u32;
        let n = self.bars.len().max(1);
        let hi = self.bars.iter().map(|b| b.1).fold(0.0_f64, f64::max) * 1.18 + 1e-9;
        let names: Vec<String> = self.bars.iter().map(|b| b.0.clone()).collect();
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
            .build_cartesian_2d(0.0..n as f64, 0.0..hi)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n * 2 + 1)
            .x_label_formatter(&|x| {
                let i = (x - 0.5).round();
                if (x - 0.5 - i).abs() < 0.01 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| number(*y, decimals, lang))
            .label_style((FAMILY, 12.0 * scale))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(210, 210, 210))
            .draw()
            .map_err(plot_err)?;
        for (i, (_, v)) in self.bars.iter().enumerate() {
            let color = if i == 0 {
                PALETTE[0]
            } else {
                RGBColor(150, 150, 150)
            };
            let x = i as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.18, 0.0), (x + 0.82, *v)],
                    color.filled(),
                )))
                .map_err(plot_err)?;
            let label = format!("{}{}", number(*v, decimals, lang), self.suffix);
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (x + 0.5, *v + hi * 0.02),
                    (FAMILY, 13.0 * scale)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                )))
                .map_err(plot_err)?;
        }
        Ok(())
    }
}

//! Charts of a sensitivity run: rank intervals per municipality (5-95 % whisker, median dot,
//! nominal rank cross) and grouped bars of first-order and total Sobol indices with intervals.

use super::{Chart, FAMILY, PALETTE, plot_err};
use anyhow::Result;
use plotters::prelude::*;

/// Rank intervals of the listed units, drawn top to bottom in the given order.
#[derive(Debug, Clone)]
pub struct RankIntervals {
    /// Title above the chart.
    pub title: String,
    /// Axis caption (rank).
    pub axis: String,
    /// One per unit: name, nominal rank, median rank, 5 % and 95 % rank.
    pub units: Vec<(String, u32, u32, u32, u32)>,
    /// The rank axis runs from 1 to this.
    pub of: u32,
}

impl Chart for RankIntervals {
    fn size(&self) -> (u32, u32) {
        (720, 80 + 16 * self.units.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        scale: f64,
    ) -> Result<()> {
        let px = |v: f64| (v * scale).round() as i32;
        let n = self.units.len();
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FAMILY, 16.0 * scale))
            .margin(px(10.0))
            .x_label_area_size(px(30.0))
            .y_label_area_size(px(170.0))
            .build_cartesian_2d(0.5f64..f64::from(self.of) + 0.5, -0.5f64..n as f64 - 0.5)
            .map_err(plot_err)?;
        let names: Vec<&str> = self.units.iter().map(|u| u.0.as_str()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = (n as f64 - 1.0 - y).round();
                if (y - y.round()).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                    names[i as usize].to_owned()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc(self.axis.as_str())
            .label_style((FAMILY, 11.0 * scale))
            .axis_desc_style((FAMILY, 12.0 * scale))
            .draw()
            .map_err(plot_err)?;
        let row = |i: usize| (n - 1 - i) as f64;
        let stroke = ShapeStyle::from(&PALETTE[0]).stroke_width(px(2.0).max(1) as u32);
        chart
            .draw_series(self.units.iter().enumerate().map(|(i, u)| {
                PathElement::new(
                    vec![(f64::from(u.3), row(i)), (f64::from(u.4), row(i))],
                    stroke,
                )
            }))
            .map_err(plot_err)?;
        chart
            .draw_series(
                self.units.iter().enumerate().map(|(i, u)| {
                    Circle::new((f64::from(u.2), row(i)), px(4.0), PALETTE[0].filled())
                }),
            )
            .map_err(plot_err)?;
        chart
            .draw_series(self.units.iter().enumerate().map(|(i, u)| {
                Cross::new(
                    (f64::from(u.1), row(i)),
                    px(4.0),
                    ShapeStyle::from(&PALETTE[5]).stroke_width(px(1.5).max(1) as u32),
                )
            }))
            .map_err(plot_err)?;
        Ok(())
    }
}

/// First-order and total Sobol indices per factor with their intervals.
#[derive(Debug, Clone)]
pub struct SobolBars {
    /// Title above the chart.
    pub title: String,
    /// Legend names of the two series (first-order, total).
    pub series: (String, String),
    /// One per factor: name, first-order (estimate, low, high), total (estimate, low, high).
    pub factors: Vec<(String, [f64; 3], [f64; 3])>,
}

impl Chart for SobolBars {
    fn size(&self) -> (u32, u32) {
        (160 + 90 * self.factors.len().max(1) as u32, 400)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        scale: f64,
    ) -> Result<()> {
        let px = |v: f64| (v * scale).round() as i32;
        let k = self.factors.len();
        let top = self
            .factors
            .iter()
            .flat_map(|f| [f.1[2], f.2[2]])
            .fold(1.0f64, f64::max);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FAMILY, 16.0 * scale))
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(40.0))
            .build_cartesian_2d(0f64..k as f64, 0f64..top)
            .map_err(plot_err)?;
        let names: Vec<&str> = self.factors.iter().map(|f| f.0.as_str()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(k * 2 + 1)
            .x_label_formatter(&|x| {
                let i = (x - 0.5).round();
                if ((x - 0.5) - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < k {
                    names[i as usize].to_owned()
                } else {
                    String::new()
                }
            })
            .label_style((FAMILY, 11.0 * scale))
            .draw()
            .map_err(plot_err)?;
        for (s, (offset, colour, name)) in [
            (0.1, PALETTE[0], &self.series.0),
            (0.5, PALETTE[1], &self.series.1),
        ]
        .into_iter()
        .enumerate()
        {
            let value = |f: &(String, [f64; 3], [f64; 3])| if s == 0 { f.1 } else { f.2 };
            chart
                .draw_series(self.factors.iter().enumerate().map(|(i, f)| {
                    let x = i as f64 + offset;
                    Rectangle::new([(x, 0.0), (x + 0.4, value(f)[0].max(0.0))], colour.filled())
                }))
                .map_err(plot_err)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled())
                });
            chart
                .draw_series(self.factors.iter().enumerate().map(|(i, f)| {
                    let x = i as f64 + offset + 0.2;
                    let v = value(f);
                    PathElement::new(
                        vec![(x, v[1].max(0.0)), (x, v[2])],
                        BLACK.stroke_width(px(1.5).max(1) as u32),
                    )
                }))
                .map_err(plot_err)?;
        }
        chart
            .configure_series_labels()
            .label_font((FAMILY, 11.0 * scale))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(plot_err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_charts_render_with_their_labels() {
        let ranks = RankIntervals {
            title: "Rangintervallen".into(),
            axis: "rang".into(),
            units: vec![("Genk".into(), 1, 2, 1, 5), ("Temse".into(), 2, 2, 1, 3)],
            of: 10,
        };
        let svg = super::super::svg(&ranks).unwrap();
        assert!(svg.contains("Genk") && svg.contains("Temse"), "{svg}");
        let bars = SobolBars {
            title: "Sobol".into(),
            series: ("S1".into(), "ST".into()),
            factors: vec![("reference".into(), [0.2, 0.1, 0.3], [0.4, 0.3, 0.5])],
        };
        let svg = super::super::svg(&bars).unwrap();
        assert!(svg.contains("reference") && svg.contains("ST"), "{svg}");
        assert_eq!(&super::super::png(&bars).unwrap()[1..4], b"PNG");
    }
}

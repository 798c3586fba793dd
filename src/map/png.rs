//! The map as a PNG through plotters. Plotters' polygons have no holes, so municipalities are
//! drawn largest first: an enclave inside a hole is smaller than its surroundings and is drawn
//! over it (documented in `docs/methodology.md`, "Maps").

use super::model::{Model, footer_lines, legend_slot};
use crate::chart::{Chart, FAMILY, plot_err};
use anyhow::Result;
use plotters::prelude::*;
use plotters::style::FontDesc;

/// A [`Model`] as a plotters chart.
pub struct MapChart<'a>(pub &'a Model);

fn rgb(c: (u8, u8, u8)) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

impl Chart for MapChart<'_> {
    fn size(&self) -> (u32, u32) {
        (self.0.size.0 as u32, self.0.size.1 as u32)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        scale: f64,
    ) -> Result<()> {
        let m = self.0;
        let px = |p: &[f64; 2]| ((p[0] * scale).round() as i32, (p[1] * scale).round() as i32);
        let outline = RGBColor(107, 107, 107);
        for shape in &m.shapes {
            for poly in &shape.polygons {
                let Some(outer) = poly.first() else { continue };
                let pts: Vec<(i32, i32)> = outer.iter().map(px).collect();
                area.draw(&Polygon::new(pts.clone(), rgb(shape.fill).filled()))
                    .map_err(plot_err)?;
                if shape.class.is_none() {
                    // Hatch municipalities without data: the outline in a darker grey, doubled.
                    area.draw(&PathElement::new(
                        pts.clone(),
                        RGBColor(136, 136, 136).stroke_width((2.0 * scale) as u32),
                    ))
                    .map_err(plot_err)?;
                }
                area.draw(&PathElement::new(
                    pts,
                    outline.stroke_width((0.35 * scale).max(1.0) as u32),
                ))
                .map_err(plot_err)?;
            }
        }
        let thick = RGBColor(26, 26, 26).stroke_width((1.6 * scale).round() as u32);
        for [a, b] in &m.province_edges {
            area.draw(&PathElement::new(vec![px(a), px(b)], thick))
                .map_err(plot_err)?;
        }
        let font = |size: f64, bold: bool| {
            let f: FontDesc = (FAMILY, size * scale).into_font();
            if bold { f.style(FontStyle::Bold) } else { f }
        };
        area.draw_text(&m.title, &font(22.0, true).color(&BLACK), px(&[16.0, 14.0]))
            .map_err(plot_err)?;
        let (title_at, source_at) = footer_lines(m);
        area.draw_text(
            &m.legend_title,
            &font(13.0, true).color(&BLACK),
            px(&[title_at.0, title_at.1 - 12.0]),
        )
        .map_err(plot_err)?;
        for (i, item) in m.legend.iter().enumerate() {
            let (x, y) = legend_slot(m, i);
            area.draw(&Rectangle::new(
                [px(&[x, y]), px(&[x + 22.0, y + 14.0])],
                rgb(item.fill).filled(),
            ))
            .map_err(plot_err)?;
            area.draw(&Rectangle::new(
                [px(&[x, y]), px(&[x + 22.0, y + 14.0])],
                outline.stroke_width(1),
            ))
            .map_err(plot_err)?;
            area.draw_text(
                &item.label,
                &font(12.0, false).color(&BLACK),
                px(&[x + 28.0, y]),
            )
            .map_err(plot_err)?;
        }
        for (i, line) in m.source.iter().enumerate() {
            let y = source_at.1 - 9.0 + 13.0 * i as f64;
            area.draw_text(
                line,
                &font(10.0, false).color(&RGBColor(68, 68, 68)),
                px(&[source_at.0, y]),
            )
            .map_err(plot_err)?;
        }
        Ok(())
    }
}

//! Charts drawn with plotters: one embedded font (DejaVu Sans, so PNG renders on machines without
//! system fonts), a colour-blind-safe palette, and rendering of any [`Chart`] to SVG and to PNG at
//! print resolution.

pub mod bars;
pub mod card;
pub mod comparison;
pub mod grid;
pub mod sensitivity;
pub mod trend;

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::sync::Once;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu`).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
/// The family name charts use in their text styles.
pub const FAMILY: &str = "sans-serif";
/// Dots per inch of PNG output (print resolution for word processors).
pub const PNG_DPI: u32 = 300;
/// PNG pixels per SVG pixel: SVG is laid out at 96 px per inch.
pub const PNG_SCALE: f64 = PNG_DPI as f64 / 96.0;

/// The Okabe-Ito palette, safe for the common forms of colour blindness (Okabe & Ito, 2008).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

/// Register the embedded fonts with plotters (once per process).
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The embedded fonts are valid TrueType files; a failure here is a build defect.
        for (style, bytes) in [(FontStyle::Normal, FONT), (FontStyle::Bold, FONT_BOLD)] {
            if register_font(FAMILY, style, bytes).is_err() {
                unreachable!("the embedded DejaVu fonts are valid TrueType files");
            }
        }
    });
}

/// A chart that can be drawn on any plotters backend.
pub trait Chart {
    /// Size in SVG pixels (96 per inch).
    fn size(&self) -> (u32, u32);

    /// Draw on `area`; `scale` multiplies every pixel size (fonts, strokes, margins).
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        scale: f64,
    ) -> Result<()>;
}

/// Turn a plotters error into an `anyhow` error.
pub fn plot_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing failed: {e:?}")
}

/// Render `chart` as an SVG document.
pub fn svg(chart: &impl Chart) -> Result<String> {
    register_fonts();
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, chart.size()).into_drawing_area();
        area.fill(&WHITE).map_err(plot_err)?;
        chart.draw(&area, 1.0)?;
        area.present().map_err(plot_err)?;
    }
    Ok(out)
}

/// Render `chart` as a PNG at [`PNG_DPI`], with the resolution recorded in the file.
pub fn png(chart: &impl Chart) -> Result<Vec<u8>> {
    register_fonts();
    let (w, h) = chart.size();
    let (pw, ph) = (
        (f64::from(w) * PNG_SCALE).round() as u32,
        (f64::from(h) * PNG_SCALE).round() as u32,
    );
    let mut rgb = vec![0u8; (pw * ph * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut rgb, (pw, ph)).into_drawing_area();
        area.fill(&WHITE).map_err(plot_err)?;
        chart.draw(&area, PNG_SCALE)?;
        area.present().map_err(plot_err)?;
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, pw, ph);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // fdeflate: charts (large flat areas) compress well at a fraction of the time.
        encoder.set_compression(png::Compression::Fast);
        let per_metre = (f64::from(PNG_DPI) / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: per_metre,
            yppu: per_metre,
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Label;

    impl Chart for Label {
        fn size(&self) -> (u32, u32) {
            (200, 50)
        }

        fn draw<DB: DrawingBackend>(
            &self,
            area: &DrawingArea<DB, plotters::coord::Shift>,
            scale: f64,
        ) -> Result<()> {
            let style = (FAMILY, 16.0 * scale).into_font().color(&PALETTE[0]);
            area.draw_text("Genk 18,6 %", &style, (5, 5))
                .map_err(plot_err)
        }
    }

    #[test]
    fn renders_text_to_svg_and_png_with_the_embedded_font() {
        let svg = svg(&Label).unwrap();
        assert!(svg.contains("Genk 18,6 %"), "{svg}");
        let png = png(&Label).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (625, 156));
        assert_eq!(info.pixel_dims.unwrap().xppu, 11811);
        // Text was drawn: some pixels are not white.
        let mut reader = reader;
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        assert!(buf.iter().any(|&b| b < 128));
    }
}

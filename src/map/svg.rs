//! The map as SVG written by hand (plotters' SVG backend has no ids or titles): one `<path>` per
//! municipality with `fill-rule="evenodd"` (holes stay holes), `data-*` attributes and a
//! `<title>` tooltip; province outlines on top; legend, title and source line. Also the same
//! SVG in an HTML page with a tooltip that follows the pointer.

use super::classify::hex;
use super::model::{Model, footer_lines, legend_slot};
use std::fmt::Write as _;

/// Escape text for XML content and attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn path_data(polygons: &[Vec<Vec<[f64; 2]>>]) -> String {
    let mut d = String::new();
    for ring in polygons.iter().flatten() {
        for (i, p) in ring.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1} {:.1}",
                if i == 0 { "M" } else { "L" },
                p[0],
                p[1]
            );
        }
        d.push('Z');
    }
    d
}

/// The map as an SVG document.
pub fn svg(model: &Model) -> String {
    let (w, h) = model.size;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Verdana, sans-serif">"#
    );
    s.push_str(concat!(
        "<defs><pattern id=\"nodata\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">",
        "<rect width=\"6\" height=\"6\" fill=\"#cccccc\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#888888\" stroke-width=\"1.5\"/></pattern>",
        "<style>.m{stroke:#6b6b6b;stroke-width:0.35}.m:hover{stroke:#000;stroke-width:1.5}.p{fill:none;stroke:#1a1a1a;stroke-width:1.6;stroke-linejoin:round;stroke-linecap:round;pointer-events:none}</style></defs>\n"
    ));
    let _ = writeln!(s, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r#"<text x="16" y="34" font-size="22" font-weight="bold">{}</text>"#,
        escape(&model.title)
    );
    s.push_str("<g id=\"municipalities\">\n");
    for shape in &model.shapes {
        let fill = match shape.class {
            Some(_) => hex(shape.fill),
            None => "url(#nodata)".to_owned(),
        };
        let class = shape.class.map_or("none".to_owned(), |c| c.to_string());
        let _ = writeln!(
            s,
            r#"<path class="m" data-nis="{}" data-class="{class}" data-tip="{}" fill="{fill}" fill-rule="evenodd" d="{}"><title>{}</title></path>"#,
            shape.nis,
            escape(&shape.tooltip),
            path_data(&shape.polygons),
            escape(&shape.tooltip)
        );
    }
    s.push_str("</g>\n");
    let mut d = String::new();
    for [a, b] in &model.province_edges {
        let _ = write!(d, "M{:.1} {:.1}L{:.1} {:.1}", a[0], a[1], b[0], b[1]);
    }
    let _ = writeln!(s, r#"<path class="p" id="provinces" d="{d}"/>"#);
    let (title_at, source_at) = footer_lines(model);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" font-size="13" font-weight="bold">{}</text>"#,
        title_at.0,
        title_at.1,
        escape(&model.legend_title)
    );
    s.push_str("<g id=\"legend\">\n");
    for (i, item) in model.legend.iter().enumerate() {
        let (x, y) = legend_slot(model, i);
        let fill = if item.missing {
            "url(#nodata)".to_owned()
        } else {
            hex(item.fill)
        };
        let _ = writeln!(
            s,
            r##"<rect x="{x}" y="{y}" width="22" height="14" fill="{fill}" stroke="#6b6b6b" stroke-width="0.5"/><text x="{}" y="{}" font-size="12">{}</text>"##,
            x + 28.0,
            y + 11.5,
            escape(&item.label)
        );
    }
    s.push_str("</g>\n");
    for (i, line) in model.source.iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" font-size="10" fill="#444444">{}</text>"##,
            source_at.0,
            source_at.1 + 13.0 * i as f64,
            escape(line)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// An HTML page with the SVG map and a tooltip per municipality (name, score, points).
pub fn html(model: &Model, lang_code: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang_code}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: "DejaVu Sans", Verdana, sans-serif; margin: 1em; }}
#tip {{ position: fixed; pointer-events: none; background: #fff; border: 1px solid #333; padding: 4px 8px; font-size: 13px; display: none; max-width: 28em; }}
svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
{svg}<div id="tip"></div>
<script>
const tip = document.getElementById("tip");
document.querySelectorAll("path[data-tip]").forEach(function (p) {{
  p.addEventListener("mousemove", function (e) {{
    tip.textContent = p.getAttribute("data-tip");
    tip.style.display = "block";
    tip.style.left = (e.clientX + 12) + "px";
    tip.style.top = (e.clientY + 12) + "px";
  }});
  p.addEventListener("mouseleave", function () {{ tip.style.display = "none"; }});
}});
</script>
</body>
</html>
"#,
        title = escape(&model.title),
        svg = svg(model)
    )
}

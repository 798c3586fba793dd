//! The profile as one self-contained HTML file (inline CSS and SVG charts, no network), laid out
//! like Genk's omgevingsanalyse: a summary with the barometer card, per indicator a table, the
//! charts and generated sentences, targets, the risks in order, definitions and sources, and the
//! run record. Numbers in Belgian format in Dutch.

use super::format::{number, signed};
use crate::geo::Geography;
use crate::lang::Lang;
use crate::profile::figures::{Counts, IndicatorProfile, Profile, Significance};
use crate::profile::sentences::{self, value};
use crate::profile::target::TargetResult;
use crate::run_record::RunRecord;
use std::fmt::Write as _;

/// The SVG charts of a profile, already rendered.
pub struct ChartSvgs {
    /// The barometer card.
    pub card: String,
    /// Per indicator (same order as the profile): trend chart and comparison chart.
    pub indicators: Vec<(String, Option<String>)>,
}

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const CSS: &str = "
body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:2px solid #0072b2;padding-bottom:.2rem}
.sub{color:#555;margin-top:0}.warn{background:#fff3cd;border:1px solid #e6c200;padding:.5rem .8rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#f0f4f8}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}
.point{color:#d55e00;font-weight:bold}.small{font-size:.8rem;color:#555}dl{font-size:.8rem}dt{font-weight:bold}
";

const CHECK_SCRIPT: &str = "<script>
window.addEventListener('load',function(){var n=0;document.querySelectorAll('figure svg').forEach(function(s){
var b=s.getBBox();if(b.width>0&&b.height>0&&s.querySelectorAll('path,rect,polyline,polygon,circle,text').length>3){n++}
else{console.error('chart not drawn: '+(s.parentNode.id||'?'))}});document.body.setAttribute('data-charts-drawn',n);});
</script>";

fn cell(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or("-".into(), f)
}

fn counts_row(
    label: &str,
    c: &Counts,
    ind: &IndicatorProfile,
    lang: Lang,
    interval: Option<String>,
) -> String {
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        esc(label),
        cell(c.value, |v| value(ind, v, lang)),
        cell(c.numerator, |v| number(v, 0, lang)),
        cell(c.denominator, |v| number(v, 0, lang)),
        interval.unwrap_or_default()
    )
}

/// Render the report.
pub fn render(
    p: &Profile,
    targets: &[(TargetResult, usize)],
    charts: &ChartSvgs,
    geo: &Geography,
    record: &RunRecord,
    barometer_name: &str,
    lang: Lang,
) -> String {
    let en = lang.english();
    let name = |code: &str| geo.name(code, en).unwrap_or(code).to_owned();
    let (arr, prov) = (
        format!("arr. {}", name(&p.arrondissement)),
        name(&p.province),
    );
    let flanders = lang.pick("Vlaams Gewest", "Flemish Region");
    let mut h = String::new();
    let title = format!(
        "{} {} {}",
        lang.pick("Omgevingsanalyse kinderarmoede", "Child-poverty profile"),
        p.name,
        p.year
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n",
        lang.pick("nl", "en"),
        esc(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        h,
        "<p class=\"sub\">{} {} &middot; {} {} &middot; {} {} &middot; {} {}-{}</p>",
        lang.pick("NIS", "NIS"),
        esc(&p.nis),
        lang.pick("arrondissement", "arrondissement"),
        esc(&name(&p.arrondissement)),
        lang.pick("provincie", "province"),
        esc(&prov),
        lang.pick("evolutie", "evolution"),
        p.from,
        p.year
    );
    if record.store.synthetic {
        let _ = writeln!(
            h,
            "<p class=\"warn\">{}</p>",
            lang.pick(
                "Let op: dit rapport is gemaakt met synthetische demodata, geen echte cijfers (op enkele gepubliceerde cijfers na).",
                "Note: this report was made from synthetic demo data, not real statistics (except a few published figures)."
            )
        );
    }
    let _ = writeln!(h, "<h2>{}</h2>", esc(barometer_name));
    let _ = writeln!(h, "<figure id=\"barometer\">{}</figure>", charts.card);
    if let Some(r) = &p.barometer {
        let _ = writeln!(
            h,
            "<p>{}</p>",
            esc(&match lang {
                Lang::Nl => format!(
                    "{} behaalt in {} een barometerscore van {} op {} indicatoren en staat daarmee op rang {} van {} gemeenten (deciel {}).",
                    p.name,
                    p.year,
                    r.score,
                    r.indicators,
                    r.rank,
                    p.scored_municipalities,
                    r.decile
                ),
                Lang::En => format!(
                    "In {}, {} has a barometer score of {} out of {} indicators, rank {} of {} municipalities (decile {}).",
                    p.year,
                    p.name,
                    r.score,
                    r.indicators,
                    r.rank,
                    p.scored_municipalities,
                    r.decile
                ),
            })
        );
    }
    let _ = writeln!(h, "<ul>");
    for (k, ind) in p.indicators.iter().enumerate() {
        let _ = writeln!(
            h,
            "<li><a href=\"#ind-{k}\">{}</a></li>",
            esc(ind.indicator.label.get(en))
        );
    }
    let _ = writeln!(h, "</ul>");
    for (k, ind) in p.indicators.iter().enumerate() {
        let _ = writeln!(
            h,
            "<h2 id=\"ind-{k}\">{}</h2>",
            esc(ind.indicator.label.get(en))
        );
        if !ind.scored {
            let _ = writeln!(
                h,
                "<p class=\"small\">{}</p>",
                lang.pick(
                    "Contextindicator: niet opgenomen in de barometerscore.",
                    "Context indicator: not part of the barometer score."
                )
            );
        }
        if let Some(f) = ind.latest() {
            let _ = writeln!(
                h,
                "<table><thead><tr><th>{} {}</th><th>{}</th><th>{}</th><th>{}</th><th>95 %-{}</th></tr></thead><tbody>",
                lang.pick("Gebied", "Area"),
                f.year,
                lang.pick("Waarde", "Value"),
                lang.pick("Teller", "Numerator"),
                lang.pick("Noemer", "Denominator"),
                lang.pick("interval", "interval")
            );
            let ci = f.interval.map(|i| {
                format!(
                    "{} - {}",
                    value(ind, i.lower, lang),
                    value(ind, i.upper, lang)
                )
            });
            h.push_str(&counts_row(&p.name, &f.municipality, ind, lang, ci));
            h.push_str(&counts_row(&arr, &f.arrondissement, ind, lang, None));
            h.push_str(&counts_row(&prov, &f.province, ind, lang, None));
            h.push_str(&counts_row(flanders, &f.flanders, ind, lang, None));
            let _ = writeln!(h, "</tbody></table>");
        }
        let _ = writeln!(
            h,
            "<p>{}</p>",
            esc(&sentences::paragraph(&p.name, &prov, ind, lang))
        );
        let (trend, comparison) = &charts.indicators[k];
        let _ = writeln!(h, "<figure id=\"trend-{k}\">{trend}</figure>");
        if let Some(svg) = comparison {
            let _ = writeln!(h, "<figure id=\"comparison-{k}\">{svg}</figure>");
        }
        let _ = writeln!(
            h,
            "<p class=\"small\">{}: {}{}.</p>",
            lang.pick("Interval", "Interval"),
            ind.interval_method,
            match ind.difference {
                Some((d, ci)) => format!(
                    "; {} {} ({} {} {} {})",
                    lang.pick("verschil met Vlaanderen", "difference with Flanders"),
                    signed(d, ind.indicator.unit.decimals(), lang),
                    lang.pick("Newcombe-interval", "Newcombe interval"),
                    signed(ci.lower, ind.indicator.unit.decimals(), lang),
                    lang.pick("tot", "to"),
                    signed(ci.upper, ind.indicator.unit.decimals(), lang)
                ),
                None => String::new(),
            }
        );
        for (t, _) in targets.iter().filter(|(_, i)| *i == k) {
            let _ = writeln!(
                h,
                "<p><strong>{}</strong></p>",
                esc(&sentences::target(t, ind, lang))
            );
        }
    }
    let _ = writeln!(
        h,
        "<h2>{}</h2>",
        lang.pick("Risico's in volgorde", "Risks in order")
    );
    let _ = writeln!(
        h,
        "<p class=\"small\">{}</p>",
        lang.pick(
            "Gerangschikt volgens de relatieve afstand tot het Vlaams Gewest in de slechtere richting.",
            "Ordered by the relative distance to the Flemish Region in the worse direction."
        )
    );
    let mut risks: Vec<(f64, &IndicatorProfile, f64, f64)> = p
        .indicators
        .iter()
        .filter_map(|i| {
            let f = i.latest()?;
            let (v, fl) = (f.municipality.value?, f.flanders.value?);
            (fl != 0.0).then(|| (i.indicator.direction.sign() * (v - fl) / fl.abs(), i, v, fl))
        })
        .collect();
    risks.sort_by(|a, b| b.0.total_cmp(&a.0));
    let _ = writeln!(
        h,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.pick("Indicator", "Indicator"),
        esc(&p.name),
        flanders,
        lang.pick("Relatief verschil", "Relative difference"),
        lang.pick("Significant", "Significant"),
        lang.pick("Punt", "Point")
    );
    for (excess, i, v, fl) in &risks {
        let sig = match i.significance {
            Significance::Higher | Significance::Lower => lang.pick("ja", "yes"),
            Significance::NotSignificant => lang.pick("nee", "no"),
            Significance::Unknown => "-",
        };
        let point = match i.point {
            Some(true) => "<span class=\"point\">&#9679;</span>",
            Some(false) => "&middot;",
            None => "",
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} %</td><td>{sig}</td><td>{point}</td></tr>",
            esc(i.indicator.label.get(en)),
            value(i, *v, lang),
            value(i, *fl, lang),
            signed(excess * 100.0, 1, lang)
        );
    }
    let _ = writeln!(h, "</tbody></table>");
    let _ = writeln!(
        h,
        "<h2>{}</h2><dl>",
        lang.pick("Definities en bronnen", "Definitions and sources")
    );
    for i in &p.indicators {
        let _ = writeln!(
            h,
            "<dt>{}</dt><dd>{}: {}; {}: {}; {}: {}; {}: {}.</dd>",
            esc(i.indicator.label.get(en)),
            lang.pick("teller", "numerator"),
            esc(i.indicator.numerator.get(en)),
            lang.pick("noemer", "denominator"),
            esc(i.indicator.denominator.get(en)),
            lang.pick("bron", "source"),
            esc(&i.indicator.source),
            lang.pick("interval", "interval"),
            i.interval_method
        );
    }
    let _ = writeln!(
        h,
        "</dl><p class=\"small\">{}</p>",
        lang.pick(
            "Gebieden worden berekend door tellers en noemers op te tellen, nooit door percentages te middelen. Trendtoets: Mann-Kendall met Sen-helling (vanaf 4 jaar), OLS-helling met 95 %-interval. Zie docs/methodology.md.",
            "Areas are computed by summing numerators and denominators, never by averaging percentages. Trend test: Mann-Kendall with Sen's slope (4 years or more), OLS slope with a 95 % interval. See docs/methodology.md."
        )
    );
    let _ = writeln!(
        h,
        "<h2>{}</h2><dl>",
        lang.pick("Herkomst van dit rapport", "Run record")
    );
    let rows = [
        ("tool", format!("{} {}", record.tool, record.version)),
        ("command", record.command.clone()),
        (
            "parameters",
            record
                .parameters
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "definition",
            format!(
                "{} (sha256 {})",
                record.definition.origin, record.definition.sha256
            ),
        ),
        (
            "store",
            format!("{} (sha256 {})", record.store.origin, record.store.sha256),
        ),
        ("generated_at", record.generated_at.clone()),
    ];
    for (k, v) in rows {
        let _ = writeln!(h, "<dt>{k}</dt><dd>{}</dd>", esc(&v));
    }
    let _ = writeln!(h, "</dl>{CHECK_SCRIPT}</body></html>");
    h
}

//! Sentences an analyst can paste into a policy plan, generated from a profile's figures, in the
//! style of Genk's omgevingsanalyse ("Genk scoort met 18,6 % hoger dan Limburg (14,1 %) ...").

use super::figures::{IndicatorProfile, Significance};
use super::target::TargetResult;
use crate::lang::Lang;
use crate::report::format::{number, signed};
use crate::stats::trend::Verdict;

/// A value in display units with its unit suffix, in the language's number format.
pub fn value(ind: &IndicatorProfile, ratio: f64, lang: Lang) -> String {
    let u = ind.indicator.unit;
    format!(
        "{}{}",
        number(ind.indicator.display(ratio), u.decimals(), lang),
        u.suffix()
    )
}

fn compare(lang: Lang, v: f64, other: f64) -> &'static str {
    let worse = if v > other {
        lang.pick("hoger dan", "higher than")
    } else {
        lang.pick("lager dan", "lower than")
    };
    if (v - other).abs() < 1e-12 {
        lang.pick("gelijk aan", "equal to")
    } else {
        worse
    }
}

/// The paragraph for one indicator.
pub fn paragraph(name: &str, province: &str, ind: &IndicatorProfile, lang: Lang) -> String {
    let mut out = Vec::new();
    let label = ind.indicator.label.get(lang.english()).to_lowercase();
    if let Some(f) = ind.latest()
        && let (Some(v), Some(p), Some(fl)) =
            (f.municipality.value, f.province.value, f.flanders.value)
    {
        out.push(match lang {
                Lang::Nl => format!(
                    "{name} scoort in {} voor {label} met {} {} {province} ({}) en {} het Vlaams Gewest ({}).",
                    f.year,
                    value(ind, v, lang),
                    compare(lang, v, p),
                    value(ind, p, lang),
                    compare(lang, v, fl),
                    value(ind, fl, lang)
                ),
                Lang::En => format!(
                    "In {}, {name} scores {} on {label}: {} {province} ({}) and {} the Flemish Region ({}).",
                    f.year,
                    value(ind, v, lang),
                    compare(lang, v, p),
                    value(ind, p, lang),
                    compare(lang, v, fl),
                    value(ind, fl, lang)
                ),
            });
    }
    out.push(match (ind.significance, lang) {
        (Significance::Higher | Significance::Lower, Lang::Nl) => {
            "Het verschil met het Vlaams Gewest is statistisch significant (95 %).".to_owned()
        }
        (Significance::Higher | Significance::Lower, Lang::En) => {
            "The difference with the Flemish Region is statistically significant (95 %).".to_owned()
        }
        (Significance::NotSignificant, Lang::Nl) => {
            "Het verschil met het Vlaams Gewest is niet statistisch significant (95 %).".to_owned()
        }
        (Significance::NotSignificant, Lang::En) => {
            "The difference with the Flemish Region is not statistically significant (95 %)."
                .to_owned()
        }
        (Significance::Unknown, _) => String::new(),
    });
    if let Some((rank, n)) = ind.rank {
        out.push(match lang {
            Lang::Nl => format!(
                "Daarmee staat {name} op plaats {rank} van {n} gemeenten (1 = hoogste risico)."
            ),
            Lang::En => format!(
                "That puts {name} in place {rank} of {n} municipalities (1 = highest risk)."
            ),
        });
    }
    if let Some(e) = &ind.evolution {
        let first = ind
            .years
            .iter()
            .find(|f| f.year == e.from)
            .and_then(|f| f.municipality.value);
        let last = ind
            .years
            .iter()
            .find(|f| f.year == e.to)
            .and_then(|f| f.municipality.value);
        if let (Some(a), Some(b)) = (first, last) {
            let unit = if ind.indicator.unit.suffix() == " %" {
                lang.pick(" procentpunt", " percentage points")
            } else {
                ""
            };
            let rel = e.relative_change.map_or(String::new(), |r| {
                format!(", {} %", signed(r * 100.0, 1, lang))
            });
            let verb = match (b > a, lang) {
                (true, Lang::Nl) => "steeg",
                (false, Lang::Nl) => "daalde",
                (true, Lang::En) => "rose",
                (false, Lang::En) => "fell",
            };
            let trend = match (e.verdict, lang) {
                (Verdict::Rising, Lang::Nl) => "de trend is significant stijgend",
                (Verdict::Falling, Lang::Nl) => "de trend is significant dalend",
                (Verdict::NoClearTrend, Lang::Nl) => "er is geen duidelijke trend",
                (Verdict::TooFewYears, Lang::Nl) => "te weinig jaren voor een trendtoets",
                (Verdict::Rising, Lang::En) => "the trend is significantly rising",
                (Verdict::Falling, Lang::En) => "the trend is significantly falling",
                (Verdict::NoClearTrend, Lang::En) => "there is no clear trend",
                (Verdict::TooFewYears, Lang::En) => "too few years for a trend test",
            };
            let tests = match (&e.mann_kendall, e.sen) {
                (Some(mk), Some(sen)) => format!(
                    " (Mann-Kendall p = {}; Sen-{} {} {})",
                    number(mk.p, 3, lang),
                    lang.pick("helling", "slope"),
                    signed(sen, 2, lang),
                    lang.pick("per jaar", "per year")
                ),
                _ => String::new(),
            };
            out.push(match lang {
                Lang::Nl => format!(
                    "Tussen {} en {} {verb} de waarde van {} naar {} ({}{unit}{rel}); {trend}{tests}.",
                    e.from,
                    e.to,
                    value(ind, a, lang),
                    value(ind, b, lang),
                    signed(e.point_change, ind.indicator.unit.decimals(), lang)
                ),
                Lang::En => format!(
                    "Between {} and {} the value {verb} from {} to {} ({}{unit}{rel}); {trend}{tests}.",
                    e.from,
                    e.to,
                    value(ind, a, lang),
                    value(ind, b, lang),
                    signed(e.point_change, ind.indicator.unit.decimals(), lang)
                ),
            });
        }
    }
    if ind.scored {
        out.push(match (ind.point, lang) {
            (Some(true), Lang::Nl) => {
                "Op de kinderarmoedebarometer levert dit een punt op.".to_owned()
            }
            (Some(false), Lang::Nl) => {
                "Op de kinderarmoedebarometer levert dit geen punt op.".to_owned()
            }
            (Some(true), Lang::En) => {
                "On the child-poverty barometer this gives a point.".to_owned()
            }
            (Some(false), Lang::En) => {
                "On the child-poverty barometer this gives no point.".to_owned()
            }
            (None, _) => String::new(),
        });
    }
    out.retain(|s| !s.is_empty());
    out.join(" ")
}

/// The sentence for a target.
pub fn target(t: &TargetResult, ind: &IndicatorProfile, lang: Lang) -> String {
    let u = ind.indicator.unit;
    let fmt = |v: f64| format!("{}{}", number(v, u.decimals(), lang), u.suffix());
    let projection = match (t.projected, t.on_track, lang) {
        (Some((p, pi)), Some(ok), Lang::Nl) => format!(
            "Bij de waargenomen trend wordt dat in {} {} (95 %-voorspellingsinterval {} tot {}): {}.",
            t.spec.year,
            fmt(p),
            fmt(pi.lower),
            fmt(pi.upper),
            if ok { "op koers" } else { "niet op koers" }
        ),
        (Some((p, pi)), Some(ok), Lang::En) => format!(
            "At the observed trend it becomes {} in {} (95 % prediction interval {} to {}): {}.",
            fmt(p),
            t.spec.year,
            fmt(pi.lower),
            fmt(pi.upper),
            if ok { "on track" } else { "off track" }
        ),
        (_, _, Lang::Nl) => "Te weinig jaren om een trend door te trekken.".to_owned(),
        (_, _, Lang::En) => "Too few years to project a trend.".to_owned(),
    };
    match lang {
        Lang::Nl => format!(
            "Doel {}: van {} in {} naar {} in {}. In {} is de waarde {}{}. {projection}",
            t.spec.text,
            fmt(t.baseline.1),
            t.baseline.0,
            fmt(t.target),
            t.spec.year,
            t.latest.0,
            fmt(t.latest.1),
            t.needed_per_year.map_or(String::new(), |n| format!(
                "; nodig is {} per jaar",
                signed(n, u.decimals() + 1, lang)
            ))
        ),
        Lang::En => format!(
            "Target {}: from {} in {} to {} in {}. In {} the value is {}{}. {projection}",
            t.spec.text,
            fmt(t.baseline.1),
            t.baseline.0,
            fmt(t.target),
            t.spec.year,
            t.latest.0,
            fmt(t.latest.1),
            t.needed_per_year.map_or(String::new(), |n| format!(
                "; needed: {} per year",
                signed(n, u.decimals() + 1, lang)
            ))
        ),
    }
}

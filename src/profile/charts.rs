//! The charts of a profile, built from its figures: per indicator a trend chart and a comparison
//! chart, and the barometer card.

use super::figures::{IndicatorProfile, Profile};
use super::sentences::value;
use crate::chart::card::{CardChart, CardLine};
use crate::chart::comparison::ComparisonChart;
use crate::chart::trend::{Line, TrendChart};
use crate::geo::Geography;
use crate::lang::Lang;

fn area_name<'a>(geo: &'a Geography, code: &'a str, lang: Lang) -> &'a str {
    geo.name(code, lang.english()).unwrap_or(code)
}

/// The trend chart: the municipality with its interval band, its province and Flanders.
pub fn trend(p: &Profile, ind: &IndicatorProfile, geo: &Geography, lang: Lang) -> TrendChart {
    let d = |v: f64| ind.indicator.display(v);
    let line = |name: &str, get: &dyn Fn(&super::figures::YearFigures) -> Option<f64>| Line {
        name: name.to_owned(),
        points: ind
            .years
            .iter()
            .filter_map(|f| Some((f.year, d(get(f)?))))
            .collect(),
    };
    TrendChart {
        title: format!("{} - {}", ind.indicator.label.get(lang.english()), p.name),
        y_label: match ind.indicator.unit.suffix().trim() {
            "" => lang.pick("index", "index").to_owned(),
            s => s.to_owned(),
        },
        decimals: ind.indicator.unit.decimals(),
        band: ind
            .years
            .iter()
            .filter_map(|f| f.interval.map(|i| (f.year, d(i.lower), d(i.upper))))
            .collect(),
        lines: vec![
            line(&p.name, &|f| f.municipality.value),
            line(area_name(geo, &p.province, lang), &|f| f.province.value),
            line(lang.pick("Vlaams Gewest", "Flemish Region"), &|f| {
                f.flanders.value
            }),
        ],
        lang,
    }
}

/// The comparison chart of the profile year.
pub fn comparison(
    p: &Profile,
    ind: &IndicatorProfile,
    geo: &Geography,
    lang: Lang,
) -> Option<ComparisonChart> {
    let f = ind.latest()?;
    let arrondissement = format!("arr. {}", area_name(geo, &p.arrondissement, lang));
    let bars = [
        (p.name.as_str(), f.municipality.value),
        (arrondissement.as_str(), f.arrondissement.value),
        (area_name(geo, &p.province, lang), f.province.value),
        (
            lang.pick("Vlaams Gewest", "Flemish Region"),
            f.flanders.value,
        ),
    ];
    Some(ComparisonChart {
        title: format!("{} {}", ind.indicator.label.get(lang.english()), f.year),
        bars: bars
            .iter()
            .filter_map(|(n, v)| Some(((*n).to_owned(), ind.indicator.display((*v)?))))
            .collect(),
        suffix: ind.indicator.unit.suffix().to_owned(),
        decimals: ind.indicator.unit.decimals(),
        lang,
    })
}

/// The barometer card of the profile year.
pub fn card(p: &Profile, lang: Lang, barometer_name: &str) -> CardChart {
    let lines = p
        .indicators
        .iter()
        .filter(|i| i.scored)
        .map(|i| {
            let latest = i.latest().filter(|f| f.year == p.year);
            CardLine {
                label: i.indicator.label.get(lang.english()).to_owned(),
                value: latest
                    .and_then(|f| f.municipality.value)
                    .map_or("-".into(), |v| value(i, v, lang)),
                reference: i.reference.map_or("-".into(), |r| value(i, r, lang)),
                point: i.point,
            }
        })
        .collect();
    let (score, note) = match &p.barometer {
        Some(r) => (
            format!("{} / {}", r.score, r.indicators),
            format!(
                "{} {} {} {}",
                lang.pick("rang", "rank"),
                r.rank,
                lang.pick("van", "of"),
                p.scored_municipalities
            ),
        ),
        None => ("-".into(), String::new()),
    };
    CardChart {
        title: format!("{barometer_name} - {} {}", p.name, p.year),
        headers: [
            lang.pick("Indicator", "Indicator").to_owned(),
            lang.pick("Gemeente", "Municipality").to_owned(),
            lang.pick("Referentie", "Reference").to_owned(),
            lang.pick("Punt", "Point").to_owned(),
        ],
        lines,
        score,
        note,
    }
}

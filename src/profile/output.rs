//! Write one profile into a folder: `report.html` (self-contained), `charts/*.svg` and
//! `charts/*.png` (300 dpi), `tables/*.csv` and `profile.xlsx`. Every file is written atomically.

use super::charts;
use super::figures::Profile;
use super::target::TargetResult;
use crate::atomic;
use crate::chart::{png, svg};
use crate::geo::Geography;
use crate::lang::Lang;
use crate::report::profile_html::{self, ChartSvgs};
use crate::report::profile_tables;
use crate::run_record::RunRecord;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Write `profile` into `dir`; returns the files written.
pub fn write(
    dir: &Path,
    profile: &Profile,
    targets: &[(TargetResult, usize)],
    geo: &Geography,
    record: &RunRecord,
    barometer_name: &str,
    lang: Lang,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let mut put = |rel: String, bytes: &[u8]| -> Result<()> {
        let path = dir.join(rel);
        atomic::write_bytes(&path, bytes)?;
        written.push(path);
        Ok(())
    };
    let card = charts::card(profile, lang, barometer_name);
    let card_svg = svg(&card)?;
    put("charts/barometer.svg".into(), card_svg.as_bytes())?;
    put("charts/barometer.png".into(), &png(&card)?)?;
    let mut per_indicator = Vec::new();
    for ind in &profile.indicators {
        let id = &ind.indicator.id;
        let trend = charts::trend(profile, ind, geo, lang);
        let trend_svg = svg(&trend)?;
        put(format!("charts/{id}-trend.svg"), trend_svg.as_bytes())?;
        put(format!("charts/{id}-trend.png"), &png(&trend)?)?;
        let comparison_svg = match charts::comparison(profile, ind, geo, lang) {
            Some(c) => {
                let s = svg(&c)?;
                put(format!("charts/{id}-comparison.svg"), s.as_bytes())?;
                put(format!("charts/{id}-comparison.png"), &png(&c)?)?;
                Some(s)
            }
            None => None,
        };
        per_indicator.push((trend_svg, comparison_svg));
    }
    let charts = ChartSvgs {
        card: card_svg,
        indicators: per_indicator,
    };
    let html = profile_html::render(profile, targets, &charts, geo, record, barometer_name, lang);
    put("report.html".into(), html.as_bytes())?;
    let results: Vec<TargetResult> = targets.iter().map(|(t, _)| t.clone()).collect();
    let tables = [
        profile_tables::indicators(profile),
        profile_tables::years(profile),
        profile_tables::targets(&results),
    ];
    for table in &tables {
        let mut bytes = Vec::new();
        profile_tables::write_csv(table, record, &mut bytes)?;
        put(format!("tables/{}.csv", table.name), &bytes)?;
    }
    put(
        "profile.xlsx".into(),
        &profile_tables::xlsx(&tables.iter().collect::<Vec<_>>(), record)?,
    )?;
    Ok(written)
}

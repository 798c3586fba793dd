//! Policy targets such as Mechelen's "halve child poverty by 2025":
//! `--target "kansarmoede-index:-50%@2025"` (relative), `ID:-3pp@2025` (change in display units,
//! percentage points for percentages) or `ID:10@2025` (a level). The baseline is the value in the
//! first year of the profile window (`--from`); the projection is the OLS trend over the window.

use super::figures::{CONFIDENCE, IndicatorProfile};
use crate::error::usage;
use crate::stats::interval::Interval;
use crate::stats::trend::Ols;
use anyhow::Result;

/// How the target is expressed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// A relative change from the baseline (-0.5 = halve).
    Relative(f64),
    /// A change in display units (percentage points for percentages).
    Points(f64),
    /// A level in display units.
    Level(f64),
}

/// A parsed `--target`.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSpec {
    /// The text as given.
    pub text: String,
    /// Indicator id.
    pub indicator: String,
    /// The goal.
    pub goal: Goal,
    /// The year by which it should be reached.
    pub year: i32,
}

impl TargetSpec {
    /// Parse `ID:GOAL@YEAR`; GOAL is `-50%`, `-3pp` or `10` (decimal comma or point).
    pub fn parse(text: &str) -> Result<TargetSpec> {
        let bad = |why: &str| {
            usage(format!(
                "--target '{text}': {why}; write INDICATOR:GOAL@YEAR, e.g. kansarmoede-index:-50%@2025, \
                 kansarmoede-index:-3pp@2025 or kansarmoede-index:10@2025"
            ))
        };
        let (indicator, rest) = text.split_once(':').ok_or_else(|| bad("no ':'"))?;
        let (goal, year) = rest.split_once('@').ok_or_else(|| bad("no '@YEAR'"))?;
        let year: i32 = year
            .trim()
            .parse()
            .map_err(|_| bad("the year is not a number"))?;
        let goal = goal.trim().replace(',', ".");
        let number = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let goal = if let Some(p) = goal.strip_suffix('%') {
            Goal::Relative(number(p).ok_or_else(|| bad("the percentage is not a number"))? / 100.0)
        } else if let Some(p) = goal.strip_suffix("pp") {
            Goal::Points(number(p).ok_or_else(|| bad("the change is not a number"))?)
        } else {
            Goal::Level(number(&goal).ok_or_else(|| bad("the level is not a number"))?)
        };
        Ok(TargetSpec {
            text: text.to_owned(),
            indicator: indicator.trim().to_owned(),
            goal,
            year,
        })
    }
}

/// A target evaluated on a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetResult {
    /// The target.
    pub spec: TargetSpec,
    /// Baseline year and value (display units).
    pub baseline: (i32, f64),
    /// The target value (display units).
    pub target: f64,
    /// Latest year and value.
    pub latest: (i32, f64),
    /// Yearly change needed from the latest value to reach the target in its year.
    pub needed_per_year: Option<f64>,
    /// The observed OLS trend per year and its interval (3+ years).
    pub observed: Option<(f64, Interval)>,
    /// The value projected for the target year and its 95 % prediction interval.
    pub projected: Option<(f64, Interval)>,
    /// Whether the projection reaches the target (None without a trend).
    pub on_track: Option<bool>,
}

/// Evaluate `spec` on the indicator's figures.
pub fn evaluate(spec: &TargetSpec, ind: &IndicatorProfile) -> Result<TargetResult> {
    let series: Vec<(i32, f64)> = ind
        .years
        .iter()
        .filter_map(|f| Some((f.year, ind.indicator.display(f.municipality.value?))))
        .collect();
    let (Some(&baseline), Some(&latest)) = (series.first(), series.last()) else {
        return Err(crate::error::data(format!(
            "--target '{}': no values for '{}'",
            spec.text, spec.indicator
        )));
    };
    let target = match spec.goal {
        Goal::Relative(r) => baseline.1 * (1.0 + r),
        Goal::Points(p) => baseline.1 + p,
        Goal::Level(v) => v,
    };
    let needed_per_year =
        (spec.year > latest.0).then(|| (target - latest.1) / f64::from(spec.year - latest.0));
    let xs: Vec<f64> = series.iter().map(|p| f64::from(p.0)).collect();
    let ys: Vec<f64> = series.iter().map(|p| p.1).collect();
    let ols = Ols::fit(&xs, &ys, CONFIDENCE);
    let projected = ols.map(|o| {
        (
            o.predict(f64::from(spec.year)),
            o.prediction_interval(f64::from(spec.year)),
        )
    });
    let on_track = projected.map(|(p, _)| {
        if target <= baseline.1 {
            p <= target
        } else {
            p >= target
        }
    });
    Ok(TargetResult {
        spec: spec.clone(),
        baseline,
        target,
        latest,
        needed_per_year,
        observed: ols.map(|o| (o.slope, o.slope_interval)),
        projected,
        on_track,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_goal_forms() {
        let t = TargetSpec::parse("kansarmoede-index:-50%@2025").unwrap();
        assert_eq!(
            (t.indicator.as_str(), t.goal, t.year),
            ("kansarmoede-index", Goal::Relative(-0.5), 2025)
        );
        assert_eq!(
            TargetSpec::parse("x:-2,5pp@2030").unwrap().goal,
            Goal::Points(-2.5)
        );
        assert_eq!(
            TargetSpec::parse("x:10@2030").unwrap().goal,
            Goal::Level(10.0)
        );
        assert!(
            TargetSpec::parse("x-50%@2025")
                .unwrap_err()
                .to_string()
                .contains("no ':'")
        );
        assert!(
            TargetSpec::parse("x:-50%")
                .unwrap_err()
                .to_string()
                .contains("no '@YEAR'")
        );
    }
}

//! The `[composite]` table of a barometer definition: how the continuous composite that orders
//! equal scores is built (imputation, outlier treatment, normalisation, weights, aggregation),
//! and the pipeline that computes it for one year's municipalities. Every key is optional; the
//! defaults give the barometer's own composite, the mean relative excess over the reference.

use super::aggregate::{Aggregation, aggregate};
use super::impute;
use super::normalise::{Normalisation, normalise};
use super::pca;
use super::treat::treat;
use serde::{Deserialize, Serialize};

/// Imputation of a missing value before normalising (the composite only; points never are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Imputation {
    /// Missing values stay missing; the unit's remaining weights are re-normalised.
    #[default]
    None,
    /// The mean of the observed municipalities.
    Mean,
    /// The median of the observed municipalities.
    Median,
    /// The mean of the observed municipalities of the same province.
    ProvinceMean,
}

/// Outlier treatment of each indicator column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outliers {
    /// No treatment.
    #[default]
    None,
    /// COINr's default `Treat()` (`treat.rs`): winsorise while |skewness| >= 2 and
    /// kurtosis >= 3.5, up to 5 points, else log-transform the column instead.
    Winsorise,
}

/// The normalisation's name in the TOML (its parameters are separate keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NormalisationName {
    /// `(x - r) / |r|`.
    #[default]
    RelativeExcess,
    /// `lo + (x - min) / (max - min) * (hi - lo)`.
    MinMax,
    /// `(x - mean) / sd`.
    ZScore,
    /// Rank, ties at the minimum.
    Rank,
    /// `(rank - 1) / (n - 1)`.
    PercentRank,
    /// `x / r`.
    DistanceToReference,
    /// `(x - min) / (target - min)`, capped at 1.
    DistanceToTarget,
    /// `(x - lo) / (hi - lo)` clamped to [0, 1], times `scale`.
    Goalposts,
}

/// The aggregation's name in the TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregationName {
    /// Weighted arithmetic mean.
    #[default]
    Arithmetic,
    /// Weighted geometric mean.
    Geometric,
    /// Weighted harmonic mean.
    Harmonic,
    /// Generalised mean with exponent `p`.
    Power,
}

/// How the weights are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// 1 for every indicator.
    #[default]
    Equal,
    /// `weights`, one per indicator in the order of `[[indicator]]`.
    Given,
    /// Squared loadings of the first principal component of the normalised indicators
    /// (`pca.rs`), computed per year.
    Pca,
}

/// The `[composite]` table.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Composite {
    /// Imputation of missing values.
    #[serde(default)]
    pub imputation: Imputation,
    /// Outlier treatment.
    #[serde(default)]
    pub outliers: Outliers,
    /// Normalisation.
    #[serde(default)]
    pub normalisation: NormalisationName,
    /// Lower end (min_max) or lower goalpost (goalposts), in oriented display units for goalposts.
    #[serde(default)]
    pub lo: Option<f64>,
    /// Upper end (min_max) or upper goalpost (goalposts).
    #[serde(default)]
    pub hi: Option<f64>,
    /// Target of distance_to_target, as a ratio (oriented: higher is worse).
    #[serde(default)]
    pub target: Option<f64>,
    /// Multiplier of goalposts (default 1).
    #[serde(default)]
    pub scale: Option<f64>,
    /// Weighting.
    #[serde(default)]
    pub weighting: Weighting,
    /// Weights with `weighting = "given"`.
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// Aggregation.
    #[serde(default)]
    pub aggregation: AggregationName,
    /// Exponent of `aggregation = "power"`.
    #[serde(default)]
    pub p: Option<f64>,
}

impl Composite {
    /// The normalisation with its parameters (checked by [`Composite::check`]).
    pub fn normalisation(&self) -> Normalisation {
        let (lo, hi) = (self.lo.unwrap_or(0.0), self.hi.unwrap_or(100.0));
        match self.normalisation {
            NormalisationName::RelativeExcess => Normalisation::RelativeExcess,
            NormalisationName::MinMax => Normalisation::MinMax { lo, hi },
            NormalisationName::ZScore => Normalisation::ZScore,
            NormalisationName::Rank => Normalisation::Rank,
            NormalisationName::PercentRank => Normalisation::PercentRank,
            NormalisationName::DistanceToReference => Normalisation::DistanceToReference,
            NormalisationName::DistanceToTarget => Normalisation::DistanceToTarget {
                target: self.target.unwrap_or(f64::NAN),
            },
            NormalisationName::Goalposts => Normalisation::Goalposts {
                lo: self.lo.unwrap_or(f64::NAN),
                hi: self.hi.unwrap_or(f64::NAN),
                scale: self.scale.unwrap_or(1.0),
            },
        }
    }

    /// The aggregation with its parameter.
    pub fn aggregation(&self) -> Aggregation {
        match self.aggregation {
            AggregationName::Arithmetic => Aggregation::Arithmetic,
            AggregationName::Geometric => Aggregation::Geometric,
            AggregationName::Harmonic => Aggregation::Harmonic,
            AggregationName::Power => Aggregation::Power {
                p: self.p.unwrap_or(f64::NAN),
            },
        }
    }

    /// Whether this is the barometer's own composite (what sensitivity runs vary around).
    pub fn is_plain(&self) -> bool {
        self.imputation == Imputation::None
            && self.outliers == Outliers::None
            && self.weighting == Weighting::Equal
    }

    /// Check the parameters against the methods and the number of indicators `k`; the message
    /// names the key.
    pub fn check(&self, k: usize) -> Result<(), String> {
        let uses = |key: &str, used: bool, value: &Option<f64>| match (used, value) {
            (false, Some(_)) => Err(format!(
                "`composite.{key}` does not apply to normalisation = \"{}\" / aggregation = \"{}\"",
                name(&self.normalisation),
                name(&self.aggregation)
            )),
            (_, Some(v)) if !v.is_finite() => Err(format!("`composite.{key}` = {v}: not a number")),
            _ => Ok(()),
        };
        let n = self.normalisation;
        uses(
            "lo",
            matches!(n, NormalisationName::MinMax | NormalisationName::Goalposts),
            &self.lo,
        )?;
        uses(
            "hi",
            matches!(n, NormalisationName::MinMax | NormalisationName::Goalposts),
            &self.hi,
        )?;
        uses(
            "target",
            n == NormalisationName::DistanceToTarget,
            &self.target,
        )?;
        uses("scale", n == NormalisationName::Goalposts, &self.scale)?;
        uses("p", self.aggregation == AggregationName::Power, &self.p)?;
        let need = |key: &str, v: Option<f64>| {
            v.map(|_| ()).ok_or_else(|| {
                format!(
                    "`composite.{key}` is required with normalisation = \"{}\"",
                    name(&n)
                )
            })
        };
        match n {
            NormalisationName::Goalposts => {
                need("lo", self.lo)?;
                need("hi", self.hi)?;
            }
            NormalisationName::DistanceToTarget => need("target", self.target)?,
            _ => {}
        }
        if let (Some(lo), Some(hi)) = (self.lo, self.hi)
            && lo >= hi
        {
            return Err(format!(
                "`composite.lo` = {lo} must be below `composite.hi` = {hi}"
            ));
        }
        if self.aggregation == AggregationName::Power && self.p.is_none() {
            return Err("`composite.p` is required with aggregation = \"power\"".into());
        }
        let positive = match self.normalisation() {
            Normalisation::MinMax { lo, .. } => lo > 0.0,
            Normalisation::Rank => true,
            _ => false,
        };
        if self.aggregation().needs_positive() && !positive {
            return Err(format!(
                "aggregation = \"{}\" needs positive values: use normalisation = \"min_max\" with lo > 0 (e.g. 1), or \"rank\"",
                name(&self.aggregation)
            ));
        }
        if self.outliers != Outliers::None
            && matches!(
                n,
                NormalisationName::RelativeExcess | NormalisationName::DistanceToReference
            )
        {
            return Err(format!(
                "`composite.outliers` = \"winsorise\" changes the values but not the reference: choose a normalisation that does not use the reference (not \"{}\")",
                name(&n)
            ));
        }
        match (self.weighting, &self.weights) {
            (Weighting::Given, None) => {
                Err("`composite.weights` is required with weighting = \"given\"".into())
            }
            (Weighting::Equal | Weighting::Pca, Some(_)) => Err(format!(
                "`composite.weights` is set but `composite.weighting` is \"{}\"; use weighting = \"given\"",
                name(&self.weighting)
            )),
            (_, Some(w)) if w.len() != k => Err(format!(
                "`composite.weights` has {} values for {k} indicators",
                w.len()
            )),
            (_, Some(w)) if w.iter().any(|v| !(v.is_finite() && *v >= 0.0)) => {
                Err("`composite.weights`: every weight must be a number >= 0".into())
            }
            (_, Some(w)) if w.iter().all(|v| *v == 0.0) => {
                Err("`composite.weights`: at least one weight must be positive".into())
            }
            _ => Ok(()),
        }
    }

    /// The composite of every unit: `values[j * n + i]` is unit `i`'s value of indicator `j`
    /// (`NaN` when missing; one column per indicator, `n` units), `references[j]` the
    /// indicator's reference, `signs[j]` +1 (higher is worse) or -1, and `groups[i]` the unit's
    /// province. `None` where no indicator contributes. An error when PCA weights cannot be
    /// computed.
    pub fn compute(
        &self,
        values: &[f64],
        references: &[Option<f64>],
        signs: &[f64],
        groups: &[&str],
    ) -> Result<Vec<Option<f64>>, String> {
        let (n, k) = (groups.len(), signs.len());
        debug_assert_eq!(values.len(), n * k);
        let method = self.normalisation();
        let mut normed = vec![f64::NAN; n * k];
        let (mut x, mut order) = (vec![0.0; n], Vec::new());
        for j in 0..k {
            let sign = signs[j];
            x.copy_from_slice(&values[j * n..(j + 1) * n]);
            match self.imputation {
                Imputation::None => {}
                Imputation::Mean => impute::by_column(&mut x, false),
                Imputation::Median => impute::by_column(&mut x, true),
                Imputation::ProvinceMean => impute::within_group(&mut x, groups),
            }
            // Before orienting, as COINr does (its log transform is not symmetric).
            if self.outliers == Outliers::Winsorise {
                treat(&mut x, 2.0, 3.5, 5);
            }
            x.iter_mut().for_each(|v| *v *= sign);
            let out = &mut normed[j * n..(j + 1) * n];
            match references[j] {
                Some(r) if !(method == Normalisation::RelativeExcess && r == 0.0) => {
                    normalise(method, &x, sign * r, out, &mut order)
                }
                Some(_) => {}
                None if !matches!(
                    method,
                    Normalisation::RelativeExcess | Normalisation::DistanceToReference
                ) =>
                {
                    normalise(method, &x, f64::NAN, out, &mut order)
                }
                None => {}
            }
        }
        let weights = match (&self.weighting, &self.weights) {
            (Weighting::Given, Some(w)) => w.clone(),
            (Weighting::Pca, _) => {
                let columns: Vec<Vec<f64>> = normed.chunks(n.max(1)).map(<[f64]>::to_vec).collect();
                pca::weights(&columns).ok_or(
                    "`composite.weighting` = \"pca\": fewer than 3 municipalities with every indicator, or an indicator without variation",
                )?
            }
            _ => vec![1.0; k],
        };
        let aggregation = self.aggregation();
        let mut row = vec![0.0; k];
        Ok((0..n)
            .map(|i| {
                row.iter_mut()
                    .enumerate()
                    .for_each(|(j, v)| *v = normed[j * n + i]);
                let c = aggregate(aggregation, &row, &weights);
                (!c.is_nan()).then_some(c)
            })
            .collect())
    }
}

/// The TOML spelling of a unit enum.
fn name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of values (one per unit) as the columns `compute` takes.
    fn columns(rows: &[Vec<Option<f64>>]) -> Vec<f64> {
        (0..rows[0].len())
            .flat_map(|j| rows.iter().map(move |r| r[j].unwrap_or(f64::NAN)))
            .collect()
    }

    fn parse(text: &str) -> Result<Composite, String> {
        let c: Composite = toml::from_str(text).map_err(|e| e.to_string())?;
        c.check(3).map(|_| c)
    }

    #[test]
    fn defaults_are_the_mean_relative_excess() {
        let c = parse("").unwrap();
        assert!(c.is_plain());
        // Two units, three indicators (the second lower-is-worse), references 0.2, 0.5, 0.
        let values = columns(&[
            vec![Some(0.3), Some(0.4), Some(0.1)],
            vec![Some(0.1), None, Some(0.2)],
        ]);
        let got = c
            .compute(
                &values,
                &[Some(0.2), Some(0.5), Some(0.0)],
                &[1.0, -1.0, 1.0],
                &["a", "a"],
            )
            .unwrap();
        // Unit 1: (0.1/0.2 + 0.1/0.5) / 2 = 0.35 (the third indicator has reference 0: skipped).
        // Unit 2: -0.1/0.2 = -0.5.
        assert!((got[0].unwrap() - 0.35).abs() < 1e-12);
        assert!((got[1].unwrap() + 0.5).abs() < 1e-12);
    }

    #[test]
    fn hand_computed_min_max_geometric_with_weights_and_imputation() {
        let c = parse(
            "normalisation = \"min_max\"\nlo = 1\nhi = 100\naggregation = \"geometric\"\n\
             weighting = \"given\"\nweights = [2, 1, 0]\nimputation = \"mean\"",
        )
        .unwrap();
        let values = columns(&[
            vec![Some(1.0), Some(5.0), Some(1.0)],
            vec![Some(3.0), None, Some(2.0)],
            vec![Some(2.0), Some(3.0), Some(3.0)],
        ]);
        let got = c
            .compute(&values, &[None, None, None], &[1.0, -1.0, 1.0], &["a"; 3])
            .unwrap();
        // Column 1 -> 1, 100, 50.5; column 2 oriented -5, (imputed -4), -3 -> 1, 50.5, 100.
        // Unit 1: (1^2 * 1)^(1/3) = 1; unit 2: (100^2 * 50.5)^(1/3); unit 3: (50.5^2 * 100)^(1/3).
        assert!((got[0].unwrap() - 1.0).abs() < 1e-12);
        assert!((got[1].unwrap() - (100f64.powi(2) * 50.5).cbrt()).abs() < 1e-9);
        assert!((got[2].unwrap() - (50.5f64.powi(2) * 100.0).cbrt()).abs() < 1e-9);
    }

    #[test]
    fn errors_name_the_key_and_the_valid_values() {
        let e = parse("normalisation = \"minmax\"").unwrap_err();
        assert!(
            e.contains("unknown variant `minmax`") && e.contains("`min_max`"),
            "{e}"
        );
        let e = parse("aggregation = \"geometric\"").unwrap_err();
        assert!(e.contains("needs positive values"), "{e}");
        let e = parse("wieghts = [1, 2, 3]").unwrap_err();
        assert!(
            e.contains("unknown field `wieghts`") && e.contains("`weights`"),
            "{e}"
        );
        let e = parse("weighting = \"given\"\nweights = [1, 2]").unwrap_err();
        assert!(e.contains("2 values for 3 indicators"), "{e}");
        let e = parse("normalisation = \"z_score\"\nlo = 1").unwrap_err();
        assert!(e.contains("`composite.lo` does not apply"), "{e}");
        let e = parse("normalisation = \"goalposts\"\nlo = 1").unwrap_err();
        assert!(e.contains("`composite.hi` is required"), "{e}");
        let e = parse("outliers = \"winsorise\"").unwrap_err();
        assert!(e.contains("does not use the reference"), "{e}");
    }
}

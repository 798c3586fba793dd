//! Indicator values per unit and year, derived from the store's counts with polars: the
//! municipalities' own values and the arrondissement, province and Flemish values obtained by
//! summing numerators and denominators (never by averaging rates).

use crate::geo::{Geography, Municipality, sector_municipality};
use crate::store::{Status, Store, col};
use anyhow::Result;
use polars::prelude::*;
use std::collections::BTreeSet;

/// Column with the ratio numerator / denominator (null when it cannot be computed).
pub const VALUE: &str = "value";
/// Column with the number of units (municipalities or sectors) in an aggregate.
pub const UNITS: &str = "units";
/// Column with the number of units whose counts entered an aggregate.
pub const UNITS_WITH_COUNTS: &str = "units_with_counts";

/// An aggregation level above the store's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Municipality (the level above statistical sectors).
    Municipality,
    /// Administrative arrondissement.
    Arrondissement,
    /// Province.
    Province,
    /// The Flemish Region.
    Region,
}

impl Level {
    /// The geography column that holds this level's code.
    pub fn column(self) -> &'static str {
        match self {
            Level::Municipality => "municipality",
            Level::Arrondissement => "arrondissement",
            Level::Province => "province",
            Level::Region => "region",
        }
    }
}

/// The unit -> municipality -> arrondissement -> province -> region table of `units`
/// (municipalities or statistical sectors; unknown codes are left out), for joins.
pub fn hierarchy_of<'a>(
    geo: &Geography,
    units: impl IntoIterator<Item = &'a str>,
) -> Result<DataFrame> {
    let mut codes: Vec<&str> = Vec::new();
    let mut ms = Vec::new();
    for unit in units.into_iter().collect::<BTreeSet<_>>() {
        if let Some(m) = geo.municipality_of(unit) {
            codes.push(unit);
            ms.push(m);
        }
    }
    let column = |level: Level, f: fn(&Municipality) -> &str| {
        Column::new(
            level.column().into(),
            ms.iter().map(|m| f(m)).collect::<Vec<_>>(),
        )
    };
    Ok(DataFrame::new_infer_height(vec![
        Column::new(col::UNIT.into(), codes),
        column(Level::Municipality, |m| &m.nis),
        column(Level::Arrondissement, |m| &m.arrondissement),
        column(Level::Province, |m| &m.province),
        column(Level::Region, |m| &m.region),
    ])?)
}

/// The hierarchy of every municipality of every set (see [`hierarchy_of`]).
pub fn hierarchy(geo: &Geography) -> Result<DataFrame> {
    hierarchy_of(geo, geo.municipalities().map(|m| m.nis.as_str()))
}

/// A sector store summed to municipalities: per municipality, year and indicator the summed
/// numerators and denominators of its sectors with counts (the rule of [`aggregate`]); status
/// observed when at least one sector has counts, else suppressed. A municipal store is
/// returned as it is. The result keeps the store's metadata and checksum, its origin says
/// "summed to municipalities".
pub fn summed_to_municipalities(store: &Store, geo: &Geography) -> Result<Store> {
    let units = store
        .frame
        .column(col::UNIT)?
        .as_materialized_series()
        .str()?
        .clone();
    let distinct: BTreeSet<&str> = units.iter().flatten().collect();
    if !distinct.iter().any(|u| sector_municipality(u).is_some()) {
        return Ok(store.clone());
    }
    let h = hierarchy_of(geo, distinct.iter().copied())?;
    let frame = aggregate(municipal(store, None), &h, Level::Municipality)
        .select([
            col(Level::Municipality.column()).alias(col::UNIT),
            col(col::YEAR),
            col(col::INDICATOR),
            col(col::NUMERATOR),
            col(col::DENOMINATOR),
            when(col(UNITS_WITH_COUNTS).gt(lit(0u32)))
                .then(lit(Status::Observed.as_str()))
                .otherwise(lit(Status::Suppressed.as_str()))
                .alias(col::STATUS),
            lit("sum of statistical sectors").alias(col::SOURCE),
        ])
        .with_column(
            when(col(col::STATUS).eq(lit(Status::Observed.as_str())))
                .then(col(col::NUMERATOR))
                .otherwise(lit(Null {}).cast(DataType::Float64))
                .alias(col::NUMERATOR),
        )
        .collect()?;
    Ok(Store {
        frame,
        meta: store.meta.clone(),
        origin: format!("{} (summed to municipalities)", store.origin),
        sha256: store.sha256.clone(),
    })
}

fn has_counts() -> Expr {
    col(col::STATUS)
        .eq(lit(Status::Observed.as_str()))
        .or(col(col::STATUS).eq(lit(Status::Imputed.as_str())))
        .and(col(col::NUMERATOR).is_not_null())
        .and(col(col::DENOMINATOR).gt(lit(0.0)))
}

/// The store's rows for `year` (all years when `None`) with their value as a new column.
pub fn municipal(store: &Store, year: Option<i32>) -> LazyFrame {
    let mut lf = store.frame.clone().lazy();
    if let Some(y) = year {
        lf = lf.filter(col(col::YEAR).eq(lit(y)));
    }
    lf.with_column(
        when(has_counts())
            .then(col(col::NUMERATOR) / col(col::DENOMINATOR))
            .otherwise(lit(Null {}))
            .alias(VALUE),
    )
}

/// Values of every area at `level`: summed numerators and denominators over the municipalities
/// whose counts are known, with the number of municipalities in the area and with counts.
/// Columns: the level's code column, year, indicator, numerator, denominator, value, units,
/// units_with_counts.
pub fn aggregate(municipal: LazyFrame, hierarchy: &DataFrame, level: Level) -> LazyFrame {
    let area = level.column();
    let known = col(VALUE).is_not_null();
    municipal
        .inner_join(hierarchy.clone().lazy(), col(col::UNIT), col(col::UNIT))
        .group_by([col(area), col(col::YEAR), col(col::INDICATOR)])
        .agg([
            col(col::NUMERATOR)
                .filter(known.clone())
                .sum()
                .alias(col::NUMERATOR),
            col(col::DENOMINATOR)
                .filter(known.clone())
                .sum()
                .alias(col::DENOMINATOR),
            len().cast(DataType::UInt32).alias(UNITS),
            known.cast(DataType::UInt32).sum().alias(UNITS_WITH_COUNTS),
        ])
        .with_column(
            when(col(col::DENOMINATOR).gt(lit(0.0)))
                .then(col(col::NUMERATOR) / col(col::DENOMINATOR))
                .otherwise(lit(Null {}))
                .alias(VALUE),
        )
        .sort(
            [area, col::YEAR, col::INDICATOR],
            SortMultipleOptions::default(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Record, StoreMeta};

    fn rec(unit: &str, num: Option<f64>, den: f64, status: Status) -> Record {
        Record {
            unit: unit.into(),
            year: 2020,
            indicator: "x".into(),
            numerator: num,
            denominator: Some(den),
            status,
            source: "t".into(),
        }
    }

    #[test]
    fn aggregates_sum_counts_and_skip_suppressed_cells() {
        let store = Store::from_records(
            vec![
                rec("71016", Some(30.0), 100.0, Status::Observed),
                rec("71022", Some(10.0), 300.0, Status::Observed),
                rec("71004", None, 50.0, Status::Suppressed),
                rec("11002", Some(60.0), 200.0, Status::Observed),
            ],
            StoreMeta::default(),
            "t",
        )
        .unwrap();
        let h = hierarchy(Geography::bundled()).unwrap();
        let prov = aggregate(municipal(&store, Some(2020)), &h, Level::Province)
            .collect()
            .unwrap();
        let value = prov
            .column(VALUE)
            .unwrap()
            .as_materialized_series()
            .f64()
            .unwrap()
            .clone();
        // Antwerpen 60/200; Limburg (30+10)/(100+300), not the mean of 30 % and 3.3 %.
        assert_eq!(value.get(0), Some(0.3));
        assert_eq!(value.get(1), Some(0.1));
        let with = prov
            .column(UNITS_WITH_COUNTS)
            .unwrap()
            .as_materialized_series()
            .u32()
            .unwrap()
            .clone();
        assert_eq!(with.get(1), Some(2));
        let flanders = aggregate(municipal(&store, None), &h, Level::Region)
            .collect()
            .unwrap();
        let v = flanders
            .column(VALUE)
            .unwrap()
            .as_materialized_series()
            .f64()
            .unwrap()
            .get(0);
        assert_eq!(v, Some(100.0 / 600.0));
    }
}

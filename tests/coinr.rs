//! COINr's published results on its ASEM example, reproduced with the project's own
//! `src/composite` functions. The numbers are COINr's documentation (repository bluefoxr/COINr,
//! commit cb1fa25c65ecd09bf92ba7c1a980a96ba1556e8f, `articles/*.md`), each test naming its
//! article; they are compared at their printed precision (rounded values equal, ranks equal).
//! The data come from `../shared/validation/asem/`; without it every test is skipped with a
//! message.

use barometer::barometer::median;
use barometer::composite::aggregate::{Aggregation, up_tree};
use barometer::composite::coin::Coin;
use barometer::composite::impute;
use barometer::composite::normalise::{Normalisation, moments, normalise};
use barometer::composite::treat::{
    Treatment, kurtosis, log_ct, passes, skewness, treat, winsorise,
};
use std::path::Path;

/// COINr's ASEM example without the indicators in `exclude`; `None` (with a message) when the
/// data are not there.
fn asem(exclude: &[&str]) -> Option<Coin> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/validation/asem"
    ));
    let (data, meta) = (dir.join("ASEM_iData.csv"), dir.join("ASEM_iMeta.csv"));
    if !(data.exists() && meta.exists()) {
        eprintln!("skipped: needs {} and {}", data.display(), meta.display());
        return None;
    }
    Some(Coin::read(&data, &meta, exclude).unwrap_or_else(|e| panic!("{e:#}")))
}

const MIN_MAX: Normalisation = Normalisation::MinMax { lo: 0.0, hi: 100.0 };

/// COINr's `Aggregated` data set: every level's columns over the units kept.
struct Aggregated<'a> {
    coin: &'a Coin,
    units: Vec<&'a str>,
    levels: Vec<Vec<Vec<f64>>>,
}

impl Aggregated<'_> {
    fn column(&self, code: &str) -> &[f64] {
        let (l, j) = (0..self.levels.len())
            .find_map(|l| Some((l, self.coin.codes[l].iter().position(|c| c == code)?)))
            .unwrap_or_else(|| panic!("no code {code}"));
        &self.levels[l][j]
    }

    fn unit(&self, unit: &str) -> usize {
        let i = self.units.iter().position(|u| *u == unit);
        i.unwrap_or_else(|| panic!("no unit {unit}"))
    }

    fn value(&self, code: &str, unit: &str) -> f64 {
        self.column(code)[self.unit(unit)]
    }

    /// COINr's rank among the units whose `within` is true: 1 + the number with a higher value.
    fn rank_within(&self, code: &str, unit: &str, within: impl Fn(usize) -> bool) -> usize {
        let x = self.column(code);
        let v = x[self.unit(unit)];
        1 + (0..x.len()).filter(|&i| within(i) && x[i] > v).count()
    }

    fn rank(&self, code: &str, unit: &str) -> usize {
        self.rank_within(code, unit, |_| true)
    }
}

/// COINr's `build_example_coin()`: denominate; impute a missing value by the mean of the unit's
/// `EurAsia_group`; screen out units with less than 90 % of the indicators (none after
/// imputation); treat outliers (winsorise up to 5 points, else `log_CT`); orient; normalise with
/// `method`; aggregate by arithmetic means with `iMeta`'s weights up the four levels. With
/// `imputed = false`, the imputation is left out (the units with gaps are then screened out).
fn build(coin: &Coin, method: Normalisation, imputed: bool) -> Aggregated<'_> {
    let groups: Vec<&str> = coin.groups["EurAsia_group"]
        .iter()
        .map(String::as_str)
        .collect();
    let mut columns = coin.denominated.clone();
    if imputed {
        columns
            .iter_mut()
            .for_each(|x| impute::within_group(x, &groups));
    }
    let k = columns.len() as f64;
    let kept: Vec<usize> = (0..coin.units.len())
        .filter(|&i| columns.iter().filter(|x| !x[i].is_nan()).count() as f64 / k >= 0.9)
        .collect();
    let mut order = Vec::new();
    let normalised = columns
        .iter()
        .zip(&coin.directions)
        .map(|(x, direction)| {
            let mut x: Vec<f64> = kept.iter().map(|&i| x[i]).collect();
            treat(&mut x, 2.0, 3.5, 5);
            x.iter_mut().for_each(|v| *v *= direction);
            let mut out = vec![0.0; x.len()];
            normalise(method, &x, f64::NAN, &mut out, &mut order);
            out
        })
        .collect();
    Aggregated {
        coin,
        units: kept.iter().map(|&i| coin.units[i].as_str()).collect(),
        levels: up_tree(
            Aggregation::Arithmetic,
            normalised,
            &coin.tree,
            &coin.weights,
        ),
    }
}

/// The raw column of the indicator `code`.
fn raw<'a>(coin: &'a Coin, code: &str) -> &'a [f64] {
    &coin.raw[coin.codes[0].iter().position(|c| c == code).unwrap()]
}

/// Whether `v` prints as `published` with as many decimals.
fn printed(v: f64, published: &str) -> bool {
    let decimals = published.split('.').nth(1).map_or(0, str::len);
    format!("{v:.decimals$}") == published
}

/// `v` rounded to `digits` significant digits (R's `signif`).
fn signif(v: f64, digits: usize) -> f64 {
    format!("{:.*e}", digits - 1, v).parse().unwrap()
}

/// Whitespace-separated rows of a printed table.
fn rows(table: &str) -> impl Iterator<Item = Vec<&str>> {
    table
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|r| !r.is_empty())
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, _, _, _) = moments(x);
    let (my, _, _, _) = moments(y);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    sxy / (sxx * syy).sqrt()
}

/// articles/results.md: `get_results(coin, dset = "Aggregated", tab_type = "Aggs")`, its ranks
/// within `GDPpc_group`, and `get_unit_summary(coin, usel = "IND")`.
#[test]
fn results_tables_and_unit_summary() {
    let Some(coin) = asem(&[]) else { return };
    let agg = build(&coin, MIN_MAX, true);
    let columns = [
        "Index",
        "Conn",
        "Sust",
        "Physical",
        "ConEcFin",
        "Political",
        "Instit",
        "P2P",
        "Environ",
        "Social",
        "SusEcFin",
    ];
    let head = "
        CHE    1 68.38 62.79 73.98    63.41    32.87     74.78  85.94 56.93   77.21  87.85    56.88
        NLD    2 64.82 61.94 67.70    64.87    46.62     84.55  71.74 41.92   58.73  86.58    57.78
        DNK    3 64.80 57.10 72.51    50.52    30.43     78.13  75.35 51.04   69.83  86.40    61.29
        NOR    4 64.47 57.44 71.50    58.18    25.70     80.03  89.46 33.80   70.90  87.00    56.59
        BEL    5 63.54 63.99 63.09    71.97    48.22     80.84  75.60 43.32   53.01  86.17    50.09
        SWE    6 63.00 53.87 72.12    51.51    23.87     80.98  74.51 38.50   66.37  87.74    62.27";
    for row in rows(head) {
        let unit = row[0];
        assert_eq!(agg.rank("Index", unit).to_string(), row[1], "{unit}");
        for (code, published) in columns.iter().zip(&row[2..]) {
            let v = agg.value(code, unit);
            assert!(printed(v, published), "{unit} {code}: {v} vs {published}");
        }
    }
    let group = &coin.groups["GDPpc_group"];
    let group_ranks = "
        CHE XL 1  2 1  3  5  8  2  2 1  1  8
        NLD XL 2  3 6  2  4  2 10  6 8  4  7
        DNK XL 3  6 2  8  6  6  6  5 3  5  5
        NOR XL 4  5 4  4  8  4  1 11 2  3 10
        SWE XL 5 10 3  7 10  3  8 10 5  2  3
        AUT XL 6  7 5 11  7  5  4  4 4  9  2
        BEL L  1  1 2  1  2  4  7  3 10  1 9
        MLT L  2  2 5  3  1 12  4  1 2 10  3
        SVN L  3  4 1  2  6  9  6  5 5  3  2
        GBR L  4  3 3  4  8  5  5  7 3  2  8
        CZE L  5  5 4  9  5  8 10  6 12 9  1
        ESP L  6  7 7  7 10  2  3  9 6  6 10";
    for row in rows(group_ranks) {
        let (unit, g) = (row[0], row[1]);
        assert_eq!(group[coin.units.iter().position(|u| u == unit).unwrap()], g);
        for (code, published) in columns.iter().zip(&row[2..]) {
            let rank = agg.rank_within(code, unit, |i| group[i] == g);
            assert_eq!(rank.to_string(), *published, "{unit} {code} in {g}");
        }
    }
    let india = "
        Index     39.79 45
        Conn      28.60 44
        Sust      50.99 43
        Physical  18.78 48
        ConEcFin   6.38 49
        Political 51.90 33
        Instit    59.84 37
        P2P        6.07 47
        Environ   75.34  6
        Social    22.74 51
        SusEcFin  54.88 36";
    for row in rows(india) {
        let v = agg.value(row[0], "IND");
        assert!(printed(v, row[1]), "IND {}: {v} vs {}", row[0], row[1]);
        assert_eq!(
            agg.rank(row[0], "IND").to_string(),
            row[2],
            "IND {}",
            row[0]
        );
    }
}

/// articles/adjustments.md: `compare_coins_multi()` of the Index ranks of the example coin
/// ("Nominal"), the same with percentile ranks (`n_prank`, "Prank"), without the indicators LPI
/// and Forest ("NoLPIFor") and without imputation, units with less than 90 % of the data screened
/// out ("Screen90"; NA: screened out).
#[test]
fn index_ranks_of_four_coins() {
    let (Some(coin), Some(without)) = (asem(&[]), asem(&["LPI", "Forest"])) else {
        return;
    };
    let variants = [
        build(&coin, MIN_MAX, true),
        build(&coin, Normalisation::PercentRank, true),
        build(&without, MIN_MAX, true),
        build(&coin, MIN_MAX, false),
    ];
    let table = "
        CHE  1  1  1  1
        NLD  2  4  4  3
        DNK  3  2  2  2
        NOR  4  3  3  4
        BEL  5  7  6  5
        SWE  6  5  5  6
        AUT  7  6  7  7
        LUX  8 10  8  8
        DEU  9  8 11  9
        MLT 10 19  9 13
        SVN 11  9 10 10
        IRL 12 14 12 12
        FIN 13 13 13 14
        SGP 14 15 14 11
        GBR 15 12 16 15
        LTU 16 11 15 16
        CZE 17 18 19 17
        HRV 18 23 21 19
        ESP 19 24 20 24
        HUN 20 22 22 20
        FRA 21 21 25 18
        EST 22 16 23 23
        LVA 23 20 17 21
        SVK 24 26 24 22
        ROU 25 25 26 25
        POL 26 28 27 27
        PRT 27 17 18 26
        ITA 28 27 28 28
        CYP 29 30 29 29
        BGR 30 29 30 31
        KOR 31 33 31 30
        GRC 32 32 32 33
        NZL 33 34 33 32
        JPN 34 31 34 34
        AUS 35 35 37 35
        VNM 36 37 36 36
        KHM 37 36 35 NA
        PHL 38 40 40 39
        MYS 39 38 38 38
        BRN 40 41 45 NA
        MMR 41 42 39 NA
        THA 42 43 42 37
        IDN 43 49 41 41
        MNG 44 48 47 42
        IND 45 46 46 40
        BGD 46 44 44 NA
        KAZ 47 45 49 43
        LAO 48 39 43 NA
        CHN 49 51 50 45
        PAK 50 47 48 44
        RUS 51 50 51 46";
    for row in rows(table) {
        for ((agg, published), name) in variants
            .iter()
            .zip(&row[1..])
            .zip(["Nominal", "Prank", "NoLPIFor", "Screen90"])
        {
            let got = if agg.units.contains(&row[0]) {
                agg.rank("Index", row[0]).to_string()
            } else {
                "NA".into()
            };
            assert_eq!(got, *published, "{} {name}", row[0]);
        }
    }
}

/// articles/aggregate.md: the last columns of the `Aggregated` set, `signif(3)`.
#[test]
fn aggregated_set_to_three_significant_digits() {
    let Some(coin) = asem(&[]) else { return };
    let agg = build(&coin, MIN_MAX, true);
    let table = "
        uCode ConEcFin Environ Instit   P2P Physical Political Social SusEcFin Conn Sust Index
        AUS       12.6    31.9   52.4 39.50     34.8      52.5   71.9     55.7 38.4 53.2  45.8
        AUT       26.2    69.5   77.5 54.10     41.1      78.2   72.8     62.9 55.4 68.4  61.9
        BEL       48.2    53.0   75.6 43.30     72.0      80.8   86.2     50.1 64.0 63.1  63.5
        BGD       13.3    81.7   26.5  5.85     22.9      32.4   27.5     64.6 20.2 57.9  39.0
        BGR       24.6    55.7   75.9 27.10     28.4      67.5   53.3     61.7 44.7 56.9  50.8";
    let mut table = rows(table);
    let header = table.next().unwrap();
    for row in table {
        for (code, published) in header[1..].iter().zip(&row[1..]) {
            let v = agg.value(code, row[0]);
            let want: f64 = published.parse().unwrap();
            assert_eq!(signif(v, 3), want, "{} {code}: {v}", row[0]);
        }
    }
}

/// articles/data_selection.md: the first normalised indicators and the Sust pillars of the
/// `Aggregated` set.
#[test]
fn normalised_and_aggregated_sets() {
    let Some(coin) = asem(&[]) else { return };
    let agg = build(&coin, MIN_MAX, true);
    for table in [
        "
        uCode      LPI    Flights     Ship      Bord
        AUS 79.96112 12.3223217 66.14497   0.00000
        AUT 94.07137 27.8763185  0.00000  42.01269
        BEL 94.56023 23.3967426 97.14314 100.00000
        BGD 27.63906  0.1243185 45.80661  10.85013
        BGR 34.29965 10.8828790 37.40495  16.34359",
        "
        uCode  Environ   Social SusEcFin
        AUS 31.92211 71.88108 55.69987
        AUT 69.47511 72.76415 62.88150
        BEL 53.00859 86.16783 50.09020
        BGD 81.66988 27.51138 64.58884
        BGR 55.69922 53.30489 61.68677",
    ] {
        let mut table = rows(table);
        let header = table.next().unwrap();
        for row in table {
            for (code, published) in header[1..].iter().zip(&row[1..]) {
                let v = agg.value(code, row[0]);
                assert!(
                    printed(v, published),
                    "{} {code}: {v} vs {published}",
                    row[0]
                );
            }
        }
    }
}

/// One cell of COINr's treatment table: not reached, a pass/fail check, or a number.
#[derive(Debug)]
enum Cell {
    Na,
    Pass(bool),
    Number(f64),
}

impl Cell {
    fn matches(&self, published: &str) -> bool {
        match self {
            Cell::Na => published == "NA",
            Cell::Pass(p) => published == if *p { "TRUE" } else { "FALSE" },
            Cell::Number(v) => printed(*v, published),
        }
    }
}

/// COINr's `Dets_Table` row for `x`: the check (pass, skewness, kurtosis) before treatment;
/// `winsorise`'s `nwin` and the check after it; the check after `log_CT` of the original; `NA`
/// where a stage was not reached. Checks that `treat` does the same.
fn details(x: &[f64], skew_max: f64, kurt_max: f64, winmax: usize) -> Vec<Cell> {
    let check = |x: &[f64]| {
        let pass = passes(x, skew_max, kurt_max);
        (
            pass,
            [
                Cell::Pass(pass),
                Cell::Number(skewness(x)),
                Cell::Number(kurtosis(x)),
            ],
        )
    };
    let mut cells = vec![];
    let (mut treated, mut want) = (x.to_vec(), Treatment::None);
    let (pass, c) = check(x);
    cells.extend(c);
    if !pass {
        let nwin = winsorise(&mut treated, skew_max, kurt_max, winmax);
        cells.push(Cell::Number(nwin as f64));
        let (pass, c) = check(&treated);
        cells.extend(c);
        want = Treatment::Winsorised(nwin);
        if !pass {
            treated = x.to_vec();
            log_ct(&mut treated);
            cells.extend(check(&treated).1);
            want = Treatment::Log;
        }
    }
    cells.resize_with(10, || Cell::Na);
    let mut got = x.to_vec();
    assert_eq!(treat(&mut got, skew_max, kurt_max, winmax), want);
    let same = |a: &f64, b: &f64| a == b || (a.is_nan() && b.is_nan());
    assert!(got.iter().zip(&treated).all(|(a, b)| same(a, b)));
    cells
}

/// articles/treat.md: `Treat()` on the raw (not denominated) data: with the defaults
/// (`coin$Analysis$Treated$Dets_Table` and `Treated_Points` of the data-frame example), with
/// `winmax = 1`, with `winmax = 0` for Flights, and `qTreat(winmax = 1, skew_thresh = 1.5,
/// kurt_thresh = 3)`. Columns: iCode, then check, nwin, check after winsorising, check after
/// log_CT (check: pass, skewness, kurtosis).
#[test]
fn treatment_tables() {
    let Some(coin) = asem(&[]) else { return };
    // Printed with the defaults (the head of the coin's table) and again with winmax = 1.
    let both = "
        LPI      TRUE  -0.3042681  -0.6567514 NA NA NA NA NA NA NA
        Flights  FALSE  2.1032872   4.5088794  1 TRUE 1.900658 3.336065 NA NA NA
        Ship     TRUE  -0.5756680  -0.6814795 NA NA NA NA NA NA NA
        Bord     FALSE  2.1482360   5.7914905  1 TRUE 1.899211 4.346298 NA NA NA
        Elec     FALSE  2.2252736   5.7910268  1 TRUE 1.717744 2.586062 NA NA NA
        Gas      FALSE  2.8294486  10.3346494  1 TRUE 1.602518 1.525576 NA NA NA";
    // The data-frame example (defaults).
    let defaults = "
        Goods    FALSE  2.649973    8.266610   2 TRUE 1.140608 0.1572047 NA NA NA
        Services TRUE   1.701085    2.375656  NA NA NA NA NA NA NA";
    let winmax_1 = "
        ConSpeed TRUE   0.4622037   0.1873214 NA NA NA NA NA NA NA
        Cov4G    TRUE  -1.3725191   0.5419314 NA NA NA NA NA NA NA
        Goods    FALSE  2.6499733   8.2666095  1 FALSE 2.469910 7.087309 TRUE 0.03104001 -0.8888965
        Services TRUE   1.7010849   2.3756557 NA NA NA NA NA NA NA";
    let flights_winmax_0 = "
        Flights FALSE 2.103287 4.508879 0 FALSE 2.103287 4.508879 TRUE -0.09502644 -0.8305217";
    let q_treat = "
        Flights  FALSE 2.103287 4.508879  1 FALSE 1.900658 3.336065 TRUE -0.09502644 -0.8305217
        Goods    FALSE 2.649973 8.266610  1 FALSE 2.469910 7.087309 TRUE  0.03104001 -0.8888965
        Services TRUE  1.701085 2.375656 NA NA NA NA NA NA NA";
    for (table, skew_max, kurt_max, winmax) in [
        (both, 2.0, 3.5, 5),
        (both, 2.0, 3.5, 1),
        (defaults, 2.0, 3.5, 5),
        (winmax_1, 2.0, 3.5, 1),
        (flights_winmax_0, 2.0, 3.5, 0),
        (q_treat, 1.5, 3.0, 1),
    ] {
        for row in rows(table) {
            let cells = details(raw(&coin, row[0]), skew_max, kurt_max, winmax);
            for (k, (cell, published)) in cells.iter().zip(&row[1..]).enumerate() {
                assert!(
                    cell.matches(published),
                    "{} column {k}: {cell:?} vs {published}",
                    row[0]
                );
            }
        }
    }
    // Treated_Points: Flights winsorised at row 30, Goods at rows 11 and 35 (1-based).
    for (code, points) in [("Flights", vec![30]), ("Goods", vec![11, 35])] {
        let mut x = raw(&coin, code).to_vec();
        treat(&mut x, 2.0, 3.5, 5);
        let changed: Vec<usize> = (0..x.len())
            .filter(|&i| x[i] != raw(&coin, code)[i])
            .map(|i| i + 1)
            .collect();
        assert_eq!(changed, points, "{code}");
    }
}

/// articles/analysis.md: `get_stats(coin, dset = "Raw")`, first five rows: Min, Max, Mean, Median,
/// Std, Skew, Kurt (`signif(3)`), N.Avail, N.NonZero, N.Unique.
#[test]
fn indicator_statistics() {
    let Some(coin) = asem(&[]) else { return };
    let table = "
        LPI     2.07   4.23  3.41   3.42  0.538 -0.304 -0.657 51 51 51
        Flights 0.99 211.00 38.60  25.60 46.700  2.100  4.510 51 51 51
        Ship    0.00  21.20 12.00  12.70  6.840 -0.576 -0.681 51 42 43
        Bord    0.00 122.00 23.60  18.00 24.800  2.150  5.790 51 45 30
        Elec    0.00 110.00 16.20   6.91 22.700  2.230  5.790 51 47 46";
    for row in rows(table) {
        let x = raw(&coin, row[0]);
        let present: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
        let (mean, sd, min, max) = moments(x);
        let mut unique = present.clone();
        unique.sort_by(f64::total_cmp);
        unique.dedup();
        let got = [
            min,
            max,
            mean,
            median(&mut present.clone()).unwrap(),
            sd,
            skewness(x),
            kurtosis(x),
        ];
        for (k, (v, published)) in got.iter().zip(&row[1..8]).enumerate() {
            let want: f64 = published.parse().unwrap();
            assert_eq!(signif(*v, 3), want, "{} column {k}: {v}", row[0]);
        }
        let counts = [
            present.len(),
            present.iter().filter(|v| **v != 0.0).count(),
            unique.len(),
        ];
        assert_eq!(counts.map(|c| c.to_string()), row[8..], "{}", row[0]);
    }
}

/// articles/analysis.md: `get_corr_flags(coin, dset = "Normalised", grouplev = 2)` with
/// `cor_thresh = 0.75, thresh_type = "high"` and `cor_thresh = -0.5, thresh_type = "low"`: every
/// pair of indicators in the same pillar with a Pearson correlation above 0.75 or below -0.5.
#[test]
fn correlation_flags() {
    let Some(coin) = asem(&[]) else { return };
    let agg = build(&coin, MIN_MAX, true);
    let mut got = vec![];
    for (pillar, children) in coin.codes[1].iter().zip(&coin.tree[0]) {
        for (a, &i) in children.iter().enumerate() {
            for &j in &children[a + 1..] {
                let r = pearson(&agg.levels[0][i], &agg.levels[0][j]);
                if !(-0.5..=0.75).contains(&r) {
                    let mut pair = [coin.codes[0][i].as_str(), coin.codes[0][j].as_str()];
                    pair.sort();
                    got.push(format!("{pillar} {} {} {r:.3}", pair[0], pair[1]));
                }
            }
        }
    }
    got.sort();
    let published = [
        "Instit CostImpEx TBTs -0.697",
        "Instit RTAs TBTs -0.752",
        "Instit TBTs TIRcon -0.623",
        "Social CPI FreePress 0.761",
        "Social CPI NGOs 0.768",
    ];
    assert_eq!(got, published);
}

/// articles/weights.md: `get_corr(coin, dset = "Aggregated", Levels = c(3, 4))` with equal
/// weights, and after re-aggregating with Conn and Sust weighted 0.3902439 and 0.6097561.
#[test]
fn index_correlations() {
    let Some(mut coin) = asem(&[]) else { return };
    for (weights, conn, sust) in [
        ([1.0, 1.0], "0.9397805", "0.8382873"),
        ([0.3902439, 0.6097561], "0.8971336", "0.8925119"),
    ] {
        coin.weights[2] = weights.to_vec();
        let agg = build(&coin, MIN_MAX, true);
        let index = agg.column("Index");
        let r = [agg.column("Conn"), agg.column("Sust")].map(|c| pearson(index, c));
        assert!(
            printed(r[0], conn) && printed(r[1], sust),
            "{r:?} {weights:?}"
        );
    }
}

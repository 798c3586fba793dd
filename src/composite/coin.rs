//! A composite-indicator data set in COINr's input format: the `iData` table (one row per unit:
//! `uCode`, group, denominator and indicator columns) and the `iMeta` table (one row per
//! indicator, aggregate, group or denominator: `Level`, `iCode`, `Direction`, `Weight`,
//! `Denominator`, `Parent`, `Type`), as COINr's `new_coin()` takes them; e.g. COINr's ASEM
//! example in `../shared/validation/asem/`.

use anyhow::{Context, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::path::Path;

/// A COINr data set: indicator columns, unit groups and the tree of levels.
#[derive(Debug, Clone, PartialEq)]
pub struct Coin {
    /// Unit codes (`uCode`), in `iData`'s row order.
    pub units: Vec<String>,
    /// Each level's codes in `iMeta`'s order, the indicators (level 1) first.
    pub codes: Vec<Vec<String>>,
    /// One column per indicator (`NaN` missing), as given.
    pub raw: Vec<Vec<f64>>,
    /// The same divided by the indicator's denominator column, if it has one (COINr's
    /// `Denominate()`).
    pub denominated: Vec<Vec<f64>>,
    /// Indicator directions, 1 (higher is better) or -1.
    pub directions: Vec<f64>,
    /// Each level's weights, one per code.
    pub weights: Vec<Vec<f64>>,
    /// For each level above the indicators, each code's children: indices into the level below.
    pub tree: Vec<Vec<Vec<usize>>>,
    /// Unit group columns (`iMeta` type `Group`) by name.
    pub groups: BTreeMap<String, Vec<String>>,
}

/// A CSV table with a header.
struct Table {
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    fn parse(text: &str) -> Result<Table> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers()?.iter().map(String::from).collect();
        let rows = reader.records().collect::<Result<_, _>>()?;
        Ok(Table { header, rows })
    }

    fn column(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow!("no column `{name}`"))
    }

    fn text(&self, name: &str) -> Result<Vec<String>> {
        let c = self.column(name)?;
        Ok(self.rows.iter().map(|r| r[c].to_owned()).collect())
    }

    /// A numeric column; `NA` or empty is missing.
    fn numbers(&self, name: &str) -> Result<Vec<f64>> {
        self.text(name)?
            .iter()
            .enumerate()
            .map(|(i, v)| number(v).with_context(|| format!("column `{name}`, line {}", i + 2)))
            .collect()
    }
}

/// A number; `NA` or empty is `NaN`.
fn number(v: &str) -> Result<f64> {
    match v.trim() {
        "" | "NA" => Ok(f64::NAN),
        v => v.parse().map_err(|_| anyhow!("`{v}` is not a number")),
    }
}

impl Coin {
    /// Read the `iData` and `iMeta` CSV files, leaving out the indicators named in `exclude` (as
    /// COINr's `new_coin(exclude = ...)`).
    pub fn read(idata: &Path, imeta: &Path, exclude: &[&str]) -> Result<Coin> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
        };
        Coin::parse(&read(idata)?, &read(imeta)?, exclude)
            .with_context(|| format!("{} with {}", idata.display(), imeta.display()))
    }

    /// Parse `iData` and `iMeta` CSV text; see [`Coin::read`].
    pub fn parse(idata: &str, imeta: &str, exclude: &[&str]) -> Result<Coin> {
        let data = Table::parse(idata).context("iData")?;
        let meta = Table::parse(imeta).context("iMeta")?;
        let mut coin = Coin {
            units: data.text("uCode").context("iData")?,
            codes: vec![],
            raw: vec![],
            denominated: vec![],
            directions: vec![],
            weights: vec![],
            tree: vec![],
            groups: BTreeMap::new(),
        };
        let mut parents: Vec<Vec<String>> = vec![];
        let field = |name: &str| meta.column(name).context("iMeta");
        let (level, code, direction, weight, denominator, parent, kind) = (
            field("Level")?,
            field("iCode")?,
            field("Direction")?,
            field("Weight")?,
            field("Denominator")?,
            field("Parent")?,
            field("Type")?,
        );
        for (i, row) in meta.rows.iter().enumerate() {
            let at = || format!("iMeta line {} (`{}`)", i + 2, &row[code]);
            match &row[kind] {
                "Group" => {
                    let units = data.text(&row[code]).context("iData")?;
                    coin.groups.insert(row[code].to_owned(), units);
                }
                "Denominator" => {}
                "Indicator" | "Aggregate" if exclude.contains(&&row[code]) => {}
                "Indicator" | "Aggregate" => {
                    let l: usize = row[level]
                        .parse()
                        .ok()
                        .filter(|&l| l >= 1)
                        .ok_or_else(|| anyhow!("{}: Level `{}`", at(), &row[level]))?;
                    if (l == 1) != (&row[kind] == "Indicator") {
                        bail!("{}: an indicator is level 1, an aggregate above", at());
                    }
                    if coin.codes.len() < l {
                        coin.codes.resize(l, vec![]);
                        coin.weights.resize(l, vec![]);
                        parents.resize(l, vec![]);
                    }
                    coin.codes[l - 1].push(row[code].to_owned());
                    coin.weights[l - 1].push(number(&row[weight]).with_context(at)?);
                    parents[l - 1].push(row[parent].to_owned());
                    if l == 1 {
                        coin.indicator(&data, &row[code], &row[direction], &row[denominator])
                            .with_context(at)?;
                    }
                }
                other => bail!("{}: unknown Type `{other}`", at()),
            }
        }
        if coin.codes.first().is_none_or(Vec::is_empty) {
            bail!("iMeta: no indicators");
        }
        for l in 1..coin.codes.len() {
            for (child, parent) in coin.codes[l - 1].iter().zip(&parents[l - 1]) {
                if !coin.codes[l].contains(parent) {
                    bail!(
                        "iMeta: `{child}` has parent `{parent}`, not a level {} code",
                        l + 1
                    );
                }
            }
            let children = coin.codes[l]
                .iter()
                .map(|code| {
                    let c: Vec<usize> = (0..parents[l - 1].len())
                        .filter(|&i| parents[l - 1][i] == *code)
                        .collect();
                    if c.is_empty() {
                        bail!("iMeta: `{code}` (level {}) has no children", l + 1);
                    }
                    Ok(c)
                })
                .collect::<Result<_>>()?;
            coin.tree.push(children);
        }
        Ok(coin)
    }

    /// Add the indicator `code`'s columns and direction.
    fn indicator(&mut self, data: &Table, code: &str, direction: &str, den: &str) -> Result<()> {
        let raw = data.numbers(code).context("iData")?;
        let denominated = match den {
            "" | "NA" => raw.clone(),
            den => {
                let d = data.numbers(den).context("iData")?;
                raw.iter().zip(d).map(|(x, d)| x / d).collect()
            }
        };
        let direction = match direction.trim() {
            "1" => 1.0,
            "-1" => -1.0,
            other => bail!("Direction `{other}` is not 1 or -1"),
        };
        self.raw.push(raw);
        self.denominated.push(denominated);
        self.directions.push(direction);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = "uCode,grp,Pop,a,b,c\nU1,x,10,1,NA,3\nU2,y,20,2,5,6\n";
    const META: &str = "Level,iCode,Direction,Weight,Denominator,Parent,Type\n\
        1,a,1,1,Pop,P,Indicator\n1,b,-1,2,NA,P,Indicator\n1,c,1,1,NA,Q,Indicator\n\
        2,P,1,1,NA,I,Aggregate\n2,Q,1,3,NA,I,Aggregate\n3,I,1,1,NA,NA,Aggregate\n\
        NA,grp,NA,NA,NA,NA,Group\nNA,Pop,NA,NA,NA,NA,Denominator\n";

    #[test]
    fn parses_the_tree_denominators_and_groups() {
        let coin = Coin::parse(DATA, META, &[]).unwrap();
        assert_eq!(coin.units, ["U1", "U2"]);
        assert_eq!(coin.codes, [vec!["a", "b", "c"], vec!["P", "Q"], vec!["I"]]);
        assert_eq!(coin.raw[0], [1.0, 2.0]);
        assert_eq!(coin.denominated[0], [0.1, 0.1]);
        assert!(coin.denominated[1][0].is_nan());
        assert_eq!(coin.directions, [1.0, -1.0, 1.0]);
        assert_eq!(
            coin.weights,
            [vec![1.0, 2.0, 1.0], vec![1.0, 3.0], vec![1.0]]
        );
        assert_eq!(coin.tree, [vec![vec![0, 1], vec![2]], vec![vec![0, 1]]]);
        assert_eq!(coin.groups["grp"], ["x", "y"]);
        let without_b = Coin::parse(DATA, META, &["b"]).unwrap();
        assert_eq!(without_b.tree[0], [vec![0], vec![1]]);
    }

    #[test]
    fn errors_name_the_row_and_the_problem() {
        let e = |data: &str, meta: &str, exclude: &[&str]| {
            format!("{:#}", Coin::parse(data, meta, exclude).unwrap_err())
        };
        let got = e(&DATA.replace("U2,y,20,2", "U2,y,20,two"), META, &[]);
        assert!(
            got.contains("column `a`, line 3: `two` is not a number"),
            "{got}"
        );
        let got = e(DATA, &META.replace("1,b,-1", "1,b,2"), &[]);
        assert!(got.contains("iMeta line 3 (`b`): Direction `2`"), "{got}");
        assert!(e(DATA, META, &["c"]).contains("`Q` (level 2) has no children"));
        let got = e(DATA, &META.replace("1,c,1,1,NA,Q", "1,c,1,1,NA,R"), &[]);
        assert!(got.contains("`c` has parent `R`"), "{got}");
        let got = e(&DATA.replace(",c\n", ",d\n"), META, &[]);
        assert!(got.contains("no column `c`"), "{got}");
    }
}

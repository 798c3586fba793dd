//! Municipalities by name: "Sint-Niklaas", "St.-Niklaas", "SINT-NIKLAAS" and "sint niklaas" all
//! find 46021. Case, accents, punctuation and the abbreviations "St."/"Ste." are ignored; Dutch
//! and French names are both known. A name shared by an old and a merged municipality (Deinze
//! 44011 and 44083) is resolved by the year.

use crate::geo::{Geography, Municipality};
use crate::ingest::edit_distance;

/// The comparable form of a name: lowercase ASCII letters and digits, accents folded, "st" and
/// "ste" read as "sint", everything else dropped.
pub fn normalise(name: &str) -> String {
    let folded: String = name
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ÿ' => 'y',
            c if c.is_ascii_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    folded
        .split_whitespace()
        .map(|w| match w {
            "st" | "ste" => "sint",
            w => w,
        })
        .collect()
}

impl Geography {
    /// The municipality called `name` (see [`normalise`]), preferring one in force in `year`
    /// (or, without a year, one still in force). `Err` holds the candidates: the municipalities
    /// that share the name when it is ambiguous, else up to five closest names.
    pub fn lookup_name(
        &self,
        name: &str,
        year: Option<i32>,
    ) -> Result<&Municipality, Vec<&Municipality>> {
        let key = normalise(name);
        let same: Vec<&Municipality> = self
            .municipalities()
            .filter(|m| {
                normalise(&m.name_nl) == key
                    || (!m.name_fr.is_empty() && normalise(&m.name_fr) == key)
            })
            .collect();
        let preferred: Vec<&Municipality> = same
            .iter()
            .copied()
            .filter(|m| match year {
                Some(y) => m.in_force(y),
                None => m.valid_to.is_empty(),
            })
            .collect();
        match (same.as_slice(), preferred.as_slice()) {
            ([only], _) | (_, [only]) => Ok(only),
            ([], _) => {
                let mut scored: Vec<(usize, &Municipality)> = self
                    .municipalities()
                    .map(|m| (edit_distance(&normalise(&m.name_nl), &key), m))
                    .collect();
                scored.sort_by_key(|(d, m)| (*d, m.nis.clone()));
                Err(scored.into_iter().take(5).map(|(_, m)| m).collect())
            }
            _ => Err(same),
        }
    }

    /// A message for a failed [`Geography::lookup_name`].
    pub fn name_problem(&self, name: &str, candidates: &[&Municipality]) -> String {
        let list: Vec<String> = candidates
            .iter()
            .map(|m| {
                let span = match (m.valid_from.get(..4), m.valid_to.get(..4)) {
                    (Some(f), Some(t)) => format!(", {f}-{t}"),
                    (Some(f), None) => format!(", from {f}"),
                    (None, Some(t)) => format!(", until {t}"),
                    (None, None) => String::new(),
                };
                format!("{} {}{span}", m.nis, m.name_nl)
            })
            .collect();
        let normalised = normalise(name);
        let exact = candidates
            .iter()
            .any(|m| normalise(&m.name_nl) == normalised);
        if exact {
            format!(
                "the name '{name}' belongs to several municipalities ({}); give the REFNIS code",
                list.join("; ")
            )
        } else {
            format!(
                "unknown municipality name '{name}'; closest: {}",
                list.join("; ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_find_the_same_municipality() {
        let geo = Geography::bundled();
        for name in [
            "Sint-Niklaas",
            "St.-Niklaas",
            "SINT-NIKLAAS",
            "sint niklaas",
            "St Niklaas",
        ] {
            assert_eq!(
                geo.lookup_name(name, Some(2020)).unwrap().nis,
                "46021",
                "{name}"
            );
        }
        assert_eq!(geo.lookup_name("Anvers", None).unwrap().nis, "11002");
        assert_eq!(
            geo.lookup_name("Rhode-Saint-Genèse", None).unwrap().nis,
            "23101"
        );
        assert_eq!(
            geo.lookup_name("Sint-Katelijne-Waver", None).unwrap().nis,
            "12035"
        );
    }

    #[test]
    fn the_year_chooses_between_old_and_merged_municipalities() {
        let geo = Geography::bundled();
        assert_eq!(geo.lookup_name("Deinze", Some(2018)).unwrap().nis, "44011");
        assert_eq!(geo.lookup_name("Deinze", Some(2019)).unwrap().nis, "44083");
        assert_eq!(geo.lookup_name("Deinze", None).unwrap().nis, "44083");
        assert_eq!(geo.lookup_name("Hasselt", Some(2024)).unwrap().nis, "71022");
        assert_eq!(geo.lookup_name("Hasselt", Some(2025)).unwrap().nis, "71072");
        assert_eq!(geo.lookup_name("Nevele", Some(2013)).unwrap().nis, "44049");
    }

    #[test]
    fn unknown_names_get_the_closest_candidates() {
        let geo = Geography::bundled();
        let candidates = geo.lookup_name("Sint-Niklas", None).unwrap_err();
        assert_eq!(candidates[0].nis, "46021");
        let msg = geo.name_problem("Sint-Niklas", &candidates);
        assert!(
            msg.starts_with("unknown municipality name 'Sint-Niklas'; closest: 46021 Sint-Niklaas"),
            "{msg}"
        );
    }
}

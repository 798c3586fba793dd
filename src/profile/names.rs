//! Municipality names as users type them: case-, accent- and spelling-variant tolerant
//! ("Sint-Niklaas", "St.-Niklaas", "SINT-NIKLAAS"), or a REFNIS code. Unknown or ambiguous names
//! list the closest matches.

use crate::error::usage;
use crate::geo::{Geography, MunicipalitySet};
use crate::ingest::edit_distance;
use anyhow::Result;

/// A name reduced to lowercase ASCII letters and digits, with "st" read as "sint".
pub fn normalise(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    lowered
        .split_whitespace()
        .map(|w| if w == "st" { "sint" } else { w })
        .collect()
}

/// Resolve `query` (a REFNIS code or a name) to a code of `set`.
pub fn resolve(geo: &Geography, set: &MunicipalitySet, query: &str) -> Result<String> {
    let q = query.trim();
    if set.codes.contains(q) {
        return Ok(q.to_owned());
    }
    let key = normalise(q);
    let names: Vec<(&str, &str, String)> = set
        .codes
        .iter()
        .filter_map(|c| geo.municipality(c))
        .map(|m| (m.nis.as_str(), m.name_nl.as_str(), normalise(&m.name_nl)))
        .collect();
    let exact: Vec<&(&str, &str, String)> = names.iter().filter(|(_, _, n)| *n == key).collect();
    if let [(nis, _, _)] = exact.as_slice() {
        return Ok((*nis).to_owned());
    }
    let mut scored: Vec<(usize, &str, &str)> = names
        .iter()
        .map(|(nis, name, n)| (edit_distance(n, &key), *nis, *name))
        .collect();
    scored.sort();
    let closest: Vec<String> = scored
        .iter()
        .take(5)
        .map(|(_, nis, name)| format!("{name} ({nis})"))
        .collect();
    Err(usage(format!(
        "no municipality '{q}' in the set {}; closest: {}",
        set.label(),
        closest.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_resolve() {
        let geo = Geography::bundled();
        let set = geo.set_for_year(2023);
        for q in [
            "Sint-Niklaas",
            "St.-Niklaas",
            "SINT-NIKLAAS",
            "sint niklaas",
            "46021",
        ] {
            assert_eq!(resolve(geo, set, q).unwrap(), "46021", "{q}");
        }
        assert_eq!(resolve(geo, set, "Genk").unwrap(), "71016");
        let msg = resolve(geo, set, "Gnek").unwrap_err().to_string();
        assert!(msg.contains("closest: Genk (71016)"), "{msg}");
    }
}

//! The indicators of the sector demo: realistic child-poverty indicators (shares and rates, one
//! where lower is worse) with the parameters of their synthetic model, and the barometer
//! definition (TOML) that declares them. Synthetic: the parameters are plausible, not estimated.

use crate::definition::{Direction, Kind, Unit};
use std::fmt::Write as _;

/// One indicator of the sector demo and its model.
#[derive(Debug, Clone)]
pub struct Template {
    /// Indicator id.
    pub id: String,
    /// Short code (at most 4 characters).
    pub short: String,
    /// Dutch label.
    pub label_nl: String,
    /// English label.
    pub label_en: String,
    /// What the numerator counts (nl, en).
    pub numerator: (&'static str, &'static str),
    /// What the denominator counts (nl, en).
    pub denominator: (&'static str, &'static str),
    /// Display unit.
    pub unit: Unit,
    /// Share or rate.
    pub kind: Kind,
    /// Which way is worse.
    pub direction: Direction,
    /// Publisher (written as the rows' source, with "(synthetisch)").
    pub source: &'static str,
    /// Flemish ratio in 2012 (for `lower_is_worse`, the ratio of the complement, e.g. the share
    /// of toddlers not in pre-school).
    pub base: f64,
    /// Yearly log trend of the ratio.
    pub trend: f64,
    /// Loading on the latent risk of the municipality and sector.
    pub loading: f64,
    /// Denominator per inhabitant.
    pub per_inhabitant: f64,
    /// Whether the publisher suppresses numerators of 1 to 4.
    pub suppresses: bool,
}

type Spec = (
    &'static str,
    &'static str,
    (&'static str, &'static str),
    (&'static str, &'static str),
    (&'static str, &'static str),
    Kind,
    Direction,
    &'static str,
    [f64; 4],
    bool,
);

const SHARE: Kind = Kind::Share;
const RATE: Kind = Kind::Rate;
const WORSE_UP: Direction = Direction::HigherIsWorse;
const WORSE_DOWN: Direction = Direction::LowerIsWorse;

/// id, short, label, numerator, denominator, kind, direction, source,
/// [base, trend, loading, per inhabitant], suppresses.
const SPECS: [Spec; 12] = [
    (
        "kansarmoede-index",
        "KAI",
        ("Kansarmoede-index", "Deprivation index (Kind en Gezin)"),
        (
            "kinderen geboren in een kansarm gezin",
            "children born to a deprived family",
        ),
        ("alle geboren kinderen", "all children born"),
        SHARE,
        WORSE_UP,
        "Opgroeien",
        [0.125, 0.03, 1.0, 0.0315],
        true,
    ),
    (
        "kinderen-zonder-werk",
        "ZWI",
        (
            "Kinderen in een huishouden zonder werkinkomen",
            "Children in households without work income",
        ),
        (
            "kinderen 0-17 jaar in een huishouden zonder werkinkomen",
            "children aged 0-17 in a household without work income",
        ),
        ("alle kinderen 0-17 jaar", "all children aged 0-17"),
        SHARE,
        WORSE_UP,
        "Kruispuntbank van de Sociale Zekerheid",
        [0.11, -0.01, 0.9, 0.20],
        true,
    ),
    (
        "verhoogde-tegemoetkoming-0-4",
        "VT",
        (
            "Kinderen 0-4 jaar met verhoogde tegemoetkoming",
            "Children aged 0-4 with increased reimbursement",
        ),
        (
            "kinderen 0-4 jaar met verhoogde tegemoetkoming",
            "children aged 0-4 with increased reimbursement",
        ),
        ("alle kinderen 0-4 jaar", "all children aged 0-4"),
        SHARE,
        WORSE_UP,
        "Intermutualistisch Agentschap",
        [0.085, 0.02, 0.8, 0.055],
        false,
    ),
    (
        "leefloon-gezinnen",
        "LL",
        (
            "Gezinnen met kinderen met een leefloon",
            "Households with children on social assistance",
        ),
        (
            "huishoudens met kinderen met een (equivalent) leefloon",
            "households with children on (equivalent) social assistance",
        ),
        (
            "alle huishoudens met kinderen",
            "all households with children",
        ),
        SHARE,
        WORSE_UP,
        "POD Maatschappelijke Integratie",
        [0.009, 0.03, 1.2, 0.115],
        true,
    ),
    (
        "budgetmeters-elektriciteit",
        "BM",
        (
            "Actieve budgetmeters elektriciteit",
            "Active prepayment meters, electricity",
        ),
        (
            "actieve budgetmeters voor elektriciteit",
            "active electricity prepayment meters",
        ),
        ("toegangspunten elektriciteit", "electricity access points"),
        SHARE,
        WORSE_UP,
        "Fluvius",
        [0.015, -0.02, 0.9, 0.45],
        true,
    ),
    (
        "inkomens-onder-20000",
        "INK",
        (
            "Aangiften met een netto belastbaar inkomen onder 20.000 euro",
            "Tax returns with net taxable income below 20,000 euro",
        ),
        (
            "aangiften met een netto belastbaar inkomen onder 20.000 euro",
            "tax returns with net taxable income below 20,000 euro",
        ),
        (
            "alle aangiften personenbelasting",
            "all personal income tax returns",
        ),
        SHARE,
        WORSE_UP,
        "Statbel",
        [0.41, -0.012, 0.3, 0.57],
        false,
    ),
    (
        "kinderen-eenoudergezin",
        "EOG",
        (
            "Kinderen in een eenoudergezin",
            "Children in a single-parent family",
        ),
        (
            "kinderen 0-17 jaar in een eenoudergezin",
            "children aged 0-17 in a single-parent family",
        ),
        ("alle kinderen 0-17 jaar", "all children aged 0-17"),
        SHARE,
        WORSE_UP,
        "Statbel",
        [0.16, 0.015, 0.6, 0.20],
        false,
    ),
    (
        "schoolse-vertraging",
        "SV",
        (
            "Leerlingen lager onderwijs met schoolse vertraging",
            "Primary pupils behind at school",
        ),
        (
            "leerlingen lager onderwijs met minstens een jaar vertraging",
            "primary pupils at least one year behind",
        ),
        (
            "alle leerlingen lager onderwijs naar woonplaats",
            "all primary pupils by place of residence",
        ),
        SHARE,
        WORSE_UP,
        "Departement Onderwijs en Vorming",
        [0.12, -0.01, 0.8, 0.07],
        true,
    ),
    (
        "jeugdhulp-aanmeldingen",
        "JH",
        (
            "Aanmeldingen bij de jeugdhulp per 1.000 kinderen",
            "Youth care referrals per 1,000 children",
        ),
        (
            "aanmeldingen bij de intersectorale toegangspoort jeugdhulp",
            "referrals to youth care",
        ),
        ("alle kinderen 0-17 jaar", "all children aged 0-17"),
        RATE,
        WORSE_UP,
        "Agentschap Opgroeien",
        [0.012, 0.03, 0.7, 0.20],
        true,
    ),
    (
        "kleuterparticipatie",
        "KP",
        (
            "Kleuters die voldoende naar school gaan",
            "Pre-school children attending enough",
        ),
        (
            "kleuters met voldoende aanwezigheden",
            "pre-school children with enough attendance",
        ),
        (
            "alle kleuters naar woonplaats",
            "all pre-school children by place of residence",
        ),
        SHARE,
        WORSE_DOWN,
        "Departement Onderwijs en Vorming",
        [0.05, -0.02, 0.9, 0.033],
        false,
    ),
    (
        "uithuiszettingen",
        "UHZ",
        (
            "Vorderingen tot uithuiszetting per 1.000 huishoudens",
            "Eviction claims per 1,000 households",
        ),
        (
            "vorderingen tot uithuiszetting bij de vrederechter",
            "eviction claims at the justice of the peace",
        ),
        ("alle private huishoudens", "all private households"),
        RATE,
        WORSE_UP,
        "FOD Justitie",
        [0.004, 0.0, 1.0, 0.42],
        true,
    ),
    (
        "laag-geboortegewicht",
        "LGG",
        (
            "Levendgeborenen met een laag geboortegewicht",
            "Live births with low birth weight",
        ),
        (
            "levendgeborenen onder 2.500 gram",
            "live births under 2,500 grams",
        ),
        ("alle levendgeborenen", "all live births"),
        SHARE,
        WORSE_UP,
        "Studiecentrum voor Perinatale Epidemiologie",
        [0.065, 0.0, 0.3, 0.0105],
        true,
    ),
];

/// The first `k` indicators: the twelve named ones, then numbered variants of them
/// (`synthetische-indicator-13`, ...) with the same model, labelled as synthetic.
pub fn templates(k: usize) -> Vec<Template> {
    (0..k)
        .map(|i| {
            let (id, short, label, num, den, kind, direction, source, p, suppresses) =
                SPECS[i % SPECS.len()];
            let named = i < SPECS.len();
            let n = i + 1;
            Template {
                id: if named {
                    id.to_owned()
                } else {
                    format!("synthetische-indicator-{n}")
                },
                short: if named {
                    short.to_owned()
                } else {
                    format!("S{n}")
                },
                label_nl: if named {
                    label.0.to_owned()
                } else {
                    format!("Synthetische indicator {n} (zoals {})", label.0)
                },
                label_en: if named {
                    label.1.to_owned()
                } else {
                    format!("Synthetic indicator {n} (like {})", label.1)
                },
                numerator: num,
                denominator: den,
                unit: match kind {
                    Kind::Rate => Unit::PerThousand,
                    _ => Unit::Percent,
                },
                kind,
                direction,
                source,
                // Variants drift a little apart from the indicator they copy.
                base: p[0] * (1.0 + 0.05 * (i / SPECS.len()) as f64),
                trend: p[1],
                loading: p[2],
                per_inhabitant: p[3],
                suppresses,
            }
        })
        .collect()
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The barometer definition declaring `templates`, with the scoring rule of the bundled
/// kinderarmoedebarometer (Flemish reference from summed counts, strict comparison).
pub fn definition_toml(templates: &[Template], description: &str) -> String {
    let mut out = format!(
        "# Barometer definition of the SYNTHETIC sector demo, written by `barometer demo --units \
         sectors`.\n# {description}\n\n[barometer]\nid = \"sectoren-demo\"\nname = {{ nl = \
         \"Synthetische barometer op sectorniveau\", en = \"Synthetic barometer at sector level\" \
         }}\nsource = \"Synthetische demo (barometer demo --units sectors), geen echte cijfers\"\n\n\
         [scoring]\nreference = \"flanders\"\ncomparison = \"strict\"\n"
    );
    for t in templates {
        let text =
            |(nl, en): (&str, &str)| format!("{{ nl = {}, en = {} }}", quoted(nl), quoted(en));
        let _ = write!(
            out,
            "\n[[indicator]]\nid = {}\nshort = {}\nlabel = {}\nnumerator = {}\ndenominator = {}\n\
             unit = \"{}\"\nkind = \"{}\"\ndirection = \"{}\"\nsource = {}\n",
            quoted(&t.id),
            quoted(&t.short),
            text((&t.label_nl, &t.label_en)),
            text(t.numerator),
            text(t.denominator),
            match t.unit {
                Unit::Percent => "percent",
                Unit::PerThousand => "per_thousand",
                Unit::Index => "index",
            },
            match t.kind {
                Kind::Share => "share",
                Kind::Rate => "rate",
                Kind::Index => "index",
            },
            match t.direction {
                Direction::HigherIsWorse => "higher_is_worse",
                Direction::LowerIsWorse => "lower_is_worse",
            },
            quoted(t.source),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::{Definition, Reference};

    #[test]
    fn definition_declares_every_template_and_parses() {
        let ts = templates(14);
        let def = Definition::parse(&definition_toml(&ts, "test"), "gen.toml").unwrap();
        assert_eq!(def.indicators.len(), 14);
        assert_eq!(def.scoring.reference, Reference::Flanders);
        assert_eq!(def.indicators[12].id, "synthetische-indicator-13");
        let rate = def.indicator("jeugdhulp-aanmeldingen").unwrap();
        assert_eq!((rate.kind, rate.unit), (Kind::Rate, Unit::PerThousand));
        let down = def.indicator("kleuterparticipatie").unwrap();
        assert_eq!(down.direction, Direction::LowerIsWorse);
    }
}

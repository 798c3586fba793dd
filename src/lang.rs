//! Output language: Dutch (default) or English, for labels and number formatting in reports.

/// The language of labels and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Dutch, with Belgian number formatting (18,6 %; 12.153).
    #[default]
    Nl,
    /// English, with decimal points (18.6 %; 12,153).
    En,
}

impl Lang {
    /// Pick the text for this language.
    pub fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    /// Whether this is English.
    pub fn english(self) -> bool {
        self == Lang::En
    }
}

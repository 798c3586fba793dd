//! Number formatting for reports: Belgian (decimal comma, thousands dot) in Dutch, decimal point
//! and thousands comma in English. Machine outputs (CSV, JSON, Parquet) never use this.

use crate::lang::Lang;

/// Format `value` with `decimals` decimals and grouped thousands in the language's convention.
pub fn number(value: f64, decimals: usize, lang: Lang) -> String {
    if !value.is_finite() {
        return "-".into();
    }
    let (group, decimal) = match lang {
        Lang::Nl => ('.', ','),
        Lang::En => (',', '.'),
    };
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(decimal);
        out.push_str(frac);
    }
    let negative = value < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0');
    if negative { format!("-{out}") } else { out }
}

/// Format a signed number with an explicit `+` for positive values.
pub fn signed(value: f64, decimals: usize, lang: Lang) -> String {
    let text = number(value, decimals, lang);
    if value > 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn belgian_and_english_formats() {
        assert_eq!(number(18.5934, 1, Lang::Nl), "18,6");
        assert_eq!(number(12153.0, 0, Lang::Nl), "12.153");
        assert_eq!(number(1234567.891, 2, Lang::Nl), "1.234.567,89");
        assert_eq!(number(1234567.891, 2, Lang::En), "1,234,567.89");
        assert_eq!(number(-0.04, 1, Lang::Nl), "0,0");
        assert_eq!(number(-3.25, 1, Lang::En), "-3.2");
        assert_eq!(signed(0.853, 1, Lang::Nl), "+0,9");
        assert_eq!(number(f64::NAN, 1, Lang::Nl), "-");
    }
}

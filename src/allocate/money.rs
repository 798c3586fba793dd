//! Euro amounts as whole cents (i64): parsing without floating point, and formatting in Belgian
//! (4.500.000,00) or English (4,500,000.00) style for reports and plain (4500000.00) for CSV.

use crate::lang::Lang;

/// Parse an amount in euros: digits with at most two decimals after `.` or `,`
/// (`4500000`, `56387.82`, `56387,82`). Thousands separators are refused as ambiguous.
pub fn parse_euro(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (int, frac) = match t.find(['.', ',']) {
        Some(p) => (&t[..p], &t[p + 1..]),
        None => (t, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !(frac.is_empty() || digits(frac)) || t.ends_with(['.', ',']) {
        return Err(format!(
            "'{text}' is not an amount in euros: write digits with at most two decimals, without thousands separators (e.g. 4500000 or 56387.82)"
        ));
    }
    if frac.len() > 2 {
        return Err(format!(
            "'{text}': more than two decimals, or a thousands separator; write e.g. 4500000 or 56387.82"
        ));
    }
    let euros: i64 = int
        .parse()
        .ok()
        .filter(|e: &i64| *e <= i64::MAX / 1000)
        .ok_or_else(|| format!("'{text}' is too large"))?;
    let cents: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    Ok(euros * 100 + cents)
}

/// Plain machine format: `4500000.00`.
pub fn plain(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (cents / 100).abs(), (cents % 100).abs())
}

/// Report format with thousands grouping in the language's convention: `4.500.000,00`.
pub fn human(cents: i64, lang: Lang) -> String {
    let (group, decimal) = match lang {
        Lang::Nl => ('.', ','),
        Lang::En => (',', '.'),
    };
    let int = (cents / 100).abs().to_string();
    let mut out = String::new();
    if cents < 0 {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    out.push(decimal);
    out.push_str(&format!("{:02}", (cents % 100).abs()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_euros_exactly() {
        assert_eq!(parse_euro("4500000"), Ok(450_000_000));
        assert_eq!(parse_euro("56387.82"), Ok(5_638_782));
        assert_eq!(parse_euro("56387,8"), Ok(5_638_780));
        assert!(parse_euro("4.500.000").unwrap_err().contains("thousands"));
        assert!(parse_euro("-5").is_err());
        assert!(parse_euro("5.").is_err());
        assert!(parse_euro("").is_err());
    }

    #[test]
    fn formats_cents() {
        assert_eq!(plain(5_638_782), "56387.82");
        assert_eq!(plain(-5), "-0.05");
        assert_eq!(human(450_000_000, Lang::Nl), "4.500.000,00");
        assert_eq!(human(5_638_782, Lang::En), "56,387.82");
        assert_eq!(human(-123_456, Lang::Nl), "-1.234,56");
    }
}

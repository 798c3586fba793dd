//! Numbers and suppressed cells as publishers and analysts write them. Belgian style: decimal
//! comma, thousands dot ("12.153" = 12153, "1.234,5" = 1234.5). Plain style: decimal point, no
//! thousands separator ("1234.5"). A cell is a value, suppressed ("<5", "x", "-", "n.b.", empty)
//! or refused with a message.

use super::number::MAX_COUNT;
use serde::Deserialize;

/// How the numbers of a file are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberStyle {
    /// Decimal comma, optional thousands dots in groups of three ("1.234,5").
    Belgian,
    /// Decimal point, no thousands separator ("1234.5").
    Plain,
}

/// The suppressed-cell markers of the `sheet` layout (compared case-insensitively; an empty
/// cell is suppressed too).
pub const SUPPRESSED: [&str; 7] = ["<5", "< 5", "x", "-", "n.b.", "nb", "."];

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A number.
    Value(f64),
    /// Withheld by the publisher, or left empty.
    Suppressed,
}

/// Read a cell: a suppressed marker from `markers` (or empty) gives `Suppressed`, anything else
/// must be a number in `style`.
pub fn cell(text: &str, style: NumberStyle, markers: &[String]) -> Result<Cell, String> {
    let t = text.trim();
    if t.is_empty() || markers.iter().any(|m| m.eq_ignore_ascii_case(t)) {
        return Ok(Cell::Suppressed);
    }
    parse(t, style).map(Cell::Value)
}

/// Parse a number written in `style`. Allocates only for a message (or a number of more than
/// 64 characters).
pub fn parse(text: &str, style: NumberStyle) -> Result<f64, String> {
    // The common cell, a whole count of at most 12 digits, reads the same in either style.
    if (1..=12).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(digits_value(text));
    }
    let t = text.trim();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let value = match style {
        NumberStyle::Belgian => belgian_value(body),
        NumberStyle::Plain => plain_value(body),
    }
    .map_err(|why| format!("'{t}' {why}"))?;
    if value > MAX_COUNT {
        return Err(format!(
            "'{t}' is too large for a count (above {MAX_COUNT:e})"
        ));
    }
    Ok(if negative { -value } else { value })
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The value of digits and an optional decimal point ("1234.5"), as `str::parse` reads it.
fn digits_value(text: &str) -> f64 {
    // Up to 15 digits are exact in an f64: no need for the float parser.
    if text.len() <= 15 && !text.contains('.') {
        return text.bytes().fold(0u64, |v, b| v * 10 + u64::from(b - b'0')) as f64;
    }
    text.parse().expect("digits with at most one point parse")
}

/// "1.234.567,89" -> 1234567.89.
fn belgian_value(body: &str) -> Result<f64, &'static str> {
    const NOT_A_NUMBER: &str = "is not a number (Belgian style: 1.234,5)";
    let (int, frac) = match body.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut groups = int.split('.');
    let first = groups.next().unwrap_or_default();
    if !all_digits(first) {
        return Err(NOT_A_NUMBER);
    }
    let grouped = first.len() < int.len();
    if grouped && (first.len() > 3 || groups.any(|g| g.len() != 3 || !all_digits(g))) {
        return Err(
            "is not a number: a '.' is a thousands separator before groups of three digits in \
             Belgian style, and the decimal mark is a comma (declare the plain style for decimal \
             points)",
        );
    }
    if frac.is_some_and(|f| !all_digits(f)) {
        return Err(NOT_A_NUMBER);
    }
    if !grouped && frac.is_none() {
        return Ok(digits_value(int));
    }
    // The digits without thousands dots, with a decimal point: on the stack when short.
    let mut buf = [0u8; 64];
    let mut heap = String::new();
    let mut len = 0;
    let pieces = int.split('.').chain(frac.map(|_| ".")).chain(frac);
    for piece in pieces {
        if len + piece.len() <= buf.len() && heap.is_empty() {
            buf[len..len + piece.len()].copy_from_slice(piece.as_bytes());
            len += piece.len();
        } else {
            if heap.is_empty() {
                heap.push_str(std::str::from_utf8(&buf[..len]).expect("ASCII digits"));
            }
            heap.push_str(piece);
        }
    }
    let plain = if heap.is_empty() {
        std::str::from_utf8(&buf[..len]).expect("ASCII digits")
    } else {
        &heap
    };
    Ok(digits_value(plain))
}

/// "1234.5" -> 1234.5; refuses commas and exponents.
fn plain_value(body: &str) -> Result<f64, &'static str> {
    let ok = match body.split_once('.') {
        Some((i, f)) => all_digits(i) && all_digits(f),
        None => all_digits(body),
    };
    if ok {
        Ok(digits_value(body))
    } else {
        Err(
            "is not a number (plain style: digits with an optional decimal point, no thousands separator)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::report::format::number;
    use proptest::prelude::*;

    fn markers() -> Vec<String> {
        SUPPRESSED.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn belgian_numbers() {
        let p = |t| parse(t, NumberStyle::Belgian);
        assert_eq!(p("12.153"), Ok(12153.0));
        assert_eq!(p("1.234,5"), Ok(1234.5));
        assert_eq!(p("1.234.567,89"), Ok(1234567.89));
        assert_eq!(p("18,6"), Ok(18.6));
        assert_eq!(p("0,125"), Ok(0.125));
        assert_eq!(p(" 65363 "), Ok(65363.0));
        assert_eq!(p("-3"), Ok(-3.0));
        for bad in [
            "12.5", "1234.567", "1.23", "12,3,4", "1e5", "abc", ",5", "5,", "1..234", "NaN",
        ] {
            assert!(p(bad).is_err(), "{bad} should be refused");
        }
        assert!(p("12.5").unwrap_err().contains("decimal mark is a comma"));
        assert!(p("99.999.999.999.999").unwrap_err().contains("too large"));
        let nines = "9".repeat(13);
        assert!(
            parse(&nines, NumberStyle::Belgian)
                .unwrap_err()
                .contains("too large")
        );
        // Longer than the stack buffer: read as the float parser reads the plain digits.
        let long = format!("1.234,{}", "5".repeat(70));
        let plain = format!("1234.{}", "5".repeat(70));
        let want = plain.parse::<f64>().unwrap();
        assert_eq!(parse(&long, NumberStyle::Belgian), Ok(want));
    }

    #[test]
    fn plain_numbers() {
        let p = |t| parse(t, NumberStyle::Plain);
        assert_eq!(p("12.153"), Ok(12.153));
        assert_eq!(p("65363"), Ok(65363.0));
        assert!(p("1,5").is_err());
        assert!(p("1.234.5").is_err());
        assert!(p("inf").is_err());
    }

    #[test]
    fn suppressed_cells() {
        let c = |t| cell(t, NumberStyle::Belgian, &markers());
        for t in ["", "  ", "<5", "x", "X", "-", "n.b.", "N.B."] {
            assert_eq!(c(t), Ok(Cell::Suppressed), "{t:?}");
        }
        assert_eq!(c("12.153"), Ok(Cell::Value(12153.0)));
        assert!(c("<10").is_err(), "only declared markers are suppressed");
    }

    proptest! {
        /// A count with 0 to 3 decimals, formatted the Belgian way (as the Dutch reports do),
        /// parses back to the same value.
        #[test]
        fn belgian_round_trip(int in 0u64..1_000_000_000_000u64 / 10, decimals in 0usize..4, frac in 0u32..1000) {
            let scale = 10f64.powi(decimals as i32);
            let value = int as f64 + f64::from(frac % scale as u32) / scale;
            let text = number(value, decimals, Lang::Nl);
            let back = parse(&text, NumberStyle::Belgian).unwrap();
            prop_assert!((back - value).abs() <= value.abs() * 1e-15, "{text} -> {back}, want {value}");
            let plain = format!("{value:.decimals$}");
            prop_assert_eq!(parse(&plain, NumberStyle::Plain).unwrap(), back);
        }
    }
}

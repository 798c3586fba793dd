//! Numbers in the tidy format: a decimal comma or a decimal point, no thousands separators.
//! "12.153" and "12,153" are refused as ambiguous: in Belgian files a dot before three digits is
//! usually a thousands separator, so the reader asks for the digits without separator.

/// Largest count accepted (beyond any real population count; guards against unit mix-ups).
pub const MAX_COUNT: f64 = 1e12;

/// Parse a count written with an optional decimal comma or point.
/// Returns `Ok(None)` for an empty cell, and a message for anything else that is not a number.
pub fn parse_count(text: &str) -> Result<Option<f64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let marks: Vec<(usize, char)> = digits
        .char_indices()
        .filter(|(_, c)| !c.is_ascii_digit())
        .collect();
    let plain = match marks.as_slice() {
        [] => digits.to_owned(),
        [(i, mark @ ('.' | ','))] => {
            let (int, frac) = (&digits[..*i], &digits[i + 1..]);
            if int.is_empty() || frac.is_empty() {
                return Err(format!("'{t}' is not a number"));
            }
            if frac.len() == 3 && int != "0" {
                return Err(format!(
                    "'{t}' is ambiguous: the '{mark}' may be a thousands separator; write the number \
                     without thousands separator (e.g. {int}{frac}) or with another number of decimals"
                ));
            }
            format!("{int}.{frac}")
        }
        _ => {
            let lowered = t.to_lowercase();
            if ["nan", "inf", "-inf", "infinity", "-infinity"].contains(&lowered.as_str()) {
                return Err(format!("'{t}' is not a finite number"));
            }
            return Err(format!(
                "'{t}' is not a number (the tidy format takes digits with at most one decimal comma or \
                 point, no thousands separators)"
            ));
        }
    };
    if plain.is_empty() {
        return Err(format!("'{t}' is not a number"));
    }
    let value: f64 = plain
        .parse()
        .map_err(|_| format!("'{t}' is not a number"))?;
    if value > MAX_COUNT {
        return Err(format!(
            "'{t}' is too large for a count (above {MAX_COUNT:e})"
        ));
    }
    Ok(Some(if negative { -value } else { value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_comma_and_point() {
        assert_eq!(parse_count("12153"), Ok(Some(12153.0)));
        assert_eq!(parse_count(" 18,6 "), Ok(Some(18.6)));
        assert_eq!(parse_count("1234.5"), Ok(Some(1234.5)));
        assert_eq!(parse_count("0,125"), Ok(Some(0.125)));
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count("-3"), Ok(Some(-3.0)));
    }

    #[test]
    fn refuses_ambiguous_and_garbage() {
        assert!(parse_count("12.153").unwrap_err().contains("ambiguous"));
        assert!(parse_count("12,153").unwrap_err().contains("ambiguous"));
        assert!(parse_count("1.234,5").unwrap_err().contains("not a number"));
        assert!(parse_count("NaN").unwrap_err().contains("finite"));
        assert!(parse_count("inf").unwrap_err().contains("finite"));
        assert!(parse_count("1e5").is_err());
        assert!(parse_count("12a").is_err());
        assert!(parse_count(",5").is_err());
        assert!(
            parse_count("99999999999999")
                .unwrap_err()
                .contains("too large")
        );
    }
}

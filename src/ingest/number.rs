//! Numbers in the tidy format: a decimal comma or a decimal point, no thousands separators.
//! "12.153" and "12,153" are refused as ambiguous: in Belgian files a dot before three digits is
//! usually a thousands separator, so the reader asks for the digits without separator.

/// Largest count accepted (beyond any real population count; guards against unit mix-ups).
pub const MAX_COUNT: f64 = 1e12;

/// Parse a count written with an optional decimal comma or point.
/// Returns `Ok(None)` for an empty cell, and a message for anything else that is not a number.
/// Allocates only for the message: the common cell (digits, at most one mark) is read from its
/// bytes.
pub fn parse_count(text: &str) -> Result<Option<f64>, String> {
    // Most cells: up to 15 digits and nothing else, read in one pass without branches.
    let b = text.as_bytes();
    if !b.is_empty() && b.len() <= 15 {
        let (mut v, mut digits) = (0u64, true);
        for &c in b {
            let d = c.wrapping_sub(b'0');
            digits &= d < 10;
            v = v.wrapping_mul(10).wrapping_add(u64::from(d));
        }
        if digits {
            return checked(text, v as f64);
        }
    }
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let bytes = digits.as_bytes();
    let mut marks = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.is_ascii_digit());
    let value = match (marks.next(), marks.next()) {
        (None, _) if bytes.is_empty() => return Err(format!("'{t}' is not a number")),
        // Up to 15 digits are exact in an f64: no need for the float parser.
        (None, _) if bytes.len() <= 15 => {
            bytes.iter().fold(0u64, |v, b| v * 10 + u64::from(b - b'0')) as f64
        }
        (None, _) => digits
            .parse()
            .map_err(|_| format!("'{t}' is not a number"))?,
        (Some((i, &mark @ (b'.' | b','))), None) => {
            let (int, frac) = (&digits[..i], &digits[i + 1..]);
            if int.is_empty() || frac.is_empty() {
                return Err(format!("'{t}' is not a number"));
            }
            if frac.len() == 3 && int != "0" {
                return Err(format!(
                    "'{t}' is ambiguous: the '{}' may be a thousands separator; write the number \
                     without thousands separator (e.g. {int}{frac}) or with another number of decimals",
                    char::from(mark)
                ));
            }
            decimal(int, frac).ok_or_else(|| format!("'{t}' is not a number"))?
        }
        _ => {
            let finite_word = ["nan", "inf", "-inf", "infinity", "-infinity"]
                .iter()
                .any(|w| w.eq_ignore_ascii_case(t));
            if finite_word {
                return Err(format!("'{t}' is not a finite number"));
            }
            return Err(format!(
                "'{t}' is not a number (the tidy format takes digits with at most one decimal comma or \
                 point, no thousands separators)"
            ));
        }
    };
    Ok(checked(t, value)?.map(|v| if negative { -v } else { v }))
}

/// `value` (read from `t`), unless it exceeds [`MAX_COUNT`].
fn checked(t: &str, value: f64) -> Result<Option<f64>, String> {
    if value > MAX_COUNT {
        return Err(format!(
            "'{t}' is too large for a count (above {MAX_COUNT:e})"
        ));
    }
    Ok(Some(value))
}

/// `int.frac` (both all digits) as the float parser reads it, written into a stack buffer.
fn decimal(int: &str, frac: &str) -> Option<f64> {
    let mut buf = [0u8; 64];
    let len = int.len() + 1 + frac.len();
    if len > buf.len() {
        return format!("{int}.{frac}").parse().ok();
    }
    buf[..int.len()].copy_from_slice(int.as_bytes());
    buf[int.len()] = b'.';
    buf[int.len() + 1..len].copy_from_slice(frac.as_bytes());
    std::str::from_utf8(&buf[..len]).ok()?.parse().ok()
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
        assert!(
            parse_count("-99999999999999")
                .unwrap_err()
                .contains("too large")
        );
    }

    /// Plain digits (the one-pass path up to 15 of them, the float parser beyond) read as the
    /// float parser reads them.
    #[test]
    fn digits_read_as_the_float_parser_reads_them() {
        let mut text = String::new();
        for (k, d) in "9071002003004005006".chars().enumerate() {
            text.push(d);
            let want: f64 = text.parse().unwrap();
            let got = parse_count(&text);
            if want > MAX_COUNT {
                assert!(got.is_err(), "{text}");
            } else {
                assert_eq!(got, Ok(Some(want)), "{text} ({} digits)", k + 1);
            }
        }
        assert_eq!(parse_count("000"), Ok(Some(0.0)));
        assert_eq!(parse_count("0/1"), parse_count(" 0/1"));
    }
}

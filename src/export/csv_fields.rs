//! CSV fields written straight into a byte buffer, as the csv crate would write them (a field
//! is quoted only when it must be) and as `Display` writes numbers, without a `String` per field:
//! machine outputs of many rows (`batch`, `sensitivity`) spend most of their time here.

use std::io::Write;

/// A text field, quoted (quotes doubled) when it holds a comma, a quote or a line break.
pub fn text(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// An integer in decimal (what `Display` writes, without its machinery).
pub fn integer(out: &mut Vec<u8>, v: impl Into<i64>) {
    let v: i64 = v.into();
    if v < 0 {
        out.push(b'-');
    }
    digits(out, v.unsigned_abs(), 1);
}

/// `v` in decimal, zero-padded to at least `width` digits.
fn digits(out: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut at = buf.len();
    while v > 0 {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.extend_from_slice(&buf[at.min(buf.len() - width)..]);
}

/// A machine number: rounded to nine decimals, written as the shortest decimal that reads back
/// as that double (what `f64`'s `Display` writes, without its cost for the usual magnitudes);
/// nothing when missing.
pub fn number(out: &mut Vec<u8>, v: Option<f64>) {
    let Some(x) = v else { return };
    let scaled = (x * 1e9).round();
    // Below 10^15 the exact decimal `scaled` x 10^-9 has at most 15 significant digits, so no
    // shorter decimal reads back as the same double: it is what `Display` writes.
    if scaled.is_nan() || scaled.abs() >= 1e15 {
        write!(out, "{}", scaled / 1e9).expect("writing to memory");
        return;
    }
    if scaled.is_sign_negative() {
        out.push(b'-');
    }
    let m = scaled.abs() as u64;
    digits(out, m / 1_000_000_000, 1);
    let mut frac = m % 1_000_000_000;
    if frac == 0 {
        return;
    }
    let mut width = 9;
    while frac.is_multiple_of(10) {
        frac /= 10;
        width -= 1;
    }
    out.push(b'.');
    digits(out, frac, width);
}

#[cfg(test)]
mod tests {
    use super::{integer, number, text};

    #[test]
    fn text_fields_read_as_the_csv_crate_writes_them() {
        for s in [
            "",
            "Genk",
            "Sint-Truiden",
            "a,b",
            "zeg \"ja\"",
            "twee\nregels",
            "cr\r",
            "é ü",
        ] {
            let mut ours = Vec::new();
            text(&mut ours, s);
            ours.push(b',');
            text(&mut ours, "x");
            let mut theirs = csv::Writer::from_writer(Vec::new());
            theirs.write_record([s, "x"]).unwrap();
            let mut theirs = theirs.into_inner().unwrap();
            theirs.pop();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }

    #[test]
    fn integers_read_as_display_writes_them() {
        for v in [0, 1, -1, 9, 10, -10, 2023, 1_000_000, i32::MAX, i32::MIN] {
            let mut out = Vec::new();
            integer(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
        let mut out = Vec::new();
        integer(&mut out, u32::MAX);
        assert_eq!(String::from_utf8(out).unwrap(), u32::MAX.to_string());
    }

    #[test]
    fn numbers_read_as_display_writes_them() {
        let display = |x: f64| ((x * 1e9).round() / 1e9).to_string();
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut cases = vec![
            0.0,
            -0.0,
            -1e-12,
            1e-9,
            4e-10,
            5e-10,
            0.1,
            0.3,
            1.0 / 3.0,
            2.0 / 3.0,
            -0.5,
            12.0,
            1e6,
            999_999.999_999_999_9,
            1e7,
            123_456_789.0,
            1e300,
            -1e300,
            f64::NAN,
            f64::INFINITY,
        ];
        for _ in 0..200_000 {
            let bits = next();
            let mantissa = (bits >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = ((bits & 0x3f) as i32) - 40;
            let sign = if bits & 0x40 != 0 { -1.0 } else { 1.0 };
            cases.push(sign * mantissa * 10f64.powi(exponent.clamp(-12, 20)));
            cases.push((bits % 100_000) as f64);
            cases.push((bits % 100_000) as f64 / ((bits >> 20) % 5000 + 1) as f64);
        }
        for x in cases {
            let mut out = Vec::new();
            number(&mut out, Some(x));
            assert_eq!(String::from_utf8(out).unwrap(), display(x), "{x:e}");
        }
        let mut out = Vec::new();
        number(&mut out, None);
        assert!(out.is_empty());
    }
}

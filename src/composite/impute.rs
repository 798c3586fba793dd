//! Imputation of missing values (`NaN`): by the column's mean or median, by the mean within a
//! group (e.g. the province), or along a panel by carrying the last observation forward.

/// Replace missing values by the mean (`median = false`) or median of the observed ones.
pub fn by_column(x: &mut [f64], median: bool) {
    let mut seen: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    if seen.is_empty() {
        return;
    }
    let fill = if median {
        crate::barometer::median(&mut seen).expect("not empty")
    } else {
        seen.iter().sum::<f64>() / seen.len() as f64
    };
    x.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = fill);
}

/// Replace missing values by the mean of the observed values of the same group.
pub fn within_group(x: &mut [f64], groups: &[&str]) {
    let mut sums: std::collections::BTreeMap<&str, (f64, usize)> = Default::default();
    for (v, g) in x.iter().zip(groups).filter(|(v, _)| !v.is_nan()) {
        let e = sums.entry(g).or_default();
        e.0 += v;
        e.1 += 1;
    }
    for (v, g) in x.iter_mut().zip(groups) {
        if let (true, Some((s, n))) = (v.is_nan(), sums.get(g)) {
            *v = s / *n as f64;
        }
    }
}

/// Carry the last observation forward along a series ordered by year; leading gaps stay missing.
pub fn locf(series: &mut [f64]) {
    let mut last = f64::NAN;
    for v in series {
        if v.is_nan() {
            *v = last;
        } else {
            last = *v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_fills() {
        let nan = f64::NAN;
        let mut x = [1.0, nan, 2.0, 10.0];
        by_column(&mut x, false);
        assert_eq!(x[1], 13.0 / 3.0);
        let mut x = [1.0, nan, 2.0, 10.0];
        by_column(&mut x, true);
        assert_eq!(x[1], 2.0);
        let mut x = [1.0, 3.0, nan, 10.0, nan];
        within_group(&mut x, &["a", "a", "a", "b", "c"]);
        assert_eq!(x[2], 2.0);
        assert!(x[4].is_nan());
        let mut s = [nan, 1.0, nan, nan, 4.0, nan];
        locf(&mut s);
        assert!(s[0].is_nan());
        assert_eq!(&s[1..], &[1.0, 1.0, 1.0, 4.0, 4.0]);
    }
}

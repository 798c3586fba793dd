//! Classing a metric for a choropleth: quantiles, Jenks natural breaks (Fisher's exact
//! dynamic programme), equal intervals, fixed breaks, and the score's own classes 0-7; with a
//! sequential colour-blind-safe colour scheme (ColorBrewer YlOrRd, Brewer & Harrower).

/// How to class a continuous metric.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Equal numbers of municipalities per class.
    Quantile(usize),
    /// Jenks natural breaks: minimal within-class sum of squared deviations.
    Jenks(usize),
    /// Classes of equal width between minimum and maximum.
    Equal(usize),
    /// Given upper bounds (ascending); one more class above the last.
    Fixed(Vec<f64>),
    /// One class per whole value 0..=max (the barometer score).
    Integer(u32),
}

impl Method {
    /// Parse `quantile`, `jenks`, `equal` (optionally `:K`) or `fixed:A,B,C`.
    pub fn parse(text: &str) -> Result<Method, String> {
        let (name, arg) = text.split_once(':').unwrap_or((text, ""));
        let k = || -> Result<usize, String> {
            if arg.is_empty() {
                return Ok(5);
            }
            arg.parse::<usize>()
                .ok()
                .filter(|k| (2..=9).contains(k))
                .ok_or_else(|| format!("'{text}': the number of classes must be 2 to 9"))
        };
        match name {
            "quantile" => Ok(Method::Quantile(k()?)),
            "jenks" => Ok(Method::Jenks(k()?)),
            "equal" => Ok(Method::Equal(k()?)),
            "fixed" => {
                let breaks: Result<Vec<f64>, _> =
                    arg.split(',').map(|b| b.trim().parse::<f64>()).collect();
                let breaks = breaks.map_err(|_| {
                    format!("'{text}': write fixed:A,B,C with numbers in ascending order, e.g. fixed:10,15,20")
                })?;
                if breaks.is_empty()
                    || breaks.len() > 8
                    || breaks.windows(2).any(|w| w[0] >= w[1])
                    || breaks.iter().any(|b| !b.is_finite())
                {
                    return Err(format!(
                        "'{text}': 1 to 8 breaks in strictly ascending order, e.g. fixed:10,15,20"
                    ));
                }
                Ok(Method::Fixed(breaks))
            }
            _ => Err(format!(
                "unknown classes '{text}'; use quantile[:K], jenks[:K], equal[:K] or fixed:A,B,C"
            )),
        }
    }
}

/// Class upper bounds (inclusive), ascending; the last class has no upper bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    /// Upper bound of every class but the last.
    pub breaks: Vec<f64>,
    /// Lowest and highest value classed (for legends).
    pub range: (f64, f64),
}

impl Classes {
    /// Number of classes.
    pub fn len(&self) -> usize {
        self.breaks.len() + 1
    }

    /// Always false: there is at least one class.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The class of `v`: the first whose upper bound is >= v.
    pub fn class_of(&self, v: f64) -> usize {
        self.breaks
            .iter()
            .position(|&b| v <= b)
            .unwrap_or(self.breaks.len())
    }
}

/// Class `values` (missing values are left out) by `method`.
pub fn classify(values: &[f64], method: &Method) -> Classes {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let range = (
        v.first().copied().unwrap_or(0.0),
        v.last().copied().unwrap_or(0.0),
    );
    let mut breaks = match method {
        Method::Integer(max) => (0..*max).map(|i| f64::from(i) + 0.5).collect(),
        Method::Fixed(b) => b.clone(),
        _ if v.is_empty() => Vec::new(),
        Method::Equal(k) => (1..*k)
            .map(|i| range.0 + (range.1 - range.0) * i as f64 / *k as f64)
            .collect(),
        Method::Quantile(k) => (1..*k)
            .map(|i| v[(i * v.len()).div_ceil(*k).max(1) - 1])
            .collect(),
        Method::Jenks(k) => jenks(&v, *k),
    };
    if !matches!(method, Method::Fixed(_) | Method::Integer(_)) {
        // Repeated values can make equal breaks; a class must not be empty by construction.
        breaks.dedup();
        breaks.retain(|&b| b < range.1);
    }
    Classes { breaks, range }
}

/// Fisher-Jenks natural breaks of sorted `v` into at most `k` classes: the upper bounds of the
/// first k-1 classes minimising the total within-class sum of squared deviations.
pub fn jenks(v: &[f64], k: usize) -> Vec<f64> {
    let n = v.len();
    let k = k.min(n);
    if k < 2 {
        return Vec::new();
    }
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for (i, x) in v.iter().enumerate() {
        s1[i + 1] = s1[i] + x;
        s2[i + 1] = s2[i] + x * x;
    }
    // Sum of squared deviations of v[a..b].
    let ssd = |a: usize, b: usize| {
        let m = (b - a) as f64;
        (s2[b] - s2[a]) - (s1[b] - s1[a]).powi(2) / m
    };
    // cost[c][j]: best cost of the first j values in c+1 classes; cut[c][j]: start of the last.
    let mut cost = vec![vec![f64::INFINITY; n + 1]; k];
    let mut cut = vec![vec![0usize; n + 1]; k];
    for (j, c) in cost[0].iter_mut().enumerate().skip(1) {
        *c = ssd(0, j);
    }
    for c in 1..k {
        for j in (c + 1)..=n {
            for s in c..j {
                let total = cost[c - 1][s] + ssd(s, j);
                if total < cost[c][j] {
                    cost[c][j] = total;
                    cut[c][j] = s;
                }
            }
        }
    }
    let mut breaks = Vec::with_capacity(k - 1);
    let mut j = n;
    for c in (1..k).rev() {
        let s = cut[c][j];
        breaks.push(v[s - 1]);
        j = s;
    }
    breaks.reverse();
    breaks
}

/// ColorBrewer YlOrRd, 9 classes (sequential, colour-blind safe, prints in grey).
pub const YLORRD9: [(u8, u8, u8); 9] = [
    (255, 255, 204),
    (255, 237, 160),
    (254, 217, 118),
    (254, 178, 76),
    (253, 141, 60),
    (252, 78, 42),
    (227, 26, 28),
    (189, 0, 38),
    (128, 0, 38),
];

/// ColorBrewer YlOrRd, 8 classes: the scores 0 to 7.
pub const YLORRD8: [(u8, u8, u8); 8] = [
    (255, 255, 204),
    (255, 237, 160),
    (254, 217, 118),
    (254, 178, 76),
    (253, 141, 60),
    (252, 78, 42),
    (227, 26, 28),
    (177, 0, 38),
];

/// Fill for municipalities without data (with a hatch in SVG).
pub const MISSING: (u8, u8, u8) = (204, 204, 204);

/// `k` colours from light (low) to dark (high): the 8-class scheme for 8 classes, else evenly
/// spaced picks from the 9-class scheme.
pub fn colours(k: usize) -> Vec<(u8, u8, u8)> {
    if k == 8 {
        return YLORRD8.to_vec();
    }
    if k <= 1 {
        return vec![YLORRD9[4]];
    }
    (0..k)
        .map(|i| YLORRD9[(i * 8 + (k - 1) / 2) / (k - 1)])
        .collect()
}

/// `#rrggbb`.
pub fn hex(c: (u8, u8, u8)) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jenks_finds_the_obvious_groups() {
        let v = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 30.0, 31.0];
        assert_eq!(jenks(&v, 3), vec![3.0, 12.0]);
    }

    #[test]
    fn quantiles_and_equal_intervals_by_hand() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        // Quartile-like breaks: positions ceil(10/4)=3, ceil(20/4)=5, ceil(30/4)=8.
        assert_eq!(
            classify(&v, &Method::Quantile(4)).breaks,
            vec![3.0, 5.0, 8.0]
        );
        assert_eq!(classify(&v, &Method::Equal(3)).breaks, vec![4.0, 7.0]);
        let c = classify(&v, &Method::Fixed(vec![2.5, 7.0]));
        assert_eq!(
            (c.class_of(2.5), c.class_of(7.0), c.class_of(7.1)),
            (0, 1, 2)
        );
        let s = classify(&[0.0, 7.0], &Method::Integer(7));
        assert_eq!(s.len(), 8);
        assert_eq!(
            (s.class_of(0.0), s.class_of(3.0), s.class_of(7.0)),
            (0, 3, 7)
        );
    }

    #[test]
    fn ties_do_not_make_empty_classes() {
        let c = classify(&[1.0, 1.0, 1.0, 1.0, 2.0], &Method::Quantile(4));
        assert_eq!(c.breaks, vec![1.0]);
    }

    #[test]
    fn parses_methods() {
        assert_eq!(Method::parse("jenks:4"), Ok(Method::Jenks(4)));
        assert_eq!(
            Method::parse("fixed:10,15"),
            Ok(Method::Fixed(vec![10.0, 15.0]))
        );
        assert!(Method::parse("fixed:15,10").is_err());
        assert!(Method::parse("natural").is_err());
        assert_eq!(colours(5).len(), 5);
        assert_eq!(colours(5)[0], YLORRD9[0]);
        assert_eq!(colours(5)[4], YLORRD9[8]);
    }
}

//! Weights from principal component analysis: the squared loadings of the first principal
//! component of the indicators' correlation matrix (OECD/JRC Handbook on Constructing Composite
//! Indicators, 2008, section 6.1, with one component and no rotation). COINr's `get_PCA()` takes
//! the same eigenvector (`prcomp(center = TRUE, scale = TRUE)`, rotation column 1) unsquared;
//! squaring makes the weights non-negative, sum to 1 and independent of the eigenvector's sign.

/// PCA weights of `columns` (each one indicator over the same units) over the units where every
/// column has a value; `None` with fewer than 3 such rows or a constant column.
pub fn weights(columns: &[Vec<f64>]) -> Option<Vec<f64>> {
    let k = columns.len();
    let rows: Vec<usize> = (0..columns.first()?.len())
        .filter(|&i| columns.iter().all(|c| !c[i].is_nan()))
        .collect();
    if rows.len() < 3 {
        return None;
    }
    // Standardised columns (sample standard deviation, as prcomp's scale = TRUE).
    let mut z = Vec::with_capacity(k);
    for c in columns {
        let v: Vec<f64> = rows.iter().map(|&i| c[i]).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        if sd.is_nan() || sd <= 0.0 {
            return None;
        }
        z.push(v.iter().map(|x| (x - mean) / sd).collect::<Vec<f64>>());
    }
    let m = rows.len() as f64 - 1.0;
    let mut corr = vec![0.0; k * k];
    for a in 0..k {
        for b in 0..k {
            corr[a * k + b] = z[a].iter().zip(&z[b]).map(|(x, y)| x * y).sum::<f64>() / m;
        }
    }
    let (values, vectors) = jacobi(corr, k);
    let first = (0..k).max_by(|&a, &b| values[a].total_cmp(&values[b]))?;
    Some((0..k).map(|j| vectors[j * k + first].powi(2)).collect())
}

/// Eigenvalues and eigenvectors (columns of the returned row-major matrix) of the symmetric
/// `k x k` matrix `a`, by cyclic Jacobi rotations (Golub and Van Loan, *Matrix Computations*,
/// 4th ed., section 8.5) until the off-diagonal mass is below 1e-30 of the total.
fn jacobi(mut a: Vec<f64>, k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; k * k];
    (0..k).for_each(|i| v[i * k + i] = 1.0);
    let total: f64 = a.iter().map(|x| x * x).sum();
    for _sweep in 0..100 {
        let off: f64 = (0..k)
            .flat_map(|p| (0..k).filter(move |&q| q != p).map(move |q| (p, q)))
            .map(|(p, q)| a[p * k + q].powi(2))
            .sum();
        if off <= 1e-30 * total {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                let apq = a[p * k + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * k + q] - a[p * k + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (arp, arq) = (a[r * k + p], a[r * k + q]);
                    a[r * k + p] = c * arp - s * arq;
                    a[r * k + q] = s * arp + c * arq;
                }
                for r in 0..k {
                    let (apr, aqr) = (a[p * k + r], a[q * k + r]);
                    a[p * k + r] = c * apr - s * aqr;
                    a[q * k + r] = s * apr + c * aqr;
                }
                for r in 0..k {
                    let (vrp, vrq) = (v[r * k + p], v[r * k + q]);
                    v[r * k + p] = c * vrp - s * vrq;
                    v[r * k + q] = s * vrp + c * vrq;
                }
            }
        }
    }
    ((0..k).map(|i| a[i * k + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_perfectly_correlated_columns_share_the_weight() {
        // Correlation matrix [[1, 1], [1, 1]]: first eigenvector (1, 1) / sqrt 2, squares 1/2.
        let w = weights(&[vec![1.0, 2.0, 3.0, 4.0], vec![2.0, 4.0, 6.0, 8.0]]).unwrap();
        assert!(
            (w[0] - 0.5).abs() < 1e-12 && (w[1] - 0.5).abs() < 1e-12,
            "{w:?}"
        );
    }

    #[test]
    fn a_hand_computed_eigen_decomposition() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvector of 3 is (1, 1) / sqrt 2.
        let (values, vectors) = jacobi(vec![2.0, 1.0, 1.0, 2.0], 2);
        let top = if values[0] > values[1] { 0 } else { 1 };
        assert!((values[top] - 3.0).abs() < 1e-12);
        assert!((vectors[top].abs() - 0.5f64.sqrt()).abs() < 1e-12);
        assert!(weights(&[vec![1.0, 1.0, 1.0], vec![1.0, 2.0, 3.0]]).is_none());
    }
}

//! The arithmetic core of an allocation: share a budget in whole cents in proportion to keys,
//! within a lower and an upper bound per unit, so that the amounts add up to the budget exactly.
//!
//! 1. Bounds by iterative redistribution (variable fixing, Kiwiel 2008): every free unit gets
//!    `R * key / K` (R = budget left after the fixed units, K = the free units' keys); when some
//!    shares break a bound, the net excess decides which side is settled this round (below the
//!    floor when the floors need more than the caps release, else above the cap), those units are
//!    fixed at their bound and the rest is shared again.
//! 2. Cents by the largest-remainder (Hamilton) method: each free unit gets the whole cents of its
//!    quota, the cents left over go one each to the largest fractional remainders (ties: larger
//!    key, then input order).
//!
//! Formulas and examples: `docs/methodology.md`, "Allocation".

use std::fmt;

/// One unit's claim: its key and the bounds of its amount, in cents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Claim {
    /// The distribution key (>= 0).
    pub key: f64,
    /// The least amount (floor or hold-harmless guarantee), in cents.
    pub min: i64,
    /// The largest amount (cap), in cents; `None` for no cap.
    pub max: Option<i64>,
}

/// Where a unit's amount ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Its proportional share of what was left after the bounded units.
    Proportional,
    /// Raised to its lower bound.
    Lower,
    /// Cut to its upper bound.
    Upper,
}

/// The amounts of a feasible allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Shares {
    /// Amount per claim, in cents; they sum to the budget.
    pub cents: Vec<i64>,
    /// Which bound (if any) decided each amount.
    pub bound: Vec<Bound>,
    /// Rounds of redistribution needed (1 when no bound was hit).
    pub rounds: usize,
    /// Cents handed out by largest remainder after the whole cents of the quotas.
    pub remainder_cents: i64,
}

/// Why no allocation satisfies the rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Infeasible {
    /// A claim has a negative or non-finite key, or a negative lower bound.
    BadClaim {
        /// Index of the claim.
        index: usize,
    },
    /// The budget is negative.
    NegativeBudget,
    /// A unit's lower bound is above its upper bound.
    Crossed {
        /// Index of the claim.
        index: usize,
    },
    /// The lower bounds together need more than the budget.
    FloorsExceedBudget {
        /// Sum of the lower bounds, in cents.
        needed: i64,
    },
    /// The upper bounds together (units with key 0 stay at their lower bound) leave money over.
    CapsBelowBudget {
        /// The most that can be paid out, in cents.
        room: i64,
    },
}

impl fmt::Display for Infeasible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infeasible::BadClaim { index } => {
                write!(f, "claim {index} has a negative or non-finite key or floor")
            }
            Infeasible::NegativeBudget => write!(f, "the budget is negative"),
            Infeasible::Crossed { index } => {
                write!(f, "claim {index} has a lower bound above its upper bound")
            }
            Infeasible::FloorsExceedBudget { needed } => {
                write!(f, "the floors need {needed} cents, more than the budget")
            }
            Infeasible::CapsBelowBudget { room } => {
                write!(
                    f,
                    "the caps allow at most {room} cents, less than the budget"
                )
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Free,
    Low,
    High,
}

/// Share `budget` cents over `claims`. Units with key 0 get their lower bound.
pub fn share(budget: i64, claims: &[Claim]) -> Result<Shares, Infeasible> {
    if budget < 0 {
        return Err(Infeasible::NegativeBudget);
    }
    for (index, c) in claims.iter().enumerate() {
        if !(c.key.is_finite() && c.key >= 0.0) || c.min < 0 {
            return Err(Infeasible::BadClaim { index });
        }
        if c.max.is_some_and(|m| m < c.min) {
            return Err(Infeasible::Crossed { index });
        }
    }
    let needed: i64 = claims.iter().map(|c| c.min).sum();
    if needed > budget {
        return Err(Infeasible::FloorsExceedBudget { needed });
    }
    let room: Option<i64> = claims
        .iter()
        .map(|c| if c.key > 0.0 { c.max } else { Some(c.min) })
        .sum();
    // Without any unit that can take money in proportion, only the floors can be paid.
    let room = if claims.iter().any(|c| c.key > 0.0) {
        room
    } else {
        Some(needed)
    };
    if let Some(room) = room.filter(|&r| r < budget) {
        return Err(Infeasible::CapsBelowBudget { room });
    }
    let mut state: Vec<State> = claims
        .iter()
        .map(|c| if c.key > 0.0 { State::Free } else { State::Low })
        .collect();
    let mut rounds = 0;
    let (remaining, total_key) = loop {
        rounds += 1;
        let fixed: i64 = claims
            .iter()
            .zip(&state)
            .map(|(c, s)| match s {
                State::Free => 0,
                State::Low => c.min,
                State::High => c.max.unwrap_or(c.min),
            })
            .sum();
        let remaining = budget - fixed;
        let total_key: f64 = claims
            .iter()
            .zip(&state)
            .filter(|(_, s)| **s == State::Free)
            .map(|(c, _)| c.key)
            .sum();
        let quota = |c: &Claim| remaining as f64 * c.key / total_key;
        let mut excess = 0.0;
        let (mut low, mut high) = (false, false);
        for (c, s) in claims.iter().zip(&state) {
            if *s != State::Free {
                continue;
            }
            let q = quota(c);
            if q < c.min as f64 {
                excess += c.min as f64 - q;
                low = true;
            } else if let Some(max) = c.max.filter(|&m| q > m as f64) {
                excess += max as f64 - q;
                high = true;
            }
        }
        if !low && !high {
            break (remaining, total_key);
        }
        let (fix_low, fix_high) = if excess > 0.0 {
            (true, false)
        } else if excess < 0.0 {
            (false, true)
        } else {
            (true, true)
        };
        for (c, s) in claims.iter().zip(state.iter_mut()) {
            if *s != State::Free {
                continue;
            }
            let q = quota(c);
            if fix_low && q < c.min as f64 {
                *s = State::Low;
            } else if fix_high && c.max.is_some_and(|m| q > m as f64) {
                *s = State::High;
            }
        }
    };
    let mut cents: Vec<i64> = Vec::with_capacity(claims.len());
    let mut remainders: Vec<(usize, f64)> = Vec::new();
    for (i, (c, s)) in claims.iter().zip(&state).enumerate() {
        cents.push(match s {
            State::Low => c.min,
            State::High => c.max.unwrap_or(c.min),
            State::Free => {
                let q = remaining as f64 * c.key / total_key;
                let whole = q.floor();
                remainders.push((i, q - whole));
                (whole as i64).clamp(c.min, c.max.unwrap_or(i64::MAX))
            }
        });
    }
    let mut left = budget - cents.iter().sum::<i64>();
    let remainder_cents = left.max(0);
    remainders.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(claims[b.0].key.total_cmp(&claims[a.0].key))
            .then(a.0.cmp(&b.0))
    });
    // Normally 0 <= left < number of free units; the loops also absorb floating-point slack.
    while left > 0 {
        let before = left;
        for &(i, _) in &remainders {
            if left == 0 {
                break;
            }
            if claims[i].max.is_none_or(|m| cents[i] < m) {
                cents[i] += 1;
                left -= 1;
            }
        }
        assert!(left < before, "the caps were checked to leave room");
    }
    while left < 0 {
        let before = left;
        for &(i, _) in remainders.iter().rev() {
            if left == 0 {
                break;
            }
            if cents[i] > claims[i].min {
                cents[i] -= 1;
                left += 1;
            }
        }
        assert!(left > before, "the floors were checked to fit the budget");
    }
    let bound = state
        .iter()
        .map(|s| match s {
            State::Free => Bound::Proportional,
            State::Low => Bound::Lower,
            State::High => Bound::Upper,
        })
        .collect();
    Ok(Shares {
        cents,
        bound,
        rounds,
        remainder_cents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(keys: &[f64], min: i64, max: Option<i64>) -> Vec<Claim> {
        keys.iter().map(|&key| Claim { key, min, max }).collect()
    }

    #[test]
    fn floors_are_raised_and_the_rest_shared() {
        // 100 euro over keys 1:1:8 -> 10, 10, 80; floor 20 lifts the first two, 60 is left.
        let s = share(10_000, &claims(&[1.0, 1.0, 8.0], 2_000, None)).unwrap();
        assert_eq!(s.cents, vec![2_000, 2_000, 6_000]);
        assert_eq!(
            s.bound,
            vec![Bound::Lower, Bound::Lower, Bound::Proportional]
        );
        assert_eq!(s.rounds, 2);
    }

    #[test]
    fn caps_are_cut_and_the_rest_rounded_by_largest_remainder() {
        // 100 euro over 1:2:7 -> 10, 20, 70; cap 50 cuts the third; 50 over 1:2 = 16.666.., 33.333..
        // whole cents 1666 + 3333 = 4999; the cent left goes to the larger remainder (0.67).
        let s = share(10_000, &claims(&[1.0, 2.0, 7.0], 0, Some(5_000))).unwrap();
        assert_eq!(s.cents, vec![1_667, 3_333, 5_000]);
        assert_eq!(s.remainder_cents, 1);
    }

    #[test]
    fn ties_go_to_the_earlier_unit() {
        let s = share(100, &claims(&[1.0, 1.0, 1.0], 0, None)).unwrap();
        assert_eq!(s.cents, vec![34, 33, 33]);
        // Equal remainders, larger key first.
        let s = share(101, &claims(&[1.0, 2.0, 2.0], 0, None)).unwrap();
        // quotas 20.2, 40.4, 40.4 -> 20, 40, 40 + 1 cent to the larger remainder, the first 2-key unit.
        assert_eq!(s.cents, vec![20, 41, 40]);
    }

    #[test]
    fn the_side_with_the_net_excess_is_fixed_first() {
        // 1:1:98 of 100 euro with floor 10 and cap 60: proportional 1, 1, 98. Floors need 18,
        // the cap releases 38: cap first, then 40 over 1:1 = 20 each, above the floor.
        let s = share(10_000, &claims(&[1.0, 1.0, 98.0], 1_000, Some(6_000))).unwrap();
        assert_eq!(s.cents, vec![2_000, 2_000, 6_000]);
        assert_eq!(s.bound[2], Bound::Upper);
        assert_eq!(s.bound[0], Bound::Proportional);
    }

    #[test]
    fn infeasible_rules_are_refused() {
        assert_eq!(
            share(10_000, &claims(&[1.0; 3], 4_000, None)),
            Err(Infeasible::FloorsExceedBudget { needed: 12_000 })
        );
        assert_eq!(
            share(10_000, &claims(&[1.0; 3], 0, Some(3_000))),
            Err(Infeasible::CapsBelowBudget { room: 9_000 })
        );
        assert_eq!(
            share(10_000, &claims(&[0.0; 3], 0, None)),
            Err(Infeasible::CapsBelowBudget { room: 0 })
        );
        assert_eq!(
            share(1, &claims(&[1.0], 5, Some(2))),
            Err(Infeasible::Crossed { index: 0 })
        );
    }

    #[test]
    fn key_zero_units_get_their_floor() {
        let s = share(10_000, &claims(&[0.0, 1.0, 3.0], 1_000, None)).unwrap();
        assert_eq!(s.cents, vec![1_000, 2_250, 6_750]);
    }
}

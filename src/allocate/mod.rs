//! Budget allocation: eligibility by score or rank, a distribution key from the store, floors,
//! caps and hold-harmless guarantees with iterative redistribution, and amounts in whole cents
//! that add up to the budget exactly (largest remainder). See `docs/methodology.md`.

pub mod compare;
pub mod money;
pub mod output;
pub mod plan;
pub mod rule;
pub mod share;

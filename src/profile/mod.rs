//! The omgevingsanalyse of one municipality (modelled on Genk's, seed 003): per indicator the
//! municipality beside its arrondissement, province and Flanders, with intervals, significance,
//! rank among municipalities, the evolution over the years with trend tests, and targets.

pub mod charts;
pub mod figures;
pub mod output;
pub mod sentences;
pub mod target;

pub use figures::{IndicatorProfile, Profile, ProfileData};

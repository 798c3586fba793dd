//! Uncertainty and sensitivity of the ranking: the compact problem, Monte Carlo over
//! methodological choices and sampling noise, and Sobol indices.

pub mod montecarlo;
pub mod problem;
pub mod sobol;

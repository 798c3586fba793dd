//! Composite-index methods after COINr's pipeline: outlier treatment, imputation, normalisation,
//! aggregation. Each function works on one indicator column (or one unit's row) as a slice, so the
//! sensitivity engine can call them in its inner loop; `config` is the definition's `[composite]`
//! table and the pipeline that chains them; `coin` reads a data set in COINr's input format.
//! Formulas: `docs/methodology.md` section 15.

pub mod aggregate;
pub mod coin;
pub mod config;
pub mod impute;
pub mod normalise;
pub mod pca;
pub mod treat;

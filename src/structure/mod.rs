//! Structure: what the shape of the text says about its values.
//!
//! Exports are mostly JSON lines or CSV, and their keys and columns say what a value is far
//! more reliably than the value alone: `"mp_country_code":"FR"` is a country, `FR` in prose is
//! not. This stage runs before the detectors and hands them the values under hinting keys
//! ([`crate::detect::HintedValue`]); after detection it names the field (JSON key path or CSV
//! column) of each finding.

pub mod csv;
pub mod escapes;
pub mod json;
pub mod keys;
mod plan;

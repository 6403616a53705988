//! piiscan finds personal data in large log and analytics exports.

pub mod detect;
pub mod finding;

pub use finding::{Finding, Kind, KindSet};

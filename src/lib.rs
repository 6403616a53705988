//! piiscan finds personal data (emails, IP addresses, person names, places, coordinates) in
//! large log and analytics exports, fast, and reports where it is without echoing it.
//!
//! Data flows one way: [`source`] turns paths into bytes, [`chunk`] cuts them into
//! newline-aligned chunks, [`prefilter`] lists candidate positions, [`structure`] reads the keys
//! and columns that hint at what a value is, [`detect`] finds candidate matches (each kind is
//! described once, in [`detect::kind`]), [`engine`] runs all of it in parallel and orders the
//! [`Finding`]s, and hands them over the event boundary ([`sink`]) to what comes after: the
//! gate ([`policy`]), the exposure aggregation ([`exposure`]), the evaluation against labels
//! ([`eval`]), the progress bar, and the reporters ([`report`]) that render it all.
//!
//! ```
//! use piiscan::engine::{Config, FileContext, Scanner};
//! use piiscan::Kind;
//!
//! let scanner = Scanner::new(Config::default());
//! let line = br#"{"properties":{"$email":"jane.doe@example.com","ip":"203.0.113.7"}}"#;
//! let result = scanner.scan_chunk(line, 0, &FileContext::default());
//! let kinds: Vec<Kind> = result.findings.iter().map(|f| f.kind).collect();
//! assert_eq!(kinds, [Kind::Email, Kind::Ipv4]);
//! assert_eq!(result.findings[0].field.as_deref(), Some("properties.$email"));
//! assert_eq!(&*result.findings[0].masked, "j***@e***.com");
//! ```

pub mod chunk;
pub mod detect;
pub mod engine;
pub mod eval;
pub mod exposure;
pub mod finding;
pub mod output;
pub mod policy;
pub mod prefilter;
pub mod progress;
pub mod redact;
pub mod report;
pub mod run;
pub mod scrub;
pub mod short;
pub mod sink;
pub mod source;
pub mod structure;

pub use detect::{Kind, KindSet};
pub use engine::{Config, Scanner};
pub use finding::Finding;

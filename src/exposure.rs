//! Aggregation: from findings to "what would leak, and for how many people".
//!
//! A breach notice is written per field and per person, not per regex hit, so findings are
//! folded into, per kind and per field (JSON key path or CSV column): occurrences, records
//! (lines) touched, and distinct values. Distinct values are counted from fingerprints (keyed
//! hashes, see [`crate::scan::Config::fingerprints`]), exactly up to [`EXACT_LIMIT`] values per
//! field and then with a HyperLogLog++ sketch whose standard error is stated in the report, so
//! memory stays bounded on inputs of any size and no value, raw or hashed, ever leaves the
//! process.
//!
//! Records are also read whole: a line that carries a direct identifier (an e-mail address, a
//! name, an IP address) together with a location or a device is a *profile*, the thing that
//! makes a vendor breach harmful. The report counts profiles and the field combinations that
//! make them.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io;

use hyperloglogplus::{HyperLogLog, HyperLogLogPlus};
use serde::Serialize;

use crate::finding::{Finding, Kind};
use crate::report::Reporter;
use crate::scan::{FileInfo, Sink, Stats};
use crate::source::SourceError;

/// Distinct values counted exactly per field, before switching to an estimate.
pub const EXACT_LIMIT: usize = 1 << 16;
/// HyperLogLog++ precision: 2^14 registers, a standard error of 1.04 / sqrt(2^14) ≈ 0.81%.
const PRECISION: u8 = 14;
/// The relative standard error of an estimated count.
pub const ESTIMATE_ERROR: f64 = 0.0081;
/// At most this many field combinations are told apart; rarer ones are counted as "other".
const MAX_COMBINATIONS: usize = 10_000;

/// A count of distinct fingerprints: exact while small, estimated beyond.
#[derive(Default)]
pub struct Distinct {
    exact: HashSet<u64>,
    sketch: Option<HyperLogLogPlus<u64, RandomState>>,
}

impl Distinct {
    pub fn insert(&mut self, fingerprint: u64) {
        match &mut self.sketch {
            Some(sketch) => sketch.insert(&fingerprint),
            None => {
                self.exact.insert(fingerprint);
                if self.exact.len() > EXACT_LIMIT {
                    let mut sketch = HyperLogLogPlus::new(PRECISION, RandomState::new())
                        .expect("precision 14 is valid");
                    for f in self.exact.drain() {
                        sketch.insert(&f);
                    }
                    self.exact = HashSet::new();
                    self.sketch = Some(sketch);
                }
            }
        }
    }

    /// The count, and whether it is an estimate.
    pub fn count(&mut self) -> Count {
        match &mut self.sketch {
            Some(sketch) => Count {
                value: sketch.count().round() as u64,
                estimated: true,
            },
            None => Count {
                value: self.exact.len() as u64,
                estimated: false,
            },
        }
    }
}

/// A distinct count as reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub value: u64,
    /// True when the count is a HyperLogLog++ estimate (standard error [`ESTIMATE_ERROR`]).
    pub estimated: bool,
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.estimated {
            write!(f, "~{}", self.value)
        } else {
            write!(f, "{}", self.value)
        }
    }
}

#[derive(Default)]
struct Tally {
    occurrences: u64,
    records: u64,
    /// The last record counted, as (file number, line).
    last_record: Option<(usize, u64)>,
    distinct: Distinct,
}

impl Tally {
    fn add(&mut self, record: (usize, u64), fingerprint: Option<u64>) {
        self.occurrences += 1;
        if self.last_record != Some(record) {
            self.records += 1;
            self.last_record = Some(record);
        }
        if let Some(f) = fingerprint {
            self.distinct.insert(f);
        }
    }

    fn row(&mut self, kind: Kind, field: Option<String>) -> Row {
        Row {
            kind,
            field,
            occurrences: self.occurrences,
            records: self.records,
            distinct: self.distinct.count(),
        }
    }
}

/// One line of the exposure table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub kind: Kind,
    /// The JSON key path or CSV column; `None` for values found in free text.
    pub field: Option<String>,
    pub occurrences: u64,
    /// Lines that carry at least one occurrence.
    pub records: u64,
    pub distinct: Count,
}

/// A direct identifier and a location or device field that occur in the same records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Combination {
    /// `kind@field` of the identifier, then of the location or device.
    pub fields: Vec<String>,
    pub records: u64,
}

/// The exposure report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub bytes: u64,
    pub files: u64,
    pub errors: u64,
    /// Lines that start like JSON but do not parse (scanned as plain text).
    pub malformed_json: u64,
    /// Lines with at least one finding.
    pub records_with_findings: u64,
    /// Distinct e-mail addresses: the surest count of people.
    pub distinct_emails: Count,
    /// Distinct account identifiers (user, device, organisation IDs).
    pub distinct_account_ids: Count,
    /// Direct identifiers, per kind (all fields together).
    pub direct: Vec<Row>,
    /// Quasi-identifiers, per kind.
    pub quasi: Vec<Row>,
    /// Per kind and field.
    pub fields: Vec<Row>,
    /// Lines that combine a direct identifier with a location or a device.
    pub profiles: u64,
    /// The pairs of fields that make profiles (identity + location or device), most frequent
    /// first.
    pub combinations: Vec<Combination>,
    /// The relative standard error of counts marked as estimated.
    pub estimate_error: f64,
}

/// Folds findings into an exposure [`Report`]; needs findings with fingerprints.
#[derive(Default)]
pub struct Exposure {
    files: Vec<String>,
    by_kind: BTreeMap<Kind, Tally>,
    by_field: BTreeMap<(Kind, Option<String>), Tally>,
    records: u64,
    /// The record being read, and the (kind, field) pairs seen in it.
    current: Option<(usize, u64)>,
    current_fields: BTreeSet<(Kind, Option<String>)>,
    profiles: u64,
    combinations: HashMap<Vec<String>, u64>,
    other_combinations: u64,
    /// Errors seen while scanning, passed on to this sink's user.
    pub errors: Vec<String>,
}

impl Exposure {
    pub fn new() -> Exposure {
        Exposure::default()
    }

    /// Closes the last record and builds the report.
    pub fn report(mut self, stats: &Stats) -> Report {
        self.close_record();
        let mut direct = Vec::new();
        let mut quasi = Vec::new();
        let mut distinct_emails = Count::default();
        let mut distinct_account_ids = Count::default();
        for (&kind, tally) in self.by_kind.iter_mut() {
            let row = tally.row(kind, None);
            match kind {
                Kind::Email => distinct_emails = row.distinct,
                Kind::AccountId => distinct_account_ids = row.distinct,
                _ => {}
            }
            if kind.is_quasi() {
                quasi.push(row);
            } else {
                direct.push(row);
            }
        }
        let mut fields: Vec<Row> = self
            .by_field
            .iter_mut()
            .map(|((kind, field), tally)| tally.row(*kind, field.clone()))
            .collect();
        fields.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then(b.occurrences.cmp(&a.occurrences))
                .then(a.field.cmp(&b.field))
        });
        let mut combinations: Vec<Combination> = self
            .combinations
            .into_iter()
            .map(|(fields, records)| Combination { fields, records })
            .collect();
        combinations.sort_by(|a, b| b.records.cmp(&a.records).then(a.fields.cmp(&b.fields)));
        if self.other_combinations > 0 {
            combinations.push(Combination {
                fields: vec!["(other combinations)".to_string()],
                records: self.other_combinations,
            });
        }
        Report {
            bytes: stats.bytes,
            files: stats.files,
            errors: stats.errors,
            malformed_json: stats.malformed_json,
            records_with_findings: self.records,
            distinct_emails,
            distinct_account_ids,
            direct,
            quasi,
            fields,
            profiles: self.profiles,
            combinations,
            estimate_error: ESTIMATE_ERROR,
        }
    }

    fn file_number(&mut self, path: &str) -> usize {
        match self.files.iter().rposition(|p| p == path) {
            Some(i) => i,
            None => {
                self.files.push(path.to_string());
                self.files.len() - 1
            }
        }
    }

    /// Counts the record just read as a profile if it combines a direct identifier with a
    /// location or a device.
    fn close_record(&mut self) {
        let fields = std::mem::take(&mut self.current_fields);
        let identifies = fields
            .iter()
            .any(|(k, _)| matches!(k, Kind::Email | Kind::PersonName | Kind::Ipv4 | Kind::Ipv6));
        let places = fields
            .iter()
            .any(|(k, _)| k.is_location() || *k == Kind::Device);
        if !(identifies && places) {
            return;
        }
        self.profiles += 1;
        let name = |(kind, field): &(Kind, Option<String>)| {
            format!("{kind}@{}", field.as_deref().unwrap_or("(text)"))
        };
        let identities = fields
            .iter()
            .filter(|(k, _)| matches!(k, Kind::Email | Kind::PersonName | Kind::Ipv4 | Kind::Ipv6));
        for identity in identities {
            for place in fields
                .iter()
                .filter(|(k, _)| k.is_location() || *k == Kind::Device)
            {
                let key = vec![name(identity), name(place)];
                if let Some(n) = self.combinations.get_mut(&key) {
                    *n += 1;
                } else if self.combinations.len() < MAX_COMBINATIONS {
                    self.combinations.insert(key, 1);
                } else {
                    self.other_combinations += 1;
                }
            }
        }
    }
}

impl Reporter for Exposure {
    /// The report is built by [`Exposure::report`], which consumes the aggregate.
    fn finish(&mut self, _stats: &Stats) -> io::Result<()> {
        Ok(())
    }
}

impl Sink for Exposure {
    fn finding(&mut self, file: &FileInfo, finding: &Finding) -> io::Result<()> {
        let record = (self.file_number(&file.path), finding.line);
        if self.current != Some(record) {
            self.close_record();
            self.current = Some(record);
            self.records += 1;
        }
        // Array indices do not make fields distinct; keys do.
        let field = finding.field.as_deref().map(str::to_owned);
        self.current_fields.insert((finding.kind, field.clone()));
        self.by_kind
            .entry(finding.kind)
            .or_default()
            .add(record, finding.fingerprint);
        self.by_field
            .entry((finding.kind, field))
            .or_default()
            .add(record, finding.fingerprint);
        Ok(())
    }

    fn error(&mut self, error: &SourceError) {
        crate::report::print_error(error);
        self.errors.push(error.to_string());
    }

    fn note(&mut self, path: &str, message: &str) {
        crate::report::print_note(path, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_counts_are_exact_then_estimated() {
        let mut d = Distinct::default();
        for i in 0..1000u64 {
            d.insert(i % 500);
        }
        assert_eq!(
            d.count(),
            Count {
                value: 500,
                estimated: false
            }
        );
        let mut d = Distinct::default();
        let n = 300_000u64;
        for i in 0..n {
            d.insert(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        let c = d.count();
        assert!(c.estimated);
        let error = (c.value as f64 - n as f64).abs() / n as f64;
        assert!(error < 5.0 * ESTIMATE_ERROR, "{c:?}");
    }
}

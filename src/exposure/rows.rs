//! The rows of the exposure report and the counts behind each.

use serde::{Deserialize, Serialize};

use super::{Count, Distinct, ESTIMATE_ERROR};
use crate::finding::Kind;
use crate::sink::SkippedInput;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A row's counts; a partial report holds them as `{"occurrences", "records", "distinct"}`.
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RowCounts {
    occurrences: u64,
    records: u64,
    /// The last record counted, as (file number, line).
    #[serde(skip)]
    last_record: Option<(usize, u64)>,
    distinct: Distinct,
}

impl RowCounts {
    /// Counts one finding; its fingerprint is kept within `room` (see [`Distinct`]).
    pub(super) fn add(&mut self, record: (usize, u64), fingerprint: Option<u64>, room: &mut usize) {
        self.count(record);
        if let Some(f) = fingerprint {
            self.distinct.insert_within(f, room);
        }
    }

    /// Counts one finding's occurrence and record, not its value.
    pub(super) fn count(&mut self, record: (usize, u64)) {
        self.occurrences += 1;
        if self.last_record != Some(record) {
            self.records += 1;
            self.last_record = Some(record);
        }
    }

    /// Adds the distinct values `other` counted to this row's, leaving its occurrences and
    /// records: a kind's distinct values are its fields' together.
    pub(super) fn union_distinct(&mut self, other: &RowCounts) {
        self.distinct.union(&other.distinct);
    }

    /// Adds the counts of `other`, made over other records (a record is one line of one input,
    /// and inputs are not split between parts): occurrences and records add up, distinct
    /// values are merged (see [`Distinct::merge`]). The next record counted is a new one.
    pub(super) fn merge(&mut self, other: RowCounts, room: &mut usize) {
        self.occurrences = self.occurrences.saturating_add(other.occurrences);
        self.records = self.records.saturating_add(other.records);
        self.last_record = None;
        self.distinct.merge(other.distinct, room);
    }

    pub(super) fn row(&self, kind: Kind, field: Option<String>) -> Row {
        let mut distinct = self.distinct.count();
        // An estimate can overshoot; there are never more values than occurrences.
        distinct.value = distinct.value.min(self.occurrences);
        Row {
            kind,
            field,
            other_fields: false,
            occurrences: self.occurrences,
            records: self.records,
            distinct,
        }
    }
}

/// One line of the exposure table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub kind: Kind,
    /// The JSON key path or CSV column, with identifier-like key segments as `*` (see
    /// [`field_pattern`]); `None` for values found in free text and for the other fields row.
    pub field: Option<String>,
    /// True for the row that counts, for its kind, the fields past the first [`MAX_FIELDS`].
    pub other_fields: bool,
    pub occurrences: u64,
    /// Lines that carry at least one occurrence.
    pub records: u64,
    pub distinct: Count,
}

impl Row {
    /// The order of the report's field rows: by kind, then most occurrences first.
    pub(super) fn report_order(a: &Row, b: &Row) -> std::cmp::Ordering {
        a.kind
            .cmp(&b.kind)
            .then(b.occurrences.cmp(&a.occurrences))
            .then(a.field.cmp(&b.field))
    }
}

impl Combination {
    /// Sorts `combinations` most records first, and adds a row for the `other` records past
    /// the ones counted one by one.
    pub(super) fn order_for_report(combinations: &mut Vec<Combination>, other: u64) {
        combinations.sort_by(|a, b| b.records.cmp(&a.records).then(a.fields.cmp(&b.fields)));
        if other > 0 {
            combinations.push(Combination {
                fields: vec!["(other combinations)".to_string()],
                records: other,
            });
        }
    }
}

/// The rows of the kinds, split as the report shows them, with the distinct counts its
/// headline quotes.
pub(super) struct ByKind {
    direct: Vec<Row>,
    quasi: Vec<Row>,
    distinct_emails: Count,
    distinct_account_ids: Count,
}

impl ByKind {
    /// Splits one row per kind, in the order given.
    pub(super) fn split(rows: impl Iterator<Item = Row>) -> ByKind {
        let mut split = ByKind {
            direct: Vec::new(),
            quasi: Vec::new(),
            distinct_emails: Count::default(),
            distinct_account_ids: Count::default(),
        };
        for row in rows {
            match row.kind {
                Kind::Email => split.distinct_emails = row.distinct,
                Kind::AccountId => split.distinct_account_ids = row.distinct,
                _ => {}
            }
            if row.kind.is_quasi() {
                split.quasi.push(row);
            } else {
                split.direct.push(row);
            }
        }
        split
    }

    /// The report with these rows and the rest of its parts; the counts of the input itself
    /// (bytes, files, errors, malformed lines) are left at zero for the caller to fill in.
    pub(super) fn into_report(
        self,
        records_with_findings: u64,
        fields: Vec<Row>,
        profiles: u64,
        combinations: Vec<Combination>,
    ) -> Report {
        Report {
            about: About::default(),
            inputs: Vec::new(),
            inputs_not_listed: 0,
            bytes: 0,
            files: 0,
            errors: 0,
            unread: Vec::new(),
            skipped: Vec::new(),
            skipped_not_listed: 0,
            skipped_failing: 0,
            malformed_json: 0,
            records_with_findings,
            distinct_emails: self.distinct_emails,
            distinct_account_ids: self.distinct_account_ids,
            direct: self.direct,
            quasi: self.quasi,
            fields,
            profiles,
            combinations,
            estimate_error: ESTIMATE_ERROR,
            field_packs: Vec::new(),
        }
    }
}

/// A direct identifier and a location or device field that occur in the same records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Combination {
    /// `kind@field` of the identifier, then of the location or device.
    pub fields: Vec<String>,
    pub records: u64,
}

/// How a report was made, for its reader to trust and repeat it: filled in by the job that
/// runs the scan (the aggregation does not know it).
#[derive(Clone, Debug, Default, Serialize)]
pub struct About {
    /// piiscan's version.
    pub version: String,
    /// When the report was written: UTC, `YYYY-MM-DDTHH:MM:SSZ` (`SOURCE_DATE_EPOCH` when set,
    /// for reproducible reports).
    pub generated: String,
    /// The paths named, printable.
    pub roots: Vec<String>,
    /// The kinds looked for.
    pub kinds: Vec<Kind>,
    /// True when distinct counts were made under a given key (`--key-file`,
    /// `PIISCAN_FINGERPRINT_KEY`): the same input then gives the same counts, estimates
    /// included. False when the key was drawn for the run: estimates vary between runs.
    pub keyed: bool,
}

/// One input scanned, with what was found in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRow {
    /// The path, printable (an archive member as `archive.zip:member`).
    pub path: String,
    /// Bytes scanned (decompressed, decoded).
    pub bytes: u64,
    pub occurrences: u64,
    /// Lines that carry at least one occurrence.
    pub records: u64,
    /// Occurrences per kind, in kind order.
    pub kinds: Vec<(Kind, u64)>,
}

impl InputRow {
    pub(super) fn count(&mut self, kind: Kind) {
        self.occurrences += 1;
        match self.kinds.binary_search_by_key(&kind, |(k, _)| *k) {
            Ok(i) => self.kinds[i].1 += 1,
            Err(i) => self.kinds.insert(i, (kind, 1)),
        }
    }
}

/// The exposure report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub about: About,
    /// The inputs scanned, in the order they were read (the first [`MAX_INPUTS`]).
    pub inputs: Vec<InputRow>,
    /// Inputs scanned past the first [`MAX_INPUTS`], counted in the totals only.
    #[serde(skip_serializing_if = "is_zero")]
    pub inputs_not_listed: u64,
    pub bytes: u64,
    pub files: u64,
    pub errors: u64,
    /// Why inputs could not be read, each message naming the path and the problem (the
    /// first 10,000).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
    /// The inputs not scanned, and why (the first 10,000), and how many more.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedInput>,
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped_not_listed: u64,
    /// Of the skipped inputs, those that make the report incomplete (not the run's own output).
    #[serde(skip)]
    pub skipped_failing: u64,
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
    /// The vendor field packs (`data/fields/`) whose own keys name fields with findings:
    /// which export the report reads as (`Mixpanel`, `Segment`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_packs: Vec<String>,
}

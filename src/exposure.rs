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
//!
//! Fields are named by what they are, not by the record they sit in: exports key objects by
//! identifiers (`contacts.c1042.email`, `users.5f3a9c1e0b7d.email`, `by_email.jane@x.org.city`),
//! and a row per identifier would make the report as large as the export and say nothing more.
//! A key path segment that looks like an identifier is replaced by `*`
//! (`contacts.*.email`, see [`field_pattern`]): one with an `@` after its first byte (an
//! address), a UUID, a run of 8 or more hex digits with a digit among them, or one that is at
//! least half digits (`42`, `c1042`, `2025-11-30`). Past that, at most [`MAX_FIELDS`] fields are
//! told apart; findings in any other field are counted in one "other fields" row per kind, so
//! the report stays small whatever the keys. The exact distinct counts of all fields together
//! hold at most [`EXACT_BUDGET`] fingerprints; a field that needs more switches to its estimate
//! early. A distinct count is never reported above the occurrences it counts (an estimate can
//! overshoot).

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::sync::Arc;

use hyperloglogplus::{HyperLogLog, HyperLogLogPlus};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::detect::Role;
use crate::finding::{Finding, Kind};
use crate::sink::{Chunk, Flow, InputInfo, Problem, Sink, Stats, GO_ON};

/// Distinct values counted exactly per field, before switching to an estimate.
pub const EXACT_LIMIT: usize = 1 << 16;
/// HyperLogLog++ precision: 2^14 registers, a standard error of 1.04 / sqrt(2^14) ≈ 0.81%.
const PRECISION: u8 = 14;
/// The relative standard error of an estimated count.
pub const ESTIMATE_ERROR: f64 = 0.0081;
/// At most this many field combinations are told apart; rarer ones are counted as "other".
const MAX_COMBINATIONS: usize = 10_000;
/// At most this many (kind, field) rows are told apart; the findings in the fields beyond are
/// counted in one "other fields" row per kind.
pub const MAX_FIELDS: usize = 1_000;
/// The fingerprints kept for exact distinct counts over all fields together (about 70 MB).
pub const EXACT_BUDGET: usize = 1 << 22;
/// The name under which the fields past [`MAX_FIELDS`] are counted in profiles.
const OTHER_FIELDS: &str = "(other fields)";

/// A count of distinct fingerprints: exact while small, estimated beyond.
///
/// Fingerprints are keyed hashes already, uniformly spread whatever the values: the exact set
/// hashes them again with FxHash (one multiplication), not SipHash.
#[derive(Default)]
pub struct Distinct {
    exact: FxHashSet<u64>,
    /// How many of `exact` were counted against a shared budget.
    exact_kept: usize,
    sketch: Option<HyperLogLogPlus<u64, RandomState>>,
}

impl Distinct {
    pub fn insert(&mut self, fingerprint: u64) {
        let mut room = usize::MAX;
        self.insert_within(fingerprint, &mut room);
    }

    /// Inserts a fingerprint, counting a newly kept one against `room` (the fingerprints that
    /// may still be kept by the counts sharing it), and switches to an estimate when the
    /// field's own limit or `room` is exhausted, giving back what it kept.
    fn insert_within(&mut self, fingerprint: u64, room: &mut usize) {
        match &mut self.sketch {
            Some(sketch) => sketch.insert(&fingerprint),
            None => {
                if *room == 0 && !self.exact.contains(&fingerprint) {
                    self.estimate();
                    self.insert_within(fingerprint, room);
                    *room = room.saturating_add(std::mem::take(&mut self.exact_kept));
                    return;
                }
                if self.exact.insert(fingerprint) {
                    *room -= 1;
                    self.exact_kept += 1;
                }
                if self.exact.len() > EXACT_LIMIT {
                    self.estimate();
                    *room = room.saturating_add(std::mem::take(&mut self.exact_kept));
                }
            }
        }
    }

    /// Moves the exact set into a sketch.
    fn estimate(&mut self) {
        let mut sketch =
            HyperLogLogPlus::new(PRECISION, RandomState::new()).expect("precision 14 is valid");
        for f in self.exact.drain() {
            sketch.insert(&f);
        }
        self.exact = FxHashSet::default();
        self.sketch = Some(sketch);
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
    /// Counts one finding; its fingerprint is kept within `room` (see [`Distinct`]).
    fn add(&mut self, record: (usize, u64), fingerprint: Option<u64>, room: &mut usize) {
        self.occurrences += 1;
        if self.last_record != Some(record) {
            self.records += 1;
            self.last_record = Some(record);
        }
        if let Some(f) = fingerprint {
            self.distinct.insert_within(f, room);
        }
    }

    fn row(&mut self, kind: Kind, field: Option<String>) -> Row {
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
    fn report_order(a: &Row, b: &Row) -> std::cmp::Ordering {
        a.kind
            .cmp(&b.kind)
            .then(b.occurrences.cmp(&a.occurrences))
            .then(a.field.cmp(&b.field))
    }
}

impl Combination {
    /// Sorts `combinations` most records first, and adds a row for the `other` records past
    /// the ones counted one by one.
    fn order_for_report(combinations: &mut Vec<Combination>, other: u64) {
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
struct ByKind {
    direct: Vec<Row>,
    quasi: Vec<Row>,
    distinct_emails: Count,
    distinct_account_ids: Count,
}

impl ByKind {
    /// Splits one row per kind, in the order given.
    fn split(rows: impl Iterator<Item = Row>) -> ByKind {
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
    fn into_report(
        self,
        records_with_findings: u64,
        fields: Vec<Row>,
        profiles: u64,
        combinations: Vec<Combination>,
    ) -> Report {
        Report {
            bytes: 0,
            files: 0,
            errors: 0,
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
///
/// This runs on the one thread that receives the findings in order, so a finding costs a few
/// look-ups of integers, no string compared or built: a field name is worked out (its pattern,
/// its row) once per chunk, when its shared `Arc` is first seen (see `Exposure::place`),
/// rows and profile pairs are keyed by interned name ids, and names are written out in
/// [`Exposure::report`].
pub struct Exposure {
    /// The inputs begun so far: the number of the current one.
    inputs: usize,
    /// The kinds found, in the order of their first finding; `by_kind` and `other_fields` are
    /// indexed like it.
    kinds: Vec<Kind>,
    by_kind: Vec<Tally>,
    /// Per kind, the findings in fields past the first [`MAX_FIELDS`].
    other_fields: Vec<Option<Slot>>,
    /// The field names (patterns) of `fields` by id, after [`TEXT`] and [`OTHER_FIELDS`], and
    /// the ids by name: a field that shares its name with one of these rows shares its id, so
    /// that profiles pair names as they are written.
    names: Vec<Box<str>>,
    name_ids: FxHashMap<Box<str>, u32>,
    /// The rows per kind and field, at most [`MAX_FIELDS`], and their index by kind and name id
    /// (`None` for free text).
    fields: Vec<Field>,
    field_ids: FxHashMap<(Kind, Option<u32>), u32>,
    /// Where the findings of a kind under a field name are counted, by the address of the
    /// name's shared `Arc` (0 for free text); see [`Exposure::place`].
    places: FxHashMap<(usize, Kind), Cached>,
    /// The fingerprints that exact per-field counts may still keep, of [`EXACT_BUDGET`].
    exact_room: usize,
    records: u64,
    /// The record being read, and the (kind, field name id) pairs seen in it, once each.
    current: Option<(usize, u64)>,
    current_fields: Vec<(Kind, Option<u32>)>,
    profiles: u64,
    /// Profile pairs as (kind, name id) of the identifier, then of the location or device.
    combinations: FxHashMap<(Kind, u32, Kind, u32), u64>,
    other_combinations: u64,
    /// Errors seen while scanning, passed on to this sink's user.
    pub errors: Vec<String>,
}

/// The name id of [`TEXT`], under which values found in free text are paired in profiles.
const TEXT_ID: u32 = 0;
/// The name id of [`OTHER_FIELDS`].
const OTHER_ID: u32 = 1;
/// The name under which values found in free text are paired in profiles.
const TEXT: &str = "(text)";
/// Field names cached by [`Exposure::place`] before the cache is emptied: a chunk names few
/// fields, but raw names with identifiers in them (`contacts.c1042.email`) are unbounded.
const PLACE_CACHE: usize = 4096;

/// A row per kind and field.
struct Field {
    kind: Kind,
    name: Option<u32>,
    slot: Slot,
}

/// A tally, and the number of the record in which it was last counted.
#[derive(Default)]
struct Slot {
    tally: Tally,
    seen: u64,
}

/// Where a finding is counted: its kind's index, and its row in `fields`, or `None` for its
/// kind's other-fields row.
#[derive(Clone, Copy)]
struct Place {
    kind: u32,
    field: Option<u32>,
}

struct Cached {
    /// Held so that no other name can take the address the place is cached under.
    _name: Option<Arc<str>>,
    place: Place,
}

impl Default for Exposure {
    fn default() -> Exposure {
        let mut exposure = Exposure {
            inputs: 0,
            kinds: Vec::new(),
            by_kind: Vec::new(),
            other_fields: Vec::new(),
            names: Vec::new(),
            name_ids: FxHashMap::default(),
            fields: Vec::new(),
            field_ids: FxHashMap::default(),
            places: FxHashMap::default(),
            exact_room: EXACT_BUDGET,
            records: 0,
            current: None,
            current_fields: Vec::new(),
            profiles: 0,
            combinations: FxHashMap::default(),
            other_combinations: 0,
            errors: Vec::new(),
        };
        assert_eq!(exposure.intern(TEXT), TEXT_ID);
        assert_eq!(exposure.intern(OTHER_FIELDS), OTHER_ID);
        exposure
    }
}

impl Exposure {
    pub fn new() -> Exposure {
        Exposure::default()
    }

    /// Closes the last record and builds the report.
    pub fn report(mut self, stats: &Stats) -> Report {
        self.close_record();
        let Exposure {
            kinds,
            by_kind,
            other_fields,
            names,
            fields,
            combinations,
            other_combinations,
            profiles,
            records,
            ..
        } = self;
        let mut by_kind: Vec<(Kind, Tally, Option<Slot>)> = kinds
            .into_iter()
            .zip(by_kind)
            .zip(other_fields)
            .map(|((kind, tally), other)| (kind, tally, other))
            .collect();
        by_kind.sort_by_key(|(kind, _, _)| *kind);
        let kind_rows = by_kind
            .iter_mut()
            .map(|(kind, tally, _)| tally.row(*kind, None));
        let kinds = ByKind::split(kind_rows);
        let name = |id: u32| &*names[id as usize];
        let mut rows: Vec<Row> = fields
            .into_iter()
            .map(|mut f| {
                f.slot
                    .tally
                    .row(f.kind, f.name.map(|id| name(id).to_string()))
            })
            .collect();
        // The other-fields rows last: the sort below is stable, and a kind's other-fields row
        // and its free-text row (both without a field) come in this order when they tie.
        rows.extend(by_kind.iter_mut().filter_map(|(kind, _, other)| {
            other.as_mut().map(|slot| Row {
                other_fields: true,
                ..slot.tally.row(*kind, None)
            })
        }));
        rows.sort_by(Row::report_order);
        let mut combinations: Vec<Combination> = combinations
            .into_iter()
            .map(|((kind, field, at, at_field), records)| Combination {
                fields: vec![
                    format!("{kind}@{}", name(field)),
                    format!("{at}@{}", name(at_field)),
                ],
                records,
            })
            .collect();
        Combination::order_for_report(&mut combinations, other_combinations);
        Report {
            bytes: stats.bytes,
            files: stats.files,
            errors: stats.errors,
            malformed_json: stats.malformed_json,
            ..kinds.into_report(records, rows, profiles, combinations)
        }
    }

    /// The record of a finding on `line` of the current input, as (input number, line); a new
    /// one closes the record before.
    fn record(&mut self, line: u64) -> (usize, u64) {
        let record = (self.inputs, line);
        if self.current != Some(record) {
            self.close_record();
            self.current = Some(record);
            self.records += 1;
        }
        record
    }

    /// Where a finding of `kind` under `field` is counted, worked out by [`Exposure::resolve`]
    /// once per shared name: the engine shares one `Arc` among the findings of a field in a
    /// chunk, so its address names the field until the cache lets go of it.
    fn place(&mut self, kind: Kind, field: Option<&Arc<str>>) -> Place {
        let key = (
            field.map_or(0, |f| Arc::as_ptr(f).cast::<u8>().addr()),
            kind,
        );
        if let Some(cached) = self.places.get(&key) {
            return cached.place;
        }
        let place = self.resolve(kind, field.map(|f| &**f));
        if self.places.len() >= PLACE_CACHE {
            self.places.clear();
        }
        let name = field.cloned();
        self.places.insert(key, Cached { _name: name, place });
        place
    }

    /// Where a finding of `kind` under the raw key path `field` is counted: its kind's row, and
    /// the row of its kind and field pattern, made while there are fewer than [`MAX_FIELDS`].
    /// Once there are that many there will never be fewer, so the answer holds for good.
    fn resolve(&mut self, kind: Kind, field: Option<&str>) -> Place {
        let k = match self.kinds.iter().position(|&k| k == kind) {
            Some(k) => k,
            None => {
                self.kinds.push(kind);
                self.by_kind.push(Tally::default());
                self.other_fields.push(None);
                self.kinds.len() - 1
            }
        };
        let room = self.fields.len() < MAX_FIELDS;
        // Identifiers in key paths do not make fields distinct; keys do. `None` when the
        // pattern is new and has no room.
        let name: Option<Option<u32>> = match field {
            None => Some(None),
            Some(raw) => {
                let pattern = field_pattern(raw);
                match self.name_ids.get(&*pattern) {
                    Some(&id) => Some(Some(id)),
                    None if room => Some(Some(self.intern(&pattern))),
                    None => None,
                }
            }
        };
        let field = name.and_then(|name| match self.field_ids.get(&(kind, name)) {
            Some(&i) => Some(i),
            None if room => {
                let i = self.fields.len() as u32;
                self.fields.push(Field {
                    kind,
                    name,
                    slot: Slot::default(),
                });
                self.field_ids.insert((kind, name), i);
                Some(i)
            }
            None => None,
        });
        Place {
            kind: k as u32,
            field,
        }
    }

    fn intern(&mut self, name: &str) -> u32 {
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.name_ids.insert(name.into(), id);
        id
    }

    /// Counts the record just read as a profile if it combines a direct identifier with a
    /// location or a device.
    fn close_record(&mut self) {
        let identities = self.current_fields.iter().filter(|(k, _)| is_identity(*k));
        let places = self.current_fields.iter().filter(|(k, _)| is_place(*k));
        let pairs = identities.count() * places.count();
        if pairs > 0 {
            self.profiles += 1;
            // Past the cap, the pairs kept are the first in the order of their names: sort them
            // when this record may reach it.
            let kept = self.combinations.len();
            if kept < MAX_COMBINATIONS && kept + pairs > MAX_COMBINATIONS {
                let names = &self.names;
                self.current_fields.sort_by(|(a, a_name), (b, b_name)| {
                    let name = |id: &Option<u32>| id.map(|id| &names[id as usize]);
                    a.cmp(b).then_with(|| name(a_name).cmp(&name(b_name)))
                });
            }
            for &(kind, name) in self.current_fields.iter().filter(|(k, _)| is_identity(*k)) {
                for &(at, at_name) in self.current_fields.iter().filter(|(k, _)| is_place(*k)) {
                    let key = (
                        kind,
                        name.unwrap_or(TEXT_ID),
                        at,
                        at_name.unwrap_or(TEXT_ID),
                    );
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
        self.current_fields.clear();
    }
}

/// Kinds that identify a person directly, in profiles.
fn is_identity(kind: Kind) -> bool {
    kind.role() == Role::Identity
}

/// Kinds that place a person, or name their device, in profiles.
fn is_place(kind: Kind) -> bool {
    matches!(kind.role(), Role::Location | Role::Device)
}

impl Exposure {
    /// Counts one finding of the current input.
    fn add(&mut self, finding: &Finding) {
        let record = self.record(finding.line);
        let place = self.place(finding.kind, finding.field.as_ref());
        let mut unlimited = usize::MAX;
        self.by_kind[place.kind as usize].add(record, finding.fingerprint, &mut unlimited);
        let (slot, name) = match place.field {
            Some(i) => {
                let field = &mut self.fields[i as usize];
                (&mut field.slot, field.name)
            }
            None => (
                self.other_fields[place.kind as usize].get_or_insert_with(Slot::default),
                Some(OTHER_ID),
            ),
        };
        slot.tally
            .add(record, finding.fingerprint, &mut self.exact_room);
        if slot.seen != self.records {
            slot.seen = self.records;
            let seen = (finding.kind, name);
            // The other-fields row and a field named like it are one name in the record.
            if name != Some(OTHER_ID) || !self.current_fields.contains(&seen) {
                self.current_fields.push(seen);
            }
        }
    }
}

impl Sink for Exposure {
    fn begin(&mut self, _input: &InputInfo) -> Flow {
        self.inputs += 1;
        GO_ON
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        for finding in chunk.findings {
            self.add(finding);
        }
        GO_ON
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        if let Problem::Error(error) = problem {
            self.errors.push(error.to_string());
        }
        GO_ON
    }
}

/// A field's key path with identifier-like segments replaced by `*`: `contacts.c1042.email`
/// is `contacts.*.email`, `users[].5f3a9c1e-0b7d-4c1e-9a3b-1c2d3e4f5a6b.city` is
/// `users[].*.city`. See the module documentation for what looks like an identifier.
///
/// Key paths join keys with `.` without escaping them, so an address used as a key spills its
/// domain into the segments after it (`by_email.jane@example.org.city`): those that look like
/// domain labels go into the `*` too, but never the last segment, which names the value.
pub fn field_pattern(path: &str) -> Cow<'_, str> {
    let name = |segment: &str| segment.trim_end_matches("[]").len();
    if !path.split('.').any(|s| is_identifier(&s[..name(s)])) {
        return Cow::Borrowed(path);
    }
    let segments: Vec<&str> = path.split('.').collect();
    let mut out: Vec<String> = Vec::with_capacity(segments.len());
    let mut i = 0;
    while i < segments.len() {
        let segment = segments[i];
        let key = &segment[..name(segment)];
        i += 1;
        if !is_identifier(key) {
            out.push(segment.to_string());
            continue;
        }
        let mut last = segment;
        if key.as_bytes()[1..].contains(&b'@') {
            while i + 1 < segments.len() && is_domain_label(segments[i]) {
                last = segments[i];
                i += 1;
            }
        }
        out.push(format!("*{}", &last[name(last)..]));
    }
    Cow::Owned(out.join("."))
}

/// A label of a domain name: letters, digits and inner hyphens.
fn is_domain_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// True when a key looks like a value that identifies a record rather than a name chosen by
/// whoever designed the export.
fn is_identifier(key: &str) -> bool {
    let b = key.as_bytes();
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let hex = b.len() >= 8 && digits > 0 && b.iter().all(u8::is_ascii_hexdigit);
    let address = b.iter().skip(1).any(|&c| c == b'@');
    (digits > 0 && digits * 2 >= b.len()) || uuid || hex || address
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn identifier_segments_of_field_paths_become_stars() {
        let cases = [
            ("properties.$email", "properties.$email"),
            ("contacts.c1042.email", "contacts.*.email"),
            ("contacts.c7.email", "contacts.*.email"),
            ("users.42.city", "users.*.city"),
            ("users[].42[].city", "users[].*[].city"),
            ("u.5f3a9c1e-0b7d-4c1e-9a3b-1c2d3e4f5a6b.ip", "u.*.ip"),
            ("sessions.5f3a9c1e0b7d.ip", "sessions.*.ip"),
            ("by_email.jane@example.org.city", "by_email.*.city"),
            ("by_email.jane@mail.example.co.uk.name", "by_email.*.name"),
            ("emails.jane@example.org", "emails.*.org"),
            ("days.2025-11-30.ip", "days.*.ip"),
            // Names chosen by people stay.
            ("address_line1", "address_line1"),
            ("geo.ipv4", "geo.ipv4"),
            ("@timestamp", "@timestamp"),
            ("deadbeef.city", "deadbeef.city"),
            ("utm_source", "utm_source"),
            ("", ""),
        ];
        for (path, want) in cases {
            assert_eq!(field_pattern(path), want, "{path}");
        }
    }

    fn finding(kind: Kind, field: &str, line: u64, fingerprint: u64) -> Finding {
        Finding {
            offset: 0,
            length: 1,
            line,
            column: 1,
            kind,
            field: Some(field.into()),
            masked: "x".into(),
            value: None,
            fingerprint: Some(fingerprint),
            checked: None,
        }
    }

    /// Past `MAX_FIELDS` fields, findings are counted per kind in one other-fields row; no
    /// finding is lost and the rows stay few.
    #[test]
    fn fields_past_the_cap_are_counted_together() {
        let mut exposure = Exposure::new();
        let file = InputInfo {
            path: "f".into(),
            compression: None,
            encoding: None,
        };
        assert!(exposure.begin(&file).is_continue());
        let n = MAX_FIELDS as u64 + 500;
        for i in 0..n {
            // Names of letters only: none looks like an identifier.
            let name: String = (0..4)
                .map(|d| char::from(b'a' + (i / 26u64.pow(d) % 26) as u8))
                .collect();
            let email = finding(Kind::Email, &format!("{name}.email"), i + 1, i);
            let city = finding(Kind::City, &format!("contacts.c{i}.city"), i + 1, i % 3);
            feed(&mut exposure, &file, &[email, city]);
        }
        let report = exposure.report(&Stats::default());
        assert_eq!(report.fields.len(), MAX_FIELDS + 1);
        let total: u64 = report.fields.iter().map(|r| r.occurrences).sum();
        assert_eq!(total, 2 * n);
        let city = report.fields.iter().find(|r| r.kind == Kind::City).unwrap();
        assert_eq!(city.field.as_deref(), Some("contacts.*.city"));
        assert_eq!((city.occurrences, city.distinct.value), (n, 3));
        let other: Vec<&Row> = report.fields.iter().filter(|r| r.other_fields).collect();
        assert_eq!(other.len(), 1);
        assert_eq!(
            (other[0].kind, other[0].field.as_deref()),
            (Kind::Email, None)
        );
        assert_eq!(other[0].occurrences, n - (MAX_FIELDS as u64 - 1));
        assert_eq!(other[0].distinct.value, other[0].occurrences);
        assert!(report.profiles > 0);
    }

    /// The aggregation written from the module documentation alone, sharing none of its code:
    /// sets and maps keyed by strings, every count kept in full, the field pattern worked out
    /// for every finding, the profile pairs named as they are counted. Slow, and obviously
    /// what the documentation says; [`Exposure`] must report the same.
    mod reference {
        use std::collections::{BTreeMap, BTreeSet};

        use super::super::{
            field_pattern, Combination, Count, Report, Row, ESTIMATE_ERROR, MAX_COMBINATIONS,
            MAX_FIELDS,
        };
        use crate::detect::Role;
        use crate::finding::{Finding, Kind};

        /// What one row counts: every occurrence, every record, every value.
        #[derive(Default)]
        struct Counts {
            occurrences: u64,
            records: BTreeSet<(usize, u64)>,
            values: BTreeSet<u64>,
        }

        impl Counts {
            fn count(&mut self, record: (usize, u64), value: u64) {
                self.occurrences += 1;
                self.records.insert(record);
                self.values.insert(value);
            }

            fn row(&self, kind: Kind, field: Option<String>, other_fields: bool) -> Row {
                Row {
                    kind,
                    field,
                    other_fields,
                    occurrences: self.occurrences,
                    records: self.records.len() as u64,
                    distinct: Count {
                        value: self.values.len() as u64,
                        estimated: false,
                    },
                }
            }
        }

        #[derive(Default)]
        pub struct Reference {
            input: usize,
            records: BTreeSet<(usize, u64)>,
            current: Option<(usize, u64)>,
            kinds: BTreeMap<Kind, Counts>,
            /// Rows by kind and field pattern (`None`: free text), in order of first finding.
            fields: Vec<((Kind, Option<String>), Counts)>,
            other_fields: BTreeMap<Kind, Counts>,
            /// The kinds and field names of the record being read.
            record_fields: BTreeSet<(Kind, Option<String>)>,
            profiles: u64,
            pairs: BTreeMap<Vec<String>, u64>,
            other_pairs: u64,
        }

        impl Reference {
            pub fn begin(&mut self) {
                self.input += 1;
            }

            pub fn finding(&mut self, finding: &Finding) {
                let record = (self.input, finding.line);
                if self.current != Some(record) {
                    self.close_record();
                    self.current = Some(record);
                }
                self.records.insert(record);
                let (kind, value) = (finding.kind, finding.fingerprint.unwrap_or(0));
                self.kinds.entry(kind).or_default().count(record, value);
                let key = (
                    kind,
                    finding
                        .field
                        .as_deref()
                        .map(|f| field_pattern(f).into_owned()),
                );
                let name = match self.fields.iter().position(|(k, _)| *k == key) {
                    Some(i) => {
                        self.fields[i].1.count(record, value);
                        key.1
                    }
                    None if self.fields.len() < MAX_FIELDS => {
                        let mut counts = Counts::default();
                        counts.count(record, value);
                        self.fields.push((key.clone(), counts));
                        key.1
                    }
                    None => {
                        self.other_fields
                            .entry(kind)
                            .or_default()
                            .count(record, value);
                        Some("(other fields)".to_string())
                    }
                };
                self.record_fields.insert((kind, name));
            }

            fn close_record(&mut self) {
                let fields = std::mem::take(&mut self.record_fields);
                let identity = |k: Kind| k.role() == Role::Identity;
                let place = |k: Kind| matches!(k.role(), Role::Location | Role::Device);
                let name = |(kind, field): &(Kind, Option<String>)| {
                    format!("{kind}@{}", field.as_deref().unwrap_or("(text)"))
                };
                let ids: Vec<_> = fields.iter().filter(|(k, _)| identity(*k)).collect();
                let ats: Vec<_> = fields.iter().filter(|(k, _)| place(*k)).collect();
                if ids.is_empty() || ats.is_empty() {
                    return;
                }
                self.profiles += 1;
                for id in &ids {
                    for at in &ats {
                        let key = vec![name(id), name(at)];
                        if let Some(n) = self.pairs.get_mut(&key) {
                            *n += 1;
                        } else if self.pairs.len() < MAX_COMBINATIONS {
                            self.pairs.insert(key, 1);
                        } else {
                            self.other_pairs += 1;
                        }
                    }
                }
            }

            pub fn report(mut self) -> Report {
                self.close_record();
                let kind_rows: Vec<Row> = self
                    .kinds
                    .iter()
                    .map(|(&kind, counts)| counts.row(kind, None, false))
                    .collect();
                let count_of = |kind: Kind| {
                    kind_rows
                        .iter()
                        .find(|r| r.kind == kind)
                        .map_or(Count::default(), |r| r.distinct)
                };
                let mut fields: Vec<Row> = self
                    .fields
                    .iter()
                    .map(|((kind, field), counts)| counts.row(*kind, field.clone(), false))
                    .chain(
                        self.other_fields
                            .iter()
                            .map(|(&kind, counts)| counts.row(kind, None, true)),
                    )
                    .collect();
                fields.sort_by_key(|r| {
                    (
                        r.kind,
                        std::cmp::Reverse(r.occurrences),
                        r.field.clone(),
                        r.other_fields,
                    )
                });
                let mut combinations: Vec<Combination> = self
                    .pairs
                    .into_iter()
                    .map(|(fields, records)| Combination { fields, records })
                    .collect();
                combinations.sort_by_key(|c| (std::cmp::Reverse(c.records), c.fields.clone()));
                if self.other_pairs > 0 {
                    combinations.push(Combination {
                        fields: vec!["(other combinations)".to_string()],
                        records: self.other_pairs,
                    });
                }
                Report {
                    bytes: 0,
                    files: 0,
                    errors: 0,
                    malformed_json: 0,
                    records_with_findings: self.records.len() as u64,
                    distinct_emails: count_of(Kind::Email),
                    distinct_account_ids: count_of(Kind::AccountId),
                    direct: kind_rows
                        .iter()
                        .filter(|r| !r.kind.is_quasi())
                        .cloned()
                        .collect(),
                    quasi: kind_rows
                        .iter()
                        .filter(|r| r.kind.is_quasi())
                        .cloned()
                        .collect(),
                    fields,
                    profiles: self.profiles,
                    combinations,
                    estimate_error: ESTIMATE_ERROR,
                }
            }
        }
    }

    /// One finding of a generated stream: file, line, kind, field (a key path, or `None` for
    /// free text), fingerprint.
    type Event = (usize, u64, Kind, Option<String>, u64);

    /// Feeds `findings` of one input to `exposure` as one chunk.
    fn feed(exposure: &mut Exposure, input: &InputInfo, findings: &[Finding]) {
        let chunk = Chunk {
            input,
            base: 0,
            bytes: b"",
            findings,
            judgements: None,
        };
        assert!(exposure.chunk(&chunk).is_continue());
    }

    /// Runs `events` through [`Exposure`] and its slow twin and checks that they report the
    /// same, to the byte. A change of file begins a new input. Field names are shared like
    /// the engine shares them: one `Arc` per name within a chunk of `chunk` findings, a new
    /// one in the next chunk.
    fn assert_same_as_reference(events: &[Event], chunk: usize) -> Report {
        let files: Vec<InputInfo> = ["a.ndjson", "b.ndjson", "c/a.ndjson"]
            .iter()
            .map(|p| InputInfo {
                path: p.to_string(),
                compression: None,
                encoding: None,
            })
            .collect();
        let mut fast = Exposure::new();
        let mut slow = reference::Reference::default();
        let mut file = None;
        for piece in events.chunks(chunk.max(1)) {
            let mut names: HashMap<&str, std::sync::Arc<str>> = HashMap::new();
            let mut findings = Vec::new();
            for (i, (at, line, kind, field, fingerprint)) in piece.iter().enumerate() {
                if file != Some(*at) {
                    if let Some(previous) = file {
                        feed(&mut fast, &files[previous], &std::mem::take(&mut findings));
                    }
                    file = Some(*at);
                    assert!(fast.begin(&files[*at]).is_continue());
                    slow.begin();
                }
                let field = field
                    .as_deref()
                    .map(|f| names.entry(f).or_insert_with(|| f.into()).clone());
                let f = Finding {
                    line: *line,
                    kind: *kind,
                    field,
                    fingerprint: Some(*fingerprint),
                    ..finding(*kind, "", *line, *fingerprint)
                };
                slow.finding(&f);
                findings.push(f);
                if i + 1 == piece.len() {
                    feed(&mut fast, &files[*at], &findings);
                }
            }
        }
        let fast = fast.report(&Stats::default());
        let slow = slow.report();
        let json = |r: &Report| serde_json::to_string_pretty(r).unwrap();
        assert_eq!(json(&fast), json(&slow));
        fast
    }

    /// A name of letters only, different for each `i`: never taken for an identifier.
    fn letters(mut i: usize) -> String {
        let mut name = String::new();
        loop {
            name.push(char::from(b'a' + (i % 26) as u8));
            i /= 26;
            if i == 0 {
                return name;
            }
        }
    }

    /// A small deterministic generator (xorshift), so that large cases need no stored input.
    struct Random(u64);

    impl Random {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// Past the caps on fields and combinations, with fields whose names are those of the
    /// report's own rows (`(text)`, `(other fields)`), identifier-like keys in their thousands,
    /// and a file read twice.
    #[test]
    fn caps_and_odd_names_are_reported_like_the_reference() {
        let identities = [Kind::Email, Kind::PersonName, Kind::Ipv4, Kind::Ipv6];
        let places = [Kind::City, Kind::Country, Kind::Device, Kind::Coordinates];
        let mut random = Random(0x9E37_79B9_7F4A_7C15);
        let mut events = Vec::new();
        let mut line = 0;
        for record in 0..40_000u64 {
            let file = if record < 30_000 {
                0
            } else {
                (record % 3) as usize
            };
            line = if record == 30_000 {
                1
            } else {
                line + 1 + random.below(2)
            };
            for _ in 0..1 + random.below(6) {
                let kind = if random.below(2) == 0 {
                    identities[random.below(4) as usize]
                } else {
                    places[random.below(4) as usize]
                };
                let field = match random.below(40) {
                    0 => None,
                    1 => Some("(text)".to_string()),
                    2 => Some("(other fields)".to_string()),
                    3 => Some(format!(
                        "contacts.c{record}.{}",
                        letters(random.below(9) as usize)
                    )),
                    _ => Some(format!("{}.value", letters(random.below(130) as usize))),
                };
                events.push((file, line, kind, field, random.below(5000)));
            }
        }
        let report = assert_same_as_reference(&events, 700);
        assert!(report.fields.iter().any(|r| r.other_fields));
        assert_eq!(report.combinations.len(), MAX_COMBINATIONS + 1);
    }

    /// A kind's free-text row and its other-fields row, both without a field name, tie on
    /// their occurrences: the free-text row comes first.
    #[test]
    fn free_text_and_other_fields_rows_tie_like_the_reference() {
        let mut events: Vec<Event> = vec![(0, 1, Kind::Email, None, 0)];
        events.extend((1..MAX_FIELDS).map(|i| (0, i as u64 + 1, Kind::Email, Some(letters(i)), 0)));
        let line = MAX_FIELDS as u64 + 1;
        events.push((0, line, Kind::Email, Some(letters(MAX_FIELDS)), 1));
        events.push((0, line, Kind::Email, None, 1));
        events.push((0, line + 1, Kind::Email, Some(letters(MAX_FIELDS + 1)), 2));
        let report = assert_same_as_reference(&events, 100);
        let first: Vec<(Option<&str>, bool, u64)> = report.fields[..2]
            .iter()
            .map(|r| (r.field.as_deref(), r.other_fields, r.occurrences))
            .collect();
        assert_eq!(first, [(None, false, 2), (None, true, 2)]);
    }

    proptest::proptest! {
        /// Any stream of findings, in any order of files and lines.
        #[test]
        fn any_stream_is_reported_like_the_reference(
            events in proptest::collection::vec(
                (0..3usize, 1..6u64, 0..Kind::ALL.len(), 0..12usize, 0..20u64),
                0..300,
            ),
            chunk in 1..50usize,
        ) {
            let fields = [
                None,
                Some("(text)"),
                Some("(other fields)"),
                Some("a.email"),
                Some("a.city"),
                Some("contacts.c1.email"),
                Some("contacts.c2.email"),
                Some("contacts.*.email"),
                Some("by_email.jane@example.org.city"),
                Some("by_email.joe@example.org.city"),
                Some("device"),
                Some(""),
            ];
            let mut events: Vec<Event> = events
                .into_iter()
                .map(|(file, line, kind, field, fingerprint)| {
                    (file, line, Kind::ALL[kind], fields[field].map(str::to_string), fingerprint)
                })
                .collect();
            // As the engine emits them: within an input, lines never go back.
            for run in events.chunk_by_mut(|a, b| a.0 == b.0) {
                run.sort_by_key(|e| e.1);
            }
            assert_same_as_reference(&events, chunk);
        }
    }

    /// A shared budget of kept fingerprints sends the fields that would exceed it to their
    /// estimates, and those estimates stay within their error.
    #[test]
    fn exact_counts_share_a_budget() {
        let mut room = 1000;
        let (mut a, mut b) = (Distinct::default(), Distinct::default());
        for i in 0..900u64 {
            a.insert_within(i, &mut room);
        }
        assert_eq!(room, 100);
        for i in 0..5000u64 {
            b.insert_within(i.wrapping_mul(0x9E37_79B9_7F4A_7C15), &mut room);
        }
        assert_eq!(room, 100, "b gave back what it kept when it switched");
        assert!(!a.count().estimated && b.count().estimated);
        let error = (b.count().value as f64 - 5000.0).abs() / 5000.0;
        assert!(error < 5.0 * ESTIMATE_ERROR, "{:?}", b.count());
    }

    /// An estimate above the occurrences is reported as the occurrences.
    #[test]
    fn distinct_never_exceeds_occurrences() {
        let mut tally = Tally::default();
        let mut room = usize::MAX;
        for i in 0..(EXACT_LIMIT as u64 + 2000) {
            tally.add(
                (0, i),
                Some(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                &mut room,
            );
        }
        let row = tally.row(Kind::Email, None);
        assert!(row.distinct.estimated);
        assert!(row.distinct.value <= row.occurrences, "{row:?}");
    }

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

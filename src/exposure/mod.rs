//! Aggregation: from findings to "what would leak, and for how many people".
//!
//! A breach notice is written per field and per person, not per regex hit, so findings are
//! folded into, per kind and per field (JSON key path or CSV column): occurrences, records
//! (lines) touched, and distinct values. Distinct values are counted from fingerprints (keyed
//! hashes, see [`crate::scan::Config::fingerprints`]), exactly up to [`EXACT_LIMIT`] values per
//! field and then with a HyperLogLog sketch whose standard error is stated in the report, so
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

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::detect::Role;
use crate::finding::{Finding, Kind};
use crate::sink::{Chunk, Flow, InputEnd, InputInfo, Problem, Sink, SkippedList, Stats, GO_ON};

mod distinct;
mod fields;
mod partial;
mod rows;
#[cfg(test)]
mod tests;

pub use distinct::{Count, Distinct};
pub use fields::field_pattern;
pub use partial::{
    key_check, key_from_secret, GateAllowed, GateBaseline, GateKind, GatePlace, GateState, Partial,
    PartialError, PartialStats, PARTIAL_FORMAT, PARTIAL_VERSION,
};
pub use rows::{About, Combination, InputRow, Report, Row};
use rows::{ByKind, RowCounts};

/// Distinct values counted exactly per field, before switching to an estimate.
pub const EXACT_LIMIT: usize = 1 << 16;
/// HyperLogLog precision: 2^14 registers, a standard error of 1.04 / sqrt(2^14) ≈ 0.81%.
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
/// At most this many inputs are listed one by one in the report; the rest count in the totals.
pub const MAX_INPUTS: usize = 10_000;
/// The name under which the fields past [`MAX_FIELDS`] are counted in profiles.
const OTHER_FIELDS: &str = "(other fields)";

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
    by_kind: Vec<RowCounts>,
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
    current_fields: Vec<Seen>,
    /// The identifiers and the places of `current_fields` when its record closes, kept to
    /// reuse their memory.
    pairing: (Vec<Seen>, Vec<Seen>),
    profiles: u64,
    /// Profile pairs: the identifier's kind and name id, then the location's or device's.
    combinations: FxHashMap<Pair, u64>,
    other_combinations: u64,
    /// Errors seen while scanning, passed on to this sink's user.
    pub errors: Vec<String>,
    /// Inputs not scanned, for the report to list.
    skipped: SkippedList,
    /// The inputs read, the first [`MAX_INPUTS`], and how many more.
    input_rows: Vec<InputRow>,
    inputs_not_listed: u64,
}

/// The display names of the vendor field packs whose own keys end one of `names` (field
/// patterns such as `properties.$city`), in the order of `structure::keys::PACKS`.
fn field_packs<'n>(names: impl Iterator<Item = &'n str>) -> Vec<String> {
    use crate::structure::keys;
    const DISPLAY: &[(&str, &str)] = &[
        ("mixpanel", "Mixpanel"),
        ("amplitude", "Amplitude"),
        ("segment", "Segment"),
        ("posthog", "PostHog"),
        ("ga4", "Google Analytics 4 (BigQuery export)"),
        ("snowplow", "Snowplow"),
        ("heap", "Heap"),
        ("rudderstack", "RudderStack"),
    ];
    let mut bits = 0u32;
    for name in names {
        bits |= keys::packs_of_path(name);
    }
    keys::PACKS
        .iter()
        .enumerate()
        .filter(|(i, _)| bits >> i & 1 == 1)
        .map(|(_, (id, _))| {
            let display = DISPLAY.iter().find(|(d, _)| d == id);
            display.map_or(*id, |(_, name)| name).to_string()
        })
        .collect()
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

/// A kind and the name id of its field (`None`: free text), as a record's profile pairs them.
type Seen = (Kind, Option<u32>);

/// A row per kind and field.
struct Field {
    kind: Kind,
    name: Option<u32>,
    slot: Slot,
}

/// A tally, and the number of the record in which it was last counted.
#[derive(Default)]
struct Slot {
    tally: RowCounts,
    seen: u64,
}

/// Where a finding is counted: its kind's index, and its row in `fields`, or `None` for its
/// kind's other-fields row.
#[derive(Clone, Copy)]
struct RowRef {
    kind: u32,
    field: Option<u32>,
}

struct Cached {
    /// Held so that no other name can take the address the place is cached under.
    _name: Option<Arc<str>>,
    place: RowRef,
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
            pairing: (Vec::new(), Vec::new()),
            profiles: 0,
            combinations: FxHashMap::default(),
            other_combinations: 0,
            errors: Vec::new(),
            skipped: SkippedList::default(),
            input_rows: Vec::new(),
            inputs_not_listed: 0,
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
        self.kind_counts();
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
            skipped,
            input_rows,
            inputs_not_listed,
            errors,
            ..
        } = self;
        let mut by_kind: Vec<(Kind, RowCounts, Option<Slot>)> = kinds
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
            .map(|f| {
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
            .map(|(pair, records)| (pair.parts(), records))
            .map(|((kind, field, at, at_field), records)| Combination {
                fields: vec![
                    format!("{kind}@{}", name(field)),
                    format!("{at}@{}", name(at_field)),
                ],
                records,
            })
            .collect();
        Combination::order_for_report(&mut combinations, other_combinations);
        let field_packs = field_packs(names.iter().skip(OTHER_ID as usize + 1).map(|n| &**n));
        Report {
            inputs: input_rows,
            inputs_not_listed,
            field_packs,
            bytes: stats.bytes,
            files: stats.files,
            errors: stats.errors,
            unread: errors,
            skipped: skipped.listed,
            skipped_not_listed: skipped.unlisted,
            skipped_failing: skipped.failing,
            malformed_json: stats.malformed_json,
            ..kinds.into_report(records, rows, profiles, combinations)
        }
    }

    /// Adds each field's distinct values to its kind's. A finding's fingerprint is counted in
    /// its field's row alone, and every finding has one (a field, its kind's other-fields row,
    /// or free text), so the union of a kind's rows is the count of its values. Unions and
    /// sketches' maxima are idempotent: a kind already holding counts merged from a partial
    /// report (which made them this way) holds the same after.
    ///
    /// The union is exact while it fits [`EXACT_LIMIT`], as a set fed every value would be,
    /// unless a field already counts by estimate, having run out of [`EXACT_BUDGET`]: its
    /// kind then estimates too.
    fn kind_counts(&mut self) {
        for field in &self.fields {
            if let Some(k) = self.kinds.iter().position(|&k| k == field.kind) {
                self.by_kind[k].union_distinct(&field.slot.tally);
            }
        }
        for (counts, other) in self.by_kind.iter_mut().zip(&self.other_fields) {
            if let Some(slot) = other {
                counts.union_distinct(&slot.tally);
            }
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
            if let Some(row) = self.current_input() {
                row.records += 1;
            }
        }
        record
    }

    /// Where a finding of `kind` under `field` is counted, worked out by [`Exposure::resolve`]
    /// once per shared name: the engine shares one `Arc` among the findings of a field in a
    /// chunk, so its address names the field until the cache lets go of it.
    fn place(&mut self, kind: Kind, field: Option<&Arc<str>>) -> RowRef {
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
    fn resolve(&mut self, kind: Kind, field: Option<&str>) -> RowRef {
        let k = self.kind_index(kind);
        // Identifiers in key paths do not make fields distinct; keys do.
        let pattern = field.map(field_pattern);
        let field = self.field_row(kind, pattern.as_deref());
        RowRef {
            kind: k as u32,
            field,
        }
    }

    /// The row of the input being read, when it is listed.
    fn current_input(&mut self) -> Option<&mut InputRow> {
        if self.inputs <= MAX_INPUTS {
            self.input_rows.last_mut()
        } else {
            None
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
        // Each field's role looked up once: the pairs below visit every field many times.
        let (mut identities, mut places) = std::mem::take(&mut self.pairing);
        identities.clear();
        places.clear();
        for &field in &self.current_fields {
            if is_identity(field.0) {
                identities.push(field);
            } else if is_place(field.0) {
                places.push(field);
            }
        }
        let pairs = identities.len() * places.len();
        if pairs > 0 {
            self.profiles += 1;
            // Past the cap, the pairs kept are the first in the order of their names: sort them
            // when this record may reach it.
            let kept = self.combinations.len();
            if kept < MAX_COMBINATIONS && kept + pairs > MAX_COMBINATIONS {
                let names = &self.names;
                let by_name = |(a, a_name): &Seen, (b, b_name): &Seen| {
                    let name = |id: &Option<u32>| id.map(|id| &names[id as usize]);
                    a.cmp(b).then_with(|| name(a_name).cmp(&name(b_name)))
                };
                identities.sort_by(by_name);
                places.sort_by(by_name);
            }
            for &(kind, name) in &identities {
                for &(at, at_name) in &places {
                    let key = Pair::new(
                        kind,
                        name.unwrap_or(TEXT_ID),
                        at,
                        at_name.unwrap_or(TEXT_ID),
                    )
                    .expect("built-in kinds pair in profiles");
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
        self.pairing = (identities, places);
        self.current_fields.clear();
    }
}

/// A profile pair as one word, the key of the map that counts them: the kind and field name id
/// of the identifier, then of the location or device (one multiplication to hash, where the
/// four parts took one each and a look at each kind's variant).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Pair(u64);

impl Pair {
    /// The bits of a name id: names are interned only while there are fewer than
    /// [`MAX_FIELDS`] fields.
    const NAME_BITS: u32 = 27;

    /// `None` for a policy's kind, which plays no part in profiles (its role is
    /// [`Role::Other`]), or a name id past [`Pair::NAME_BITS`].
    fn new(kind: Kind, name: u32, at: Kind, at_name: u32) -> Option<Pair> {
        let part = |kind: Kind, name: u32| {
            (!kind.is_custom() && name >> Self::NAME_BITS == 0)
                .then(|| (kind.slot() as u64) << Self::NAME_BITS | u64::from(name))
        };
        Some(Pair(part(kind, name)? << 32 | part(at, at_name)?))
    }

    fn parts(self) -> (Kind, u32, Kind, u32) {
        let part = |bits: u64| {
            let kind = Kind::ALL[(bits >> Self::NAME_BITS) as usize];
            (kind, (bits & ((1 << Self::NAME_BITS) - 1)) as u32)
        };
        let ((kind, name), (at, at_name)) = (part(self.0 >> 32), part(self.0 & 0xffff_ffff));
        (kind, name, at, at_name)
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
        if let Some(row) = self.current_input() {
            row.count(finding.kind);
        }
        let place = self.place(finding.kind, finding.field.as_ref());
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
        // The kind's distinct values are its fields' together, made when the counts are read
        // ([`Exposure::kind_counts`]): one set look-up a finding, not two.
        self.by_kind[place.kind as usize].count(record);
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
    fn begin(&mut self, input: &InputInfo) -> Flow {
        self.inputs += 1;
        if self.inputs <= MAX_INPUTS {
            self.input_rows.push(InputRow {
                path: input.path.clone(),
                ..InputRow::default()
            });
        } else {
            self.inputs_not_listed += 1;
        }
        GO_ON
    }

    fn end(&mut self, _input: &InputInfo, end: &InputEnd) -> Flow {
        if let Some(row) = self.current_input() {
            row.bytes = end.bytes;
        }
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
            if self.errors.len() < MAX_INPUTS {
                self.errors.push(error.to_string());
            }
        }
        self.skipped.add(problem);
        GO_ON
    }
}

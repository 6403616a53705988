//! Partial reports: the state of an [`Exposure`] written out, so that reports of parts of an
//! export (shards, Spark partitions, worker threads) merge into the report of all of it.
//!
//! Everything the final [`Report`] is made of is a sum, a union or a maximum over records,
//! and a record (one line of one input) never spans two parts, since parts are made of whole
//! inputs: occurrences, records, profiles and combinations add up; exact distinct counts are
//! unions of fingerprint sets; estimated ones are the register-wise maximum of their sketches,
//! which is the sketch one pass over all the fingerprints makes. So below the caps (see
//! `docs/partial.md`), merged parts give the report one run gives, estimates included.
//!
//! A partial holds counts, field names (key patterns), input paths, error messages, and
//! fingerprints: keyed hashes of values (SipHash-2-4 under a 128-bit key derived from the
//! fingerprint secret), never a value, raw or masked. Fingerprints are only comparable under
//! one key, so a partial records a check value of its key (a hash of the key with a fixed
//! label, from which the key cannot be found) and parts with different keys are refused.

use std::io;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::rows::RowCounts;
use super::{About, MAX_FIELDS, OTHER_ID, TEXT, TEXT_ID};
use super::{Exposure, Field, InputRow, Kind, Pair, Report, Slot, MAX_COMBINATIONS, MAX_INPUTS};
use crate::sink::{SkippedInput, SkippedList, Stats};

/// What the `format` member of a partial says.
pub const PARTIAL_FORMAT: &str = "piiscan-partial";
/// The version of the partial format this build writes and reads; any change of meaning
/// or layout makes a new one, and parts of other versions are refused.
pub const PARTIAL_VERSION: u32 = 2;

/// The state of an [`Exposure`] (see the module documentation).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Inputs begun.
    inputs: u64,
    /// Records (lines) with at least one finding.
    records: u64,
    profiles: u64,
    kinds: Vec<KindState>,
    fields: Vec<FieldState>,
    combinations: Vec<CombinationState>,
    other_combinations: u64,
    input_rows: Vec<InputRow>,
    inputs_not_listed: u64,
    errors: Vec<String>,
    skipped: Vec<SkippedInput>,
    skipped_not_listed: u64,
    skipped_failing: u64,
}

/// A kind's counts over all its fields, and over the fields past [`MAX_FIELDS`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindState {
    kind: Kind,
    counts: RowCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    other_fields: Option<RowCounts>,
}

/// A row per kind and field pattern (`None`: free text).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldState {
    kind: Kind,
    field: Option<String>,
    counts: RowCounts,
}

/// A pair of an identifier's field and a location's or device's, and the records with both.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CombinationState {
    identity: Kind,
    identity_field: String,
    place: Kind,
    place_field: String,
    records: u64,
}

/// The counters of the scan that the report quotes or that decide the exit code.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialStats {
    pub files: u64,
    pub bytes: u64,
    pub errors: u64,
    pub skipped: u64,
    pub skipped_binary: u64,
    pub findings: u64,
    pub malformed_json: u64,
    pub stopped: bool,
}

impl PartialStats {
    fn of(stats: &Stats) -> PartialStats {
        PartialStats {
            files: stats.files,
            bytes: stats.bytes,
            errors: stats.errors,
            skipped: stats.skipped,
            skipped_binary: stats.skipped_binary,
            findings: stats.findings,
            malformed_json: stats.malformed_json,
            stopped: stats.stopped,
        }
    }

    fn add(&mut self, other: &PartialStats) {
        let sum = |a: &mut u64, b: u64| *a = a.saturating_add(b);
        sum(&mut self.files, other.files);
        sum(&mut self.bytes, other.bytes);
        sum(&mut self.errors, other.errors);
        sum(&mut self.skipped, other.skipped);
        sum(&mut self.skipped_binary, other.skipped_binary);
        sum(&mut self.findings, other.findings);
        sum(&mut self.malformed_json, other.malformed_json);
        self.stopped |= other.stopped;
    }

    /// The scan's statistics as the jobs read them (no timings).
    pub fn stats(&self) -> Stats {
        Stats {
            files: self.files,
            bytes: self.bytes,
            errors: self.errors,
            skipped: self.skipped,
            skipped_binary: self.skipped_binary,
            findings: self.findings,
            malformed_json: self.malformed_json,
            stopped: self.stopped,
            ..Stats::default()
        }
    }
}

/// A partial exposure report: see the module documentation and `docs/partial.md`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partial {
    /// Always [`PARTIAL_FORMAT`].
    pub format: String,
    /// [`PARTIAL_VERSION`] of the build that wrote it.
    pub version: u32,
    /// The piiscan version that wrote it (for the reader; not checked).
    pub piiscan: String,
    /// The check value of the fingerprint key ([`key_check`]), `None` when the key was drawn
    /// for the run (such a part merges with nothing).
    pub key_check: Option<String>,
    /// The paths scanned, printable, in the order named (merged: the union, in order).
    pub roots: Vec<String>,
    /// The kinds looked for (merged: the union).
    pub kinds: Vec<Kind>,
    pub stats: PartialStats,
    exposure: State,
    /// What a gate counted over the same findings, when the part was made with a policy
    /// (`report --partial --policy FILE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateState>,
}

/// A gate's counts over a part, for `merge` to judge all parts as one gate run would: the
/// policy's rules for the kinds found (so that no policy file is needed to merge), per kind
/// the findings new, known and allowed, and where the new ones are (no example: a partial
/// holds no value, masked or not); per allowlist entry its findings; per ignored kind its
/// findings; and what the baseline accepted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateState {
    /// SHA-256 of the policy file, hexadecimal (`built-in` for the default policy): parts
    /// judged by other policies do not merge.
    pub policy: String,
    /// The policy as a verdict names it (`piiscan.toml`, `built-in default`).
    pub source: String,
    pub kinds: Vec<GateKind>,
    pub allowed: Vec<GateAllowed>,
    pub ignored: Vec<(Kind, u64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<GateBaseline>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateKind {
    pub kind: Kind,
    /// The policy's rule for the kind.
    pub action: crate::finding::Action,
    pub threshold: u64,
    /// What a custom kind is, as its detector says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub new: u64,
    pub known: u64,
    pub allowed: u64,
    pub places: Vec<GatePlace>,
}

/// New findings of a kind in one file and field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatePlace {
    pub path: String,
    pub field: Option<String>,
    pub count: u64,
    /// The line of the first one.
    pub line: u64,
}

/// Findings an allowlist entry accepted: the entry's position in the policy and its label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateAllowed {
    pub entry: u32,
    pub label: String,
    pub count: u64,
}

/// The baseline a part was judged with. Its fingerprints hold the path of their file, and a
/// file is in one part only, so what the parts accepted adds up to what one run accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateBaseline {
    /// The file as named, printable.
    pub path: String,
    /// SHA-256 of the file, hexadecimal: parts judged with other baselines do not merge.
    pub digest: String,
    /// Occurrences it accepts, and those it accepted in this part (merged: summed).
    pub total: u64,
    pub known: u64,
}

impl GateState {
    /// Whether `other` was judged by the same policy and baseline, so that they add up.
    fn judged_alike(&self, other: &GateState) -> bool {
        let digest = |b: &Option<GateBaseline>| b.as_ref().map(|b| b.digest.clone());
        other.policy == self.policy && digest(&other.baseline) == digest(&self.baseline)
    }

    /// Adds the counts of another part judged alike ([`GateState::judged_alike`]).
    fn merge(&mut self, other: GateState) {
        if let (Some(ours), Some(theirs)) = (&mut self.baseline, other.baseline) {
            ours.known = ours.known.saturating_add(theirs.known);
        }
        for k in other.kinds {
            match self.kinds.iter_mut().find(|ours| ours.kind == k.kind) {
                None => self.kinds.push(k),
                Some(ours) => {
                    ours.new = ours.new.saturating_add(k.new);
                    ours.known = ours.known.saturating_add(k.known);
                    ours.allowed = ours.allowed.saturating_add(k.allowed);
                    for place in k.places {
                        let same =
                            |p: &&mut GatePlace| p.path == place.path && p.field == place.field;
                        match ours.places.iter_mut().find(same) {
                            Some(p) => p.count = p.count.saturating_add(place.count),
                            None => ours.places.push(place),
                        }
                    }
                }
            }
        }
        self.kinds.sort_by_key(|k| k.kind);
        for a in other.allowed {
            match self.allowed.iter_mut().find(|ours| ours.entry == a.entry) {
                Some(ours) => ours.count = ours.count.saturating_add(a.count),
                None => self.allowed.push(a),
            }
        }
        self.allowed.sort_by_key(|a| a.entry);
        for (kind, count) in other.ignored {
            match self.ignored.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, ours)) => *ours = ours.saturating_add(count),
                None => self.ignored.push((kind, count)),
            }
        }
        self.ignored.sort();
    }
}

/// Why partials cannot be read or merged. The caller names the file.
#[derive(Debug, Error)]
pub enum PartialError {
    #[error("not a piiscan partial report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not a piiscan partial report (its format is '{0}', not '{PARTIAL_FORMAT}')")]
    Format(String),
    #[error(
        "a partial report of format version {0}, and this piiscan reads version \
         {PARTIAL_VERSION} only: make all parts with the same piiscan version"
    )]
    Version(u32),
    #[error(
        "made without a fingerprint key, so its distinct counts cannot be merged with any \
         other part: make every part with the same PIISCAN_FINGERPRINT_KEY or --key-file"
    )]
    NoKey,
    #[error(
        "made with another fingerprint key than the parts before it (key check {found}, not \
         {expected}): its distinct values cannot be compared with theirs; make every part with \
         the same PIISCAN_FINGERPRINT_KEY or --key-file"
    )]
    KeyMismatch { found: String, expected: String },
    #[error(
        "judged by another policy or baseline than the parts before it, or judged where they \
         were not (or not where they were): make every part with the same `report --partial` \
         options (--gate, --policy FILE, --baseline FILE)"
    )]
    GateMismatch,
}

/// The label that makes the keys of distinct counts a use of the secret of their own: the
/// same secret keys baselines and SARIF fingerprints by HMAC, never these hashes directly.
const DISTINCT_KEY_LABEL: &[u8] = b"piiscan exposure distinct counts v1\0";

/// The key of distinct counts (and of a partial's fingerprints) made from a secret: the first
/// 16 bytes of SHA-256 over a label and the secret. The caller checks the secret's length.
pub fn key_from_secret(secret: &[u8]) -> [u64; 2] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(DISTINCT_KEY_LABEL)
        .chain_update(secret)
        .finalize();
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&digest[i * 8..i * 8 + 8]);
        u64::from_le_bytes(w)
    };
    [word(0), word(1)]
}

/// The check value of a fingerprint key: the first 8 bytes of SHA-256 over a fixed label and
/// the key, as 16 hexadecimal digits. It tells keys apart and gives none away (the key itself
/// is a SHA-256 digest of the secret).
pub fn key_check(key: [u64; 2]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"piiscan partial key check v1\0")
        .chain_update(key[0].to_le_bytes())
        .chain_update(key[1].to_le_bytes())
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

impl Partial {
    /// Writes the partial as one JSON object.
    pub fn write_json(&self, out: &mut dyn io::Write) -> io::Result<()> {
        serde_json::to_writer(&mut *out, self)?;
        out.write_all(b"\n")
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a partial, refusing other formats and versions (checked before the rest is read,
    /// so that a part of another version is named as such, not as malformed).
    pub fn from_json(json: &str) -> Result<Partial, PartialError> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<String>,
            version: Option<u32>,
            #[serde(default)]
            kinds: Vec<String>,
        }
        let head: Head = serde_json::from_str(json)?;
        let format = head.format.unwrap_or_default();
        if format != PARTIAL_FORMAT {
            return Err(PartialError::Format(format));
        }
        if head.version != Some(PARTIAL_VERSION) {
            return Err(PartialError::Version(head.version.unwrap_or(0)));
        }
        // The kinds looked for name a policy's custom kinds, which the rest may name: known
        // to this process first, so that parts judged by a policy merge without it. As a
        // policy's, a custom kind's name is a few lower-case letters, digits and `_`.
        let custom = |name: &&String| {
            Kind::from_name(name).is_none()
                && (1..=64).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        for name in head.kinds.iter().filter(custom).take(1024) {
            crate::detect::CustomKind::intern(name);
        }
        Ok(serde_json::from_str(json)?)
    }

    /// Adds `other`, a partial of other inputs made under the same key, after this one.
    pub fn merge(&mut self, other: Partial) -> Result<(), PartialError> {
        let (Some(ours), Some(theirs)) = (&self.key_check, &other.key_check) else {
            return Err(PartialError::NoKey);
        };
        if ours != theirs {
            return Err(PartialError::KeyMismatch {
                found: theirs.clone(),
                expected: ours.clone(),
            });
        }
        match (&self.gate, &other.gate) {
            (Some(ours), Some(theirs)) if ours.judged_alike(theirs) => {}
            (None, None) => {}
            _ => return Err(PartialError::GateMismatch),
        }
        for root in other.roots {
            if !self.roots.contains(&root) {
                self.roots.push(root);
            }
        }
        for kind in other.kinds {
            if !self.kinds.contains(&kind) {
                self.kinds.push(kind);
            }
        }
        self.kinds.sort();
        self.stats.add(&other.stats);
        if let (Some(ours), Some(theirs)) = (&mut self.gate, other.gate) {
            ours.merge(theirs);
        }
        let mut exposure = Exposure::from_state(std::mem::replace(
            &mut self.exposure,
            Exposure::new().into_state(),
        ));
        exposure.absorb(other.exposure);
        self.exposure = exposure.into_state();
        Ok(())
    }

    /// The scan's statistics over the parts.
    pub fn stats(&self) -> Stats {
        self.stats.stats()
    }

    /// The exposure report; `about.generated` is left for the caller to fill in.
    ///
    /// The inputs (and the inputs skipped) are listed in the order one run over the roots
    /// reads them: by root, in the order named, then by path, a folder's entries sorted by
    /// name as the walk sorts them; an archive's members stay in their order after it.
    pub fn report(mut self) -> Report {
        let stats = self.stats.stats();
        let roots = &self.roots;
        self.exposure
            .input_rows
            .sort_by_cached_key(|row| walk_order(roots, &row.path));
        self.exposure
            .skipped
            .sort_by_cached_key(|skipped| walk_order(roots, &skipped.path));
        let mut report = Exposure::from_state(self.exposure).report(&stats);
        report.about = About {
            version: env!("CARGO_PKG_VERSION").to_string(),
            generated: String::new(),
            roots: self.roots,
            kinds: self.kinds,
            keyed: self.key_check.is_some(),
        };
        report
    }
}

/// Where a walk of `roots` meets the input shown as `path`: the index of its root, then its
/// path's components (a member of an archive sorts as its archive; the sort is stable).
fn walk_order(roots: &[String], path: &str) -> (usize, Vec<String>) {
    let file = path.split('!').next().unwrap_or(path);
    let root = roots
        .iter()
        .position(|r| {
            file == r
                || file
                    .strip_prefix(r.as_str())
                    .is_some_and(|rest| r.ends_with('/') || rest.starts_with('/'))
        })
        .unwrap_or(roots.len());
    let components = file
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .collect();
    (root, components)
}

impl Exposure {
    /// The partial report of what this aggregation has read: `stats` are the scan's, `key` the
    /// fingerprint key the scan was given (`None` when it drew one). Roots and kinds are left
    /// empty for the caller to fill in.
    pub fn into_partial(self, stats: &Stats, key: Option<[u64; 2]>) -> Partial {
        Partial {
            format: PARTIAL_FORMAT.to_string(),
            version: PARTIAL_VERSION,
            piiscan: env!("CARGO_PKG_VERSION").to_string(),
            key_check: key.map(key_check),
            roots: Vec::new(),
            kinds: Vec::new(),
            stats: PartialStats::of(stats),
            exposure: self.into_state(),
            gate: None,
        }
    }

    /// Adds what `other` read, from inputs after this one's, as if this aggregation had read
    /// them itself (see the module documentation; past the caps, see `docs/partial.md`). Both
    /// must count fingerprints under one key. Call it between inputs: the next input begun is
    /// a new one. Its cost is that of the state (rows, combinations, kept fingerprints,
    /// sketches), whatever the number of findings counted.
    pub fn merge(&mut self, other: Exposure) {
        self.absorb(other.into_state());
    }

    fn from_state(state: State) -> Exposure {
        let mut exposure = Exposure::new();
        exposure.absorb(state);
        exposure
    }

    fn into_state(mut self) -> State {
        self.close_record();
        self.kind_counts();
        let Exposure {
            inputs,
            kinds,
            by_kind,
            other_fields,
            names,
            fields,
            records,
            profiles,
            combinations,
            other_combinations,
            errors,
            skipped,
            input_rows,
            inputs_not_listed,
            ..
        } = self;
        let name = |id: u32| names[id as usize].to_string();
        let kinds = kinds
            .into_iter()
            .zip(by_kind)
            .zip(other_fields)
            .map(|((kind, counts), other)| KindState {
                kind,
                counts,
                other_fields: other.map(|slot| slot.tally),
            })
            .collect();
        let fields = fields
            .into_iter()
            .map(|f| FieldState {
                kind: f.kind,
                field: f.name.map(name),
                counts: f.slot.tally,
            })
            .collect();
        let mut combinations: Vec<CombinationState> = combinations
            .into_iter()
            .map(|(pair, records)| (pair.parts(), records))
            .map(|((identity, field, place, at), records)| CombinationState {
                identity,
                identity_field: name(field),
                place,
                place_field: name(at),
                records,
            })
            .collect();
        combinations.sort_by(|a, b| {
            (a.identity, &a.identity_field, a.place, &a.place_field).cmp(&(
                b.identity,
                &b.identity_field,
                b.place,
                &b.place_field,
            ))
        });
        State {
            inputs: inputs as u64,
            records,
            profiles,
            kinds,
            fields,
            combinations,
            other_combinations,
            input_rows,
            inputs_not_listed,
            errors,
            skipped: skipped.listed,
            skipped_not_listed: skipped.unlisted,
            skipped_failing: skipped.failing,
        }
    }

    /// Adds a state (see [`Exposure::merge`]).
    fn absorb(&mut self, state: State) {
        self.close_record();
        self.current = None;
        self.places.clear();
        for k in state.kinds {
            let i = self.kind_index(k.kind);
            let mut unlimited = usize::MAX;
            self.by_kind[i].merge(k.counts, &mut unlimited);
            if let Some(other) = k.other_fields {
                let slot = self.other_fields[i].get_or_insert_with(Slot::default);
                slot.tally.merge(other, &mut self.exact_room);
            }
        }
        for f in state.fields {
            let i = self.kind_index(f.kind);
            match self.field_row(f.kind, f.field.as_deref()) {
                Some(row) => self.fields[row as usize]
                    .slot
                    .tally
                    .merge(f.counts, &mut self.exact_room),
                None => self.other_fields[i]
                    .get_or_insert_with(Slot::default)
                    .tally
                    .merge(f.counts, &mut self.exact_room),
            }
        }
        self.records = self.records.saturating_add(state.records);
        self.profiles = self.profiles.saturating_add(state.profiles);
        // A name without a row here was counted past MAX_FIELDS: under the other fields.
        let id = |name: &str, ids: &rustc_hash::FxHashMap<Box<str>, u32>| {
            if name == TEXT {
                TEXT_ID
            } else {
                ids.get(name).copied().unwrap_or(OTHER_ID)
            }
        };
        for c in state.combinations {
            let key = Pair::new(
                c.identity,
                id(&c.identity_field, &self.name_ids),
                c.place,
                id(&c.place_field, &self.name_ids),
            );
            // A policy's kind in a pair: not one this build counts (none writes it).
            let Some(key) = key else {
                self.other_combinations = self.other_combinations.saturating_add(c.records);
                continue;
            };
            if let Some(n) = self.combinations.get_mut(&key) {
                *n = n.saturating_add(c.records);
            } else if self.combinations.len() < MAX_COMBINATIONS {
                self.combinations.insert(key, c.records);
            } else {
                self.other_combinations = self.other_combinations.saturating_add(c.records);
            }
        }
        self.other_combinations = self
            .other_combinations
            .saturating_add(state.other_combinations);
        self.inputs = self.inputs.saturating_add(state.inputs as usize);
        let room = MAX_INPUTS.saturating_sub(self.input_rows.len());
        let rows = state.input_rows.len() as u64;
        self.input_rows
            .extend(state.input_rows.into_iter().take(room));
        self.inputs_not_listed = self
            .inputs_not_listed
            .saturating_add(rows.saturating_sub(room as u64))
            .saturating_add(state.inputs_not_listed);
        let room = MAX_INPUTS.saturating_sub(self.errors.len());
        self.errors.extend(state.errors.into_iter().take(room));
        self.skipped.merge(SkippedList {
            listed: state.skipped,
            unlisted: state.skipped_not_listed,
            failing: state.skipped_failing,
        });
    }

    /// The index of `kind` in `kinds`, added if new.
    pub(super) fn kind_index(&mut self, kind: Kind) -> usize {
        match self.kinds.iter().position(|&k| k == kind) {
            Some(k) => k,
            None => {
                self.kinds.push(kind);
                self.by_kind.push(RowCounts::default());
                self.other_fields.push(None);
                self.kinds.len() - 1
            }
        }
    }

    /// The row of `kind` under the field pattern `name` (`None`: free text), made while there
    /// are fewer than [`MAX_FIELDS`]; `None` when it is new and there is no room.
    pub(super) fn field_row(&mut self, kind: Kind, name: Option<&str>) -> Option<u32> {
        let room = self.fields.len() < MAX_FIELDS;
        let name: Option<u32> = match name {
            None => None,
            Some(pattern) => match self.name_ids.get(pattern) {
                Some(&id) => Some(id),
                None if room => Some(self.intern(pattern)),
                None => return None,
            },
        };
        match self.field_ids.get(&(kind, name)) {
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
        }
    }
}

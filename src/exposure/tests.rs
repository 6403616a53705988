//! The aggregation against a twin written from the module documentation alone.

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
        detail: crate::detect::Detail::NONE,
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
        name: "f".into(),
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
        field_pattern, Combination, Count, InputRow, Report, Row, ESTIMATE_ERROR, MAX_COMBINATIONS,
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
        /// Per input: its path, occurrences per kind, lines with an occurrence.
        inputs: Vec<(String, BTreeMap<Kind, u64>, BTreeSet<u64>)>,
    }

    impl Reference {
        pub fn begin(&mut self, path: &str) {
            self.input += 1;
            self.inputs
                .push((path.to_string(), BTreeMap::new(), BTreeSet::new()));
        }

        pub fn finding(&mut self, finding: &Finding) {
            let record = (self.input, finding.line);
            if self.current != Some(record) {
                self.close_record();
                self.current = Some(record);
            }
            self.records.insert(record);
            if let Some((_, kinds, lines)) = self.inputs.last_mut() {
                *kinds.entry(finding.kind).or_default() += 1;
                lines.insert(finding.line);
            }
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
            let inputs = self
                .inputs
                .iter()
                .map(|(path, kinds, lines)| InputRow {
                    path: path.clone(),
                    bytes: 0,
                    occurrences: kinds.values().sum(),
                    records: lines.len() as u64,
                    kinds: kinds.iter().map(|(&k, &n)| (k, n)).collect(),
                })
                .collect();
            Report {
                about: Default::default(),
                inputs,
                inputs_not_listed: 0,
                bytes: 0,
                files: 0,
                errors: 0,
                unread: Vec::new(),
                skipped: Vec::new(),
                skipped_not_listed: 0,
                skipped_failing: 0,
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
                field_packs: Vec::new(),
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
    let mut slow = reference::Reference::default();
    let mut file = None;
    for (at, line, kind, field, fingerprint) in events {
        if file != Some(*at) {
            file = Some(*at);
            slow.begin(FILES[*at]);
        }
        slow.finding(&Finding {
            field: field.as_deref().map(Into::into),
            ..finding(*kind, "", *line, *fingerprint)
        });
    }
    let fast = fed(events, chunk).report(&Stats::default());
    let slow = slow.report();
    let json = |r: &Report| serde_json::to_string_pretty(r).unwrap();
    assert_eq!(json(&fast), json(&slow));
    fast
}

const FILES: [&str; 3] = ["a.ndjson", "b.ndjson", "c/a.ndjson"];

/// `events` fed to a new [`Exposure`]. A change of file begins a new input. Field names are
/// shared like the engine shares them: one `Arc` per name within a chunk of `chunk` findings,
/// a new one in the next chunk.
fn fed(events: &[Event], chunk: usize) -> Exposure {
    let files: Vec<InputInfo> = FILES
        .iter()
        .map(|p| InputInfo {
            path: p.to_string(),
            name: p.to_string(),
            compression: None,
            encoding: None,
        })
        .collect();
    let mut fast = Exposure::new();
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
            findings.push(f);
            if i + 1 == piece.len() {
                feed(&mut fast, &files[*at], &findings);
            }
        }
    }
    fast
}

/// The events cut into parts at the given places, moved to the next change of file (a part
/// is made of whole inputs), each fed to its own [`Exposure`].
fn parts(events: &[Event], cuts: &[usize], chunk: usize) -> Vec<Exposure> {
    let mut starts: Vec<usize> = cuts
        .iter()
        .filter_map(|&cut| (cut.max(1)..events.len()).find(|&i| events[i].0 != events[i - 1].0))
        .collect();
    starts.push(0);
    starts.push(events.len());
    starts.sort_unstable();
    starts.dedup();
    if starts.len() == 1 {
        return vec![Exposure::new()];
    }
    starts
        .windows(2)
        .map(|w| fed(&events[w[0]..w[1]], chunk))
        .collect()
}

/// Merges `parts` in order, in memory and through partial reports written and read back,
/// and checks that both report what one pass over `events` reports, to the byte.
fn assert_merged_like_one_run(events: &[Event], cuts: &[usize], chunk: usize) -> Report {
    let json = |r: &Report| serde_json::to_string_pretty(r).unwrap();
    let one = fed(events, chunk).report(&Stats::default());
    let mut merged = Exposure::new();
    for part in parts(events, cuts, chunk) {
        merged.merge(part);
    }
    assert_eq!(json(&merged.report(&Stats::default())), json(&one));
    let key = Some([1, 2]);
    let mut partial: Option<Partial> = None;
    for part in parts(events, cuts, chunk) {
        let written = part.into_partial(&Stats::default(), key).to_json();
        let read = Partial::from_json(&written).unwrap();
        match &mut partial {
            None => partial = Some(read),
            Some(p) => p.merge(read).unwrap(),
        }
    }
    let mut report = partial.unwrap().report();
    report.about = About::default();
    // A partial's report lists inputs in the order a walk of its roots meets them (the CLI
    // tests check it against one run); these streams read files in any order, and again.
    let mut one_sorted = one.clone();
    for r in [&mut report, &mut one_sorted] {
        r.inputs.sort_by(|a, b| a.path.cmp(&b.path));
    }
    assert_eq!(json(&report), json(&one_sorted));
    one
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

    /// Any stream of findings, cut into parts of whole inputs, merged.
    #[test]
    fn any_split_merges_into_the_report_of_one_run(
        events in proptest::collection::vec(
            (0..3usize, 1..6u64, 0..Kind::ALL.len(), 0..6usize, 0..20u64),
            0..300,
        ),
        cuts in proptest::collection::vec(0..300usize, 0..6),
        chunk in 1..50usize,
    ) {
        let fields = [None, Some("a.email"), Some("a.city"), Some("contacts.c1.email"),
            Some("device"), Some("(text)")];
        let mut events: Vec<Event> = events
            .into_iter()
            .map(|(file, line, kind, field, fingerprint)| {
                (file, line, Kind::ALL[kind], fields[field].map(str::to_string), fingerprint)
            })
            .collect();
        for run in events.chunk_by_mut(|a, b| a.0 == b.0) {
            run.sort_by_key(|e| e.1);
        }
        assert_merged_like_one_run(&events, &cuts, chunk);
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

/// A kind's count, made as the union of its fields' counts, is the count of a set fed every
/// value: exact while the union fits, the same estimate past it, and a field already counting
/// by estimate makes the kind's an estimate.
#[test]
fn the_union_of_fields_counts_like_every_value_counted_once() {
    let spread = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // Each case: the value ranges of the fields.
    let cases: [&[std::ops::Range<u64>]; 4] = [
        &[0..300, 200..700, 650..651],
        &[
            0..(EXACT_LIMIT as u64 - 10),
            100..(EXACT_LIMIT as u64 + 500),
        ],
        &[0..50, 0..(EXACT_LIMIT as u64 * 2), 40..90],
        &[],
    ];
    for ranges in cases {
        let mut every = Distinct::default();
        let mut union = Distinct::default();
        for range in ranges {
            let mut field = Distinct::default();
            for i in range.clone() {
                field.insert(spread(i));
                every.insert(spread(i));
            }
            union.union(&field);
            union.union(&field);
        }
        assert_eq!(union.count(), every.count(), "{ranges:?}");
    }
}

/// A profile pair's word gives back its parts, for every two built-in kinds; a policy's kind
/// or a name id past the bits has no word (a partial report could name one).
#[test]
fn profile_pairs_pack_into_a_word_and_back() {
    let last = (1 << Pair::NAME_BITS) - 1;
    for kind in Kind::ALL {
        for at in Kind::ALL {
            for (name, at_name) in [
                (0, 1),
                (TEXT_ID, OTHER_ID),
                (999, 1000),
                (last, 7),
                (5, last),
            ] {
                let pair = Pair::new(kind, name, at, at_name).expect("built-in kinds");
                assert_eq!(pair.parts(), (kind, name, at, at_name));
            }
        }
    }
    let custom = Kind::Custom(crate::detect::kind::CustomKind::intern("employee_id").unwrap());
    assert!(Pair::new(custom, 0, Kind::City, 0).is_none());
    assert!(Pair::new(Kind::Email, 0, custom, 0).is_none());
    assert!(Pair::new(Kind::Email, last + 1, Kind::City, 0).is_none());
    assert!(Pair::new(Kind::Email, 0, Kind::City, last + 1).is_none());
}

/// An estimate above the occurrences is reported as the occurrences.
#[test]
fn distinct_never_exceeds_occurrences() {
    let mut tally = RowCounts::default();
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

/// Estimated counts merge into the estimate one run makes: the sketch of a union is the
/// register-wise maximum of the sketches, and an exact set met with a sketch joins it.
#[test]
fn estimates_merge_into_the_estimate_of_one_run() {
    let spread = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // (values of part a, values of part b): both exact, exact meeting a sketch, two sketches,
    // and two exact sets whose union passes the limit.
    let limit = EXACT_LIMIT as u64;
    let cases = [
        (0..1000, 500..3000),
        (0..limit + 10, limit..limit + 100),
        (0..1000, 0..limit + 5000),
        (0..2 * limit, limit..3 * limit),
        (0..limit - 10, 10..limit),
    ];
    for (a_values, b_values) in cases {
        let (mut one, mut a, mut b) = (
            Distinct::default(),
            Distinct::default(),
            Distinct::default(),
        );
        for i in a_values.clone() {
            one.insert(spread(i));
            a.insert(spread(i));
        }
        for i in b_values.clone() {
            one.insert(spread(i));
            b.insert(spread(i));
        }
        let mut room = usize::MAX;
        a.merge(b, &mut room);
        assert_eq!(a.count(), one.count(), "{a_values:?} {b_values:?}");
        let n = a_values.end.max(b_values.end) - a_values.start.min(b_values.start);
        let error = (a.count().value as f64 - n as f64).abs() / n as f64;
        assert!(error < 5.0 * ESTIMATE_ERROR, "{:?} of {n}", a.count());
        // Written and read back, a count is the same.
        let json = serde_json::to_string(&a).unwrap();
        let back: Distinct = serde_json::from_str(&json).unwrap();
        assert_eq!(back.count(), a.count());
    }
}

/// Stored counts that are not what this build writes are refused, not taken in.
#[test]
fn malformed_stored_counts_are_refused() {
    let registers = |digit: &str| format!("{{\"registers\":\"{}\"}}", digit.repeat(1 << 14));
    let cases = [
        "{\"exact\":\"00000000000000\"}".to_string(),
        "{\"exact\":\"000000000000000G\"}".to_string(),
        "{\"exact\":\"000000000000000A\"}".to_string(),
        registers("34"),
        registers("0"),
        "{\"estimate\":12}".to_string(),
    ];
    for json in &cases {
        assert!(serde_json::from_str::<Distinct>(json).is_err(), "{json}");
    }
    let fine = ["{\"exact\":\"\"}".to_string(), registers("33")];
    for json in &fine {
        assert!(serde_json::from_str::<Distinct>(json).is_ok(), "{json}");
    }
}

/// Past the caps on fields and combinations a merge loses no occurrence and no record of a
/// combination: a field with no room is counted in its kind's other-fields row, a pair with
/// no room among the other combinations. Which rows are told apart can differ from one run.
#[test]
fn merges_past_the_caps_keep_every_count() {
    let mut events: Vec<Event> = Vec::new();
    // Two files of MAX_FIELDS fields each, half of them shared.
    for (file, offset) in [(0usize, 0usize), (1, MAX_FIELDS / 2)] {
        for i in 0..MAX_FIELDS {
            let line = i as u64 + 1;
            let name = letters(offset + i);
            events.push((file, line, Kind::Email, Some(format!("{name}.email")), line));
            events.push((file, line, Kind::City, Some(format!("{name}.city")), line));
        }
    }
    let one = fed(&events, 500).report(&Stats::default());
    let mut merged = Exposure::new();
    for part in parts(&events, &[MAX_FIELDS * 2], 500) {
        merged.merge(part);
    }
    let merged = merged.report(&Stats::default());
    let total = |r: &Report| -> (u64, u64, u64) {
        let occurrences = r.fields.iter().map(|f| f.occurrences).sum();
        let combined = r.combinations.iter().map(|c| c.records).sum();
        (occurrences, combined, r.profiles)
    };
    assert_eq!(total(&merged), total(&one));
    assert_eq!(merged.direct, one.direct);
    assert_eq!(merged.quasi, one.quasi);
    assert!(merged.fields.iter().any(|r| r.other_fields));
    assert!(
        merged.fields.len() <= MAX_FIELDS + 2,
        "{}",
        merged.fields.len()
    );
}

/// Partials of another format, version or key are refused, each with its reason.
#[test]
fn partials_of_other_formats_versions_and_keys_are_refused() {
    let partial = |key| Exposure::new().into_partial(&Stats::default(), key);
    let json = partial(Some([1, 2])).to_json();
    assert!(Partial::from_json(&json).is_ok());
    let cases = [
        (json.replace("\"version\":2", "\"version\":1"), "version 1"),
        (
            json.replace("piiscan-partial", "other"),
            "format is 'other'",
        ),
        ("{\"findings\":[]}".to_string(), "format is ''"),
        ("[1,2]".to_string(), "not a piiscan partial"),
        (
            json.replace("\"records\":0", "\"records\":\"x\""),
            "not a piiscan partial",
        ),
    ];
    for (text, reason) in cases {
        match Partial::from_json(&text) {
            Ok(_) => panic!("{text} was read"),
            Err(e) => assert!(e.to_string().contains(reason), "{e} for {text}"),
        }
    }
    let mut a = partial(Some([1, 2]));
    assert!(matches!(
        a.merge(partial(Some([1, 3]))),
        Err(PartialError::KeyMismatch { .. })
    ));
    assert!(matches!(a.merge(partial(None)), Err(PartialError::NoKey)));
    assert!(matches!(
        partial(None).merge(partial(None)),
        Err(PartialError::NoKey)
    ));
    assert!(a.merge(partial(Some([1, 2]))).is_ok());
    // Parts judged by a gate merge only with parts judged alike.
    let judged = |policy: &str| {
        let mut part = partial(Some([1, 2]));
        part.gate = Some(GateState {
            policy: policy.to_string(),
            ..GateState::default()
        });
        part
    };
    for (mut first, second) in [
        (judged("a"), partial(Some([1, 2]))),
        (partial(Some([1, 2])), judged("a")),
        (judged("a"), judged("b")),
    ] {
        assert!(matches!(
            first.merge(second),
            Err(PartialError::GateMismatch)
        ));
    }
    assert!(judged("a").merge(judged("a")).is_ok());
    // The check value tells keys apart and is not the key.
    assert_ne!(key_check([1, 2]), key_check([1, 3]));
    assert_eq!(key_check([1, 2]).len(), 16);
    assert!(!json.contains("\"key\""));
}

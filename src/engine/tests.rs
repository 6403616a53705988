//! The engine's tests: every read path, chunk size and thread count gives the same findings.

use std::path::Path;

use proptest::prelude::*;

use super::build::MAX_FIELD;
use super::*;
use crate::chunk;
use crate::detect::{self, Kind, KindSet};
use crate::finding::Finding;
use crate::sink::{Chunk, Flow, Problem, Sink, GO_ON};

/// Collects what the engine emits.
#[derive(Default)]
struct Collect {
    findings: Vec<(String, Finding)>,
    errors: Vec<String>,
}

impl Sink for Collect {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        for finding in chunk.findings {
            self.findings
                .push((chunk.input.path.clone(), finding.clone()));
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

fn scanner(chunk_size: usize) -> Scanner {
    Scanner::new(Config {
        chunk_size,
        show_values: true,
        ..Config::default()
    })
}

/// A value nested thousands deep keeps the innermost keys of its field name only, masked
/// as usual (`London` is a place): a field of 30 KB would be printed in every finding.
#[test]
fn a_field_nested_thousands_deep_keeps_its_innermost_keys() {
    let n = 5000;
    let line = format!(
        r#"{}{{"London":{{"contact":"jane@example.com"}}}}{}"#,
        r#"{"ab":"#.repeat(n),
        "}".repeat(n)
    );
    let scanner = scanner(chunk::DEFAULT_CHUNK_SIZE);
    let result = scanner.scan_chunk(line.as_bytes(), 0, &FileContext::default());
    let email = result
        .findings
        .iter()
        .find(|f| f.kind == Kind::Email)
        .unwrap();
    let field = email.field.as_deref().unwrap();
    assert!(
        field.len() <= MAX_FIELD + '…'.len_utf8(),
        "{} bytes",
        field.len()
    );
    assert!(field.starts_with("…ab.ab."), "{field}");
    assert!(field.ends_with(".ab.L***.contact"), "{field}");
    // A path at the limit is printed whole.
    let line = format!(r#"{{"{}":"jane@example.com"}}"#, "k".repeat(MAX_FIELD));
    let result = scanner.scan_chunk(line.as_bytes(), 0, &FileContext::default());
    assert_eq!(
        result.findings[0].field.as_deref(),
        Some(&*"k".repeat(MAX_FIELD))
    );
}

/// Every positive and negative example of every detector, through the whole engine.
#[test]
fn detector_examples() {
    let scanner = scanner(chunk::DEFAULT_CHUNK_SIZE);
    let mut failures = Vec::new();
    let all = detect::examples();
    for example in &all {
        let got: Vec<&str> = examples::findings(&scanner, example.input, example.shape)
            .into_iter()
            .filter(|(kind, _)| *kind == example.kind)
            .map(|(_, span)| &example.input[span])
            .collect();
        if got != example.expect {
            failures.push(format!(
                "{}: {:?}\n  expected {:?}\n  got      {:?}",
                example.kind, example.input, example.expect, got
            ));
        }
    }
    // Every kind shows what it finds and what it leaves alone.
    for kind in Kind::ALL {
        let of_kind = || all.iter().filter(move |e| e.kind == kind);
        if !of_kind().any(|e| !e.expect.is_empty()) || !of_kind().any(|e| e.expect.is_empty()) {
            failures.push(format!("{kind}: needs a positive and a negative example"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

const SAMPLE: &str = concat!(
    "{\"properties\":{\"$email\":\"jane.doe@example.com\",\"ip\":\"203.0.113.7\",\"$city\":\"Lyon\"}}\n",
    "plain line with 2001:db8::1 and bob@example.org\n",
    "\n",
    "{\"event\":\"x\",\"properties\":{\"$name\":\"Jane Doe\",\"mp_country_code\":\"FR\"}}\r\n",
    "no pii here at all, 12:34:56, v1.2.3.4\n",
    "last line without newline 198.51.100.1",
);

fn scan_file(scanner: &Scanner, text: &[u8], threads: usize) -> Vec<Finding> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.ndjson");
    std::fs::write(&path, text).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut sink = Collect::default();
    pool.install(|| scanner.scan_paths(&[path], &mut sink));
    assert!(sink.errors.is_empty(), "{:?}", sink.errors);
    sink.findings.into_iter().map(|(_, f)| f).collect()
}

fn scan_stream(scanner: &Scanner, text: &[u8]) -> Vec<Finding> {
    let mut sink = Collect::default();
    scanner.scan_reader(Path::new("-"), text, &mut sink);
    sink.findings.into_iter().map(|(_, f)| f).collect()
}

/// The reference: the whole input as one chunk, scanned directly.
fn reference(text: &[u8]) -> Vec<Finding> {
    scanner(usize::MAX)
        .scan_chunk(text, 0, &FileContext::default())
        .findings
}

#[test]
fn same_findings_for_every_chunk_size_thread_count_and_read_path() {
    let text = SAMPLE.as_bytes();
    let want = reference(text);
    assert!(want.len() >= 4, "the sample should hold findings: {want:?}");
    for chunk_size in [1, 2, 3, 5, 8, 13, 64, 100, 4096] {
        let scanner = scanner(chunk_size);
        for threads in [1, 2, 3] {
            assert_eq!(
                scan_file(&scanner, text, threads),
                want,
                "mmap, chunk {chunk_size}, threads {threads}"
            );
        }
        assert_eq!(
            scan_stream(&scanner, text),
            want,
            "stream, chunk {chunk_size}"
        );
    }
}

/// Export records: nested objects and arrays, `\u` escapes, coordinates as numbers.
const RECORDS: [&str; 3] = [
    r#"{"event":"Sign Up","properties":{"$email":"jane.doe@example.com","$name":"Ren\u00e9e Dupont","$city":"S\u00e3o Paulo","latitude":-23.5505,"longitude":-46.6333,"tags":["Lyon","x"]}}"#,
    r#"{"event":"Login","properties":{"ip":"203.0.113.7","items":[{"owner":{"email":"bob@example.org"}},{"n":1}],"note":"call Jane Doe"}}"#,
    r#"{"event":"Geo","context":{"location":{"lat":48.8566,"lng":2.3522,"city":"Lyon"}},"k":"v"}"#,
];

/// `records` as `json.dump(records, f, indent=2)` writes them: an array pretty-printed over
/// many lines, with every character past ASCII escaped, and `eol` as line end.
fn json_dump(records: &[&str], eol: &str) -> String {
    let values: Vec<serde_json::Value> = records
        .iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect();
    let pretty = serde_json::to_string_pretty(&values).unwrap();
    let mut out = String::with_capacity(pretty.len());
    for c in pretty.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.replace('\n', eol) + eol
}

/// (kind, field, value) of each finding, the leading `[].` of a document's fields dropped.
fn described(findings: &[Finding], text: &str) -> Vec<(Kind, Option<String>, String)> {
    findings
        .iter()
        .map(|f| {
            let field = f
                .field
                .as_deref()
                .map(|f| f.trim_start_matches("[].").to_string());
            let value = text[f.offset as usize..][..f.length as usize].to_string();
            (f.kind, field, value)
        })
        .collect()
}

/// A JSON document written over many lines gives each value the key path, the unescaping
/// and the pairing of coordinates that a line of NDJSON gives it, whatever the chunk size,
/// line ends, read path and thread count; its lines and offsets are those on disk.
#[test]
fn a_document_reads_like_its_records_on_lines() {
    let all = Scanner::new(Config {
        kinds: KindSet::all(),
        ..Config::default()
    });
    let ndjson = RECORDS.join("\n") + "\n";
    let want = described(&scan_file(&all, ndjson.as_bytes(), 1), &ndjson);
    let kinds: Vec<Kind> = want.iter().map(|w| w.0).collect();
    for kind in [Kind::Email, Kind::PersonName, Kind::City, Kind::Coordinates] {
        assert!(kinds.contains(&kind), "{kind}: {want:?}");
    }
    assert!(want.iter().all(|w| w.1.is_some()), "{want:?}");
    let sorted = |mut v: Vec<_>| {
        v.sort();
        v
    };
    for eol in ["\n", "\r\n"] {
        let doc = json_dump(&RECORDS, eol);
        assert!(doc.contains(r"Ren\u00e9e"));
        // The same findings as the lines (serde_json writes keys in order: not the same order).
        let whole = described(&scan_file(&all, doc.as_bytes(), 1), &doc);
        assert_eq!(sorted(whole.clone()), sorted(want.clone()));
        let want = whole;
        for chunk_size in [1, 2, 7, 64, 300, 4096, chunk::DEFAULT_CHUNK_SIZE] {
            let scanner = Scanner::new(Config {
                kinds: KindSet::all(),
                chunk_size,
                ..Config::default()
            });
            for threads in [1, 2] {
                let found = scan_file(&scanner, doc.as_bytes(), threads);
                assert_eq!(described(&found, &doc), want, "chunk {chunk_size}, {eol:?}");
                // Lines and columns on disk.
                for f in &found {
                    let line = doc.split(eol).nth(f.line as usize - 1).unwrap();
                    let at = &line[f.column as usize - 1..][..f.length as usize];
                    assert_eq!(at, &doc[f.offset as usize..][..f.length as usize]);
                }
            }
            let streamed = scan_stream(&scanner, doc.as_bytes());
            assert_eq!(
                described(&streamed, &doc),
                want,
                "stream, chunk {chunk_size}"
            );
        }
    }
}

/// A document that stops parsing keeps the key paths of what came before, and says so; its
/// values are all found.
#[test]
fn a_broken_document_is_counted_and_noted() {
    let doc = json_dump(&RECORDS, "\n");
    let broken = doc.replacen("\n  },\n", "\n  }]],\n", 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(&path, &broken).unwrap();
    #[derive(Default)]
    struct Notes(Vec<String>, Vec<Option<String>>);
    impl Sink for Notes {
        fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
            let fields = chunk
                .findings
                .iter()
                .map(|f| f.field.as_deref().map(str::to_string));
            self.1.extend(fields);
            GO_ON
        }
        fn problem(&mut self, problem: &Problem<'_>) -> Flow {
            if let Problem::Note { message, .. } = problem {
                self.0.push(message.to_string());
            }
            GO_ON
        }
    }
    let mut notes = Notes::default();
    let stats = scanner(1).scan_paths(&[path], &mut notes);
    assert_eq!(stats.malformed_json, 1);
    assert_eq!(notes.0.len(), 1, "{:?}", notes.0);
    assert!(notes.0[0].contains("stops parsing"), "{:?}", notes.0);
    let email = Some("[].properties.$email".to_string());
    assert!(notes.1.contains(&email), "{:?}", notes.1);
    assert_eq!(notes.1.len(), 12, "{:?}", notes.1);
    // Whole, it is neither.
    let stats = scanner(1).scan_reader(Path::new("-"), doc.as_bytes(), &mut Notes::default());
    assert_eq!(stats.malformed_json, 0);
}

/// What an SDK derives from the user agent (`$os`, `$browser`) is never a person, while a
/// device's name often is its owner's.
#[test]
fn browser_and_os_values_are_left_to_their_key_but_device_names_are_searched() {
    let text =
        b"{\"$os\":\"Jane Doe\",\"$browser\":\"Jane Doe\",\"device\":\"Jane Doe's iPhone\"}\n";
    // Without the device detector (as `scan` runs by default), and with it.
    let direct: KindSet = Kind::ALL.into_iter().filter(|k| !k.is_quasi()).collect();
    for kinds in [direct, KindSet::all()] {
        let scanner = Scanner::new(Config {
            kinds,
            ..Config::default()
        });
        let names: Vec<String> = scan_file(&scanner, text, 1)
            .into_iter()
            .filter(|f| f.kind == Kind::PersonName)
            .map(|f| f.field.unwrap().to_string())
            .collect();
        assert_eq!(names, ["device"], "{kinds:?}");
    }
}

/// A key that is itself personal data is masked in the field names of the findings under
/// it, as it would be in their `masked` value, even when its kind is not scanned for.
#[test]
fn personal_data_in_keys_is_masked_in_field_names() {
    let text = br#"{"contacts":{"jane.doe@example.com":{"ip":"203.0.113.9"},"10.1.2.3":{"Jane Doe":{"ip":"203.0.113.10"}}},"app":{"V2":{"ip":"203.0.113.11"}}}"#;
    let scanner = Scanner::new(Config {
        kinds: [Kind::Ipv4].into_iter().collect(),
        ..Config::default()
    });
    let fields: Vec<String> = scan_file(&scanner, &[&text[..], b"\n"].concat(), 1)
        .into_iter()
        .filter(|f| f.masked.starts_with("203."))
        .map(|f| f.field.unwrap().to_string())
        .collect();
    assert_eq!(
        fields,
        [
            "contacts.j***@e***.com.ip",
            "contacts.10.1.*.*.J*** D***.ip",
            "app.V2.ip"
        ]
    );
}

/// Places and coordinates used as keys are masked in field names too, as their findings
/// are, whatever kinds are scanned for; ordinary keys, digits and capitals included, are
/// left alone.
#[test]
fn places_and_coordinates_in_keys_are_masked_in_field_names() {
    let text = concat!(
        r#"{"London":{"ip":"81.2.69.167"}}"#,
        "\n",
        r#"{"props":{"40.7128,-74.0060":{"ip":"81.2.69.164"}}}"#,
        "\n",
        r#"{"Lyon, France":{"California":{"ip":"81.2.69.165"}},"v2":{"HTTP":{"ip":"81.2.69.166"}}}"#,
        "\n",
    );
    let direct: KindSet = Kind::ALL.into_iter().filter(|k| !k.is_quasi()).collect();
    for kinds in [[Kind::Ipv4].into_iter().collect(), direct, KindSet::all()] {
        let scanner = Scanner::new(Config {
            kinds,
            ..Config::default()
        });
        let fields: Vec<String> = scan_file(&scanner, text.as_bytes(), 1)
            .into_iter()
            .filter(|f| f.kind == Kind::Ipv4)
            .map(|f| f.field.unwrap().to_string())
            .collect();
        assert_eq!(
            fields,
            [
                "L***.ip",
                "props.40.7*,-74.0*.ip",
                "L***, F***.C***.ip",
                "v2.HTTP.ip"
            ],
            "{kinds:?}"
        );
    }
}

#[test]
fn lines_and_columns() {
    let text = b"a\nbob@example.org x\r\n\n  carol@example.net";
    let found = scan_stream(&scanner(1), text);
    let at: Vec<(u64, u64, u32)> = found.iter().map(|f| (f.offset, f.line, f.column)).collect();
    assert_eq!(at, [(2, 2, 1), (24, 4, 3)]);
}

#[test]
fn escaped_values_are_unescaped_and_found_at_their_disk_offsets() {
    let text = concat!(
        r#"{"msg":"moved to S\u00e3o Paulo","note":"Contact: Ren\u00e9e Dupont"}"#,
        "\n",
        r#"{"cut":"S\u00e3o Paulo"#,
        "\n"
    );
    let scanner = scanner(1 << 20);
    let result = scanner.scan_chunk(text.as_bytes(), 0, &FileContext::default());
    let found: Vec<(&str, Kind)> = result
        .findings
        .iter()
        .map(|f| (&text[f.offset as usize..][..f.length as usize], f.kind))
        .collect();
    assert_eq!(
        found,
        [
            (r"S\u00e3o Paulo", Kind::City),
            (r"Ren\u00e9e Dupont", Kind::PersonName)
        ]
    );
    assert_eq!(result.malformed_json, 1);
}

#[test]
fn binary_inputs_are_skipped_unless_asked() {
    let mut text = b"bob@example.org\n".to_vec();
    text.extend(std::iter::repeat_n(b'x', 70_000));
    text.push(0);
    assert_eq!(
        scan_stream(&scanner(64), &text).len(),
        1,
        "NUL past the probe"
    );
    text.insert(20, 0);
    assert!(
        scan_stream(&scanner(64), &text).is_empty(),
        "NUL inside the probe"
    );
    let binary = Scanner::new(Config {
        binary: true,
        ..Config::default()
    });
    assert_eq!(scan_stream(&binary, &text).len(), 1);
}

fn filler() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-z]{1,8}",
            "[0-9]{1,6}",
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just(", ".to_string()),
            Just("{\"k\":\"v\"}".to_string()),
            Just("\r\n".to_string()),
        ],
        0..20,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A value planted anywhere is found at its exact offset whatever the chunk size.
    #[test]
    fn planted_values_are_found_at_their_offset(
        before in filler(),
        after in filler(),
        value in prop_oneof![
            Just("jane.doe@example.com"),
            Just("203.0.113.77"),
            Just("2001:db8::42"),
        ],
        chunk_size in 1usize..64,
    ) {
        let text = format!("{before} {value} {after}");
        let offset = before.len() as u64 + 1;
        let found = scan_stream(&scanner(chunk_size), text.as_bytes());
        let hit = found.iter().find(|f| f.offset == offset);
        prop_assert!(hit.is_some(), "{value:?} not found at {offset} in {text:?}: {found:?}");
        prop_assert_eq!(hit.map(|f| f.length as usize), Some(value.len()));
        prop_assert_eq!(&found, &reference(text.as_bytes()));
    }
}

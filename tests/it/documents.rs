//! JSON documents through the built binary: one JSON value written over many lines (what
//! `json.dumps(records, indent=2)`, `jq .` and most "export as JSON" buttons write), and one
//! object on a line too long to hold whole. A document must read as its records do on lines
//! of NDJSON (field paths, coordinates, escapes), with offsets and lines of the bytes on disk,
//! and say when it is malformed. The documents are written here, pretty-printed by
//! serde_json in the shape Python's `json.dumps(..., indent=2)` writes (two-space indents,
//! `": "`, every character past ASCII escaped).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// `piiscan ARGS` in `dir`, with `stdin` when given.
fn piiscan(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> Output {
    let mut cmd = Command::cargo_bin("piiscan").unwrap();
    cmd.current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(300));
    if let Some(stdin) = stdin {
        cmd.write_stdin(stdin);
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn expect(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
}

/// `scan --format json --kinds all ARGS`: the findings and the summary's count of malformed
/// JSON.
fn scan_json(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> (Output, Vec<Value>, u64) {
    let mut all = vec!["scan", "--format", "json", "--kinds", "all"];
    all.extend_from_slice(args);
    let out = piiscan(dir, &all, stdin);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        )
    });
    let findings = report["findings"].as_array().unwrap().clone();
    let malformed = report["summary"]["malformed_json"].as_u64().unwrap();
    (out, findings, malformed)
}

fn text(f: &Value, key: &str) -> String {
    f[key].as_str().unwrap_or("(null)").to_string()
}

fn num(f: &Value, key: &str) -> usize {
    f[key].as_u64().unwrap() as usize
}

/// The records of an analytics export: keys that hint (`$email`, `$city`), coordinates under
/// `latitude`/`longitude` and `lat`/`lng`, values known only by their key, escapes past ASCII
/// and an `@` written `\u0040`, arrays of objects, and values in free text.
fn records(count: usize) -> Vec<String> {
    let cities = ["S\\u00e3o Paulo", "Lyon", "Berlin", "Toronto"];
    (0..count)
        .map(|i| match i % 3 {
            0 => format!(
                r#"{{"event":"Sign Up","properties":{{"$email":"jane.doe{i}@example.com","$name":"Ren\u00e9e Dupont","$city":"{}","latitude":-23.55{i:02}1,"longitude":-46.6333,"tags":["x","y"]}}}}"#,
                cities[i % cities.len()]
            ),
            1 => format!(
                r#"{{"event":"Login","properties":{{"ip":"203.0.113.{}","contact":"bob{i}\u0040example.org","items":[{{"owner":{{"email":"carol{i}@example.net"}}}},{{"n":1}}],"note":"call Jane Doe"}}}}"#,
                i % 250
            ),
            _ => format!(
                r#"{{"event":"Geo","context":{{"location":{{"lat":48.85{i:02}1,"lng":2.3522,"city":"Lyon"}}}},"k":"v"}}"#
            ),
        })
        .collect()
}

/// `value` as Python's `json.dumps(value, indent=2)` writes it: two-space indents, every
/// character past ASCII escaped as `\uXXXX`; then each `@` of `bobN@` written `\u0040`, as
/// the records on lines have it.
fn json_dumps(value: &Value) -> String {
    let pretty = serde_json::to_string_pretty(value).unwrap();
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
    let mut escaped = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("\"bob") {
        let at_sign = at + rest[at..].find('@').unwrap();
        escaped.push_str(&rest[..at_sign]);
        escaped.push_str("\\u0040");
        rest = &rest[at_sign + 1..];
    }
    escaped.push_str(rest);
    escaped + "\n"
}

/// The records as one pretty-printed array.
fn document(records: &[String]) -> String {
    let values: Vec<Value> = records
        .iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect();
    json_dumps(&Value::Array(values))
}

/// Each finding's (kind, field, masked), the leading `[].` of a document's fields dropped,
/// counted: what must not change between the records on lines and in a document.
fn described(findings: &[Value]) -> BTreeMap<(String, String, String), usize> {
    let mut out = BTreeMap::new();
    for f in findings {
        let field = text(f, "field");
        let field = field.strip_prefix("[].").unwrap_or(&field).to_string();
        *out.entry((text(f, "kind"), field, text(f, "masked")))
            .or_default() += 1;
    }
    out
}

/// Every finding's offset and length are those of its value in `file`, and its line and
/// column say the same place.
#[track_caller]
fn assert_on_disk(findings: &[Value], file: &str, how: &str) {
    let lines: Vec<&str> = file.split_inclusive('\n').collect();
    for f in findings {
        let (offset, length) = (num(f, "offset"), num(f, "length"));
        let at_offset = &file[offset..offset + length];
        let line = lines[num(f, "line") - 1];
        let at_line = &line[num(f, "column") - 1..][..length];
        assert_eq!(at_offset, at_line, "{how}: {f}");
        let line_start = lines[..num(f, "line") - 1]
            .iter()
            .map(|l| l.len())
            .sum::<usize>();
        assert_eq!(line_start + num(f, "column") - 1, offset, "{how}: {f}");
    }
}

/// The finding of `kind` whose value on disk (at its offset) is `value`.
fn found_at<'a>(findings: &'a [Value], file: &str, kind: &str, value: &str) -> Option<&'a Value> {
    findings.iter().find(|f| {
        let (offset, length) = (num(f, "offset"), num(f, "length"));
        f["kind"] == kind && file.get(offset..offset + length) == Some(value)
    })
}

/// A pretty-printed array of objects gives what the same records give as NDJSON: the same
/// kinds, fields (from the document's root: `[].properties.$email`) and masks, coordinates
/// under coordinate keys, values written with `\u` escapes; offsets, lines and columns are
/// those of the bytes on disk; whatever the chunk size, thread count, line ends and read path
/// (mapped or standard input). No note, nothing malformed.
#[test]
fn a_pretty_printed_array_reads_like_its_records_on_lines() {
    let dir = tempfile::tempdir().unwrap();
    let records = records(30);
    let ndjson = records.join("\n") + "\n";
    std::fs::write(dir.path().join("events.ndjson"), &ndjson).unwrap();
    let (out, lines, malformed) = scan_json(dir.path(), &["events.ndjson"], None);
    expect(&out, 1);
    assert_eq!(malformed, 0);
    let want = described(&lines);
    for kind in ["email", "person_name", "city", "coordinates", "ipv4"] {
        assert!(want.keys().any(|k| k.0 == kind), "{kind}: {want:?}");
    }
    assert!(want.keys().all(|k| k.1 != "(null)"), "{want:?}");

    for eol in ["\n", "\r\n"] {
        let doc = document(&records).replace('\n', eol);
        assert!(doc.starts_with(&format!("[{eol}  {{{eol}    \"event\": \"Sign Up\",")));
        assert!(
            doc.contains(r#""contact": "bob1\u0040example.org""#),
            "{doc}"
        );
        assert!(doc.contains(r"Ren\u00e9e"));
        std::fs::write(dir.path().join("events.json"), &doc).unwrap();
        let mut runs = Vec::new();
        for args in [
            &["events.json"][..],
            &["--threads", "1", "events.json"],
            &["--threads", "2", "--chunk-size", "300", "events.json"],
            &["--threads", "2", "--chunk-size", "1", "events.json"],
        ] {
            runs.push((format!("{args:?}"), scan_json(dir.path(), args, None)));
        }
        let stdin = scan_json(dir.path(), &["-"], Some(doc.clone().into_bytes()));
        runs.push(("stdin".to_string(), stdin));
        let first = runs[0].1 .1.clone();
        for (how, (out, found, malformed)) in &runs {
            let how = format!("{eol:?} {how}");
            expect(out, 1);
            assert_eq!(*malformed, 0, "{how}");
            assert!(!stderr(out).contains("piiscan: "), "{how}: {}", stderr(out));
            assert_eq!(described(found), want, "{how}");
            assert_on_disk(found, &doc, &how);
            // The same places, in the same order, however the document is cut or read.
            let places = |v: &[Value]| -> Vec<(usize, usize)> {
                v.iter()
                    .map(|f| (num(f, "offset"), num(f, "line")))
                    .collect()
            };
            assert_eq!(places(found), places(&first), "{how}");
        }

        // Values looked at one by one, against the text on disk.
        let found = &runs[0].1 .1;
        let email = found_at(found, &doc, "email", "jane.doe0@example.com").unwrap();
        assert_eq!(email["field"], "[].properties.$email");
        let line = doc
            .split(eol)
            .position(|l| l.contains("jane.doe0@"))
            .unwrap();
        assert_eq!(num(email, "line"), line + 1);
        let escaped = found_at(found, &doc, "email", r"bob1\u0040example.org");
        let escaped = escaped.unwrap_or_else(|| panic!("{found:?}"));
        assert_eq!(escaped["field"], "[].properties.contact");
        let name = found_at(found, &doc, "person_name", r"Ren\u00e9e Dupont").unwrap();
        assert_eq!(name["field"], "[].properties.$name");
        let city = found_at(found, &doc, "city", r"S\u00e3o Paulo").unwrap();
        assert_eq!(city["field"], "[].properties.$city");
        let nested = found_at(found, &doc, "email", "carol1@example.net").unwrap();
        assert_eq!(nested["field"], "[].properties.items[].owner.email");
        // Coordinates: a latitude and its longitude, two lines apart on disk, pair.
        let coordinates: Vec<&Value> = found
            .iter()
            .filter(|f| f["kind"] == "coordinates")
            .collect();
        assert_eq!(coordinates.len(), 40, "{coordinates:?}");
        let lat = found_at(found, &doc, "coordinates", "48.85021").unwrap();
        assert_eq!(lat["field"], "[].context.location.lat");
    }
}

/// A document that does not close (a cut export) counts as malformed JSON; one that stops
/// parsing (a bracket closed that was never opened) counts too and says so in a note that
/// names the file. The findings before the damage keep their field names either way, and a
/// whole document counts nothing and notes nothing.
#[test]
fn a_damaged_document_is_counted_and_noted() {
    let dir = tempfile::tempdir().unwrap();
    let doc = document(&records(12));
    let half = doc[..doc.len() / 2].rfind('\n').unwrap() + 1;
    for (name, text, malformed, note) in [
        ("whole.json", doc.clone(), 0, false),
        ("cut.json", doc[..half].to_string(), 1, false),
        (
            "broken.json",
            doc.replacen("\n  },\n", "\n  }]],\n", 1),
            1,
            true,
        ),
    ] {
        std::fs::write(dir.path().join(name), &text).unwrap();
        let (out, found, counted) = scan_json(dir.path(), &[name], None);
        expect(&out, 1);
        assert_eq!(counted, malformed, "{name}");
        let stderr = stderr(&out);
        let noted = format!("piiscan: {name}: the JSON document stops parsing");
        assert_eq!(stderr.contains(&noted), note, "{name}: {stderr}");
        assert_eq!(
            stderr.matches("piiscan: ").count(),
            usize::from(note),
            "{stderr}"
        );
        let first = found_at(&found, &text, "email", "jane.doe0@example.com").unwrap();
        assert_eq!(first["field"], "[].properties.$email", "{name}");
        assert_on_disk(&found, &text, name);
    }
}

/// A `.json` file holding one object over many lines (not an array): fields are paths from
/// its root, as the same object compacted on one line gives them, and its coordinates pair.
#[test]
fn an_object_document_reads_like_the_object_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let users: Vec<Value> = (0..8)
        .map(|i| {
            serde_json::json!({
                "id": i,
                "email": format!("user{i}@example.org"),
                "home": {"city": "Toronto", "latitude": 43.65 + f64::from(i) / 1000.0 + 0.00001, "longitude": -79.38001},
            })
        })
        .collect();
    let object = serde_json::json!({
        "export": {"id": "e-2025-01", "owner": {"email": "ops@example.com"}},
        "users": users,
        "support": {"u17": {"contact": "help\u{e9}@example.net", "name": "Ren\u{e9}e Dupont"}},
        "count": 8,
    });
    let pretty = json_dumps(&object);
    let line = serde_json::to_string(&object).unwrap() + "\n";
    std::fs::write(dir.path().join("export.json"), &pretty).unwrap();
    std::fs::write(dir.path().join("line.json"), &line).unwrap();
    let (out, found, malformed) = scan_json(dir.path(), &["export.json"], None);
    expect(&out, 1);
    assert_eq!(malformed, 0);
    assert_on_disk(&found, &pretty, "export.json");
    let fields: Vec<(String, String)> = found
        .iter()
        .map(|f| (text(f, "kind"), text(f, "field")))
        .collect();
    for want in [
        ("email", "export.owner.email"),
        ("email", "users[].email"),
        ("city", "users[].home.city"),
        ("coordinates", "users[].home.latitude"),
        ("coordinates", "users[].home.longitude"),
        ("person_name", "support.u17.name"),
    ] {
        let want = (want.0.to_string(), want.1.to_string());
        assert!(fields.contains(&want), "{want:?} in {fields:?}");
    }
    let escaped = found_at(&found, &pretty, "email", r"help\u00e9@example.net");
    assert_eq!(escaped.unwrap()["field"], "support.u17.contact");
    // The same object on one line (non-ASCII written raw there: compare the kinds and fields).
    let (_, on_line, _) = scan_json(dir.path(), &["line.json"], None);
    let kinds_fields = |v: &[Value]| -> BTreeMap<(String, String), usize> {
        let mut out = BTreeMap::new();
        for f in v {
            *out.entry((text(f, "kind"), text(f, "field"))).or_default() += 1;
        }
        out
    };
    assert_eq!(kinds_fields(&found), kinds_fields(&on_line));
}

/// One JSON object on a line longer than the 8 MiB a line is held whole to (an export of
/// users keyed by id, no array anywhere): past every cut, its values keep their field names
/// (`users.u01234.email`, the key of their own user), it is not counted as malformed, and the
/// cut is noted once; streamed or mapped.
#[test]
fn one_object_on_a_line_over_8_mib_keeps_its_field_names() {
    use piiscan::chunk::MAX_LINE;
    let dir = tempfile::tempdir().unwrap();
    let bio = "x".repeat(9000);
    let mut line = br#"{"meta":{"owner":{"email":"ops@example.com"}},"users":{"#.to_vec();
    let mut users = 0;
    while line.len() < MAX_LINE + MAX_LINE / 4 {
        if users > 0 {
            line.push(b',');
        }
        write!(
            line,
            r#""u{users:05}":{{"bio":"{bio} ","email":"user{users}@example.org","profile":{{"city":"Lyon"}}}}"#
        )
        .unwrap();
        users += 1;
    }
    line.extend_from_slice(b"},\"last\":{\"email\":\"end@example.net\"}}\n");
    std::fs::write(dir.path().join("users.json"), &line).unwrap();
    let on_disk = String::from_utf8(line.clone()).unwrap();
    for (how, args, stdin) in [
        ("mapped", "users.json", None),
        ("streamed", "-", Some(line.clone())),
    ] {
        let (out, found, malformed) =
            scan_json(dir.path(), &["--kinds", "email,city", args], stdin);
        expect(&out, 1);
        assert_eq!(malformed, 0, "{how}");
        let stderr = stderr(&out);
        assert_eq!(
            stderr.matches("a line longer than").count(),
            1,
            "{how}: {stderr}"
        );
        assert_eq!(found.len(), 2 * users + 2, "{how}");
        assert_on_disk(&found, &on_disk, how);
        let mut want = vec![("email".to_string(), "meta.owner.email".to_string())];
        for i in 0..users {
            want.push(("email".into(), format!("users.u{i:05}.email")));
            want.push(("city".into(), format!("users.u{i:05}.profile.city")));
        }
        want.push(("email".into(), "last.email".into()));
        let got: Vec<(String, String)> = found
            .iter()
            .map(|f| (text(f, "kind"), text(f, "field")))
            .collect();
        assert!(got == want, "{how}: fields differ");
    }
}

/// Writes a pretty-printed JSON array of about 1 GiB (`json.dumps(records, indent=2)`) to
/// `$PIISCAN_BIG_DOC`, to weigh the release binary on it by hand:
/// `PIISCAN_BIG_DOC=/tmp/big.json cargo test --test it write_a_1_gib_document -- --ignored`,
/// then `/usr/bin/time -v target/release/piiscan scan /tmp/big.json` (figures in
/// BENCHMARKS.md).
#[test]
#[ignore]
fn write_a_1_gib_document() {
    let Some(path) = std::env::var_os("PIISCAN_BIG_DOC") else {
        return;
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let records = records(3000);
    let pretty: Vec<String> = records
        .iter()
        .map(|r| {
            let one = json_dumps(&Value::Array(vec![serde_json::from_str(r).unwrap()]));
            // The record alone, indented as an element of the array: `  {` ... `  }`.
            let inner = one.trim_end().strip_prefix("[\n").unwrap();
            inner.strip_suffix("\n]").unwrap().to_string()
        })
        .collect();
    out.write_all(b"[\n").unwrap();
    let mut written = 2u64;
    let mut i = 0;
    while written < 1 << 30 {
        if i > 0 {
            out.write_all(b",\n").unwrap();
            written += 2;
        }
        let record = &pretty[i % pretty.len()];
        out.write_all(record.as_bytes()).unwrap();
        written += record.len() as u64;
        i += 1;
    }
    out.write_all(b"\n]\n").unwrap();
    out.flush().unwrap();
}

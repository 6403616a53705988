//! CSV dialects through the built binary: `,` `;` tab and `|` sniffed from the head of a file
//! (named `.csv`, or known by its header alone), quoting, `.tsv` by its name, `--delimiter`
//! for `scan`, `report` and `gate`, and a header that does not split (scanned as text, with
//! a note). Read right, every finding is under its column's name, every city of the city
//! column is found, and the region column's regions are the only regions: read wrong (the
//! whole header line taken for one column, as before the dialect was sniffed), most cities
//! were missed and cities that are also regions (`Washington`, `Victoria`) came out as
//! regions.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

const HEADER: [&str; 6] = ["name", "email", "city", "region", "signup_ip", "note"];

/// The rows of the table: name, e-mail, city, region, IP address. The cities are found only
/// under their column's name (as text, `Reading`, `Mobile` or `Bath` are words), and some are
/// regions too.
const ROWS: [[&str; 5]; 8] = [
    [
        "Ann Lee",
        "ann@example.org",
        "Reading",
        "Pennsylvania",
        "198.51.100.1",
    ],
    [
        "Bob Stone",
        "bob@example.org",
        "Washington",
        "Georgia",
        "198.51.100.2",
    ],
    [
        "Cy Hall",
        "cy@example.org",
        "Darwin",
        "Northern Territory",
        "198.51.100.3",
    ],
    [
        "Dee Ray",
        "dee@example.org",
        "Victoria",
        "British Columbia",
        "198.51.100.4",
    ],
    [
        "Ed Fox",
        "ed@example.org",
        "Mobile",
        "Alabama",
        "198.51.100.5",
    ],
    [
        "Fay Lin",
        "fay@example.org",
        "Bath",
        "Maine",
        "198.51.100.6",
    ],
    [
        "Gil Roy",
        "gil@example.org",
        "Lincoln",
        "Nebraska",
        "198.51.100.7",
    ],
    [
        "Hal Orr",
        "hal@example.org",
        "Columbia",
        "South Carolina",
        "198.51.100.8",
    ],
];

/// The column each kind may be found in.
const COLUMN_OF: [(&str, &str); 5] = [
    ("person_name", "name"),
    ("email", "email"),
    ("city", "city"),
    ("region", "region"),
    ("ipv4", "signup_ip"),
];

/// The table delimited by `d`. Quoted, every cell is in quotes and the notes hold the
/// delimiter, doubled quotes and a line end; else the notes are plain words.
fn table(d: char, quoted: bool) -> String {
    let cell = |s: &str| {
        if quoted {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let line = |cells: &[String]| cells.join(&d.to_string()) + "\n";
    let mut out = line(&HEADER.map(cell));
    for (i, row) in ROWS.iter().enumerate() {
        let note = if quoted && i % 2 == 0 {
            format!("renewed{d} plan \"pro\"{d} paid\nby card")
        } else {
            "renewed plan".to_string()
        };
        let mut cells: Vec<String> = row.iter().map(|s| cell(s)).collect();
        cells.push(cell(&note));
        out.push_str(&line(&cells));
    }
    out
}

fn piiscan(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("piiscan")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
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

fn jsonl(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn text(f: &Value, key: &str) -> String {
    f[key].as_str().unwrap_or("(null)").to_string()
}

/// The table's findings read right: each under the column of its kind, at the bytes of its
/// cell on disk; every e-mail, city and region and IP address found, and no region but the
/// region column's.
#[track_caller]
fn assert_read_by_columns(found: &[Value], file: &str, how: &str) {
    for f in found {
        let (kind, field) = (text(f, "kind"), text(f, "field"));
        let column = COLUMN_OF.iter().find(|(k, _)| *k == kind);
        assert_eq!(column.map(|c| c.1), Some(field.as_str()), "{how}: {f}");
        let offset = f["offset"].as_u64().unwrap() as usize;
        let value = &file[offset..][..f["length"].as_u64().unwrap() as usize];
        let i = HEADER.iter().position(|c| *c == field).unwrap();
        assert!(
            ROWS.iter().any(|r| r[i] == value),
            "{how}: {value:?} in {f}"
        );
    }
    for (kind, column) in &COLUMN_OF[1..] {
        let n = found
            .iter()
            .filter(|f| f["kind"] == *kind && f["field"] == *column)
            .count();
        assert_eq!(n, ROWS.len(), "{how}: {kind}");
    }
}

/// Each delimiter, sniffed from the head of a file named `.csv` and of a file known by its
/// header alone (`.txt`), plain and quoted (cells that hold the delimiter, doubled quotes
/// and line ends), and tab-delimited `.tsv`: read by columns, with no note.
#[test]
fn every_dialect_is_sniffed_and_read_by_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (name, d) in [
        ("comma", ','),
        ("semicolon", ';'),
        ("tab", '\t'),
        ("pipe", '|'),
    ] {
        cases.push((format!("{name}.csv"), table(d, false)));
        cases.push((format!("{name}.txt"), table(d, false)));
        cases.push((format!("{name}-quoted.csv"), table(d, true)));
        cases.push((format!("{name}-quoted.txt"), table(d, true)));
    }
    cases.push(("users.tsv".to_string(), table('\t', true)));
    for (name, file) in &cases {
        std::fs::write(dir.path().join(name), file).unwrap();
        let out = piiscan(dir.path(), &["scan", "--format", "jsonl", name]);
        expect(&out, 1);
        assert_eq!(stderr(&out), "", "{name}");
        assert_read_by_columns(&jsonl(&out), file, name);
    }
    // Without the dialect, the same cities are mostly words: what the test stands on.
    let out = piiscan(
        dir.path(),
        &["scan", "--format", "jsonl", "--plain", "semicolon.csv"],
    );
    let cities = jsonl(&out).iter().filter(|f| f["kind"] == "city").count();
    assert!(cities < ROWS.len() / 2, "{cities}");
}

/// A `.tsv` file is split by tabs because of its name, even with two columns (too few for a
/// header known by its content alone: the same bytes as `.txt` are text), also compressed.
#[test]
fn a_tsv_file_is_split_by_tabs_by_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = "email\tcity\n".to_string();
    for row in ROWS {
        file.push_str(&format!("{}\t{}\n", row[1], row[2]));
    }
    std::fs::write(dir.path().join("users.tsv"), &file).unwrap();
    std::fs::write(dir.path().join("users.txt"), &file).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, file.as_bytes()).unwrap();
    std::fs::write(dir.path().join("users.tsv.gz"), gz.finish().unwrap()).unwrap();
    for name in ["users.tsv", "users.tsv.gz"] {
        let out = piiscan(dir.path(), &["scan", "--format", "jsonl", name]);
        expect(&out, 1);
        let found = jsonl(&out);
        let fields: Vec<(String, String)> = found
            .iter()
            .map(|f| (text(f, "kind"), text(f, "field")))
            .collect();
        let mut want = Vec::new();
        for _ in ROWS {
            want.push(("email".to_string(), "email".to_string()));
            want.push(("city".to_string(), "city".to_string()));
        }
        assert_eq!(fields, want, "{name}");
    }
    let out = piiscan(dir.path(), &["scan", "--format", "jsonl", "users.txt"]);
    let found = jsonl(&out);
    assert!(found.iter().all(|f| f["field"].is_null()), "{found:?}");
}

/// `--delimiter` gives the delimiter sniffing cannot guess (`~`), to `scan`, `report` and
/// `gate` alike, and wins over what sniffing would choose; without it the same file is text,
/// with a note.
#[test]
fn delimiter_is_given_to_scan_report_and_gate() {
    let dir = tempfile::tempdir().unwrap();
    let file = table('~', false);
    std::fs::write(dir.path().join("users.csv"), &file).unwrap();
    let note = "piiscan: users.csv: named as a delimited file, but its first line does not \
                split into two columns by `,` `;` tab or `|`: scanned as text";

    let out = piiscan(dir.path(), &["scan", "--format", "jsonl", "users.csv"]);
    expect(&out, 1);
    assert!(stderr(&out).contains(note), "{}", stderr(&out));
    assert!(jsonl(&out).iter().all(|f| f["field"].is_null()));

    let by = ["--delimiter", "~"];
    let out = piiscan(
        dir.path(),
        &["scan", "--format", "jsonl", by[0], by[1], "users.csv"],
    );
    expect(&out, 1);
    assert_eq!(stderr(&out), "");
    assert_read_by_columns(&jsonl(&out), &file, "scan");

    let out = piiscan(
        dir.path(),
        &["gate", "--format", "jsonl", by[0], by[1], "users.csv"],
    );
    expect(&out, 1);
    assert_read_by_columns(&jsonl(&out), &file, "gate");

    // The report's figures per field: a row for each column's kind, none for the rest.
    for (args, split) in [(&by[..], true), (&[][..], false)] {
        let mut all = vec!["report", "--format", "json"];
        all.extend_from_slice(args);
        all.push("users.csv");
        let out = piiscan(dir.path(), &all);
        expect(&out, 0);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let fields: Vec<(String, String, u64)> = report["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let n = r["occurrences"].as_u64().unwrap();
                (text(r, "kind"), text(r, "field"), n)
            })
            .collect();
        if split {
            for (kind, column) in &COLUMN_OF[1..] {
                let want = (kind.to_string(), column.to_string(), ROWS.len() as u64);
                assert!(fields.contains(&want), "{want:?} in {fields:?}");
            }
            assert!(fields.iter().all(|f| f.1 != "(null)"), "{fields:?}");
        } else {
            assert!(stderr(&out).contains(note), "{}", stderr(&out));
            assert!(fields.iter().all(|f| f.1 == "(null)"), "{fields:?}");
        }
    }

    // Given, it wins over what would be sniffed: a `;` file split by `,` does not split.
    std::fs::write(dir.path().join("semi.csv"), table(';', false)).unwrap();
    let out = piiscan(
        dir.path(),
        &["scan", "--format", "jsonl", "--delimiter", ",", "semi.csv"],
    );
    expect(&out, 1);
    assert!(
        stderr(&out).contains("semi.csv: named as a delimited file, but its first line does not split into two columns by `,`"),
        "{}",
        stderr(&out)
    );
    assert!(jsonl(&out).iter().all(|f| f["field"].is_null()));
    // `tab` names the tab.
    std::fs::write(dir.path().join("tabs.csv"), table('\t', false)).unwrap();
    let out = piiscan(
        dir.path(),
        &[
            "scan",
            "--format",
            "jsonl",
            "--delimiter",
            "tab",
            "tabs.csv",
        ],
    );
    expect(&out, 1);
    assert_read_by_columns(&jsonl(&out), &table('\t', false), "tab");
}

/// A file named as delimited whose first line does not split into two columns is scanned as
/// text (its values all found, no field names) with a note naming the file and the
/// delimiters tried, in `scan` and `report`.
#[test]
fn a_header_that_does_not_split_is_scanned_as_text_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let body = "Support notes exported from the helpdesk\n\
                Call back ann@example.org about the invoice\n\
                Wrong address given: bob@example.org, then cy@example.org\n";
    std::fs::write(dir.path().join("notes.csv"), body).unwrap();
    std::fs::write(dir.path().join("notes.tsv"), body).unwrap();
    for (name, by) in [("notes.csv", "`,` `;` tab or `|`"), ("notes.tsv", "tab")] {
        let note = format!(
            "piiscan: {name}: named as a delimited file, but its first line does not split \
             into two columns by {by}: scanned as text, without column names"
        );
        let out = piiscan(dir.path(), &["scan", "--format", "jsonl", name]);
        expect(&out, 1);
        assert!(stderr(&out).contains(&note), "{}", stderr(&out));
        let found = jsonl(&out);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|f| f["field"].is_null()), "{found:?}");
        let out = piiscan(dir.path(), &["report", "--format", "json", name]);
        expect(&out, 0);
        assert!(stderr(&out).contains(&note), "{}", stderr(&out));
    }
}

/// A column name holding bidirectional controls or invisible characters (`U+202E` before
/// `liame` shows as `email`) reaches people escaped (the gate's verdict, the exposure table)
/// and tools as it is (JSONL `field`).
#[test]
fn controls_in_a_header_are_escaped_for_people() {
    let dir = tempfile::tempdir().unwrap();
    let name = "\u{202e}liame\u{200b}";
    let file = format!("id,{name},city\n1,ann@example.org,Lyon\n2,bob@example.org,Paris\n");
    std::fs::write(dir.path().join("users.csv"), file).unwrap();
    let escaped = "\\u{202e}liame\\u{200b}";
    let out = piiscan(dir.path(), &["scan", "--format", "jsonl", "users.csv"]);
    expect(&out, 1);
    assert_eq!(jsonl(&out)[0]["field"], name);
    // A report is written: exit 0 whatever it found.
    for (args, code) in [
        (&["gate", "users.csv"][..], 1),
        (&["report", "users.csv"], 0),
    ] {
        let out = piiscan(dir.path(), args);
        expect(&out, code);
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(printed.contains(escaped), "{args:?}: {printed}");
        assert!(!printed.contains('\u{202e}'), "{args:?}: {printed}");
        assert!(!printed.contains('\u{200b}'), "{args:?}: {printed}");
    }
}

//! `piiscan report`: the exposure figures against counts made independently from the
//! findings, the formats, and the HTML page as rendered by headless Chromium.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use piiscan::exposure::field_pattern;
use serde_json::Value;

const SAMPLES: &str = "corpora/samples";

/// Reports made without a given key, whatever the shell running the tests exports: what a
/// report says of its estimates depends on it.
fn piiscan() -> Command {
    let mut cmd = Command::cargo_bin("piiscan").unwrap();
    cmd.env_remove("PIISCAN_FINGERPRINT_KEY");
    cmd
}

fn json_report(path: &str) -> Value {
    let out = piiscan()
        .args(["report", "--format", "json", path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn findings(paths: &[&str]) -> Vec<Value> {
    let out = piiscan()
        .args([
            "scan",
            "--format",
            "jsonl",
            "--kinds",
            "all",
            "--show-values",
        ])
        .args(paths)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Occurrences, records (path and line) and distinct values of one kind or field.
type KindCounts = (u64, BTreeSet<(String, u64)>, BTreeSet<String>);

/// A value as the engine fingerprints it: in its kind's normal form (the one normaliser that
/// distinct counts, allowlists and baselines share; its cases are tested beside it).
fn folded(kind: &str, value: &str) -> String {
    let kind = piiscan::Kind::from_name(kind).expect("a built-in kind");
    kind.normal().apply(value.as_bytes())
}

fn add(counts: &mut KindCounts, path: &str, line: u64, value: String) {
    counts.0 += 1;
    counts.1.insert((path.to_string(), line));
    counts.2.insert(value);
}

/// Checks a row of the report against counts made from findings or labels.
fn assert_row(row: &Value, want: &KindCounts, what: &str) {
    let (occurrences, records, distinct) = want;
    assert_eq!(row["occurrences"], *occurrences, "{what}: occurrences");
    assert_eq!(row["records"], records.len() as u64, "{what}: records");
    assert_eq!(
        row["distinct"]["value"],
        distinct.len() as u64,
        "{what}: distinct"
    );
    assert_eq!(row["distinct"]["estimated"], false, "{what}");
}

fn kind_rows(report: &Value) -> Vec<&Value> {
    report["direct"]
        .as_array()
        .unwrap()
        .iter()
        .chain(report["quasi"].as_array().unwrap())
        .collect()
}

/// Every figure of the report (per kind, per field, records, people, profiles and the field
/// pairs that make them) equals the same figure counted here from the scan's own jsonl
/// findings: the aggregation is exact relative to what was found.
pub(crate) fn assert_report_matches_findings(paths: &[&str]) {
    let out = piiscan()
        .args(["report", "--format", "json"])
        .args(paths)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = findings(paths);
    assert!(!found.is_empty());
    let mut by_kind: BTreeMap<String, KindCounts> = BTreeMap::new();
    let mut by_field: BTreeMap<(String, Option<String>), KindCounts> = BTreeMap::new();
    let mut by_record: BTreeMap<(String, u64), BTreeSet<(String, String)>> = BTreeMap::new();
    for f in &found {
        let kind = f["kind"].as_str().unwrap().to_string();
        let path = f["path"].as_str().unwrap();
        let line = f["line"].as_u64().unwrap();
        let value = folded(&kind, f["value"].as_str().unwrap());
        let field = f["field"].as_str().map(|p| field_pattern(p).into_owned());
        add(
            by_kind.entry(kind.clone()).or_default(),
            path,
            line,
            value.clone(),
        );
        let key = (kind.clone(), field.clone());
        add(by_field.entry(key).or_default(), path, line, value);
        let name = format!("{kind}@{}", field.as_deref().unwrap_or("(text)"));
        by_record
            .entry((path.to_string(), line))
            .or_default()
            .insert((kind, name));
    }
    let rows = kind_rows(&report);
    assert_eq!(rows.len(), by_kind.len());
    for row in rows {
        let kind = row["kind"].as_str().unwrap();
        assert_row(row, &by_kind[kind], kind);
    }
    assert_eq!(
        report["distinct_emails"]["value"],
        by_kind["email"].2.len() as u64
    );
    let accounts = by_kind.get("account_id").map_or(0, |c| c.2.len() as u64);
    assert_eq!(report["distinct_account_ids"]["value"], accounts);
    assert_eq!(report["records_with_findings"], by_record.len() as u64);

    let fields = report["fields"].as_array().unwrap();
    assert_eq!(fields.len(), by_field.len(), "one row per kind and field");
    for row in fields {
        assert_eq!(row["other_fields"], false);
        let key = (
            row["kind"].as_str().unwrap().to_string(),
            row["field"].as_str().map(str::to_string),
        );
        let what = format!("{key:?}");
        assert_row(row, &by_field[&key], &what);
    }

    // Profiles: records with an identity beside a location or a device, and the pairs of
    // fields that make them.
    let identity = |k: &str| ["email", "person_name", "ipv4", "ipv6"].contains(&k);
    let place = |k: &str| {
        [
            "city",
            "region",
            "country",
            "coordinates",
            "device",
            "mac_address",
            "imei",
        ]
        .contains(&k)
    };
    let mut profiles = 0;
    let mut pairs: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    for fields in by_record.values() {
        let ids: Vec<&String> = fields
            .iter()
            .filter(|f| identity(&f.0))
            .map(|f| &f.1)
            .collect();
        let places: Vec<&String> = fields
            .iter()
            .filter(|f| place(&f.0))
            .map(|f| &f.1)
            .collect();
        if ids.is_empty() || places.is_empty() {
            continue;
        }
        profiles += 1;
        for id in &ids {
            for place in &places {
                *pairs
                    .entry(vec![id.to_string(), place.to_string()])
                    .or_default() += 1;
            }
        }
    }
    assert!(profiles > 0);
    assert_eq!(report["profiles"], profiles);
    let reported: BTreeMap<Vec<String>, u64> = report["combinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let fields = c["fields"].as_array().unwrap();
            let fields = fields.iter().map(|f| f.as_str().unwrap().to_string());
            (fields.collect(), c["records"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(reported, pairs);
}

#[test]
fn figures_match_the_findings() {
    assert_report_matches_findings(&[SAMPLES]);
}

#[test]
fn no_value_in_any_format() {
    for format in ["table", "json", "html"] {
        let out = piiscan()
            .args(["report", "--format", format, SAMPLES])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for raw in [
            "jane.doe@example.com",
            "Jane Doe",
            "203.0.113.42",
            "Lyon",
            "Maria",
        ] {
            assert!(!text.contains(raw), "{format} prints {raw}");
        }
    }
}

#[test]
fn a_profile_needs_identity_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.ndjson");
    std::fs::write(
        &path,
        concat!(
            "{\"$email\":\"a@example.com\",\"$city\":\"Lyon\"}\n",
            "{\"$email\":\"a@example.com\"}\n",
            "{\"$city\":\"Paris\",\"$os\":\"Windows\"}\n",
            "{\"$email\":\"B@example.com\",\"$os\":\"Mac OS X\"}\n",
        ),
    )
    .unwrap();
    let report = json_report(path.to_str().unwrap());
    assert_eq!(report["profiles"], 2);
    assert_eq!(report["distinct_emails"]["value"], 2);
    assert_eq!(report["records_with_findings"], 4);
    let pairs: Vec<String> = report["combinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c["fields"][0], c["records"]))
        .collect();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
}

/// Chromium, from Debian's `chromium` package (`.ci/run` installs it). A missing browser fails
/// the test: a check skipped for want of a tool is a check that does not run. Set
/// `PIISCAN_SKIP_BROWSER=1` to leave the rendering out knowingly (the page's own checks still
/// run).
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| StdCommand::new(b).arg("--version").output().is_ok());
    if found.is_none() && std::env::var_os("PIISCAN_SKIP_BROWSER").is_none() {
        panic!(
            "no Chromium to render the HTML report: install it (apt-get install chromium), or \
             set PIISCAN_SKIP_BROWSER=1 to skip the rendering check knowingly"
        );
    }
    found
}

#[test]
fn html_renders_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let status = piiscan()
        .args(["report", "--format", "html", "-o"])
        .arg(&html)
        .arg(SAMPLES)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(0));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("http://") || !page.contains("src="),
        "no external assets"
    );
    assert!(!page.contains("<script"));
    let Some(browser) = chromium() else {
        eprintln!("PIISCAN_SKIP_BROWSER is set: rendering not checked");
        return;
    };
    let url = format!("file://{}", html.display());
    let profile = dir.path().join("profile");
    let headless = |extra: &[&str]| {
        StdCommand::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                // No calls home: this machine's network is closed, and a test needs none.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    // The DOM as Chromium parsed it: the chart and every section are there, filled.
    let dom = String::from_utf8(headless(&["--dump-dom"]).stdout).unwrap();
    assert!(dom.contains("<svg id=\"chart\""), "{dom}");
    assert!(dom.matches("<rect").count() >= 8, "a bar per kind");
    assert!(dom.contains("<table id=\"fields\""));
    assert!(dom.contains("properties.$email"));
    let sections = [
        // What was scanned, when, how.
        "<dl class=\"about\" id=\"about\">",
        "<dt>Paths</dt><dd>corpora/samples</dd>",
        "<dt>Date</dt>",
        "<dt>Kinds</dt><dd>all 18</dd>",
        "<dt>Policy</dt>",
        // The legend of the chart's colours, the kinds, the inputs.
        "<p id=\"legend\">",
        "<table id=\"kinds\">",
        "<table id=\"inputs\">",
        "<code>corpora/samples/mixpanel-export.ndjson</code>",
        // Every combination: the first ten, the rest folded.
        "<table id=\"combinations\">",
        "<details id=\"more-combinations\">",
        "email (field \"properties.$email\") + city (field \"properties.$city\")",
        "<dl id=\"definitions\">",
        "<ul id=\"next\">",
        "estimates vary from run to run",
    ];
    for section in sections {
        assert!(dom.contains(section), "{section} not rendered:\n{dom}");
    }
    let combinations = |id: &str| {
        let start = dom.find(&format!("<table id=\"{id}\"")).unwrap();
        let end = start + dom[start..].find("</table>").unwrap();
        dom[start..end].matches("<tr>").count() - 1
    };
    assert_eq!(combinations("combinations"), 10);
    assert!(combinations("combinations-rest") > 0);
    assert!(!dom.contains("email@"), "no kind@field notation");
    // And it paints: a screenshot of the page is written.
    let shot = dir.path().join("shot.png");
    let shot_arg = format!("--screenshot={}", shot.display());
    headless(&[&shot_arg, "--window-size=1200,900"]);
    let png = std::fs::read(&shot).expect("chromium wrote a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    assert!(Path::new(&shot).exists());
}

const LABELLED: &str = "corpora/labelled";
/// The files of the labelled sample whose every line is structured (JSON lines, CSV).
const STRUCTURED: [&str; 4] = [
    "amplitude.ndjson",
    "export.csv",
    "mixpanel.ndjson",
    "segment.ndjson",
];
const TEXT: [&str; 2] = ["access.log", "tickets.txt"];

/// Per kind, the occurrences, records and distinct values of the labels of `files`.
fn label_counts(files: &[&str]) -> BTreeMap<String, KindCounts> {
    let dir = Path::new(LABELLED);
    let mut want: BTreeMap<String, KindCounts> = BTreeMap::new();
    let contents: BTreeMap<&str, Vec<u8>> = files
        .iter()
        .map(|&f| (f, std::fs::read(dir.join(f)).unwrap()))
        .collect();
    let newlines: BTreeMap<&str, Vec<usize>> = contents
        .iter()
        .map(|(&name, c)| {
            let at = c.iter().enumerate().filter(|(_, &b)| b == b'\n');
            (name, at.map(|(i, _)| i).collect())
        })
        .collect();
    for line in std::fs::read_to_string(dir.join("labels.jsonl"))
        .unwrap()
        .lines()
    {
        let label: Value = serde_json::from_str(line).unwrap();
        let path = label["path"].as_str().unwrap();
        let Some(content) = contents.get(path) else {
            continue;
        };
        let kind = label["kind"].as_str().unwrap();
        let offset = label["offset"].as_u64().unwrap() as usize;
        let value = &content[offset..offset + label["length"].as_u64().unwrap() as usize];
        let line_no = newlines[path].partition_point(|&i| i < offset) as u64 + 1;
        let value = folded(kind, &String::from_utf8_lossy(value));
        let path = dir.join(path).to_str().unwrap().to_string();
        add(
            want.entry(kind.to_string()).or_default(),
            &path,
            line_no,
            value,
        );
    }
    want
}

fn report_of(files: &[&str]) -> Value {
    let paths: Vec<String> = files
        .iter()
        .map(|f| Path::new(LABELLED).join(f).to_str().unwrap().to_string())
        .collect();
    let out = piiscan()
        .args(["report", "--format", "json"])
        .args(&paths)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// On the committed labelled sample, the exposure figures against labels.jsonl alone
/// (occurrences, records and distinct values per kind) wherever the scanner's findings are
/// exact there (see tests/floors.rs): every kind in the structured files, the kinds found
/// exactly in text too over all files. Where detection is not exact (person names and places
/// in free text) the figures are checked against the scan's own findings instead, per kind
/// and per field, with the profiles and their field pairs.
#[test]
fn figures_are_exact_on_the_labelled_sample() {
    // Structured files: every kind the labels hold, and no other.
    let report = report_of(&STRUCTURED);
    let want = label_counts(&STRUCTURED);
    let rows = kind_rows(&report);
    let kinds: BTreeSet<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, want.keys().map(String::as_str).collect());
    for row in &rows {
        let kind = row["kind"].as_str().unwrap();
        assert_row(row, &want[kind], &format!("structured {kind}"));
    }

    // All files: the kinds found exactly in text as well.
    let all: Vec<&str> = STRUCTURED.iter().chain(&TEXT).copied().collect();
    let report = report_of(&all);
    let want = label_counts(&all);
    let rows = kind_rows(&report);
    let exact = [
        "email",
        "ipv4",
        "ipv6",
        "coordinates",
        "account_id",
        "device",
        "referrer",
    ];
    for kind in exact {
        let row = rows.iter().find(|r| r["kind"] == kind).unwrap();
        assert_row(row, &want[kind], kind);
    }
    assert_eq!(
        report["distinct_emails"]["value"],
        want["email"].2.len() as u64
    );
    assert_eq!(
        report["distinct_account_ids"]["value"],
        want["account_id"].2.len() as u64
    );

    // Everything, per kind and per field, against the findings.
    let paths: Vec<String> = all
        .iter()
        .map(|f| Path::new(LABELLED).join(f).to_str().unwrap().to_string())
        .collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    assert_report_matches_findings(&paths);
}

/// Writes `lines` into a file of a new tempdir; returns the dir and the file's path.
fn export(name: &str, lines: impl Iterator<Item = String>) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let text: String = lines.map(|l| l + "\n").collect();
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

/// A report exits 0 once it is written, whatever it found; 1 with --fail-on-findings when it
/// found something; 2 when an input was not scanned, which the report lists.
#[test]
fn exit_codes_say_whether_the_report_is_whole() {
    let (dir, path) = export(
        "events.ndjson",
        ["{\"email\":\"ann@example.org\"}".to_string()].into_iter(),
    );
    let clean = dir.path().join("clean.txt");
    std::fs::write(&clean, "nothing here\n").unwrap();
    let clean = clean.to_str().unwrap();
    let binary = dir.path().join("blob.bin");
    std::fs::write(&binary, b"a\0b ann@example.org\n").unwrap();
    let binary = binary.to_str().unwrap();
    let cases: [(&[&str], i32); 7] = [
        (&[&path], 0),
        (&["--format", "html", &path], 0),
        (&["--format", "markdown", &path], 0),
        (&["--fail-on-findings", &path], 1),
        (&["--fail-on-findings", clean], 0),
        (&[clean, binary], 2),
        (&["--binary", clean, binary], 0),
    ];
    for (args, code) in cases {
        let out = piiscan().arg("report").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("0 inputs could not be read"), "{text}");
        if code == 2 {
            assert!(
                text.contains("Not scanned:") && text.contains("blob.bin"),
                "{text}"
            );
        }
    }
}

/// The distinct counts of one input under one key are the same in every run, estimates
/// included (70,000 addresses in a field: past the exact limit); without a key the report
/// says that estimates vary.
#[test]
fn a_key_makes_distinct_counts_the_same_in_every_run() {
    let n = 70_000;
    let lines = (0..n).map(|i| format!("{{\"email\":\"user{i}@example.org\"}}"));
    let (dir, path) = export("many.ndjson", lines);
    let key = dir.path().join("key");
    std::fs::write(&key, "0123456789abcdef0123456789abcdef\n").unwrap();
    let run = |with_key: bool, via_env: bool| -> String {
        let mut cmd = piiscan();
        cmd.env_remove("PIISCAN_FINGERPRINT_KEY")
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args(["report", "--format", "json", "-j", "2"]);
        if with_key && via_env {
            cmd.env(
                "PIISCAN_FINGERPRINT_KEY",
                "0123456789abcdef0123456789abcdef",
            );
        } else if with_key {
            cmd.arg("--key-file").arg(&key);
        }
        let out = cmd.arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run(true, false);
    let report: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(report["about"]["keyed"], true);
    assert_eq!(report["about"]["generated"], "2023-11-14T22:13:20Z");
    let emails = &report["distinct_emails"];
    assert_eq!(emails["estimated"], true, "{emails}");
    let estimate = emails["value"].as_f64().unwrap();
    assert!((estimate / n as f64 - 1.0).abs() < 0.03, "{estimate}");
    assert_eq!(run(true, false), first, "the same key, the same report");
    assert_eq!(
        run(true, true),
        first,
        "the key file and the variable are one key"
    );
    // Without a key: another key each run, and the report says so (a small export will do).
    let small = dir.path().join("small.ndjson");
    std::fs::write(&small, "{\"email\":\"ann@example.org\"}\n").unwrap();
    for format in ["table", "json", "html", "markdown"] {
        let out = piiscan()
            .env_remove("PIISCAN_FINGERPRINT_KEY")
            .args(["report", "--format", format])
            .arg(&small)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let says = match format {
            "json" => "\"keyed\": false",
            _ => "vary from run to run",
        };
        assert!(text.contains(says), "{format}: {text}");
    }
    // A short key is refused before anything is written.
    std::fs::write(&key, "short").unwrap();
    let out = piiscan()
        .args(["report", "--key-file"])
        .arg(&key)
        .arg(&small)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 32"));
}

/// `--format markdown` for CI job summaries: the report's sections and the gate's verdict as
/// Markdown, with paths and field names from the data escaped for Markdown and HTML.
#[test]
fn markdown_for_job_summaries_escapes_the_data() {
    let key = "<img src=x>|[a](http://e.test)";
    let line = format!(
        "{{{}:\"ann@example.org\",\"city\":\"Lyon\"}}",
        serde_json::to_string(key).unwrap()
    );
    let (dir, path) = export("ev*ents.ndjson", [line].into_iter());
    let out = piiscan()
        .args(["report", "--format", "markdown", &path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    for section in [
        "## piiscan exposure report",
        "### Exposure by kind",
        "### Inputs",
        "### Fields",
        "### Field combinations that make profiles",
        "<details><summary>Definitions</summary>",
        "### Next",
        "ev\\*ents\\.ndjson",
        "&lt;img src\\=x&gt;\\|\\[a\\]\\(http\\:\\/\\/e\\.test\\)",
    ] {
        assert!(md.contains(section), "{section} missing:\n{md}");
    }
    assert!(!md.contains("<img") && !md.contains("](http"), "{md}");
    let out = piiscan()
        .current_dir(dir.path())
        .args(["gate", "--format", "markdown", &path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8(out.stdout).unwrap();
    for part in [
        "## piiscan gate: FAIL",
        "| **FAIL** | email | 1 |",
        "### Where the new findings are",
        "&lt;img src\\=x&gt;",
    ] {
        assert!(md.contains(part), "{part} missing:\n{md}");
    }
    assert!(
        !md.contains("<img") && !md.contains("ann@example.org"),
        "{md}"
    );
    // `scan` without a policy has no verdict to write.
    let out = piiscan()
        .args(["scan", "--format", "markdown", &path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `--kinds quasi` finds no direct identifier: the summary has no empty heading for them.
#[test]
fn summary_headings_only_for_classes_found() {
    let out = piiscan()
        .args(["scan", "--kinds", "quasi", SAMPLES])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("(direct identifiers)"), "{text}");
    assert!(text.contains("(quasi-identifiers)"), "{text}");
    let out = piiscan().args(["scan", SAMPLES]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(direct identifiers)"), "{text}");
    let out = piiscan()
        .args(["scan", "--kinds", "all", SAMPLES])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(direct identifiers)") && text.contains("(quasi-identifiers)"));
}

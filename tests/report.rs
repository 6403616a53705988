//! `piiscan report`: the exposure figures against counts made independently from the
//! findings, the formats, and the HTML page as rendered by headless Chromium.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use serde_json::Value;

const SAMPLES: &str = "corpora/samples";

fn piiscan() -> Command {
    Command::cargo_bin("piiscan").unwrap()
}

fn json_report(path: &str) -> Value {
    let out = piiscan()
        .args(["report", "--format", "json", path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn findings(path: &str) -> Vec<Value> {
    let out = piiscan()
        .args([
            "scan",
            "--format",
            "jsonl",
            "--kinds",
            "all",
            "--show-values",
            path,
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Occurrences, records (path and line) and distinct values of one kind.
type KindCounts = (u64, BTreeSet<(String, u64)>, BTreeSet<String>);

#[test]
fn figures_match_the_findings() {
    let report = json_report(SAMPLES);
    let found = findings(SAMPLES);
    // Per kind: occurrences, records (distinct path and line), distinct values.
    let mut by_kind: BTreeMap<String, KindCounts> = BTreeMap::new();
    for f in &found {
        let kind = f["kind"].as_str().unwrap().to_string();
        let entry = by_kind.entry(kind.clone()).or_default();
        entry.0 += 1;
        entry.1.insert((
            f["path"].as_str().unwrap().to_string(),
            f["line"].as_u64().unwrap(),
        ));
        let value = f["value"].as_str().unwrap();
        let folded = if kind == "account_id" || kind == "referrer" {
            value.to_string()
        } else {
            value.to_ascii_lowercase()
        };
        entry.2.insert(folded);
    }
    let rows: Vec<&Value> = report["direct"]
        .as_array()
        .unwrap()
        .iter()
        .chain(report["quasi"].as_array().unwrap())
        .collect();
    assert_eq!(rows.len(), by_kind.len());
    for row in rows {
        let kind = row["kind"].as_str().unwrap();
        let (occurrences, records, distinct) = &by_kind[kind];
        assert_eq!(row["occurrences"], *occurrences, "{kind}");
        assert_eq!(row["records"], records.len() as u64, "{kind}");
        assert_eq!(row["distinct"]["value"], distinct.len() as u64, "{kind}");
        assert_eq!(row["distinct"]["estimated"], false);
    }
    assert_eq!(
        report["distinct_emails"]["value"],
        by_kind["email"].2.len() as u64
    );
    let lines: BTreeSet<(String, u64)> = by_kind.values().flat_map(|v| v.1.clone()).collect();
    assert_eq!(report["records_with_findings"], lines.len() as u64);
    let field_total: u64 = report["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["occurrences"].as_u64().unwrap())
        .sum();
    assert_eq!(field_total, found.len() as u64);
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

/// Chromium from Debian's `chromium` package, if installed. CI installs it and sets
/// `PIISCAN_REQUIRE_CHROMIUM`, so that a missing browser fails there instead of skipping.
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| StdCommand::new(b).arg("--version").output().is_ok());
    if found.is_none() && std::env::var_os("PIISCAN_REQUIRE_CHROMIUM").is_some() {
        panic!("PIISCAN_REQUIRE_CHROMIUM is set but no chromium is installed");
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
    assert_eq!(status.code(), Some(1));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("http://") || !page.contains("src="),
        "no external assets"
    );
    assert!(!page.contains("<script"));
    let Some(browser) = chromium() else {
        eprintln!("chromium not installed: rendering not checked");
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
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    // The DOM as Chromium parsed it: the chart and both tables are there, filled.
    let dom = String::from_utf8(headless(&["--dump-dom"]).stdout).unwrap();
    assert!(dom.contains("<svg id=\"chart\""), "{dom}");
    assert!(dom.matches("<rect").count() >= 8, "a bar per kind");
    assert!(dom.contains("<table id=\"fields\""));
    assert!(dom.contains("properties.$email"));
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

/// On the committed labelled sample, for the kinds the scanner finds exactly there (see
/// tests/floors.rs), the exposure figures equal the counts made from labels.jsonl alone:
/// occurrences, records (lines) and distinct values.
#[test]
fn figures_are_exact_on_the_labelled_sample() {
    let dir = Path::new("corpora/labelled");
    let files: Vec<String> = [
        "access.log",
        "amplitude.ndjson",
        "export.csv",
        "mixpanel.ndjson",
    ]
    .iter()
    .chain(&["segment.ndjson", "tickets.txt"])
    .map(|f| dir.join(f).to_str().unwrap().to_string())
    .collect();
    let out = piiscan()
        .args(["report", "--format", "json"])
        .args(&files)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut want: BTreeMap<String, KindCounts> = BTreeMap::new();
    let contents: BTreeMap<String, Vec<u8>> = files
        .iter()
        .map(|f| {
            let name = Path::new(f)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            (name, std::fs::read(f).unwrap())
        })
        .collect();
    let newlines: BTreeMap<&String, Vec<usize>> = contents
        .iter()
        .map(|(name, c)| {
            (
                name,
                c.iter()
                    .enumerate()
                    .filter(|(_, &b)| b == b'\n')
                    .map(|(i, _)| i)
                    .collect(),
            )
        })
        .collect();
    for line in std::fs::read_to_string(dir.join("labels.jsonl"))
        .unwrap()
        .lines()
    {
        let label: Value = serde_json::from_str(line).unwrap();
        let kind = label["kind"].as_str().unwrap().to_string();
        let path = label["path"].as_str().unwrap();
        let content = &contents[path];
        let offset = label["offset"].as_u64().unwrap() as usize;
        let value = &content[offset..offset + label["length"].as_u64().unwrap() as usize];
        let line_no = newlines[&path.to_string()].partition_point(|&i| i < offset) as u64;
        let value = String::from_utf8_lossy(value)
            .replace("%40", "@")
            .replace("%2B", "+")
            .replace("\\u0040", "@");
        let value = if kind == "account_id" || kind == "referrer" {
            value
        } else {
            value.to_ascii_lowercase()
        };
        let entry = want.entry(kind).or_default();
        entry.0 += 1;
        entry.1.insert((path.to_string(), line_no));
        entry.2.insert(value);
    }
    let rows: Vec<&Value> = report["direct"]
        .as_array()
        .unwrap()
        .iter()
        .chain(report["quasi"].as_array().unwrap())
        .collect();
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
        let (occurrences, records, distinct) = &want[kind];
        assert_eq!(row["occurrences"], *occurrences, "{kind} occurrences");
        assert_eq!(row["records"], records.len() as u64, "{kind} records");
        assert_eq!(
            row["distinct"]["value"],
            distinct.len() as u64,
            "{kind} distinct"
        );
    }
    assert_eq!(
        report["distinct_emails"]["value"],
        want["email"].2.len() as u64
    );
    // Place names may be reported as a city or a region; their total is exact.
    let places =
        |kinds: &[&str]| -> u64 { kinds.iter().map(|k| want.get(*k).map_or(0, |w| w.0)).sum() };
    let found: u64 = rows
        .iter()
        .filter(|r| ["city", "region", "country"].contains(&r["kind"].as_str().unwrap()))
        .map(|r| r["occurrences"].as_u64().unwrap())
        .sum();
    let labelled = places(&["city", "region", "country"]);
    assert!(
        found.abs_diff(labelled) * 100 <= labelled,
        "places: {found} found, {labelled} labelled"
    );
}

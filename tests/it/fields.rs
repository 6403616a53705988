//! Field knowledge as data (issue 20, items 1 and 2) through the built binary: keys read by
//! their words in CSV headers and JSON (`signup_city`, `billingCountry`, `$geoip_city_name`),
//! place values reported whole under a place key when they have a place's shape though no list
//! knows them (`Blekinge län`, `Tverskaya oblast'`), versions under version columns never
//! taken for addresses, the policy's `[[field]]` meanings, and the vendor packs the exposure
//! report names.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn piiscan(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("piiscan")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

#[track_caller]
fn expect(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The findings of `scan --format jsonl --show-values` on `name`, as (kind, field, value).
fn scan(dir: &Path, name: &str) -> Vec<(String, String, String)> {
    let out = piiscan(dir, &["scan", "--format", "jsonl", "--show-values", name]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("kind"), s("field"), s("value"))
        })
        .collect()
}

/// Places that the shipped lists lack (GeoNames first-level and second-level names, in their
/// official and transliterated forms), as a region column and a city column would hold them.
const REGIONS: [&str; 6] = [
    "Jiangsu",
    "Blekinge län",
    "Tverskaya oblast'",
    "Buryatiya, Respublika",
    "Hà Nội (Thành phố)",
    "Région de Bruxelles-Capitale",
];
const CITIES: [&str; 6] = [
    "Tōbetsu",
    "Kuhmo",
    "Sainte-Marie-aux-Mines",
    "Ystad",
    "Bad Kötzting",
    "Llanfair Caereinion",
];

#[test]
fn csv_columns_are_read_by_their_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv =
        String::from("user_ref,signup_city,home_region,billingCountry,app_version,status\n");
    for i in 0..REGIONS.len() {
        csv.push_str(&format!(
            "u{i},{},\"{}\",Sverige,7.26.6.{},(not set)\n",
            CITIES[i],
            REGIONS[i],
            230 + i
        ));
    }
    std::fs::write(dir.path().join("users.csv"), csv).unwrap();
    let found = scan(dir.path(), "users.csv");
    for city in CITIES {
        assert!(
            found.contains(&("city".into(), "signup_city".into(), city.into())),
            "{city}: {found:?}"
        );
    }
    for region in REGIONS {
        assert!(
            found.contains(&("region".into(), "home_region".into(), region.into())),
            "{region}: {found:?}"
        );
    }
    assert!(
        found.iter().all(|(kind, _, _)| kind != "ipv4"),
        "a version column is not addresses: {found:?}"
    );
    assert!(
        found.iter().all(|(_, field, _)| field != "status"),
        "a placeholder is no place: {found:?}"
    );
}

#[test]
fn json_keys_by_their_words_and_ipv4_beside_versions() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        r#"{"event":"x","properties":{"$geoip_city_name":"Tōbetsu","$geoip_subdivision_1_name":"Blekinge län","$geoip_country_name":"Sverige","billingCountry":"Sverige"}}"#,
        r#"{"msg":"the build is 7.26.6.235 now","ua":"Mozilla/5.0 Chrome\/124.0.0.0 Safari\/537.36"}"#,
        r#"{"msg":"probe HOST5/127.0.0.1 down","shipping":{"address":{"city":"Kuhmo"}},"region":"(not set)"}"#,
    ];
    std::fs::write(dir.path().join("events.ndjson"), lines.join("\n") + "\n").unwrap();
    let found = scan(dir.path(), "events.ndjson");
    let has = |kind: &str, value: &str| found.iter().any(|(k, _, v)| k == kind && v == value);
    assert!(has("city", "Tōbetsu"), "{found:?}");
    assert!(has("region", "Blekinge län"), "{found:?}");
    assert!(has("city", "Kuhmo"), "{found:?}");
    assert!(has("ipv4", "127.0.0.1"), "{found:?}");
    let ips: Vec<_> = found.iter().filter(|(k, _, _)| k == "ipv4").collect();
    assert_eq!(ips.len(), 1, "versions are not addresses: {found:?}");
    assert!(found.iter().all(|(_, _, v)| v != "(not set)"), "{found:?}");
}

#[test]
fn the_policy_gives_fields_their_meaning() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir(&export).unwrap();
    std::fs::write(
        export.join("events.ndjson"),
        "{\"event\":\"x\",\"properties\":{\"signup_town\":\"Kuhmo\"}}\n",
    )
    .unwrap();
    let policy = "[kinds]\ncity = \"fail\"\n\n[[field]]\npath = \"properties.signup_town\"\nkind = \"city\"\n";
    std::fs::write(dir.path().join("policy.toml"), policy).unwrap();
    let out = piiscan(dir.path(), &["config", "check", "policy.toml"]);
    expect(&out, 0);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("fields: 1"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let gate = |policy_file: &str| {
        piiscan(
            dir.path(),
            &[
                "gate",
                "export",
                "--config",
                policy_file,
                "--format",
                "json",
            ],
        )
    };
    // With the field's meaning the town fails the gate; without it, no list knows the town.
    let out = gate("policy.toml");
    expect(&out, 1);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["kind"], "city", "{report}");
    std::fs::write(dir.path().join("plain.toml"), "[kinds]\ncity = \"fail\"\n").unwrap();
    expect(&gate("plain.toml"), 0);

    // Unknown kinds and unreadable paths are reported with their line, never their value.
    for (bad, want) in [
        (
            "[[field]]\npath = \"a.town\"\nkind = \"hometown\"\n",
            "3:8: unknown field kind",
        ),
        (
            "[[field]]\npath = \"a.$$$\"\nkind = \"city\"\n",
            "2:8: a field path's last key",
        ),
        ("[[field]]\npath = \"a.town\"\n", "missing field `kind`"),
    ] {
        std::fs::write(dir.path().join("bad.toml"), bad).unwrap();
        let out = piiscan(dir.path(), &["config", "check", "bad.toml"]);
        expect(&out, 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{bad:?}: want {want:?} in {err}");
        assert!(!err.contains("hometown"), "{err}");
    }
}

#[test]
fn the_exposure_report_names_the_packs_that_matched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mp.ndjson"),
        "{\"event\":\"x\",\"properties\":{\"$city\":\"Lyon\",\"$email\":\"ann@example.org\",\"$geoip_city_name\":\"Lyon\"}}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("plain.ndjson"),
        "{\"city\":\"Lyon\",\"email\":\"ann@example.org\"}\n",
    )
    .unwrap();
    let report = |name: &str, format: &str| {
        let out = piiscan(dir.path(), &["report", "--format", format, name]);
        // A report that was written exits 0, whatever it found.
        expect(&out, 0);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let table = report("mp.ndjson", "table");
    assert!(
        table.contains("Field names known from: Mixpanel, PostHog\n"),
        "{table}"
    );
    let json: Value = serde_json::from_str(&report("mp.ndjson", "json")).unwrap();
    assert_eq!(json["field_packs"][0], "Mixpanel", "{json}");
    let html = report("mp.ndjson", "html");
    assert!(html.contains("<dt>Field names known from</dt><dd>Mixpanel, PostHog</dd>"));
    let plain = report("plain.ndjson", "table");
    assert!(!plain.contains("known from"), "{plain}");
}

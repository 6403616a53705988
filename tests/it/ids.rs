//! Payment cards, IBANs and national numbers through the built binary: a generated export
//! (JSON lines, a CSV file, a support log) with identifiers planted among the numbers logs
//! are full of; the jsonl output names each kind, the scheme of each national number, and
//! masks that show no more than each kind allows.

use std::collections::BTreeMap;

use assert_cmd::Command;

/// What is planted: `(value, kind, scheme)`, each valid (specimen numbers published by
/// payment processors, SWIFT's registry examples, numbers made to pass each scheme's check).
const PLANTED: &[(&str, &str, Option<&str>)] = &[
    ("4111 1111 1111 1111", "credit_card", None),
    ("5555555555554444", "credit_card", None),
    ("3782-822463-10005", "credit_card", None),
    ("DE89 3704 0044 0532 0130 00", "iban", None),
    ("GB29NWBK60161331926819", "iban", None),
    ("123-45-6789", "national_id", Some("us_ssn")),
    ("AB123456C", "national_id", Some("uk_nino")),
    ("2 69 05 49 588 157 80", "national_id", Some("fr_nir")),
    ("RSSMRA85T10A562S", "national_id", Some("it_codice_fiscale")),
    ("123.456.789-09", "national_id", Some("br_cpf")),
    ("111222333", "national_id", Some("nl_bsn")),
];

/// Numbers that look like the planted ones and are none of them.
const DECOYS: &[&str] = &[
    "1700000000123",
    "9780306406157",
    "4111111111111112",
    "1234 5678 9012 3456",
    "DE89370400440532013001",
    "000-12-3456",
    "987654321",
    "550e8400-e29b-41d4-a716-446655440000",
];

/// Writes the export into `dir`; returns how many of each (kind, scheme) were planted.
fn write_export(dir: &std::path::Path) -> BTreeMap<(String, Option<String>), usize> {
    let mut planted = BTreeMap::new();
    let mut count = |kind: &str, scheme: Option<&str>| {
        *planted
            .entry((kind.to_string(), scheme.map(str::to_string)))
            .or_insert(0) += 1;
    };
    let key = |kind: &str, scheme: Option<&str>| match (kind, scheme) {
        ("credit_card", _) => "card_number",
        ("iban", _) => "iban",
        (_, Some("uk_nino")) => "nino",
        (_, Some("nl_bsn")) => "bsn",
        _ => "national_id",
    };
    let mut events = String::new();
    let mut csv = String::from("id,account,note,order_id\n");
    let mut log = String::new();
    for i in 0..30 {
        let (value, kind, scheme) = PLANTED[i % PLANTED.len()];
        let decoy = DECOYS[i % DECOYS.len()];
        events.push_str(&format!(
            "{{\"event\":\"Checkout\",\"properties\":{{\"time\":{},\"{}\":\"{value}\",\
             \"order_id\":\"{decoy}\",\"amount\":\"{i}9.90\"}}}}\n",
            1_700_000_000 + i,
            key(kind, scheme),
        ));
        count(kind, scheme);
        // In the CSV, the identifier in a column named for it, or in free text after a cue.
        let cue = match (kind, scheme) {
            ("credit_card", _) => "card",
            ("iban", _) => "IBAN",
            (_, Some("uk_nino")) => "NINO",
            (_, Some("nl_bsn")) => "BSN",
            _ => "id",
        };
        csv.push_str(&format!(
            "{i},{decoy},\"customer {cue} {value}\",{i}00{i}\n"
        ));
        count(kind, scheme);
        if i % 3 == 0 {
            log.push_str(&format!(
                "2024-01-15 12:30:{:02} WARN support ticket {decoy}: customer sent {cue} {value}\n",
                i
            ));
            count(kind, scheme);
        }
    }
    std::fs::write(dir.join("events.ndjson"), events).unwrap();
    std::fs::write(dir.join("users.csv"), csv).unwrap();
    std::fs::write(dir.join("support.log"), log).unwrap();
    planted
}

fn scan(dir: &std::path::Path, show_values: bool) -> Vec<serde_json::Value> {
    let mut cmd = Command::cargo_bin("piiscan").unwrap();
    cmd.args([
        "scan",
        "--format",
        "jsonl",
        "--kinds",
        "credit_card,iban,national_id",
    ]);
    if show_values {
        cmd.arg("--show-values");
    }
    let out = cmd.arg(dir).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The mask a kind may show of a value: cards at most the last four digits, IBANs the
/// country code and the last four characters, national numbers nothing; separators kept.
fn allowed_mask(kind: &str, value: &str) -> String {
    let total = value.bytes().filter(u8::is_ascii_alphanumeric).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_ascii_alphanumeric() {
                return c;
            }
            seen += 1;
            let shown = match kind {
                "credit_card" => seen + 4 > total,
                "iban" => seen <= 2 || seen + 4 > total,
                _ => false,
            };
            if shown {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[test]
fn cards_ibans_and_national_numbers_in_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let planted = write_export(dir.path());

    let shown = scan(dir.path(), true);
    let mut found: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
    for f in &shown {
        let kind = f["kind"].as_str().unwrap();
        let detail = f["detail"].as_str().map(str::to_string);
        let value = f["value"].as_str().unwrap();
        assert_eq!(
            detail.is_some(),
            kind == "national_id",
            "a scheme for national numbers only: {f}"
        );
        let (_, want_kind, want_scheme) = PLANTED
            .iter()
            .find(|(v, _, _)| *v == value)
            .unwrap_or_else(|| panic!("not planted: {f}"));
        assert_eq!(kind, *want_kind, "{f}");
        assert_eq!(detail.as_deref(), *want_scheme, "{f}");
        assert_eq!(f["masked"], allowed_mask(kind, value), "{f}");
        *found.entry((kind.to_string(), detail)).or_insert(0) += 1;
    }
    assert_eq!(found, planted);

    // Without --show-values no raw value appears anywhere in the output.
    let masked = scan(dir.path(), false);
    assert_eq!(masked.len(), shown.len());
    let text: String = masked.iter().map(|f| f.to_string()).collect();
    for (value, _, _) in PLANTED {
        let compact: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
        assert!(!text.contains(value), "{value} leaked");
        assert!(!text.contains(&compact), "{compact} leaked");
    }
    // Fields name the JSON key and the CSV column.
    let fields: Vec<&str> = masked.iter().filter_map(|f| f["field"].as_str()).collect();
    assert!(fields.contains(&"properties.card_number"));
    assert!(fields.contains(&"properties.national_id"));
    assert!(fields.contains(&"note"));
}

/// Runs piiscan in `dir` (without the fingerprint key of the environment).
pub(crate) fn run(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("piiscan")
        .unwrap()
        .current_dir(dir)
        .env_remove("PIISCAN_FINGERPRINT_KEY")
        .args(args)
        .output()
        .unwrap()
}

#[track_caller]
fn exit(out: &std::process::Output, want: i32) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(want),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// One of each kind, the card and the IBAN each written twice (printed and compact: one value
/// each once normalised), the national number bare under its key.
const ONE_OF_EACH: &str = concat!(
    r#"{"event":"Checkout","properties":{"card_number":"4111 1111 1111 1111","iban":"DE89 3704 0044 0532 0130 00"}}"#,
    "\n",
    r#"{"event":"Refund","properties":{"card_number":"4111111111111111","iban":"DE89370400440532013000","ssn":"078051121"}}"#,
    "\n",
);

/// Lines exports are full of, that hold no card, IBAN or national number: `scan` of the three
/// kinds finds nothing in any of them, as text, under neutral keys, and as a CSV column.
const HARD_NEGATIVES: &[(&str, &str)] = &[
    ("epoch seconds", "1700000000"),
    ("epoch milliseconds", "1700000000123"),
    ("epoch microseconds", "1700000000123456"),
    ("order id", "4000123456789"),
    ("invoice number", "INV-2024-000123456"),
    ("ISBN-13", "978-3-16-148410-0"),
    ("ISBN-13, bare", "9780306406157"),
    ("UUID", "550e8400-e29b-41d4-a716-446655440000"),
    ("UUID, upper case", "123E4567-E89B-12D3-A456-426614174000"),
    ("SHA-1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    (
        "SHA-256, upper case",
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
    ),
    ("version", "10.0.19041.1288"),
    ("date and time", "2024-01-15 12:30:45"),
    ("compact timestamp", "20240115123045"),
    ("price", "1234567.89"),
    ("price with thousands", "1,234,567.89"),
    ("postcodes", "75008 Paris, SW1A 1AA London, 12345-6789"),
    ("UPS tracking number", "1Z999AA10123456784"),
    ("USPS tracking number", "9400111899223197428490"),
    ("EAN-13", "4006381333931"),
    ("AWS account id", "123456789012"),
    ("card number failing Luhn", "4111 1111 1111 1112"),
    ("IBAN failing mod 97", "DE89 3704 0044 0532 0130 01"),
    ("never-issued SSN", "666-12-3456"),
    ("bare nine digits", "123456789"),
];

#[test]
fn hard_negatives_yield_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let mut json = String::new();
    let mut csv = String::from("id,value,note\n");
    for (i, (what, value)) in HARD_NEGATIVES.iter().enumerate() {
        text.push_str(&format!("2024-01-15 INFO {what}: {value} processed\n"));
        json.push_str(&format!(
            "{{\"event\":\"e{i}\",\"properties\":{{\"ref\":\"{value}\",\"label\":\"{what}\"}}}}\n"
        ));
        csv.push_str(&format!("{i},\"{value}\",{what}\n"));
    }
    std::fs::write(dir.path().join("app.log"), text).unwrap();
    std::fs::write(dir.path().join("events.ndjson"), json).unwrap();
    std::fs::write(dir.path().join("rows.csv"), csv).unwrap();
    let out = run(
        dir.path(),
        &[
            "scan",
            "--format",
            "jsonl",
            "--kinds",
            "credit_card,iban,national_id",
            ".",
        ],
    );
    let found = exit(&out, 0);
    assert_eq!(found, "", "hard negatives reported");
}

#[test]
fn a_gate_fails_warns_and_allows_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.ndjson"), ONE_OF_EACH).unwrap();
    let policy = |text: &str| {
        std::fs::write(dir.path().join("policy.toml"), text).unwrap();
        run(
            dir.path(),
            &["gate", "events.ndjson", "--config", "policy.toml"],
        )
    };
    // By default each of the three fails.
    let out = exit(&run(dir.path(), &["gate", "events.ndjson"]), 1);
    for kind in ["credit_card", "iban", "national_id"] {
        assert!(out.contains(kind), "{kind} missing:\n{out}");
    }
    assert!(!out.contains("4111") && !out.contains("DE89"), "{out}");
    // Allowed by value in another form (compared normalised), warned or ignored: it passes.
    let out = policy(concat!(
        "[kinds]\ncredit_card = \"warn\"\nnational_id = \"ignore\"\n",
        "[[allow]]\nreason = \"test account\"\nkinds = [\"iban\"]\n",
        "values = [\"de89 3704 0044 0532 0130 00\"]\n",
    ));
    let text = exit(&out, 0);
    assert!(text.contains("credit_card"), "{text}");
    assert!(text.contains("test account"), "{text}");
    // The card allowed by a regex over its digits; the national number still fails.
    let out = policy(concat!(
        "[kinds]\niban = \"ignore\"\n",
        "[[allow]]\nreason = \"processor test cards\"\nkinds = [\"credit_card\"]\n",
        "regexes = ['4111(1111){3}']\n",
    ));
    let text = exit(&out, 1);
    assert!(text.contains("national_id"), "{text}");
}

#[test]
fn sarif_lists_the_three_rules_and_masks_results() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.ndjson"), ONE_OF_EACH).unwrap();
    let out = run(dir.path(), &["gate", "events.ndjson", "--format", "sarif"]);
    let text = exit(&out, 1);
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &log["runs"][0];
    let rules: Vec<(&str, &str)> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["name"].as_str().unwrap()))
        .collect();
    for rule in [
        ("credit_card", "PaymentCardNumber"),
        ("iban", "Iban"),
        ("national_id", "NationalIdNumber"),
    ] {
        assert!(rules.contains(&rule), "{rule:?} not in {rules:?}");
    }
    let results = run["results"].as_array().unwrap();
    let count = |id: &str| results.iter().filter(|r| r["ruleId"] == id).count();
    assert_eq!(
        (count("credit_card"), count("iban"), count("national_id")),
        (2, 2, 1)
    );
    // The scheme of a national number is in the result, for a reviewer and for a query.
    let id = results
        .iter()
        .find(|r| r["ruleId"] == "national_id")
        .unwrap();
    assert_eq!(id["properties"]["detail"], "us_ssn", "{id}");
    assert!(
        id["message"]["text"].as_str().unwrap().contains("(us_ssn)"),
        "{id}"
    );
    for raw in [
        "4111111111111111",
        "1111 1111 1111",
        "370400440532",
        "078051121",
    ] {
        assert!(!text.contains(raw), "{raw} in the SARIF log");
    }
}

#[test]
fn the_exposure_report_counts_each_value_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.ndjson"), ONE_OF_EACH).unwrap();
    let out = run(dir.path(), &["report", "--format", "json", "events.ndjson"]);
    let report: serde_json::Value = serde_json::from_str(&exit(&out, 0)).unwrap();
    let row = |kind: &str| {
        report["direct"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} row: {report}"))
            .clone()
    };
    for (kind, occurrences, distinct) in
        [("credit_card", 2, 1), ("iban", 2, 1), ("national_id", 1, 1)]
    {
        let r = row(kind);
        assert_eq!(r["occurrences"], occurrences, "{r}");
        assert_eq!(r["distinct"]["value"], distinct, "{r}");
    }
}

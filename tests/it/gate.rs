//! `piiscan gate`, `baseline` and `config` on exports written into temporary folders: every
//! way a gate passes or fails, each allowlist type, baselines, SARIF, and policy errors.

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;

/// An export folder and a policy beside it, in a temporary directory that is also the
/// working directory of the commands run.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        let case = Case {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir(case.path("export")).unwrap();
        case
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) -> &Case {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Runs piiscan in the case's directory, without the fingerprint secret unless given.
    fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, None)
    }

    fn run_env(&self, args: &[&str], secret: Option<&str>) -> Output {
        let mut cmd = Command::cargo_bin("piiscan").unwrap();
        cmd.current_dir(self.dir.path()).args(args);
        match secret {
            Some(s) => cmd.env("PIISCAN_FINGERPRINT_KEY", s),
            None => cmd.env_remove("PIISCAN_FINGERPRINT_KEY"),
        };
        cmd.output().unwrap()
    }

    /// `gate export --config policy.toml` with `policy` as the policy, and more arguments.
    fn gate(&self, policy: &str, more: &[&str]) -> Output {
        self.write("policy.toml", policy);
        let mut args = vec!["gate", "export", "--config", "policy.toml"];
        args.extend_from_slice(more);
        self.run(&args)
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Asserts that `output` holds `text`, showing it when it does not.
#[track_caller]
fn holds(output: &str, text: &str) {
    assert!(output.contains(text), "want {text:?} in:\n{output}");
}

#[track_caller]
fn says(out: &Output, text: &str) {
    holds(&stdout(out), text);
}

#[track_caller]
fn says_err(out: &Output, text: &str) {
    holds(&stderr(out), text);
}

/// Asserts an exit code, showing the output when it is not the one expected.
#[track_caller]
fn expect(out: &Output, want: i32) {
    assert_eq!(
        code(out),
        want,
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// An export with one finding of most kinds, each under a field.
const EVENTS: &str = concat!(
    r#"{"event":"signup","properties":{"$email":"jane.doe@corp-mail.com","ip":"8.8.4.4"}}"#,
    "\n",
    r#"{"event":"login","properties":{"$email":"qa@shop.test","ip":"10.20.30.40"}}"#,
    "\n",
    r#"{"event":"view","context":{"ip":"203.0.113.77"},"properties":{"support":"ops@example.com"}}"#,
    "\n",
);

/// Raw values of [`EVENTS`] that no output may show without `--show-values`.
const RAW: &[&str] = &[
    "jane.doe@corp-mail.com",
    "8.8.4.4",
    "qa@shop.test",
    "10.20.30.40",
];

fn events() -> Case {
    let case = Case::new();
    case.write("export/events.ndjson", EVENTS);
    case
}

/// A `PIISCAN_FINGERPRINT_KEY` long enough to be accepted (32 bytes or more).
const SECRET: &str = "a-long-ci-secret-of-32-bytes-or-more";

/// Only e-mail and IPv4 are looked at, so each test decides about those alone.
const EMAIL_IP: &str = "[kinds]\nperson_name = \"ignore\"\ncity = \"ignore\"\nregion = \"ignore\"\ncountry = \"ignore\"\ncoordinates = \"ignore\"\nipv6 = \"ignore\"\n";

#[test]
fn a_clean_export_passes() {
    let case = Case::new();
    case.write("export/a.log", "GET /health 200\nnothing personal here\n");
    let out = case.run(&["gate", "export"]);
    expect(&out, 0);
    assert!(
        stdout(&out).starts_with("piiscan gate: PASS"),
        "{}",
        stdout(&out)
    );
}

/// A file that looks binary (a NUL byte near its start) is refused, by `scan` and by the gate
/// alike: exit 2, and the gate says it cannot vouch for the export; passing it unread would
/// let its data through. `--binary` reads it as text.
#[test]
fn the_gate_refuses_binary_files_unless_told_to_read_them() {
    let case = Case::new();
    case.write(
        "export/dump.log",
        "header\0\0\nuser ann.lee@acme-corp.io signed in\n",
    );
    let scanned = case.run(&["scan", "export"]);
    expect(&scanned, 2);
    says_err(&scanned, "binary file");
    let out = case.gate(EMAIL_IP, &[]);
    expect(&out, 2);
    says_err(&out, "export/dump.log: binary file");
    says(&out, "piiscan gate: ERROR (an input was not scanned)");
    says(
        &out,
        "1 input was not scanned (see above): the gate cannot vouch for the export",
    );
    let out = case.gate(EMAIL_IP, &["--binary"]);
    expect(&out, 1);
    says(&out, "FAIL  email");
}

#[test]
fn a_failing_gate_says_which_kind_field_count_and_file_masked() {
    let case = events();
    let out = case.gate(EMAIL_IP, &[]);
    expect(&out, 1);
    let text = stdout(&out);
    assert!(text.starts_with("piiscan gate: FAIL"), "{text}");
    holds(&text, "FAIL  email: 3 new findings");
    holds(&text, "FAIL  ipv4: 3 new findings");
    holds(
        &text,
        "export/events.ndjson  properties.$email  from line 1, e.g. j***@c***.com",
    );
    for raw in RAW {
        assert!(
            !text.contains(raw) && !stderr(&out).contains(raw),
            "{raw} leaked:\n{text}"
        );
    }
    let shown = case.gate(EMAIL_IP, &["--show-values"]);
    says(&shown, "e.g. jane.doe@corp-mail.com");
}

#[test]
fn warnings_print_but_pass() {
    let case = events();
    let policy = format!("{EMAIL_IP}email = \"warn\"\nipv4 = \"warn\"\n");
    let out = case.gate(&policy, &[]);
    expect(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("piiscan gate: PASS"), "{text}");
    holds(&text, "WARN  email: 3 new findings");
    holds(&text, "properties.$email");
}

#[test]
fn thresholds_count_what_remains() {
    let case = events();
    // Three e-mail addresses and three IPv4 addresses; e-mail is ignored here.
    let cases = [
        (
            "ipv4 = { action = \"fail\", threshold = 4 }",
            0,
            "below the threshold of 4",
        ),
        (
            "ipv4 = { action = \"fail\", threshold = 3 }",
            1,
            "FAIL  ipv4: 3 new findings (threshold 3)",
        ),
        (
            "ipv4 = { action = \"warn\", threshold = 2 }",
            0,
            "WARN  ipv4",
        ),
    ];
    for (rule, want, says) in cases {
        let policy = format!("{EMAIL_IP}email = \"ignore\"\n{rule}\n");
        let out = case.gate(&policy, &[]);
        expect(&out, want);
        assert!(stdout(&out).contains(says), "{rule}:\n{}", stdout(&out));
    }
    // An allowlist lowers the count under the threshold.
    let policy = format!(
        "{EMAIL_IP}email = \"ignore\"\nipv4 = {{ action = \"fail\", threshold = 3 }}\n\
         [[allow]]\nip_ranges = [\"private\"]\n"
    );
    expect(&case.gate(&policy, &[]), 0);
}

/// Each allowlist type, alone: which of the three e-mail addresses and three IPv4 addresses
/// of [`EVENTS`] it accepts, seen in the counts of the verdict.
#[test]
fn each_allowlist_type_accepts_what_it_names() {
    let case = events();
    let cases: &[(&str, &str, &str)] = &[
        (
            "values = [\"JANE.DOE@corp-mail.com\"]",
            "email: 2 new findings; 1 allowed",
            "ipv4: 3 new",
        ),
        (
            "values = [\"8.8.4.4\"]",
            "email: 3 new",
            "ipv4: 2 new findings; 1 allowed",
        ),
        (
            "regexes = ['[a-z.]+@corp-mail\\.com']",
            "email: 2 new findings; 1 allowed",
            "ipv4: 3 new",
        ),
        ("regexes = ['corp-mail']", "email: 3 new", "ipv4: 3 new"),
        (
            "email_domains = [\"example.com\"]",
            "email: 2 new findings; 1 allowed",
            "ipv4: 3 new",
        ),
        (
            "email_domains = [\"*.test\", \"corp-mail.com\"]",
            "email: 1 new finding; 2 allowed",
            "ipv4: 3 new",
        ),
        (
            "email_domains = [\"*.com\"]",
            "email: 1 new finding; 2 allowed",
            "ipv4: 3 new",
        ),
        (
            "ip_ranges = [\"10.0.0.0/8\"]",
            "email: 3 new",
            "ipv4: 2 new findings; 1 allowed",
        ),
        (
            "ip_ranges = [\"documentation\", \"private\"]",
            "email: 3 new",
            "ipv4: 1 new finding; 2 allowed",
        ),
        (
            "ip_ranges = [\"8.8.4.4\"]",
            "email: 3 new",
            "ipv4: 2 new findings; 1 allowed",
        ),
        (
            "fields = [\"properties.$email\"]",
            "email: 1 new finding; 2 allowed",
            "ipv4: 3 new",
        ),
        (
            "fields = [\"*.ip\"]",
            "email: 3 new",
            "ipv4: no new finding; 3 allowed",
        ),
        (
            "fields = [\"context.*\"]",
            "email: 3 new",
            "ipv4: 2 new findings; 1 allowed",
        ),
        (
            "files = [\"export/*.ndjson\"]",
            "email: no new finding; 3 allowed",
            "ipv4: no new finding; 3 allowed",
        ),
        (
            "files = [\"events.ndjson\"]",
            "email: no new finding; 3 allowed",
            "ipv4: no new finding; 3 allowed",
        ),
        ("files = [\"*.csv\"]", "email: 3 new", "ipv4: 3 new"),
        (
            "kinds = [\"email\"]\nfields = [\"properties.*\"]",
            "email: no new finding; 3 allowed",
            "ipv4: 3 new",
        ),
    ];
    for (entry, email, ipv4) in cases {
        let policy = format!("{EMAIL_IP}[[allow]]\nreason = \"test\"\n{entry}\n");
        let out = case.gate(&policy, &[]);
        let text = stdout(&out);
        assert!(
            text.contains(email) && text.contains(ipv4),
            "{entry}: want {email:?} and {ipv4:?}\n{text}{}",
            stderr(&out)
        );
    }
}

#[test]
fn everything_allowed_passes_and_is_counted_by_entry() {
    let case = events();
    let policy = format!(
        "{EMAIL_IP}[[allow]]\nreason = \"vendor fields\"\nfields = [\"properties.$email\", \"properties.support\"]\n\
         [[allow]]\nip_ranges = [\"0.0.0.0/0\"]\n"
    );
    let out = case.gate(&policy, &[]);
    expect(&out, 0);
    assert!(
        stdout(&out).contains(
            "allowed: 3 by allow entry at line 8 (vendor fields); 3 by allow entry at line 11"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn custom_detectors_report_their_own_kind() {
    let case = Case::new();
    case.write(
        "export/tickets.txt",
        "Ticket from EMP-004211 about project Nightjar\nnightjars sang\nEMP-12 is not one\n",
    );
    let policy = "[kinds]\nperson_name = \"ignore\"\n\
        [[detector]]\nkind = \"employee_id\"\nregex = '\\bEMP-[0-9]{6}\\b'\n\
        [[detector]]\nkind = \"codename\"\nwords = [\"nightjar\"]\nseverity = \"warn\"\n";
    let out = case.gate(policy, &[]);
    expect(&out, 1);
    let text = stdout(&out);
    holds(&text, "FAIL  employee_id: 1 new finding");
    holds(&text, "WARN  codename: 1 new finding");
    assert!(
        !text.contains("EMP-004211") && !text.contains("Nightjar"),
        "{text}"
    );
    let jsonl = case.gate(policy, &["--format", "jsonl"]);
    let kinds: Vec<String> = stdout(&jsonl)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["employee_id", "codename"]);
    // At `warn` for both, the gate passes.
    let warn = policy.replace(
        "regex = '\\bEMP-[0-9]{6}\\b'",
        "regex = '\\bEMP-[0-9]{6}\\b'\nseverity = \"warn\"",
    );
    expect(&case.gate(&warn, &[]), 0);
}

#[test]
fn a_baseline_accepts_what_it_recorded_and_fails_on_what_is_new() {
    let case = events();
    case.write("policy.toml", EMAIL_IP);
    let out = case.run(&[
        "baseline",
        "export",
        "--config",
        "policy.toml",
        "-o",
        "baseline.json",
    ]);
    expect(&out, 0);
    let stored = std::fs::read_to_string(case.path("baseline.json")).unwrap();
    for raw in RAW {
        assert!(!stored.contains(raw), "{raw} in the baseline");
    }
    let gate = |case: &Case| {
        case.run(&[
            "gate",
            "export",
            "--config",
            "policy.toml",
            "--baseline",
            "baseline.json",
        ])
    };
    let out = gate(&case);
    expect(&out, 0);
    assert!(
        stdout(&out).contains("email: no new finding; 3 in the baseline"),
        "{}",
        stdout(&out)
    );

    // Reformatted (keys spaced, records reordered): the same findings.
    let reordered: Vec<&str> = EVENTS.lines().rev().collect();
    case.write(
        "export/events.ndjson",
        &(reordered.join("\n").replace("\":\"", "\": \"") + "\n"),
    );
    expect(&gate(&case), 0);

    // A new address fails, and only it is reported; a known one repeated is new too.
    case.write(
        "export/events.ndjson",
        &format!(
            "{EVENTS}{}\n{}\n",
            r#"{"properties":{"$email":"new.person@corp-mail.com"}}"#,
            r#"{"event":"signup","properties":{"$email":"jane.doe@corp-mail.com"}}"#
        ),
    );
    let out = gate(&case);
    expect(&out, 1);
    assert!(
        stdout(&out).contains("FAIL  email: 2 new findings; 3 in the baseline"),
        "{}",
        stdout(&out)
    );
    says(&out, "from line 4, e.g. n***@c***.com");

    // The same value under another field is another finding.
    case.write(
        "export/events.ndjson",
        &EVENTS.replace("$email", "$email_address"),
    );
    expect(&gate(&case), 1);

    // What was fixed is counted.
    case.write(
        "export/events.ndjson",
        &EVENTS.lines().take(2).collect::<Vec<_>>().join("\n"),
    );
    let out = gate(&case);
    expect(&out, 0);
    says(&out, "no longer found");
}

#[test]
fn a_moved_folder_keeps_its_fingerprints() {
    let case = events();
    case.write("policy.toml", EMAIL_IP);
    expect(
        &case.run(&[
            "baseline",
            "export",
            "--config",
            "policy.toml",
            "-o",
            "baseline.json",
        ]),
        0,
    );
    std::fs::create_dir_all(case.path("build/out")).unwrap();
    std::fs::rename(case.path("export"), case.path("build/out/export")).unwrap();
    let out = case.run(&[
        "gate",
        "build/out/export/",
        "--config",
        "policy.toml",
        "--baseline",
        "baseline.json",
    ]);
    expect(&out, 0);
    // The file named on its own is known by its name.
    let out = case.run(&[
        "gate",
        "build/out/export/events.ndjson",
        "--config",
        "policy.toml",
        "--baseline",
        "baseline.json",
    ]);
    expect(&out, 0);
}

#[test]
fn a_rewritten_baseline_keeps_its_key_and_so_its_fingerprints() {
    let case = events();
    case.write("policy.toml", EMAIL_IP);
    let write = || {
        case.run(&[
            "baseline",
            "export",
            "--config",
            "policy.toml",
            "-o",
            "baseline.json",
        ])
    };
    expect(&write(), 0);
    let first = std::fs::read_to_string(case.path("baseline.json")).unwrap();
    expect(&write(), 0);
    assert_eq!(
        std::fs::read_to_string(case.path("baseline.json")).unwrap(),
        first
    );
}

#[test]
fn a_secret_keyed_baseline_needs_its_secret() {
    let case = events();
    case.write("policy.toml", EMAIL_IP);
    let args = [
        "baseline",
        "export",
        "--config",
        "policy.toml",
        "-o",
        "baseline.json",
    ];
    expect(&case.run_env(&args, Some(SECRET)), 0);
    let gate = [
        "gate",
        "export",
        "--config",
        "policy.toml",
        "--baseline",
        "baseline.json",
    ];
    expect(&case.run_env(&gate, Some(SECRET)), 0);
    let out = case.run_env(&gate, None);
    expect(&out, 2);
    says_err(&out, "was written with PIISCAN_FINGERPRINT_KEY set");
    let out = case.run_env(&gate, Some("another-ci-secret-of-32-bytes-or-more"));
    expect(&out, 2);
    says_err(&out, "another PIISCAN_FINGERPRINT_KEY");
}

#[test]
fn a_bad_baseline_is_an_error() {
    let case = events();
    case.write("baseline.json", "{\"jane.doe@corp-mail.com\": 1}");
    let out = case.run(&["gate", "export", "--baseline", "baseline.json"]);
    expect(&out, 2);
    says_err(&out, "baseline.json is not a piiscan baseline");
    assert!(!stderr(&out).contains("jane"), "{}", stderr(&out));
    let out = case.run(&["gate", "export", "--baseline", "missing.json"]);
    expect(&out, 2);
    says_err(&out, "cannot read the baseline missing.json");
}

/// Each broken policy, and the line:column and message the gate and `config check` give.
#[test]
fn policy_errors_name_their_line_and_quote_no_value() {
    let case = events();
    let cases: &[(&str, &str)] = &[
        (
            "[kinds]\nemail = \"fail\"\nemial = \"warn\"\n",
            "policy.toml:3:1: unknown kind `…`, expected one of `email`",
        ),
        // A value where a rule, a key, a kind or a severity belongs is not quoted back.
        (
            "[kinds]\nemail = \"jane.doe@corp.io\"\n",
            "policy.toml:2:9: unknown variant `…`, expected one of `fail`, `warn`, `ignore`",
        ),
        (
            "[kinds]\n\"jane.doe@corp.io\" = \"fail\"\n",
            "policy.toml:2:1: unknown kind `…`, expected one of `email`",
        ),
        (
            "[[allow]]\nreason = \"x\"\n\"jane.doe@corp.io\" = 1\n",
            "policy.toml:3:1: unknown field `…`, expected one of `reason`",
        ),
        (
            "[[allow]]\nkinds = [\"jane.doe@corp.io\"]\nfields = [\"x\"]\n",
            "policy.toml:2:10: unknown kind; expected one of: email, phone, credit_card, iban, national_id, secret, ipv4,",
        ),
        (
            "[[detector]]\nkind = \"badge\"\nregex = 'B1'\nseverity = \"jane.doe@corp.io\"\n",
            "policy.toml:4:12: unknown variant `…`, expected one of `fail`, `warn`, `ignore`",
        ),
        (
            "[[allow]]\nreason = \"x\"\nregexes = ['jane\\.doe@(corp']\n",
            "policy.toml:3:12: bad regex: unclosed group",
        ),
        (
            "[[allow]]\n\nip_ranges = [\"10.0.0.0/40\"]\n",
            "policy.toml:3:14: not a CIDR range",
        ),
        (
            "[[allow]]\nemail_domains = [\"jane.doe@corp-mail.com\"]\n",
            "policy.toml:2:18: not an e-mail domain",
        ),
        (
            "[[detector]]\nkind = \"badge\"\nregex = '('\n",
            "policy.toml:3:9: bad regex: unclosed group",
        ),
        (
            "[kinds]\nipv4 = { action = \"fail\", threshold = 0 }\n",
            "policy.toml:2:8: threshold must be at least 1",
        ),
    ];
    for (policy, want) in cases {
        for args in [
            &["gate", "export", "--config", "policy.toml"][..],
            &["config", "check", "policy.toml"],
        ] {
            case.write("policy.toml", policy);
            let out = case.run(args);
            expect(&out, 2);
            let err = stderr(&out);
            assert!(
                err.contains(want),
                "{args:?} {policy:?}: want {want:?}\n{err}"
            );
            assert!(!err.contains("jane"), "{err}");
        }
    }
}

#[test]
fn config_init_writes_a_policy_that_config_check_accepts() {
    let case = Case::new();
    expect(&case.run(&["config", "check"]), 2);
    let out = case.run(&["config", "init"]);
    expect(&out, 0);
    let out = case.run(&["config", "check"]);
    expect(&out, 0);
    says(&out, "piiscan.toml: valid");
    let again = case.run(&["config", "init"]);
    expect(&again, 2);
    says_err(&again, "--force");
    expect(&case.run(&["config", "init", "--force"]), 0);
}

#[test]
fn piiscan_toml_in_the_working_directory_is_the_policy() {
    let case = events();
    case.write(
        "piiscan.toml",
        &format!("{EMAIL_IP}email = \"warn\"\nipv4 = \"warn\"\n"),
    );
    let out = case.run(&["gate", "export"]);
    expect(&out, 0);
    says(&out, "policy: piiscan.toml");
}

#[test]
fn scan_with_a_policy_is_a_gate() {
    let case = events();
    case.write("policy.toml", EMAIL_IP);
    let gate = case.run(&["gate", "export", "--config", "policy.toml"]);
    let scan = case.run(&["scan", "export", "--policy", "policy.toml"]);
    expect(&scan, 1);
    assert_eq!(stdout(&scan), stdout(&gate));
    expect(
        &case.run(&[
            "scan",
            "export",
            "--policy",
            "policy.toml",
            "--kinds",
            "email",
        ]),
        2,
    );
}

#[test]
fn an_unreadable_input_is_an_error_even_when_the_rest_passes() {
    let case = Case::new();
    case.write("export/a.log", "nothing here\n");
    let out = case.run(&["gate", "export", "missing.ndjson"]);
    expect(&out, 2);
    says(&out, "ERROR");
    says_err(&out, "missing.ndjson");
}

#[test]
fn reports_go_to_their_file_and_the_verdict_to_the_terminal() {
    let case = events();
    case.write("policy.toml", EMAIL_IP);
    let out = case.run(&[
        "gate",
        "export",
        "--config",
        "policy.toml",
        "--format",
        "json",
        "-o",
        "report.json",
    ]);
    expect(&out, 1);
    assert!(
        stdout(&out).starts_with("piiscan gate: FAIL"),
        "{}",
        stdout(&out)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.path("report.json")).unwrap()).unwrap();
    assert_eq!(report["gate"]["passed"], false);
    assert_eq!(report["findings"][0]["action"], "fail");
    // Without -o the report has standard output, and the verdict standard error.
    let out = case.run(&[
        "gate",
        "export",
        "--config",
        "policy.toml",
        "--format",
        "jsonl",
    ]);
    says_err(&out, "piiscan gate: FAIL");
    assert_eq!(stdout(&out).lines().count(), 6);
}

fn sarif_schema() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

#[track_caller]
fn assert_valid_sarif(text: &str) -> serde_json::Value {
    let log: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> = sarif_schema()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    log
}

#[test]
fn the_schema_catches_a_broken_log() {
    // The validation below can fail: a result without a message is not SARIF.
    let broken = serde_json::json!({
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "piiscan" } }, "results": [{ "ruleId": "email" }] }]
    });
    assert!(!sarif_schema().is_valid(&broken));
}

#[test]
fn sarif_of_a_gate_is_valid_and_stable() {
    let out = Command::cargo_bin("piiscan")
        .unwrap()
        .args([
            "gate",
            "corpora/samples",
            "--config",
            "tests/data/gate-policy.toml",
            "--format",
            "sarif",
        ])
        .env_remove("PIISCAN_FINGERPRINT_KEY")
        .output()
        .unwrap();
    expect(&out, 1);
    let text = stdout(&out);
    let log = assert_valid_sarif(&text);
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["email", "ipv4", "person_name", "city", "ticket_id"]);
    for raw in [
        "maria.lopez@example.com",
        "Maria Lopez",
        "198.51.100.23",
        "Ticket 4411",
    ] {
        assert!(!text.contains(raw), "{raw} leaked into SARIF");
    }
    let stable = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("gate_sarif", stable);
}

#[test]
fn sarif_of_a_plain_scan_and_of_a_baseline_gate_is_valid() {
    let plain = Command::cargo_bin("piiscan")
        .unwrap()
        .args([
            "scan",
            "--format",
            "sarif",
            "--kinds",
            "all",
            "corpora/samples",
            "missing.log",
        ])
        .output()
        .unwrap();
    expect(&plain, 2);
    let log = assert_valid_sarif(&stdout(&plain));
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(
        invocation["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("missing.log")
    );

    let case = events();
    case.write("policy.toml", EMAIL_IP);
    expect(
        &case.run(&[
            "baseline",
            "export",
            "--config",
            "policy.toml",
            "-o",
            "b.json",
        ]),
        0,
    );
    case.write(
        "export/new.ndjson",
        r#"{"properties":{"$email":"new.person@corp-mail.com"}}"#,
    );
    let out = case.run(&[
        "gate",
        "export",
        "--config",
        "policy.toml",
        "--baseline",
        "b.json",
        "--format",
        "sarif",
    ]);
    expect(&out, 1);
    let log = assert_valid_sarif(&stdout(&out));
    let results = log["runs"][0]["results"].as_array().unwrap();
    let states: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["level"].as_str().unwrap(),
                r["baselineState"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(states[0], ("error", "new"));
    assert_eq!(
        states
            .iter()
            .filter(|s| **s == ("note", "unchanged"))
            .count(),
        6
    );
    assert!(results[1]["suppressions"][0]["kind"] == "external");
    let fingerprint = results[0]["partialFingerprints"]["piiscan/v1"]
        .as_str()
        .unwrap();
    assert!(
        fingerprint.ends_with(":1") && fingerprint.len() == 34,
        "{fingerprint}"
    );
}

#[test]
fn sarif_fingerprints_survive_reformatting() {
    let case = events();
    case.write("policy.toml", EMAIL_IP);
    expect(
        &case.run(&[
            "baseline",
            "export",
            "--config",
            "policy.toml",
            "-o",
            "b.json",
        ]),
        0,
    );
    let fingerprints = |case: &Case| -> Vec<String> {
        let out = case.run(&[
            "gate",
            "export",
            "--config",
            "policy.toml",
            "--baseline",
            "b.json",
            "--format",
            "sarif",
        ]);
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut all: Vec<String> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["piiscan/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        all.sort();
        all
    };
    let before = fingerprints(&case);
    assert_eq!(before.len(), 6);
    case.write(
        "export/events.ndjson",
        &format!("\n\n{}", EVENTS.replace("\":\"", "\" : \"")),
    );
    assert_eq!(fingerprints(&case), before);
}

#[test]
fn values_written_again_by_another_serialiser_keep_their_fingerprints() {
    let case = Case::new();
    case.write(
        "export/people.ndjson",
        "{\"properties\":{\"$name\":\"Renée Dupont\",\"$city\":\"São Paulo\",\"lat\":48.8566130,\"lon\":2.3522200}}\n",
    );
    let out = case.run(&["baseline", "export", "-o", "b.json"]);
    expect(&out, 0);
    says(&out, "recorded 4 findings");
    // Escaped non-ASCII, spaces after separators, the number in its shortest form.
    case.write(
        "export/people.ndjson",
        "{\"properties\": {\"$name\": \"Ren\\u00e9e Dupont\", \"$city\": \"S\\u00e3o Paulo\", \"lat\": 48.856613, \"lon\": 2.35222}}\n",
    );
    let out = case.run(&["gate", "export", "--baseline", "b.json"]);
    expect(&out, 0);
    says(&out, "(4 known, 0 no longer found)");
}

#[test]
fn a_secret_keyed_baseline_is_not_rewritten_without_its_secret() {
    let case = events();
    let args = ["baseline", "export", "-o", "baseline.json"];
    expect(&case.run_env(&args, Some(SECRET)), 0);
    let before = std::fs::read_to_string(case.path("baseline.json")).unwrap();
    let out = case.run_env(&args, None);
    expect(&out, 2);
    says_err(&out, "the baseline is kept");
    assert_eq!(
        std::fs::read_to_string(case.path("baseline.json")).unwrap(),
        before
    );
    // A baseline without a secret becomes one with it.
    std::fs::remove_file(case.path("baseline.json")).unwrap();
    expect(&case.run_env(&args, None), 0);
    expect(&case.run_env(&args, Some(SECRET)), 0);
    let gate = ["gate", "export", "--baseline", "baseline.json"];
    expect(&case.run_env(&gate, Some(SECRET)), 0);
}

/// Policy: IPv4 addresses warn, e-mail addresses fail, the rest is ignored.
const IP_WARNS: &str = "[kinds]\nipv4 = \"warn\"\nemail = \"fail\"\nperson_name = \"ignore\"\n\
    city = \"ignore\"\nregion = \"ignore\"\ncountry = \"ignore\"\ncoordinates = \"ignore\"\n\
    ipv6 = \"ignore\"\n";

/// `n` IPv4 findings in a.ndjson, then one e-mail address in b.ndjson.
fn warnings_then_a_failure(case: &Case, n: usize) {
    let lines: String = (0..n)
        .map(|i| format!("{{\"ip\":\"203.0.113.{}\"}}\n", i % 250 + 1))
        .collect();
    case.write("export/a.ndjson", &lines)
        .write("export/b.ndjson", "{\"email\":\"jane.doe@example.com\"}\n");
}

/// `gate --format jsonl | head -1`: the scan stops at the closed pipe, before the failing
/// file; what was scanned passes, but the gate must not.
#[test]
fn a_gate_whose_output_closes_early_gives_no_verdict() {
    let case = Case::new();
    warnings_then_a_failure(&case, 20_000);
    case.write("policy.toml", IP_WARNS);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("piiscan"))
        .current_dir(case.dir.path())
        .args([
            "gate",
            "export",
            "--config",
            "policy.toml",
            "--format",
            "jsonl",
        ])
        .env_remove("PIISCAN_FINGERPRINT_KEY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut reader, &mut first).unwrap();
    drop(reader);
    let out = child.wait_with_output().unwrap();
    assert!(first.contains("\"kind\":\"ipv4\""), "{first}");
    expect(&out, 2);
    holds(&stderr(&out), "the scan stopped early");
    holds(&stderr(&out), "no verdict");
    assert!(!stderr(&out).contains("PASS"), "{}", stderr(&out));
    // Read to the end, the same gate fails.
    expect(
        &case.gate(IP_WARNS, &["--format", "jsonl", "-o", "report.jsonl"]),
        1,
    );
}

fn rule_ids(log: &serde_json::Value) -> Vec<&str> {
    log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

/// More warnings than SARIF may hold, then a failure: the error is kept and has its rule; and
/// when errors alone are too many, every failing kind still has its rule.
#[test]
fn capped_sarif_keeps_errors_first_and_the_rules_of_failing_kinds() {
    let case = Case::new();
    warnings_then_a_failure(&case, 25_001);
    let out = case.gate(IP_WARNS, &["--format", "sarif", "-o", "out.sarif"]);
    expect(&out, 1);
    let text = std::fs::read_to_string(case.path("out.sarif")).unwrap();
    let log = assert_valid_sarif(&text);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    assert_eq!(results[0]["ruleId"], "email");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[1]["level"], "warning");
    let rules = rule_ids(&log);
    assert_eq!(rules, ["email", "ipv4"]);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], r["ruleId"].as_str().unwrap());
    }
    holds(&text, "2 more findings are not listed");

    let both_fail = IP_WARNS.replace("ipv4 = \"warn\"", "ipv4 = \"fail\"");
    let out = case.gate(&both_fail, &["--format", "sarif", "-o", "out.sarif"]);
    expect(&out, 1);
    let text = std::fs::read_to_string(case.path("out.sarif")).unwrap();
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["ruleId"] == "ipv4"));
    assert_eq!(rule_ids(&log), ["email", "ipv4"]);
}

/// `baseline -o` through a symbolic link writes the link's target and keeps the link; it
/// keeps the permissions of the baseline it replaces and gives a new one owner-only ones.
#[cfg(unix)]
#[test]
fn a_baseline_replaces_its_target_and_keeps_links_and_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let case = Case::new();
    case.write("export/a.ndjson", "{\"email\":\"jane.doe@example.com\"}\n");
    let mode = |rel: &str| {
        std::fs::metadata(case.path(rel))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    expect(&case.run(&["baseline", "export", "-o", "base.json"]), 0);
    assert_eq!(mode("base.json"), 0o600);
    std::fs::set_permissions(
        case.path("base.json"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    std::os::unix::fs::symlink("base.json", case.path("link.json")).unwrap();
    let before = std::fs::read_to_string(case.path("base.json")).unwrap();
    case.write("export/b.ndjson", "{\"email\":\"ann.lee@example.org\"}\n");
    expect(&case.run(&["baseline", "export", "-o", "link.json"]), 0);
    let link = std::fs::symlink_metadata(case.path("link.json")).unwrap();
    assert!(link.file_type().is_symlink());
    let after = std::fs::read_to_string(case.path("base.json")).unwrap();
    assert_ne!(before, after, "the link's target was not rewritten");
    assert_eq!(mode("base.json"), 0o640);
}

/// A destination that is not a regular file is refused at once: never read back (which
/// would wait on a FIFO or a terminal for ever), never replaced by a file.
#[cfg(unix)]
#[test]
fn a_baseline_is_never_written_over_a_device_or_fifo() {
    let case = Case::new();
    case.write("export/a.ndjson", "{\"email\":\"jane.doe@example.com\"}\n");
    let fifo = case.path("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for dest in [fifo.to_str().unwrap(), "/dev/stdout", "/dev/null"] {
        let out = Command::cargo_bin("piiscan")
            .unwrap()
            .current_dir(case.dir.path())
            .args(["baseline", "export", "-o", dest])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        expect(&out, 2);
        holds(&stderr(&out), dest);
        holds(&stderr(&out), "or to `-` for standard output");
    }
    let fifo = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&fifo.file_type()));
}

/// A gate over nothing (an empty folder) passes, as there is nothing to leak, but says that
/// it judged nothing, so that a wrong path is noticed; a gate over files does not say it.
#[test]
fn a_gate_over_no_file_says_so() {
    let case = Case::new();
    let out = case.run(&["gate", "export"]);
    expect(&out, 0);
    says(&out, "piiscan gate: PASS");
    says(&out, "no file was scanned");
    case.write("export/a.log", "nothing personal here\n");
    let out = case.run(&["gate", "export"]);
    expect(&out, 0);
    says(&out, "piiscan gate: PASS");
    assert!(
        !stdout(&out).contains("no file was scanned"),
        "{}",
        stdout(&out)
    );
}

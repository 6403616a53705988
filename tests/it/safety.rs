//! What piiscan's outputs may show and where they may be written, through the built binary:
//! masks that never show a whole value, names from the data that cannot pass for others on a
//! terminal yet stay real for tools, evaluations that cannot pass on nothing, fingerprint
//! secrets that must be long enough, and output files that are private when they hold values
//! and cannot be redirected by a planted link.

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;

/// A folder with an `export` folder in it, the working directory of the commands run.
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

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).unwrap();
    }

    /// Runs piiscan in the case's folder, without a fingerprint secret.
    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .env_remove("PIISCAN_FINGERPRINT_KEY")
            .output()
            .unwrap()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("piiscan").unwrap();
        cmd.current_dir(self.dir.path()).args(args);
        cmd
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
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
        stdout(out),
        stderr(out)
    );
}

/// Short values of several scripts, each under a key that names its kind: no mask in any
/// output shows one whole (`김` was `김***`).
#[test]
fn short_values_are_never_shown_whole() {
    let case = Case::new();
    let values = [
        ("first_name", "김"),
        ("last_name", "王"),
        ("first_name", "J"),
        ("city", "Ур"),
        ("email", "a@b.co"),
        ("email", "김@b.kr"),
        ("$os", "iOS"),
        ("user_id", "u42"),
        ("$referring_domain", "x.io"),
        ("$referrer", "https://www.google.com/"),
    ];
    let lines: Vec<String> = values
        .iter()
        .map(|(key, value)| format!("{{\"{key}\":\"{value}\"}}\n"))
        .collect();
    case.write("export/short.ndjson", &lines.concat());
    let out = case.run(&["scan", "--format", "jsonl", "--kinds", "all", "export"]);
    expect(&out, 1);
    let mut masked = Vec::new();
    for line in stdout(&out).lines() {
        let finding: serde_json::Value = serde_json::from_str(line).unwrap();
        masked.push(finding["masked"].as_str().unwrap().to_string());
    }
    assert_eq!(masked.len(), values.len(), "{masked:?}");
    for ((key, value), masked) in values.iter().zip(&masked) {
        let shown: String = masked.chars().filter(|&c| c != '*').collect();
        assert!(
            !masked.contains(value) && shown != *value,
            "{key}: {value} masked as {masked}"
        );
    }
    // The verdict and the SARIF message show the same masks.
    let out = case.run(&["gate", "export"]);
    expect(&out, 1);
    for (_, value) in values.iter().filter(|(_, v)| !v.contains('/')) {
        assert!(!stdout(&out).contains(&format!("e.g. {value}")), "{value}");
    }
}

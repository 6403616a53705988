//! `report --partial`, `merge` and `--shard`: shards partition the inputs, and their partial
//! reports merge into the report and the gate verdict one run gives.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

const KEY: &str = "0123456789abcdef0123456789abcdef-merge-tests";
const ROOTS: [&str; 2] = ["corpora/labelled", "corpora/samples"];

fn piiscan() -> Command {
    let mut cmd = Command::cargo_bin("piiscan").unwrap();
    cmd.env("PIISCAN_FINGERPRINT_KEY", KEY)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("PIISCAN_REDACT_KEY");
    cmd
}

fn run(args: &[&str]) -> Output {
    piiscan().args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Writes `report --partial --shard k/n` for each k, and returns the parts.
fn partials(dir: &Path, n: u32, extra: &[&str], roots: &[&str]) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            let part = dir.join(format!("part-{k}-of-{n}.json"));
            let shard = format!("{k}/{n}");
            let mut args = vec![
                "report",
                "-q",
                "--partial",
                "--shard",
                &shard,
                "-o",
                s(&part),
            ];
            args.extend_from_slice(extra);
            args.extend_from_slice(roots);
            let out = run(&args);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            part
        })
        .collect()
}

/// The input paths a report lists.
fn inputs(report: &Value) -> Vec<String> {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect()
}

/// A folder of files in nested folders, one of them a ZIP of several members.
fn tree(dir: &Path) -> PathBuf {
    let root = dir.join("export");
    for i in 0..40 {
        let path = root.join(format!("day-{}/part-{i:03}.ndjson", i % 4));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{{\"email\":\"user{i}@example.org\"}}\n")).unwrap();
    }
    let zip = std::fs::File::create(root.join("bundle.zip")).unwrap();
    let mut zip = zip::ZipWriter::new(zip);
    for m in 0..5 {
        zip.start_file(
            format!("m{m}.ndjson"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(
            &mut zip,
            format!("{{\"email\":\"m{m}@example.org\"}}\n").as_bytes(),
        )
        .unwrap();
    }
    zip.finish().unwrap();
    root
}

/// N shards hold every input once: their inputs, together, are those of one run, none
/// twice, and an archive's members go with it.
#[test]
fn shards_partition_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let root = tree(dir.path());
    let report = |extra: &[&str]| -> Value {
        let mut args = vec!["report", "-q", "--format", "json"];
        args.extend_from_slice(extra);
        args.push(s(&root));
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let mut all = inputs(&report(&[]));
    all.sort();
    assert_eq!(all.len(), 45, "{all:?}");
    for n in [1u32, 2, 3, 4, 7] {
        let mut seen = Vec::new();
        for k in 1..=n {
            let shard = format!("{k}/{n}");
            let got = inputs(&report(&["--shard", &shard]));
            let members = got.iter().filter(|p| p.contains("bundle.zip")).count();
            assert!(members == 0 || members == 5, "{shard}: {got:?}");
            seen.extend(got);
        }
        seen.sort();
        assert_eq!(seen, all, "{n} shards");
    }
}

/// A file's shard is that of its path below the folder named, wherever the folder is.
#[test]
fn a_shard_does_not_depend_on_where_the_folder_is() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (ra, rb) = (tree(a.path()), tree(b.path()));
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let below = |root: &Path| -> Vec<String> {
            let out = run(&[
                "report",
                "-q",
                "--format",
                "json",
                "--shard",
                &shard,
                s(root),
            ]);
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            let prefix = format!("{}/", s(root));
            inputs(&report)
                .into_iter()
                .map(|p| p.strip_prefix(&prefix).unwrap_or(&p).to_string())
                .collect()
        };
        assert_eq!(below(&ra), below(&rb), "{shard}");
    }
}

#[test]
fn bad_shards_standard_input_and_partial_options_are_refused() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["scan", "--shard", "0/4", "corpora/samples"],
            "JOB_COMPLETION_INDEX + 1",
        ),
        (
            &["gate", "--shard", "5/4", "corpora/samples"],
            "not a shard",
        ),
        (
            &["baseline", "--shard", "1/0", "-o", "-", "corpora/samples"],
            "not a shard",
        ),
        (
            &["redact", "--shard", "x", "-o", "-", "corpora/samples"],
            "K/N",
        ),
        (&["scan", "--shard", "1/2", "-"], "standard input"),
        // A partial judged by a policy scans the policy's kinds.
        (
            &[
                "report",
                "--partial",
                "--policy",
                "p.toml",
                "--kinds",
                "email",
                "corpora/samples",
            ],
            "cannot be used with",
        ),
        (
            &["report", "--policy", "p.toml", "corpora/samples"],
            "--partial",
        ),
    ];
    for (args, want) in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
    }
}

/// The labelled and sample corpora, in 1 to 4 shards merged, give one run's report to the
/// byte, in every format.
#[test]
fn merged_shards_report_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let formats = ["json", "table", "markdown", "html"];
    let one: Vec<Vec<u8>> = formats
        .iter()
        .map(|format| {
            let mut args = vec!["report", "-q", "--format", format];
            args.extend_from_slice(&ROOTS);
            run(&args).stdout
        })
        .collect();
    for n in [1, 2, 4] {
        let parts = partials(dir.path(), n, &[], &ROOTS);
        for (format, one) in formats.iter().zip(&one) {
            let mut merge = vec!["merge", "--format", format];
            merge.extend(parts.iter().map(|p| s(p)));
            let merged = run(&merge);
            assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
            assert!(
                *one == merged.stdout,
                "{n} shards, {format}:\n{}\n---\n{}",
                String::from_utf8_lossy(one),
                String::from_utf8_lossy(&merged.stdout)
            );
        }
    }
}

/// A partial is readable by its owner only, holds no value, raw or masked, and names its
/// format and version.
#[test]
fn a_partial_holds_no_value() {
    let dir = tempfile::tempdir().unwrap();
    let parts = partials(dir.path(), 1, &[], &["corpora/samples"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&parts[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let text = std::fs::read_to_string(&parts[0]).unwrap();
    let part: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(part["format"], "piiscan-partial");
    assert_eq!(part["version"], 2);
    assert_eq!(part["key_check"].as_str().unwrap().len(), 16);
    assert!(!text.contains(KEY));
    // The values and masks of every finding in the samples.
    let out = run(&[
        "scan",
        "--format",
        "jsonl",
        "--kinds",
        "all",
        "--show-values",
        "corpora/samples",
    ]);
    let mut checked = 0;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let finding: Value = serde_json::from_str(line).unwrap();
        for key in ["value", "masked"] {
            let v = finding[key].as_str().unwrap();
            if v.len() >= 6 {
                assert!(
                    !text.contains(&format!("\"{v}\"")),
                    "{key} {v} in the partial"
                );
                assert!(!text.contains(v), "{key} {v} in the partial");
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn a_partial_needs_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = piiscan()
        .env_remove("PIISCAN_FINGERPRINT_KEY")
        .args([
            "report",
            "--partial",
            "-o",
            s(&dir.path().join("p.json")),
            "corpora/samples",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("PIISCAN_FINGERPRINT_KEY"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("p.json").exists());
    // A key file serves as well, and is the same key as the variable holding its text.
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let with_file = dir.path().join("f.json");
    let out = piiscan()
        .env_remove("PIISCAN_FINGERPRINT_KEY")
        .args([
            "report",
            "-q",
            "--partial",
            "--key-file",
            s(&key_file),
            "-o",
            s(&with_file),
            "corpora/samples",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let parts = partials(dir.path(), 1, &[], &["corpora/labelled"]);
    let out = run(&["merge", "--format", "json", s(&with_file), s(&parts[0])]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Parts of other keys, versions or formats are refused, the file named.
#[test]
fn parts_that_do_not_merge_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let parts = partials(dir.path(), 2, &[], &["corpora/samples"]);
    let other_key = dir.path().join("other-key.json");
    let out = piiscan()
        .env("PIISCAN_FINGERPRINT_KEY", format!("{KEY}-another"))
        .args([
            "report",
            "-q",
            "--partial",
            "--shard",
            "2/2",
            "-o",
            s(&other_key),
            "corpora/samples",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&parts[1]).unwrap();
    let version = dir.path().join("version.json");
    std::fs::write(
        &version,
        text.replacen("\"version\":2", "\"version\":99", 1),
    )
    .unwrap();
    let report = dir.path().join("report.json");
    let out = run(&[
        "report",
        "-q",
        "--format",
        "json",
        "-o",
        s(&report),
        "corpora/samples",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let cases = [
        (&other_key, "another fingerprint key"),
        (&version, "format version 99"),
        (&report, "not a piiscan partial report"),
    ];
    for (bad, want) in cases {
        let out = run(&["merge", s(&parts[0]), s(bad)]);
        assert_eq!(out.status.code(), Some(2), "{want}");
        let err = stderr(&out);
        assert!(err.contains(want) && err.contains(s(bad)), "{err}");
    }
}

/// A policy with thresholds, an ignored kind and allowlists (by value and by file).
const POLICY: &str = r#"
[kinds]
email = { action = "fail", threshold = 5 }
city = "ignore"
phone = "warn"

[[allow]]
kinds = ["email"]
email_domains = ["example.com"]
reason = "test domain"

[[allow]]
files = ["*.log"]
reason = "logs are kept in place"
"#;

/// The verdict without its examples (a partial keeps none).
fn verdict_lines(stdout: &[u8]) -> String {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| l.split(", e.g. ").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `merge --policy` over shards decides as one gate run: the same verdict, counts and places
/// (examples aside), and the same exit code; a part made with another policy is refused.
#[test]
fn merged_gate_verdict_is_one_gate_run() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    let passing = dir.path().join("passing.toml");
    std::fs::write(&policy, POLICY).unwrap();
    // Every kind found warns: the gate passes.
    let warn_all: String = [
        "phone",
        "credit_card",
        "iban",
        "national_id",
        "secret",
        "ipv4",
        "ipv6",
        "person_name",
        "region",
        "country",
        "coordinates",
    ]
    .iter()
    .map(|k| format!("{k} = \"warn\"\n"))
    .collect();
    let passing_text = POLICY
        .replace("\"fail\"", "\"warn\"")
        .replace("phone = \"warn\"\n", &warn_all);
    std::fs::write(&passing, passing_text).unwrap();
    for (policy, code) in [(&policy, 1), (&passing, 0)] {
        let mut gate = vec!["gate", "-q", "--policy", s(policy)];
        gate.extend_from_slice(&ROOTS);
        let one = run(&gate);
        assert_eq!(one.status.code(), Some(code), "{}", stderr(&one));
        let sub = dir.path().join(format!("parts-{code}"));
        std::fs::create_dir_all(&sub).unwrap();
        let parts = partials(&sub, 3, &["--policy", s(policy)], &ROOTS);
        let merged_report = sub.join("merged.json");
        let mut merge = vec![
            "merge",
            "--format",
            "json",
            "-o",
            s(&merged_report),
            "--policy",
            s(policy),
        ];
        merge.extend(parts.iter().map(|p| s(p)));
        let merged = run(&merge);
        assert_eq!(merged.status.code(), Some(code), "{}", stderr(&merged));
        assert_eq!(verdict_lines(&merged.stdout), verdict_lines(&one.stdout));
        assert!(String::from_utf8_lossy(&merged.stdout).contains("allowed"));
    }
    // Parts made without the policy, or with another, cannot be judged by it.
    let plain = partials(dir.path(), 1, &[], &["corpora/samples"]);
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let judged = partials(&other, 1, &["--policy", s(&passing)], &["corpora/samples"]);
    for part in [&plain[0], &judged[0]] {
        let out = run(&["merge", "--policy", s(&policy), s(part)]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(
            err.contains("was not made with the policy") && err.contains(s(part)),
            "{err}"
        );
    }
}

/// scripts/shard-merge.sh, the fan-out and merge of the README's Kubernetes and GitHub
/// Actions examples, run with the built binary: its merged report is one run's, and its
/// exit code (with a policy) one gate run's.
#[test]
fn the_fan_out_script_merges_into_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("piiscan");
    let script = |out: &Path, args: &[&str]| -> Output {
        std::process::Command::new("sh")
            .arg("scripts/shard-merge.sh")
            .arg("4")
            .arg(out)
            .args(args)
            .args(ROOTS)
            .env("PIISCAN", &bin)
            .env("PIISCAN_FINGERPRINT_KEY", KEY)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap()
    };
    let plain = dir.path().join("plain");
    let out = script(&plain, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut one = vec!["report", "-q", "--format", "json"];
    one.extend_from_slice(&ROOTS);
    let one = run(&one);
    assert_eq!(
        std::fs::read(plain.join("report.json")).unwrap(),
        one.stdout
    );
    let gated = dir.path().join("gated");
    let out = script(&gated, &["--policy", s(&policy)]);
    let mut gate = vec!["gate", "-q", "--policy", s(&policy)];
    gate.extend_from_slice(&ROOTS);
    let gate = run(&gate);
    assert_eq!(out.status.code(), gate.status.code());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(verdict_lines(&out.stdout), verdict_lines(&gate.stdout));
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    piiscan().current_dir(dir).args(args).output().unwrap()
}

/// A policy that fails on some kinds and not others, with allowlists by domain, by value
/// range and by file, and a threshold.
const JUDGED: &str = r#"
[kinds]
email = "fail"
ipv4 = { action = "fail", threshold = 3 }
person_name = "warn"
city = "ignore"

[[allow]]
reason = "corporate test domain"
kinds = ["email"]
email_domains = ["*.example.com", "example.org"]

[[allow]]
reason = "internal addresses"
ip_ranges = ["private", "loopback", "documentation"]

[[allow]]
reason = "the access log stays in place"
files = ["*.log"]
"#;

/// For shards 1..4 of the labelled corpus, the merged verdict is the one `gate` gives over the
/// whole, with a baseline (accepting some findings, some of them no longer there) and
/// allowlists in play: the same outcome per kind, counts, places (examples aside: parts keep
/// none, and say so), baseline line and exit status. Whichever way `gate` finds its policy,
/// the parts find it the same way: `--policy FILE` (merged with `--policy FILE` or without),
/// `piiscan.toml` in the working directory, or the built-in default.
#[test]
fn merged_verdict_with_a_baseline_is_one_gate_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let corpus = d.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let labelled = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/labelled");
    let copy = |name: &str| std::fs::copy(labelled.join(name), corpus.join(name)).unwrap();
    for name in ["access.log", "amplitude.ndjson", "export.csv"] {
        copy(name);
    }
    // A file the baseline accepted and that is gone since: its findings are "no longer found".
    let gone: String = std::fs::read_to_string(labelled.join("mixpanel.ndjson"))
        .unwrap()
        .lines()
        .take(40)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(corpus.join("gone.ndjson"), gone).unwrap();
    let policy = d.join("judged.toml");
    std::fs::write(&policy, JUDGED).unwrap();
    let p = s(&policy);
    // Three settings, each with its own baseline written before the corpus changed.
    let with_toml = d.join("cwd");
    std::fs::create_dir_all(&with_toml).unwrap();
    std::fs::write(
        with_toml.join("piiscan.toml"),
        JUDGED.replace("\"warn\"", "\"fail\""),
    )
    .unwrap();
    let corpus_path = s(&corpus).to_string();
    let settings: [(&Path, Vec<&str>, &str); 3] = [
        (d, vec!["--policy", p], "explicit.json"),
        (&with_toml, vec![], "toml.json"),
        (d, vec![], "default.json"),
    ];
    for (cwd, options, baseline) in &settings {
        let mut args = vec!["baseline", "-q", "-o", *baseline];
        args.extend(options.iter().copied());
        args.push(&corpus_path);
        let out = run_in(cwd, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    std::fs::remove_file(corpus.join("gone.ndjson")).unwrap();
    for name in ["mixpanel.ndjson", "segment.ndjson", "tickets.txt"] {
        copy(name);
    }

    let mut failed = 0;
    for (cwd, options, baseline) in &settings {
        let mut gate = vec!["gate", "-q", "--baseline", *baseline];
        gate.extend(options.iter().copied());
        gate.push(&corpus_path);
        let one = run_in(cwd, &gate);
        assert!(matches!(one.status.code(), Some(0 | 1)), "{}", stderr(&one));
        let verdict = verdict_lines(&one.stdout);
        assert!(verdict.contains("in the baseline"), "{verdict}");
        assert!(!verdict.contains(" 0 no longer found"), "{verdict}");
        // The built-in default has no allowlist.
        assert_eq!(
            verdict.contains("allowed"),
            *baseline != "default.json",
            "{verdict}"
        );
        failed += usize::from(one.status.code() == Some(1));

        let parts: Vec<String> = (1..=4)
            .map(|k| {
                let part = cwd.join(format!("part-{baseline}-{k}"));
                let shard = format!("{k}/4");
                let mut args = vec!["report", "-q", "--partial", "--shard", &shard];
                args.extend(["--baseline", *baseline, "-o", s(&part)]);
                args.extend(options.iter().copied());
                args.push(&corpus_path);
                let out = run_in(cwd, &args);
                assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
                s(&part).to_string()
            })
            .collect();
        let report = cwd.join(format!("merged-{baseline}"));
        let mut merges = vec![vec!["merge", "-o", s(&report)]];
        if options.is_empty() {
            // The default policy, or piiscan.toml: the parts say which.
        } else {
            merges.push(vec!["merge", "-o", s(&report), "--policy", p]);
        }
        for mut merge in merges {
            merge.extend(parts.iter().map(String::as_str));
            let merged = run_in(cwd, &merge);
            assert_eq!(
                merged.status.code(),
                one.status.code(),
                "{}",
                stderr(&merged)
            );
            let text = String::from_utf8_lossy(&merged.stdout);
            assert_eq!(verdict_lines(&merged.stdout), verdict, "{merge:?}");
            assert!(text.contains("(no example in partial reports)"), "{text}");
        }
    }
    assert!(
        failed >= 1,
        "no setting failed: the test would not see a wrong FAIL"
    );

    // Parts judged otherwise (another baseline, or none) do not merge: by name.
    let judged = |baseline: Option<&str>, out: &str| {
        let mut args = vec![
            "report",
            "-q",
            "--partial",
            "--gate",
            "--shard",
            "1/2",
            "-o",
            out,
        ];
        if let Some(b) = baseline {
            args.extend(["--baseline", b]);
        }
        args.push(&corpus_path);
        assert_eq!(run_in(d, &args).status.code(), Some(0));
    };
    judged(Some("default.json"), "a.json");
    judged(None, "b.json");
    let out = run_in(d, &["merge", "a.json", "b.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("b.json: judged by another policy or baseline"),
        "{err}"
    );
    // A plain part beside a judged one is refused too.
    let plain = run_in(
        d,
        &["report", "-q", "--partial", "-o", "c.json", &corpus_path],
    );
    assert_eq!(plain.status.code(), Some(0));
    let out = run_in(d, &["merge", "a.json", "c.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("c.json"), "{}", stderr(&out));
}

//! The built binary on the files in corpora/: exact findings, exit codes, safety of output.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

const SAMPLES: &str = "corpora/samples";

fn piiscan() -> Command {
    Command::cargo_bin("piiscan").unwrap()
}

fn run(args: &[&str]) -> Output {
    piiscan().args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Raw values planted in the samples; none may appear in output without --show-values.
const RAW_VALUES: &[&str] = &[
    "jane.doe@example.com",
    "Jane Doe",
    "203.0.113.42",
    "2001:db8:85a3::8a2e:370:7334",
    "maria.lopez@example.com",
    "Maria Lopez",
    "olivia.brown@example.com",
    "198.51.100.23",
    "Lyon",
];

#[test]
fn jsonl_findings_on_the_samples_are_exact() {
    let out = run(&["scan", "--format", "jsonl", SAMPLES]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("samples_jsonl", stdout(&out));
}

#[test]
fn show_values_adds_the_raw_value_and_nothing_leaks_without_it() {
    let masked = run(&["scan", "--format", "jsonl", SAMPLES]);
    let shown = run(&["scan", "--format", "jsonl", "--show-values", SAMPLES]);
    let (masked_out, shown_out) = (stdout(&masked), stdout(&shown));
    for raw in RAW_VALUES {
        assert!(!masked_out.contains(raw), "{raw} leaked into masked output");
        assert!(!String::from_utf8_lossy(&masked.stderr).contains(raw));
    }
    assert!(shown_out.contains("\"value\":\"jane.doe@example.com\""));
    assert!(!masked_out.contains("\"value\""));
    let summary = run(&["scan", SAMPLES]);
    for raw in RAW_VALUES {
        assert!(
            !stdout(&summary).contains(raw),
            "{raw} leaked into the summary"
        );
    }
}

#[test]
fn same_output_whatever_the_thread_count() {
    let one = run(&["scan", "--format", "jsonl", "--threads", "1", SAMPLES]);
    for threads in ["2", "3", "8"] {
        for chunk in ["1", "100", "65536"] {
            let other = run(&[
                "scan",
                "--format",
                "jsonl",
                "--threads",
                threads,
                "--chunk-size",
                chunk,
                SAMPLES,
            ]);
            assert_eq!(
                stdout(&one),
                stdout(&other),
                "threads {threads}, chunk {chunk}"
            );
        }
    }
}

/// `--stats` adds, on standard error beside JSONL, the bytes, files, time and GB/s, and a time
/// for every detector family and every stage of the engine; the findings are the same.
#[test]
fn stats_time_every_detector_and_stage() {
    let plain = run(&["scan", "--format", "jsonl", SAMPLES]);
    let out = run(&["scan", "--format", "jsonl", "--stats", SAMPLES]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), stdout(&plain));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let bytes: u64 = std::fs::read_dir(SAMPLES)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    let head = format!("stats: {bytes} bytes in 4 files, ");
    assert!(stderr.starts_with(&head), "{stderr}");
    assert!(
        stderr.lines().next().unwrap().ends_with(" GB/s"),
        "{stderr}"
    );
    let detectors = ["email", "ipv4", "ipv6", "person_name", "geo", "coordinates"];
    let stages = [
        "prefilter",
        "hints",
        "escapes",
        "resolve",
        "build",
        "output",
    ];
    let timed = detectors
        .iter()
        .map(|d| ("detector", d))
        .chain(stages.iter().map(|s| ("stage", s)));
    for (what, name) in timed {
        let line = stderr
            .lines()
            .find(|l| l.split_whitespace().take(3).eq(["stats:", what, name]))
            .unwrap_or_else(|| panic!("no time for {what} {name}: {stderr}"));
        let seconds = line.split_whitespace().nth(3).unwrap();
        assert!(seconds.parse::<f64>().is_ok(), "{line}");
    }
}

#[test]
fn exit_status_is_like_greps() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.log");
    std::fs::write(&clean, "nothing personal here\n").unwrap();
    let clean = clean.to_str().unwrap();
    assert_eq!(run(&["scan", clean]).status.code(), Some(0));
    let mixpanel = "corpora/samples/mixpanel-export.ndjson";
    assert_eq!(run(&["scan", mixpanel]).status.code(), Some(1));

    let missing = dir.path().join("missing.ndjson");
    let missing = missing.to_str().unwrap();
    let out = run(&["scan", "--format", "jsonl", missing, mixpanel]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(missing) && stderr.contains("No such file"),
        "{stderr}"
    );
    assert!(
        stdout(&out).contains("mixpanel-export.ndjson"),
        "the rest of the scan goes on"
    );
}

#[test]
fn kinds_limit_the_detectors() {
    let out = run(&["scan", "--format", "jsonl", "--kinds", "ipv4,ipv6", SAMPLES]);
    let text = stdout(&out);
    assert!(!text.is_empty());
    for line in text.lines() {
        assert!(
            line.contains("\"kind\":\"ipv4\"") || line.contains("\"kind\":\"ipv6\""),
            "{line}"
        );
    }
    let bad = run(&["scan", "--kinds", "emial", SAMPLES]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown kind 'emial'"));
}

#[test]
fn stdin_goes_through_the_same_engine() {
    let file = std::fs::read("corpora/samples/access.log").unwrap();
    let from_stdin = piiscan()
        .args(["scan", "--format", "jsonl", "-"])
        .write_stdin(file)
        .output()
        .unwrap();
    let from_file = run(&["scan", "--format", "jsonl", "corpora/samples/access.log"]);
    assert_eq!(
        stdout(&from_stdin).replace("\"path\":\"-\"", "\"path\":\"corpora/samples/access.log\""),
        stdout(&from_file)
    );
}

#[test]
fn json_report_is_one_object() {
    let out = run(&["scan", "--format", "json", SAMPLES]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let jsonl = stdout(&run(&["scan", "--format", "jsonl", SAMPLES]));
    assert_eq!(findings.len(), jsonl.lines().count());
    assert_eq!(report["summary"]["findings"], findings.len());
    assert_eq!(report["summary"]["files"], 4);
}

#[cfg(unix)]
#[test]
fn a_file_reached_twice_is_scanned_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("access.log");
    std::fs::copy(Path::new(SAMPLES).join("access.log"), &file).unwrap();
    std::os::unix::fs::symlink(&file, dir.path().join("again.log")).unwrap();
    let once = stdout(&run(&["scan", "--format", "jsonl", file.to_str().unwrap()]));
    assert!(once.lines().count() > 0);

    let out = piiscan()
        .args(["scan", "--format", "jsonl"])
        .arg(dir.path())
        .arg(&file)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), once);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("again.log: the same file as"), "{stderr}");
    assert!(stderr.contains("scanned once"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "a repeat is not an error");
}

#[test]
fn walks_skip_git_special_files_and_survive_symlink_loops() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".git/config"), "email = dev@example.com\n").unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("sub/a.log"), "ip 203.0.113.5\n").unwrap();
    std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
    let fifo = root.join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());

    let out = piiscan()
        .args(["scan", "--format", "jsonl"])
        .arg(root)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("sub/a.log"));
    assert!(!text.contains(".git"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("loop"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "a loop is reported as an error");

    // A FIFO named explicitly with no writer reads as empty instead of blocking.
    let out = piiscan()
        .args(["scan"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn devices_named_explicitly_never_hang() {
    // /dev/zero reads as NUL bytes: refused as binary, which fails the run.
    for (device, code) in [("/dev/null", 0), ("/dev/zero", 2)] {
        if !Path::new(device).exists() {
            continue;
        }
        let out = piiscan()
            .args(["scan", device])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{device}");
    }
}

/// `--plain` reads JSON as text: a value known only by its key is not found, an e-mail still
/// is, and no finding carries a key path.
#[test]
fn plain_ignores_json_structure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.ndjson");
    std::fs::write(
        &path,
        "{\"properties\":{\"$city\":\"Qwertyville\",\"$email\":\"ann.lee@example.org\"}}\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let structured = stdout(&run(&["scan", "--format", "jsonl", path]));
    assert!(structured.contains("\"kind\":\"city\""), "{structured}");
    assert!(
        structured.contains("\"field\":\"properties.$email\""),
        "{structured}"
    );
    let plain = stdout(&run(&["scan", "--format", "jsonl", "--plain", path]));
    assert_eq!(plain.lines().count(), 1, "{plain}");
    assert!(plain.contains("\"kind\":\"email\""), "{plain}");
    assert!(plain.contains("\"field\":null"), "{plain}");
}

/// `--threads` is a count from 1 to 1024: anything else is a usage error (exit 2) before any
/// thread starts, never a panic or a hang.
#[test]
fn threads_out_of_range_are_refused() {
    for command in ["scan", "report", "baseline"] {
        for n in ["0", "1025", "100000"] {
            let out = run(&[command, "--threads", n, SAMPLES]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command} --threads {n}: {stderr}"
            );
            assert!(stderr.contains("--threads"), "{stderr}");
        }
    }
    let out = run(&["scan", "--threads", "1024", SAMPLES]);
    assert_eq!(out.status.code(), Some(1));
}

/// Output to a reader that has gone away (`| head`): a quiet exit with the status the command
/// would have had, no panic and no "Broken pipe" message, for every command that prints.
#[test]
fn a_closed_output_ends_every_command_quietly() {
    let labels = "corpora/labelled/labels.jsonl";
    let cases: [(&[&str], i32); 4] = [
        (&["scan", "--format", "jsonl", SAMPLES], 1),
        (&["eval", "--labels", labels, "corpora/labelled"], 0),
        (&["baseline", "-q", "-o", "-", SAMPLES], 0),
        (&["config", "init", "-"], 0),
    ];
    for (args, code) in cases {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("piiscan"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

/// A key that is a place or a pair of coordinates is masked wherever a field is printed:
/// every scan format, the gate's verdict, the exposure report and a baseline's summary.
#[test]
fn places_and_coordinates_used_as_keys_never_leak() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("k.ndjson");
    std::fs::write(
        &export,
        "{\"London\":{\"ip\":\"81.2.69.167\"}}\n{\"props\":{\"40.7128,-74.0060\":{\"ip\":\"81.2.69.164\"}}}\n",
    )
    .unwrap();
    let export = export.to_str().unwrap();
    let jsonl = run(&["scan", "--format", "jsonl", export]);
    let fields: Vec<String> = stdout(&jsonl)
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["field"].as_str().map(str::to_string)
        })
        .collect();
    assert_eq!(fields, ["L***.ip", "props.40.7*,-74.0*.ip"]);
    let baseline = dir.path().join("baseline.json");
    let mut outputs = vec![stdout(&jsonl)];
    for args in [
        &["scan", "--format", "json", export][..],
        &["scan", "--format", "sarif", export],
        &["scan", "--kinds", "ipv4", "--format", "jsonl", export],
        &["report", export],
        &["report", "--format", "html", export],
        &["report", "--format", "json", export],
        &["baseline", export, "-o", baseline.to_str().unwrap()],
    ] {
        let out = piiscan()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        outputs.push(stdout(&out) + &String::from_utf8_lossy(&out.stderr));
    }
    let gate = piiscan()
        .current_dir(dir.path())
        .args(["gate", export])
        .output()
        .unwrap();
    assert_eq!(gate.status.code(), Some(1));
    outputs.push(stdout(&gate) + &String::from_utf8_lossy(&gate.stderr));
    outputs.push(std::fs::read_to_string(&baseline).unwrap());
    for text in outputs {
        for raw in ["London", "40.7128", "74.0060", "81.2.69"] {
            assert!(!text.contains(raw), "{raw} in\n{text}");
        }
    }
}

/// A key that a policy's own detector finds is masked as its finding would be, even when it
/// is all lower case and nothing built in would look at it.
#[test]
fn keys_of_a_policy_kind_are_masked_in_field_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("k.ndjson"),
        "{\"nightjar\":{\"ip\":\"81.2.69.167\"}}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policy.toml"),
        "[[detector]]\nkind = \"codename\"\nwords = [\"nightjar\"]\n",
    )
    .unwrap();
    let out = piiscan()
        .current_dir(dir.path())
        .args([
            "gate",
            "k.ndjson",
            "--config",
            "policy.toml",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    let fields: Vec<String> = stdout(&out)
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["field"].as_str().map(str::to_string)
        })
        .collect();
    assert_eq!(
        fields,
        ["n***.ip"],
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A labels file that holds a value where a label belongs is an error that does not quote it.
#[test]
fn eval_errors_do_not_quote_the_labels_file() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.jsonl");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("a.txt"), "nothing here\n").unwrap();
    for line in [
        "\"jane.secret@corp.io\"",
        r#"{"path":"a.txt","offset":0,"length":3,"kind":"jane.secret@corp.io"}"#,
    ] {
        std::fs::write(&labels, format!("{line}\n")).unwrap();
        let out = run(&[
            "eval",
            "--labels",
            labels.to_str().unwrap(),
            data.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{line}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("line 1: not a label"), "{err}");
        assert!(!err.contains("jane"), "{err}");
    }
}

/// `-o` naming an input, by its name or through a symbolic link, is refused before anything
/// is created: the input is left as it was, and no scan passes on an emptied file.
#[test]
fn an_output_file_that_is_an_input_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("u.csv");
    let original = std::fs::read(Path::new(SAMPLES).join("users.csv")).unwrap();
    std::fs::write(&input, &original).unwrap();
    let link = dir.path().join("link.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, &link).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(&input, &link).unwrap();
    let (input, link) = (input.to_str().unwrap(), link.to_str().unwrap());
    let cases: [&[&str]; 5] = [
        &["scan", "--format", "jsonl", input, "-o", input],
        &["scan", "--format", "jsonl", input, "-o", link],
        &["gate", "--format", "sarif", input, "-o", input],
        &["report", input, "-o", input],
        &["baseline", input, "-o", input],
    ];
    for args in cases {
        let out = piiscan()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is also an input"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("choose another output file"),
            "{args:?}: {stderr}"
        );
        assert_eq!(std::fs::read(input).unwrap(), original, "{args:?}");
    }
}

/// An output file that already lies inside a folder being scanned is one of the inputs: it is
/// refused by every command and by any path (exit 2: it would be destroyed, and a gate would
/// pass on what is left) and left as it was, with nothing written beside it.
/// A new output file there is written once the scan is done, and the scan never reads it.
#[test]
fn an_output_file_in_a_scanned_folder_is_refused_or_not_scanned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(SAMPLES).join("users.csv"),
        dir.path().join("users.csv"),
    )
    .unwrap();
    // A report of an earlier run, with a value in it (`--show-values`).
    let report = dir.path().join("report.jsonl");
    let earlier = "{\"value\":\"ann.lee@example.org\"}\n";
    std::fs::write(&report, earlier).unwrap();
    let (folder, output) = (dir.path().to_str().unwrap(), report.to_str().unwrap());
    // Also through `..`, and relative to the folder: the same file by other paths.
    let dotted = dir.path().join("..").join(dir.path().file_name().unwrap());
    let dotted = dotted.join("report.jsonl");
    let cases: [&[&str]; 6] = [
        &["scan", "--format", "jsonl", folder, "-o", output],
        &["gate", "--format", "jsonl", folder, "-o", output],
        &["report", "--format", "json", folder, "-o", output],
        &["baseline", folder, "-o", output],
        &[
            "scan",
            "--show-values",
            folder,
            "-o",
            dotted.to_str().unwrap(),
        ],
        &["gate", "--format", "sarif", ".", "-o", "report.jsonl"],
    ];
    let listing = || {
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = listing();
    for args in cases {
        let out = piiscan()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is also an input"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing is reported");
        assert_eq!(
            std::fs::read_to_string(&report).unwrap(),
            earlier,
            "{args:?}"
        );
        assert_eq!(listing(), before, "{args:?}: nothing is written beside it");
    }
    std::fs::remove_file(&report).unwrap();
    let out = run(&[
        "scan",
        "--format",
        "jsonl",
        dir.path().to_str().unwrap(),
        "-o",
        report.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the output file of this run; not scanned"),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&report).unwrap();
    assert!(written.contains("users.csv"), "{written}");
    assert!(!written.contains("report.jsonl"), "{written}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 2, "no temporary file is left behind");
}

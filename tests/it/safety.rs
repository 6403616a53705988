//! What piiscan's outputs may show and where they may be written, through the built binary:
//! masks that never show a whole value, names from the data that cannot pass for others on a
//! terminal yet stay real for tools, evaluations that cannot pass on nothing, fingerprint
//! secrets that must be long enough, and output files that are private when they hold values
//! and cannot be redirected by a planted link.

use std::path::{Path, PathBuf};
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

/// Bidirectional controls and invisible characters in a file name and a key reach people
/// escaped (the summary, the verdict, the exposure table and page, stderr), so that
/// `\u{202e}liame` cannot display as `email`; tools get the real name and key (JSONL and JSON
/// `path` and `field`, SARIF `uri` percent-encoded and `field`).
#[test]
fn names_from_the_data_are_escaped_for_people_and_real_for_tools() {
    let case = Case::new();
    // A tab makes the printable form differ from the real name even before bidi escaping.
    let name = "ev\u{202e}lmth\u{200b}\t.ndjson";
    let key = "\u{202e}liame\u{feff}";
    case.write(
        &format!("export/{name}"),
        &format!("{{\"{key}\":\"jane.doe@example.com\",\"ip\":\"8.8.4.4\"}}\n"),
    );
    let hidden = [
        '\u{202e}', '\u{200b}', '\u{feff}', '\u{2066}', '\u{2069}', '\t',
    ];
    let printed_name = "ev\\u{202e}lmth\\u{200b}\\t.ndjson";
    let printed_key = "\\u{202e}liame\\u{feff}";

    let html = case.path("report.html");
    let human: Vec<(Vec<&str>, bool, bool)> = vec![
        // (arguments, shows the file name, shows the key)
        (vec!["scan", "export"], true, false),
        (vec!["gate", "export"], true, true),
        (vec!["report", "export"], false, true),
        (
            vec!["report", "--format", "html", "-o", "report.html", "export"],
            false,
            false,
        ),
    ];
    for (args, shows_name, shows_key) in human {
        let out = case.run(&args);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}");
        let text = stdout(&out) + &stderr(&out);
        for c in hidden {
            assert!(!text.contains(c), "{args:?} printed {c:?} raw:\n{text}");
        }
        if shows_name {
            assert!(text.contains(printed_name), "{args:?}:\n{text}");
        }
        if shows_key {
            assert!(text.contains(printed_key), "{args:?}:\n{text}");
        }
    }
    let page = std::fs::read_to_string(&html).unwrap();
    for c in hidden {
        assert!(!page.contains(c), "the page holds {c:?} raw");
    }
    assert!(page.contains(printed_key), "{page}");

    let real_path = format!("export/{name}");
    let out = case.run(&["scan", "--format", "jsonl", "export"]);
    expect(&out, 1);
    for line in stdout(&out).lines() {
        let finding: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(finding["path"], real_path.as_str(), "{line}");
        if finding["kind"] == "email" {
            assert_eq!(finding["field"], key, "{line}");
        }
    }
    let out = case.run(&["scan", "--format", "json", "export"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["path"], real_path.as_str());
    assert_eq!(report["findings"][0]["field"], key);
    let out = case.run(&["scan", "--format", "sarif", "export"]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    let location = &result["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        location["uri"], "export/ev%E2%80%AElmth%E2%80%8B%09.ndjson",
        "{result}"
    );
    assert_eq!(result["properties"]["field"], key);
    let message = result["message"]["text"].as_str().unwrap();
    assert!(message.contains(printed_key), "{message}");
    // Exposure JSON: the field as it is (JSON escapes none of its characters).
    let out = case.run(&["report", "--format", "json", "export"]);
    let text = stdout(&out);
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
    assert!(text.contains(&format!("\"{key}\"")), "{text}");
    assert!(!text.contains(printed_key), "{text}");
}

/// A labels file with no label, or labels of files that are not scanned, is an error that
/// names the labels file and what to do, and quotes no label; recall is never 1.0 on nothing.
#[test]
fn eval_refuses_labels_it_cannot_use() {
    let case = Case::new();
    case.write("export/a.txt", "write to jane.doe@example.com today\n");
    let good = r#"{"path":"export/a.txt","offset":9,"length":20,"kind":"email"}"#;
    let elsewhere = r#"{"path":"other/b.txt","offset":0,"length":20,"kind":"email"}"#;
    let cases = [
        ("", "holds no label"),
        ("\n\n", "holds no label"),
        (elsewhere, "1 label in labels.jsonl names a file not among"),
        (
            &format!("{good}\n{elsewhere}\n{elsewhere}"),
            "2 labels in labels.jsonl name files not among",
        ),
    ];
    for (labels, says) in cases {
        case.write("labels.jsonl", labels);
        let out = case.run(&["eval", "--labels", "labels.jsonl", "export"]);
        expect(&out, 2);
        let err = stderr(&out);
        assert!(err.contains(says), "{labels:?}: {err}");
        assert!(!err.contains("jane"), "{err}");
        assert!(!stdout(&out).contains("1.0000"), "{}", stdout(&out));
    }
    let out = case.run(&["eval", "--labels", "labels.jsonl", "export"]);
    assert!(stderr(&out).contains("other/b.txt"), "{}", stderr(&out));
    case.write("labels.jsonl", good);
    let out = case.run(&["eval", "--labels", "labels.jsonl", "export"]);
    expect(&out, 0);
    assert!(stdout(&out).contains("email"), "{}", stdout(&out));
}

/// A `PIISCAN_FINGERPRINT_KEY` shorter than 32 bytes is refused (exit 2, nothing written)
/// by every command that reads it, with the reason and without the secret.
#[test]
fn short_fingerprint_secrets_are_refused() {
    let case = Case::new();
    case.write("export/a.ndjson", "{\"email\":\"jane.doe@example.com\"}\n");
    let long = "a-long-ci-secret-of-32-bytes-ok!";
    assert_eq!(long.len(), 32);
    let commands: [&[&str]; 4] = [
        &["baseline", "export", "-o", "base.json"],
        &["gate", "export"],
        &["gate", "--format", "sarif", "-o", "out.sarif", "export"],
        &["scan", "--policy", "p.toml", "--format", "sarif", "export"],
    ];
    case.write("p.toml", "[kinds]\nemail = \"fail\"\n");
    for secret in ["tiny-k3y", &long[..31]] {
        for args in commands {
            let out = case
                .command(args)
                .env("PIISCAN_FINGERPRINT_KEY", secret)
                .output()
                .unwrap();
            expect(&out, 2);
            let err = stderr(&out);
            assert!(
                err.contains(&format!(
                    "PIISCAN_FINGERPRINT_KEY holds {} bytes",
                    secret.len()
                )) && err.contains("32 random bytes or more"),
                "{args:?}: {err}"
            );
            assert!(!err.contains(secret), "{err}");
            assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        }
        assert!(!case.path("base.json").exists() && !case.path("out.sarif").exists());
    }
    // A gate with a baseline reads the secret too.
    let out = case
        .command(&["baseline", "export", "-o", "base.json"])
        .env("PIISCAN_FINGERPRINT_KEY", long)
        .output()
        .unwrap();
    expect(&out, 0);
    let gate = ["gate", "export", "--baseline", "base.json"];
    let out = case
        .command(&gate)
        .env("PIISCAN_FINGERPRINT_KEY", &long[..20])
        .output()
        .unwrap();
    expect(&out, 2);
    assert!(stderr(&out).contains("holds 20 bytes"), "{}", stderr(&out));
    let out = case
        .command(&gate)
        .env("PIISCAN_FINGERPRINT_KEY", long)
        .output()
        .unwrap();
    expect(&out, 0);
}

/// Runs piiscan under `umask 027`, so that the usual permissions (0640) differ from the
/// owner-only ones (0600) and from a default umask's.
#[cfg(unix)]
fn run_with_umask(case: &Case, args: &[&str]) -> Output {
    let bin = assert_cmd::cargo::cargo_bin("piiscan");
    let mut cmd = std::process::Command::new("sh");
    cmd.current_dir(case.dir.path())
        .env_remove("PIISCAN_FINGERPRINT_KEY")
        .args(["-c", "umask 027 && exec \"$0\" \"$@\""])
        .arg(bin)
        .args(args);
    cmd.output().unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// An output that holds raw values (`--show-values`) is readable by its owner only, also when
/// it replaces a file others could read; one that holds masks only gets the usual
/// permissions (0666 less the umask); a baseline is owner-only.
#[cfg(unix)]
#[test]
fn outputs_with_raw_values_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let case = Case::new();
    case.write("export/a.ndjson", "{\"email\":\"jane.doe@example.com\"}\n");
    let cases: [(&[&str], u32); 8] = [
        (&["scan", "--format", "jsonl", "--show-values"], 0o600),
        (&["scan", "--format", "json", "--show-values"], 0o600),
        (&["scan", "--format", "sarif", "--show-values"], 0o600),
        (&["scan", "--format", "jsonl"], 0o640),
        (&["gate", "--format", "jsonl", "--show-values"], 0o600),
        (&["gate", "--format", "sarif"], 0o640),
        (&["report", "--format", "html"], 0o640),
        (&["baseline"], 0o600),
    ];
    for (args, want) in cases {
        let out_path = case.path("out.txt");
        // An earlier output, readable by all, is replaced (a baseline being rewritten keeps
        // its permissions by design: it is written anew here).
        if args[0] != "baseline" {
            case.write("out.txt", "earlier");
            std::fs::set_permissions(&out_path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let mut all = args.to_vec();
        all.extend(["-o", "out.txt", "export"]);
        let out = run_with_umask(&case, &all);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_ne!(std::fs::read_to_string(&out_path).unwrap(), "earlier");
        assert_eq!(mode(&out_path), want, "{args:?}");
        if args.contains(&"--show-values") {
            let text = std::fs::read_to_string(&out_path).unwrap();
            assert!(text.contains("jane.doe@example.com"), "{args:?}");
        }
        std::fs::remove_file(&out_path).unwrap();
    }
}

/// Every file piiscan writes is created under a new random name with `O_EXCL` beside its
/// destination: links planted where an older piiscan put its temporary file (a name made of
/// the destination's and the process id: `.base.json.<pid>.tmp`, opened with `O_TRUNC`, so a
/// link there sent the baseline into any file the user could write) redirect nothing.
#[cfg(unix)]
#[test]
fn links_planted_at_predictable_temporary_names_redirect_nothing() {
    let case = Case::new();
    case.write("export/a.ndjson", "{\"email\":\"jane.doe@example.com\"}\n");
    let victim = case.path("victim.txt");
    case.write("victim.txt", "precious\n");
    std::fs::create_dir(case.path("out")).unwrap();
    // The process ids the next commands are likely to get.
    let last = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or_else(std::process::id);
    let outputs = [
        (
            vec!["baseline", "export", "-o", "out/base.json"],
            "base.json",
        ),
        (
            vec!["scan", "--format", "jsonl", "-o", "out/f.jsonl", "export"],
            "f.jsonl",
        ),
        (
            vec!["report", "--format", "json", "-o", "out/r.json", "export"],
            "r.json",
        ),
        (vec!["config", "init", "out/p.toml"], "p.toml"),
    ];
    let mut planted = Vec::new();
    for (_, name) in &outputs {
        let mut names = vec![
            format!(".{name}.tmp"),
            format!("{name}.tmp"),
            format!("{name}~"),
        ];
        names.extend((last..last + 400).map(|pid| format!(".{name}.{pid}.tmp")));
        for link in names {
            let link = case.path("out").join(link);
            std::os::unix::fs::symlink(&victim, &link).unwrap();
            planted.push(link);
        }
    }
    for (args, name) in &outputs {
        let out = case.run(args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "precious\n",
            "{args:?} wrote through a planted link"
        );
        let written = case.path("out").join(name);
        assert!(std::fs::symlink_metadata(&written).unwrap().is_file());
    }
    for link in planted {
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(meta.file_type().is_symlink(), "{}", link.display());
    }
}

/// A destination that is a symbolic link keeps the link and replaces its target (a baseline
/// kept elsewhere), but not when another user planted the link in a shared sticky folder such
/// as /tmp: there, `-o /tmp/report.json` would replace whatever file of ours the link names.
/// The kernel refuses to follow such links (`fs.protected_symlinks`); piiscan, which resolves
/// the link itself, refuses too. Needs root to make a link owned by another user.
#[cfg(unix)]
#[test]
fn links_planted_by_others_in_shared_folders_are_not_followed() {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("note: not root: a link owned by another user cannot be made; not checked");
        return;
    }
    let case = Case::new();
    case.write("export/a.ndjson", "{\"email\":\"jane.doe@example.com\"}\n");
    let victim = case.path("victim.txt");
    case.write("victim.txt", "precious\n");
    let shared = case.path("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let nobody = 65534;
    let commands: [&[&str]; 4] = [
        &["baseline", "export", "-o", "shared/out.json"],
        &[
            "scan",
            "--format",
            "jsonl",
            "-o",
            "shared/out.json",
            "export",
        ],
        &[
            "report",
            "--format",
            "json",
            "-o",
            "shared/out.json",
            "export",
        ],
        &["config", "init", "--force", "shared/out.json"],
    ];
    let link = shared.join("out.json");
    for args in commands {
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        std::os::unix::fs::lchown(&link, Some(nobody), Some(nobody)).unwrap();
        let out = case.run(args);
        expect(&out, 2);
        assert!(
            stderr(&out).contains("another user placed in a shared folder"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        // Our own link in the same folder is followed, and its target replaced.
        let _ = std::fs::remove_file(&link);
        let ours = case.path("ours.json");
        case.write("ours.json", "old\n");
        std::os::unix::fs::symlink(&ours, &link).unwrap();
        let out = case.run(args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_ne!(std::fs::read_to_string(&ours).unwrap(), "old\n", "{args:?}");
        std::fs::remove_file(&link).unwrap();
    }
}

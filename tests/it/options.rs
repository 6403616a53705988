//! The README's option table, the CI integrations and the generated help agree with the
//! binary: every option of the table is called with each command it is marked for (accepted)
//! and with each it is not (refused); `action.yml` and `.pre-commit-hooks.yaml` parse and name
//! commands and options that exist; completions and the man page are printed.

use std::path::Path;

use assert_cmd::Command;
use yaml_rust2::{Yaml, YamlLoader};

/// The commands of the table's columns, in order.
const COMMANDS: [&str; 6] = ["scan", "gate", "report", "baseline", "redact", "eval"];

fn piiscan(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("piiscan").unwrap();
    cmd.current_dir(dir).env_remove("PIISCAN_FINGERPRINT_KEY");
    cmd
}

/// The cells of a Markdown table row, split on `|` not escaped as `\|`.
fn cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut chars = line.trim().trim_matches('|').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                cells.last_mut().unwrap().push('|');
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The README's option table: per row, its spellings (`-o FILE`, `--output FILE`) and, per
/// command of [`COMMANDS`], whether it takes the option.
fn option_table() -> Vec<(Vec<String>, [bool; 6])> {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let header = "| option | scan | gate | report | baseline | redact | eval | meaning |";
    let start = readme.find(header).expect("README has the option table");
    let rows: Vec<(Vec<String>, [bool; 6])> = readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let cells = cells(line);
            let spellings = cells[0]
                .split(", ")
                .map(|s| s.trim_matches('`').to_string())
                .collect();
            let mut marked = [false; 6];
            for (i, mark) in marked.iter_mut().enumerate() {
                *mark = match cells[i + 1].as_str() {
                    "✓" => true,
                    "" => false,
                    other => panic!("{line}: mark {other:?}"),
                };
            }
            (spellings, marked)
        })
        .collect();
    assert!(rows.len() >= 25, "{} rows", rows.len());
    rows
}

/// An option as the command line takes it: `--format json` is the option and its value, a
/// placeholder (`FILE`, `N`) becomes a value that works in `dir`.
fn arguments(spelling: &str, command: &str, dir: &Path) -> Vec<String> {
    let mut words = spelling.split(' ');
    let name = words.next().unwrap().to_string();
    let Some(value) = words.next() else {
        return vec![name];
    };
    let path = |file: &str| dir.join(file).to_str().unwrap().to_string();
    let value = match (name.as_str(), value) {
        ("--policy" | "--config", _) => path("policy.toml"),
        ("--baseline", _) => path("baseline.json"),
        ("--key-file", _) => path("key"),
        ("--labels", _) => path("labels.jsonl"),
        ("-o" | "--output", _) => path(&format!("out-{command}")),
        ("--out", _) => path("copies"),
        ("--kinds", _) => "email,ipv4".to_string(),
        ("--action", _) => "email=mask".to_string(),
        ("--shard", _) => "1/1".to_string(),
        (_, "N") => "2".to_string(),
        (_, "R") => "100".to_string(),
        (_, "C") => ",".to_string(),
        (_, literal) => literal.to_string(),
    };
    vec![name, value]
}

/// What a command needs besides the option tested: its input, and an output where it must
/// have one (unless the option is that output).
fn base(command: &str, name: &str, dir: &Path) -> Vec<String> {
    let input = dir.join("events.ndjson").to_str().unwrap().to_string();
    let out = |file: &str| dir.join(file).to_str().unwrap().to_string();
    // Scans of one kind start at once; with every detector, a debug build takes a second.
    let one_kind = !matches!(name, "--kinds" | "--policy" | "--config" | "--baseline");
    match command {
        // A partial report needs a fingerprint key.
        "report" if name == "--partial" => vec![
            "--key-file".into(),
            out("key"),
            "--kinds".into(),
            "email".into(),
            input,
        ],
        "scan" | "report" if one_kind => vec!["--kinds".into(), "email".into(), input],
        "baseline" if !matches!(name, "-o" | "--output") => {
            vec![input, "-o".into(), out("base-out.json")]
        }
        "redact" if !matches!(name, "-o" | "--output" | "--out") => {
            vec![input, "-o".into(), out("redacted.ndjson")]
        }
        "eval" if name != "--labels" => vec!["--labels".into(), out("labels.jsonl"), input],
        "eval" => vec![input],
        _ => vec![input],
    }
}

/// Every option of the README's table is accepted by each command it is marked for (exit 0
/// or 1, no usage error) and refused by the others (exit 2).
#[test]
fn every_option_in_the_readme_works_where_it_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line = "{\"email\":\"ann@example.org\",\"ip\":\"203.0.113.9\"}\n";
    std::fs::write(d.join("events.ndjson"), line).unwrap();
    let labels = "{\"path\":\"events.ndjson\",\"offset\":10,\"length\":15,\"kind\":\"email\"}\n";
    std::fs::write(d.join("labels.jsonl"), labels).unwrap();
    std::fs::write(d.join("key"), "0123456789abcdef0123456789abcdef").unwrap();
    // One kind, so that each run is quick: gate, baseline and redact find piiscan.toml in the
    // working directory; `--policy` names the same policy.
    let others = piiscan::Kind::ALL
        .iter()
        .filter(|k| **k != piiscan::Kind::Email);
    let policy: String = others
        .map(|k| format!("{} = \"ignore\"\n", k.name()))
        .collect();
    let policy = format!("[kinds]\nemail = \"fail\"\n{policy}");
    std::fs::write(d.join("piiscan.toml"), &policy).unwrap();
    std::fs::write(d.join("policy.toml"), &policy).unwrap();
    let out = piiscan(d)
        .args(["config", "check", "policy.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = piiscan(d)
        .args(["baseline", "events.ndjson", "-o", "baseline.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    let mut calls = 0;
    for (spellings, marked) in option_table() {
        for spelling in &spellings {
            for (command, &takes) in COMMANDS.iter().zip(&marked) {
                let option = arguments(spelling, command, d);
                let mut args = vec![command.to_string()];
                args.extend(option.iter().cloned());
                args.extend(base(command, &option[0], d));
                let out = piiscan(d).args(&args).output().unwrap();
                let code = out.status.code();
                let stderr = String::from_utf8_lossy(&out.stderr);
                if takes {
                    assert!(
                        matches!(code, Some(0 | 1)) && !stderr.contains("error:"),
                        "{args:?} listed in the README, refused ({code:?}): {stderr}"
                    );
                } else {
                    assert_eq!(code, Some(2), "{args:?} not listed, accepted: {stderr}");
                }
                calls += 1;
                // Outputs are written afresh by each call.
                let _ = std::fs::remove_dir_all(d.join("copies"));
            }
        }
    }
    assert!(calls > 150, "{calls}");
}

/// The README's lines that install completions and the man page run.
#[test]
fn completions_and_man_page_are_printed() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F _piiscan"),
        ("zsh", "#compdef piiscan"),
        ("fish", "complete -c piiscan"),
        ("elvish", "piiscan"),
        ("powershell", "piiscan"),
    ] {
        let out = piiscan(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell}: {text}");
        assert!(
            text.contains("fail-on-findings"),
            "{shell}: the options of report"
        );
    }
    let out = piiscan(dir.path()).arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH piiscan 1"), "{page}");
    for command in COMMANDS {
        assert!(
            page.contains(command),
            "{command} missing from the man page"
        );
    }
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(readme.contains("piiscan completions bash >"));
    assert!(readme.contains("piiscan man >"));
}

fn yaml(path: &str) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(docs.len(), 1, "{path}: one document");
    docs.remove(0)
}

/// Each `piiscan SUBCOMMAND --option` named in a script exists: the subcommand's help lists
/// the option. Returns the subcommands named.
fn check_commands(script: &str, what: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut named = Vec::new();
    for line in script.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        // `piiscan`, or a path to it (`"$ROOT/bin/piiscan"`).
        let binary = |w: &&str| w.trim_matches('"').rsplit('/').next() == Some("piiscan");
        let Some(at) = words.iter().position(binary) else {
            continue;
        };
        let Some(sub) = words.get(at + 1).filter(|w| !w.starts_with('-')) else {
            continue;
        };
        let help = piiscan(dir.path()).args([sub, "--help"]).output().unwrap();
        assert_eq!(help.status.code(), Some(0), "{what}: piiscan {sub}");
        let help = String::from_utf8(help.stdout).unwrap();
        for option in words[at + 2..].iter().filter(|w| w.starts_with("--")) {
            let name = option.split('=').next().unwrap();
            assert!(help.contains(name), "{what}: piiscan {sub} has no {name}");
        }
        named.push(sub.to_string());
    }
    named
}

/// `action.yml`: a composite action that installs piiscan from the action's own checkout (the
/// version is the ref the workflow pins), runs the gate, uploads SARIF with
/// `github/codeql-action/upload-sarif` and writes the job summary.
#[test]
fn the_github_action_is_valid() {
    let action = yaml("action.yml");
    for key in ["name", "description"] {
        assert!(action[key].as_str().is_some(), "action.yml: {key}");
    }
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let inputs = action["inputs"].as_hash().expect("inputs");
    assert!(inputs.contains_key(&Yaml::String("paths".into())));
    let steps = action["runs"]["steps"].as_vec().expect("steps");
    let mut scripts = String::new();
    let mut uses = Vec::new();
    for step in steps {
        if let Some(run) = step["run"].as_str() {
            // Composite run steps must name their shell.
            assert!(step["shell"].as_str().is_some(), "{run}: no shell");
            // Inputs reach scripts through the environment, never spliced into the script.
            assert!(!run.contains("${{"), "{run}: an expression inside a script");
            scripts.push_str(run);
            scripts.push('\n');
        } else if let Some(action) = step["uses"].as_str() {
            uses.push(action.to_string());
        } else {
            panic!("a step with neither run nor uses");
        }
    }
    let named = check_commands(&scripts, "action.yml");
    assert!(named.iter().any(|c| c == "gate"), "{named:?}");
    assert!(scripts.contains("cargo install --locked"), "{scripts}");
    assert!(scripts.contains("GITHUB_STEP_SUMMARY"), "{scripts}");
    assert!(
        uses.iter()
            .any(|u| u.starts_with("github/codeql-action/upload-sarif@")),
        "{uses:?}"
    );
}

/// `.pre-commit-hooks.yaml`: the hook gates the data files a commit adds, by pattern, with a
/// command that exists.
#[test]
fn the_pre_commit_hook_is_valid() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_vec().expect("a list of hooks");
    assert!(!hooks.is_empty());
    for hook in hooks {
        for key in ["id", "name", "entry", "language", "files"] {
            assert!(hook[key].as_str().is_some(), "hook: {key}");
        }
        assert_eq!(hook["language"].as_str(), Some("rust"));
        let entry = hook["entry"].as_str().unwrap();
        assert!(entry.starts_with("piiscan gate"), "{entry}");
        check_commands(entry, ".pre-commit-hooks.yaml");
        let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
        for (path, gated) in [
            ("exports/events.ndjson", true),
            ("data/users.csv", true),
            ("data/users.csv.gz", true),
            ("logs/access.log", true),
            ("dump.parquet", true),
            ("dump.jsonl.zst", true),
            ("src/main.rs", false),
            ("README.md", false),
            ("Cargo.toml", false),
        ] {
            assert_eq!(files.is_match(path), gated, "{path}");
        }
    }
}

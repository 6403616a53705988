//! A policy's own secret rules (`[[detector]]` with `kind = "secret"`) through the CLI: they
//! find an in-house token format that our rules miss, as kind `secret` named by the rule's
//! id, a gate fails on it, and a broken example is an error at its line, by its index.

use std::process::Output;

use super::ids::run as piiscan;

/// `acme_live_` and 32 base62 characters: an in-house format no built-in rule knows. The
/// tokens below are random, not credentials.
const POLICY: &str = "\
[[detector]]
kind = \"secret\"
id = \"acme.live_key\"
description = \"ACME live API key\"
regex = 'acme_live_[A-Za-z0-9]{32}'
keywords = [\"acme_live_\"]
prefix = \"acme_live_\"
min_entropy = 3.5
examples = [
  'acme_live_RcY5HhGmzwHsLjMqgqAu9r1gXu5tbKNm',
  { text = 'ACME_KEY=acme_live_4e6mhIDy3UeZgAbgLUBW2zCQtK6G1kYO', secret = 'acme_live_4e6mhIDy3UeZgAbgLUBW2zCQtK6G1kYO' },
]
negative_examples = ['acme_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'acme_live_<your-key>']
";

const EXPORT: &str = "\
{\"event\":\"charge\",\"note\":\"retried with acme_live_9AoXIKUgZnymiiOFgJTDa9D5EMhHE0GF\"}
{\"event\":\"config\",\"api\":{\"client_key\":\"acme_live_xB5I3l4apfbDyChRTPq7iEsCzsVkDCtt\"}}
{\"event\":\"docs\",\"note\":\"set ACME_KEY=acme_live_<your-key>\"}
";

fn case(policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("export")).unwrap();
    std::fs::write(dir.path().join("export/events.ndjson"), EXPORT).unwrap();
    std::fs::write(dir.path().join("policy.toml"), policy).unwrap();
    dir
}

/// The `detail` of each `secret` finding of a JSONL listing.
fn secret_rules(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["kind"] == "secret")
        .map(|v| {
            format!(
                "{} {}",
                v["detail"].as_str().unwrap_or("-"),
                v["masked"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn a_policy_rule_finds_an_in_house_token_and_the_gate_fails_on_it() {
    let dir = case(POLICY);
    // Our rules alone miss the format: the gate passes.
    std::fs::write(dir.path().join("none.toml"), "[kinds]\nemail = \"fail\"\n").unwrap();
    let plain = piiscan(dir.path(), &["gate", "export", "--config", "none.toml"]);
    assert_eq!(plain.status.code(), Some(0), "{plain:?}");
    // With the policy's rule: two tokens, kind `secret`, named by the rule, masked to its
    // prefix; the placeholder is not one.
    let listed = piiscan(
        dir.path(),
        &[
            "gate",
            "export",
            "--config",
            "policy.toml",
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(listed.status.code(), Some(1), "{listed:?}");
    assert_eq!(
        secret_rules(&listed),
        ["acme.live_key acme_live_…", "acme.live_key acme_live_…"],
        "{}",
        String::from_utf8_lossy(&listed.stdout)
    );
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(
        !stdout.contains("9AoXIKUg") && !stdout.contains("xB5I3l4a"),
        "{stdout}"
    );
    let gate = piiscan(dir.path(), &["gate", "export", "--config", "policy.toml"]);
    assert_eq!(gate.status.code(), Some(1), "{gate:?}");
    let check = piiscan(dir.path(), &["config", "check", "policy.toml"]);
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(said.contains("secret rules: 1"), "{said}");
}

/// A broken example (too short for the regex) and a negative example the rule finds: each an
/// error at its line, naming the rule and the example's index, quoting neither; every job
/// that reads the policy refuses it.
#[test]
fn config_check_reports_a_broken_example_by_its_index() {
    let broken = POLICY
        .replace(
            "  'acme_live_RcY5HhGmzwHsLjMqgqAu9r1gXu5tbKNm',\n",
            "  'acme_live_RcY5HhGmzwHsLjMqgqAu9r1gXu5tbKNm',\n  'acme_live_Zk3N0fWq',\n",
        )
        .replace(
            "'acme_live_<your-key>'",
            "'acme_live_<your-key>', 'acme_live_Tp2vQ8sLr4XyB7nJc1MdK9wHf6GzA3Ee'",
        );
    let dir = case(&broken);
    for args in [
        &["config", "check", "policy.toml"][..],
        &["gate", "export", "--config", "policy.toml"],
        &["scan", "export", "--config", "policy.toml"],
    ] {
        let out = piiscan(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?} {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        for want in [
            "policy.toml:11:3: secret rule `acme.live_key`: example 2: no match",
            "policy.toml:14:92: secret rule `acme.live_key`: negative example 3: found a secret",
        ] {
            assert!(err.contains(want), "{args:?}: want {want:?} in\n{err}");
        }
        assert!(
            !err.contains("Zk3N0fWq") && !err.contains("Tp2vQ8"),
            "{err}"
        );
    }
}

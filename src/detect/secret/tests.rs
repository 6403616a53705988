//! The rule file's own examples, hard negatives a log is full of, masks, key hints, and user
//! rules loaded from a policy, each as a table of cases.

use std::sync::OnceLock;

use super::{RuleError, RuleFile, SecretMatch, SecretRules, BUILTIN_RULES};

fn rules() -> &'static SecretRules {
    static RULES: OnceLock<SecretRules> = OnceLock::new();
    RULES.get_or_init(|| SecretRules::builtin().unwrap_or_else(|e| panic!("{e}")))
}

fn spec() -> RuleFile {
    toml::from_str(BUILTIN_RULES).unwrap_or_else(|e| panic!("{e}"))
}

fn find(text: &[u8]) -> Vec<SecretMatch> {
    let mut out = Vec::new();
    rules().find(text, &mut out);
    out
}

fn id(m: &SecretMatch) -> &'static str {
    rules().rule(m.rule).map_or("?", |r| r.id())
}

fn describe(text: &[u8], found: &[SecretMatch]) -> String {
    found
        .iter()
        .map(|m| {
            format!(
                "{} {:?}",
                id(m),
                String::from_utf8_lossy(&text[m.start..m.end])
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Base64 (standard alphabet, padded), for building test data.
fn b64(bytes: &[u8], url: bool) -> String {
    let alphabet: &[u8] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut s = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                s.push(alphabet[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else if !url {
                s.push('=');
            }
        }
    }
    s
}

/// Deterministic pseudo-random bytes (splitmix64).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}

#[test]
fn every_example_and_negative_example_of_every_rule() {
    let errors = SecretRules::check_file(BUILTIN_RULES);
    let listed: Vec<String> = errors.iter().map(RuleError::to_string).collect();
    assert!(listed.is_empty(), "{}", listed.join("\n"));
}

#[test]
fn every_rule_has_three_examples_three_negatives_and_sources() {
    let file = spec();
    assert!(file.rule.len() >= 30, "{} rules", file.rule.len());
    for rule in &file.rule {
        assert!(
            rule.examples.len() >= 3 && rule.negative_examples.len() >= 3,
            "{}: {} examples, {} negatives",
            rule.id,
            rule.examples.len(),
            rule.negative_examples.len()
        );
        assert!(!rule.description.is_empty(), "{}", rule.id);
    }
    for hint in &file.key_hint {
        assert!(hint.examples.len() >= 3 && hint.negative_examples.len() >= 3);
    }
    // Every rule and key hint has its sources in SOURCES.md.
    let data = include_str!("SOURCES.md");
    let ids = file
        .rule
        .iter()
        .map(|r| r.id.as_str())
        .chain(file.key_hint.iter().map(|h| h.id.as_str()));
    for id in ids {
        assert!(
            data.contains(&format!("`{id}`")),
            "{id} is not in SOURCES.md"
        );
    }
}

/// With every rule loaded, each specific rule's examples are still reported by that rule with
/// their span (no other rule eclipses them), and each generic rule's by some rule.
#[test]
fn examples_survive_the_full_rule_set() {
    for rule in spec().rule {
        for example in &rule.examples {
            let text = example.text().as_bytes();
            let found = find(text);
            let hit = found
                .iter()
                .find(|m| &text[m.start..m.end] == example.secret().as_bytes());
            match hit {
                Some(m) if rule.generic || id(m) == rule.id => {}
                _ => panic!(
                    "{}: {:?} gave [{}]",
                    rule.id,
                    example.text(),
                    describe(text, &found)
                ),
            }
        }
    }
}

#[test]
fn hard_negatives_find_nothing() {
    let image = format!(
        "{{\"avatar\":\"data:image/png;base64,{}\"}}",
        b64(
            &[b"\x89PNG\r\n\x1a\n".as_slice(), &noise(6000, 7)].concat(),
            false
        )
    );
    let image_url = format!("\"thumb\":\"{}\"", b64(&noise(3000, 11), true));
    // Start like a JWT (`eyJ`) but the header is not a JSON object with `alg`.
    let jwt_not_json = format!(
        "{}.{}.{}",
        b64(b"{\"alg\":\"HS256\"", true),
        b64(b"{\"sub\":\"1\"}", true),
        b64(&noise(32, 3), true)
    );
    let jwt_no_alg = format!(
        "{}.{}.{}",
        b64(b"{\"typ\":\"JWT\",\"kid\":\"k1\"}", true),
        b64(b"{\"sub\":\"1\"}", true),
        b64(&noise(32, 4), true)
    );
    let jwt_array = format!(
        "{}.{}.{}",
        b64(b"{\"alg\"]", true),
        b64(b"{\"sub\":\"1\"}", true),
        b64(&noise(32, 5), true)
    );
    let cases: Vec<String> = vec![
        // Identifiers and hashes.
        r#"{"distinct_id":"550e8400-e29b-41d4-a716-446655440000","$insert_id":"a3f9c2d4e5b6a7c8"}"#.into(),
        "commit 3f786850e387550fdab836ed7e6dc881de23001b (HEAD -> main)".into(),
        "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        r#"{"checksum":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#.into(),
        "build 4f1c2e9 deployed; request_id=7b3e9d2a-1c4f-4e8b-9a6d-2f5c8e1b3a7d".into(),
        image,
        image_url,
        // Placeholders and redactions.
        "Authorization: Bearer <token>".into(),
        "Authorization: Bearer ${API_TOKEN}".into(),
        "Authorization: Bearer REDACTED".into(),
        "Authorization: Bearer [FILTERED]".into(),
        "Authorization: Bearer your-token-here".into(),
        "Authorization: Bearer ****************************".into(),
        "OPENAI_API_KEY=sk-your-key-here".into(),
        "AWS_ACCESS_KEY_ID=AKIA****************".into(),
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE".into(),
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        "api_key=<YOUR_API_KEY>&format=json".into(),
        "api_key=xxxxxxxxxxxxxxxxxxxxxxxx".into(),
        "token=REDACTED".into(),
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".into(),
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX".into(),
        // JWT look-alikes.
        jwt_not_json,
        jwt_no_alg,
        jwt_array,
        "eyJhbGciOiJIUzI1NiJ9".into(),
        // URLs without a password.
        "https://jane@acme.io/account".into(),
        "ssh://git@github.com:22/acme/app.git".into(),
        "git@github.com:acme/app.git".into(),
        "https://acme.io:8443/path?next=/a@b".into(),
        r#"{"$current_url":"https://www.acme-shop.com/p/42?utm_source=news&ref=jane@acme.io"}"#.into(),
        // Empty and starred passwords.
        "POST /login username=jdoe&password=&remember=1".into(),
        "password=***".into(),
        "password: ********".into(),
        "password=[FILTERED]".into(),
        // Prose and public values.
        "Please enter your password and API key to continue.".into(),
        "token expired; refresh token rotated".into(),
        "invalid api_key: must be 32 characters".into(),
        r#"{"$timezone":"Asia/Tokyo","region":"ASIA","mp_country_code":"JP"}"#.into(),
        r#"{"token":"a1b2c3d4e5f60718293a4b5c6d7e8f90","event":"Page Viewed"}"#.into(),
        "pk_live_51HqP2dGx7Yy0sK3LmNoPq4RsTuVwXyZ".into(),
        "STRIPE_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc".into(),
        "TWILIO_ACCOUNT_SID=AC2c5ef8f3b2a1d4e6f7a8b9c0d1e2f3a4".into(),
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36".into(),
        "-----BEGIN CERTIFICATE-----".into(),
        "-----BEGIN PUBLIC KEY-----".into(),
        "npm_config_cache=/home/ci/.npm".into(),
        "from huggingface_hub import hf_hub_download".into(),
        "desk-risk-task-ask".into(),
    ];
    for text in &cases {
        let found = find(text.as_bytes());
        assert!(
            found.is_empty(),
            "{text:?} gave [{}]",
            describe(text.as_bytes(), &found)
        );
    }
}

#[test]
fn specific_rules_win_over_generic_ones() {
    let ghp = "ghp_ZeZcqckdfeepqag6wNLx5T1uznQs6hINJZ7F";
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1Xzg1NDI2OCJ9.lmsfzafnq8cSxPeaw47qbi3AqgEvcwuFFL8M_l2z60O";
    let cases: Vec<(String, Vec<&str>)> = vec![
        (format!("Authorization: Bearer {jwt}"), vec!["jwt"]),
        // Not a JWT (its header has no `alg`), still a bearer token.
        (
            "Authorization: Bearer eyJ0eXAiOiJKV1QiLCJraWQiOiJrMSJ9.eyJzdWIiOiIxIn0.yjBfnrnhXlLJBSL5vDgpUTvkhnpUkXIL0A3971rRTqA".into(),
            vec!["http.bearer"],
        ),
        (format!("https://x-access-token:{ghp}@github.com/a/b"), vec!["github.pat"]),
        (format!("GET /x?token={ghp}"), vec!["github.pat"]),
        (
            format!("Bearer {ghp} and password=Qz8!rT4wLp then {jwt}"),
            vec!["github.pat", "generic.password", "jwt"],
        ),
    ];
    for (text, want) in cases {
        let found = find(text.as_bytes());
        let got: Vec<&str> = found.iter().map(id).collect();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn matches_are_sorted_disjoint_and_within_a_line() {
    let text = b"a=1\nGITHUB_TOKEN=ghp_ZeZcqckdfeepqag6wNLx5T1uznQs6hINJZ7F\n\xff\xfe key-86f6f2d2c60aaaca1c53d68931de3ea8 \xc3\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAvQ8y3s0KxA3jR1pZ2f5nE7bGdY9cLwT6uHqV0aXmNcOeIgJtKrSl\n";
    let found = find(text);
    let ids: Vec<&str> = found.iter().map(id).collect();
    assert_eq!(
        ids,
        ["github.pat", "mailgun.api_key", "pem.private_key"],
        "{}",
        describe(text, &found)
    );
    for w in found.windows(2) {
        assert!(w[0].end <= w[1].start);
    }
    for m in &found {
        assert!(!text[m.start..m.end].contains(&b'\n'));
    }
}

#[test]
fn tokens_at_the_edges_of_the_haystack_and_after_json_escapes() {
    let token = "npm_GTtQpDML90TNVOLwoBthoVLvikhNGLb7s7M6";
    let cases: Vec<(String, Option<(usize, usize)>)> = vec![
        (token.into(), Some((0, 40))),
        (format!("x {token}"), Some((2, 42))),
        (format!(r#""line one\n{token}""#), Some((11, 51))),
        (format!("line one n{token}"), None),
        (format!("{token}a"), None),
        (format!("{token}_"), None),
        (format!("{token}."), Some((0, 40))),
    ];
    for (text, want) in cases {
        let got = find(text.as_bytes()).first().map(|m| (m.start, m.end));
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn masks_keep_only_the_public_prefix() {
    let cases: &[(&str, &str)] = &[
        ("sk-proj-lyOp8C9ckh7JF_nSQabHKBkr7iFhtY2Kx6t67djFJ8eTeI7x5u_EEjfiGwbB78EddHAyuF55A0T3BlbkFJxbnr2C-SS9Iw3xWRsNf9-S-7WmezAev9-SZ0biAGp1P0wAhc", "sk-proj-…"),
        ("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", "sk-…"),
        ("ghp_ZeZcqckdfeepqag6wNLx5T1uznQs6hINJZ7F", "ghp_…"),
        ("ASIARZLPYY7VYQEMHMY6", "ASIA…"),
        ("xoxb-427313910481-2158786412494-uNFjZn6R7tLujZzLy1miX07x", "xoxb-…"),
        ("https://hooks.slack.com/services/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", "https://hooks.slack.com/services/…"),
        ("postgres://app:Vq7pLx2mR9sT@db.internal:5432/app", "…"),
    ];
    for &(text, want) in cases {
        let found = find(text.as_bytes());
        let m = found.first().unwrap_or_else(|| panic!("nothing in {text}"));
        let masked = rules().mask(m.rule, &text.as_bytes()[m.start..m.end]);
        assert_eq!(masked, want, "{text}");
        assert_eq!(super::mask(&text[m.start..m.end]), want, "{text}");
    }
    // An unknown rule index masks everything.
    assert_eq!(rules().mask(u16::MAX, b"ghp_x"), "…");
}

#[test]
fn key_hints() {
    let key_cases: &[(&str, Option<&str>)] = &[
        ("api_key", Some("keyed.token")),
        ("X-Api-Key", Some("keyed.token")),
        ("apiKey", Some("keyed.token")),
        ("$token", Some("keyed.token")),
        ("Authorization", Some("keyed.token")),
        ("DB_PASSWORD", Some("keyed.password")),
        ("password", Some("keyed.password")),
        ("passwordHint", None),
        ("page_token", None),
        ("session_id", None),
        ("pwd", None),
        ("", None),
        (
            "a_very_long_key_name_that_is_far_longer_than_any_hint_could_ever_be",
            None,
        ),
    ];
    for &(key, want) in key_cases {
        let got = rules()
            .key_hint(key.as_bytes())
            .and_then(|r| rules().rule(r))
            .map(|r| r.id());
        assert_eq!(got, want, "{key}");
    }
    let token = rules().key_hint(b"token").unwrap_or(u16::MAX);
    assert_eq!(
        rules().rule(token).map(|r| r.exclude_paths().to_vec()),
        Some(vec!["properties.token".to_string()])
    );
    let password = rules().key_hint(b"password").unwrap_or(u16::MAX);
    // (hint, value, what is reported: rule and span)
    type Case<'a> = (u16, &'a str, Option<(&'a str, &'a str)>);
    let value_cases: &[Case] = &[
        (
            token,
            "J7YkstXSwdfmW99bJz1XQcDrLad8ixuo",
            Some(("keyed.token", "J7YkstXSwdfmW99bJz1XQcDrLad8ixuo")),
        ),
        (
            token,
            "Bearer J7YkstXSwdfmW99bJz1XQcDrLad8ixuo",
            Some(("http.bearer", "J7YkstXSwdfmW99bJz1XQcDrLad8ixuo")),
        ),
        (
            token,
            "  Token J7YkstXSwdfmW99bJz1XQcDrLad8ixuo ",
            Some(("keyed.token", "J7YkstXSwdfmW99bJz1XQcDrLad8ixuo")),
        ),
        (
            token,
            "sk_live_tJqNMYflwrSImkdJubZJ3vkl",
            Some(("stripe.secret_key", "sk_live_tJqNMYflwrSImkdJubZJ3vkl")),
        ),
        (token, "true", None),
        (token, "***", None),
        (token, "0", None),
        (token, "Bearer ", None),
        (token, "aaaaaaaaaaaaaaaaaaaaaaaa", None),
        (password, "hunter22", Some(("keyed.password", "hunter22"))),
        (password, "", None),
        (password, "***", None),
        (password, "REDACTED", None),
        (password, "[FILTERED]", None),
        (password, "null", None),
    ];
    for &(hint, value, want) in value_cases {
        let mut out = Vec::new();
        let reported = rules().check_keyed_value(hint, value.as_bytes(), &mut out);
        let got = out.first().map(|m| (id(m), &value[m.start..m.end]));
        assert_eq!(got, want, "{value:?}");
        assert_eq!(reported, want.is_some());
    }
    // Every hinting key is normalised.
    for (key, _) in rules().hint_keys() {
        assert!(key
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }
}

const USER_RULE: &str = r#"
[kinds]
email = "fail"

[[detector]]
kind = "badge"
regex = 'B-[0-9]{6}'

[[detector]]
kind = "secret"
id = "acme.service_token"
description = "ACME internal service token"
regex = 'acme_svc_[a-z0-9]{24}'
keywords = ["acme_svc_"]
prefix = "acme_svc_"
min_entropy = 3.0
examples = [
  { text = 'ACME_TOKEN=acme_svc_q8w7e6r5t4y3u2i1o0p9a8s7', secret = 'acme_svc_q8w7e6r5t4y3u2i1o0p9a8s7' },
  'acme_svc_z1x2c3v4b5n6m7l8k9j0h1g2',
]
negative_examples = ['acme_svc_aaaaaaaaaaaaaaaaaaaaaaaa', 'acme_svc_<token>']
"#;

#[test]
fn user_rules_from_a_policy() {
    let rules = SecretRules::with_policy(USER_RULE).unwrap_or_else(|e| panic!("{e}"));
    let index = rules.rule_index("acme.service_token");
    assert!(index.is_some());
    let text = b"log: token acme_svc_q8w7e6r5t4y3u2i1o0p9a8s7 used";
    let mut out = Vec::new();
    rules.find(text, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(Some(out[0].rule), index);
    assert_eq!(
        rules.mask(out[0].rule, &text[out[0].start..out[0].end]),
        "acme_svc_…"
    );
    assert_eq!(rules.len(), self::rules().len() + 1);
}

#[test]
fn user_rule_errors_name_the_rule_and_the_example() {
    let base = "[[detector]]\nkind = 'secret'\nid = 'acme.token'\nkeywords = ['acme_']\n";
    let cases: &[(&str, &str)] = &[
        (
            "regex = 'acme_[a-z0-9]{24}'\nexamples = ['acme_q8w7e6r5t4y3u2i1o0p9a8s7', 'acme_short']\n",
            "secret rule `acme.token`: example 2: no match",
        ),
        (
            "regex = 'acme_[a-z0-9]{24}'\nexamples = [{ text = 'x acme_q8w7e6r5t4y3u2i1o0p9a8s7', secret = 'acme_q8w7' }]\n",
            "secret rule `acme.token`: example 1: found 2..31 instead of the expected secret",
        ),
        (
            "regex = 'acme_[a-z0-9]{24}'\nexamples = ['acme_q8w7e6r5t4y3u2i1o0p9a8s7']\nnegative_examples = ['ok', 'acme_z1x2c3v4b5n6m7l8k9j0h1g2']\n",
            "secret rule `acme.token`: negative example 2: found a secret at 0..29",
        ),
        (
            "regex = 'token_[a-z0-9]{24}'\nexamples = ['token_q8w7e6r5t4y3u2i1o0p9a8s7']\n",
            "secret rule `acme.token`: example 1: none of the rule's keywords occurs",
        ),
        ("regex = 'acme_[a-z'\n", "secret rule `acme.token`: bad regex"),
        ("regex = '(acme)_([a-z]+)'\n", "secret rule `acme.token`: the regex has 2 capture groups"),
        ("regex = 'a*'\n", "secret rule `acme.token`: the regex matches the empty string"),
        ("regex = 'acme_x'\nvalidate = 'crc32'\n", "secret rule `acme.token`: unknown `validate"),
        ("regex = 'acme_x'\nmin_entropy = 9.0\n", "secret rule `acme.token`: min_entropy 9"),
        ("regex = 'acme_x'\nflavour = 'x'\n", "secret rule `acme.token`: [[detector]] 1: unknown field `flavour`"),
        ("regex = 'acme_x'\nkeywords = ['ac']\n", "duplicate key"),
    ];
    for &(extra, want) in cases {
        let text = format!("{base}{extra}");
        let err = SecretRules::with_policy(&text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.starts_with(want) || err.contains(want),
            "{extra}\n=> {err}"
        );
    }
    // A short keyword, and an id taken by a built-in rule.
    let short = "[[detector]]\nkind = 'secret'\nid = 'acme.x'\nregex = 'ac_x'\nkeywords = ['ac']\n";
    let dup =
        "[[detector]]\nkind = 'secret'\nid = 'github.pat'\nregex = 'ac_x'\nkeywords = ['ac_']\n";
    for (text, want) in [
        (
            short,
            "secret rule `acme.x`: keyword `ac` is shorter than 3 bytes",
        ),
        (dup, "secret rule `github.pat`: a built-in rule has this id"),
    ] {
        let err = SecretRules::with_policy(text).err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.starts_with(want)),
            "{err:?}"
        );
    }
}

#[test]
fn a_broken_rules_file_is_an_error_not_a_panic() {
    for text in [
        "[[rule]]\nid = 1\n",
        "not toml",
        "[[rule]]\nid='a'\nregex='abc'\nkeywords=['abc']\nbogus=1\n",
    ] {
        assert!(
            matches!(SecretRules::from_toml(text), Err(RuleError::Toml(_))),
            "{text}"
        );
    }
}

/// Noise with keywords spliced in at random places, cut at every length near the ends: no
/// panic, every match inside the haystack, on one line, and the same whether the haystack is
/// searched whole or line by line.
#[test]
fn noise_with_keywords_never_panics_and_matches_stay_in_bounds() {
    let keywords: &[&[u8]] = &[
        b"ghp_",
        b"sk-ant-api03-",
        b"AKIA",
        b"eyJ",
        b"-----BEGIN RSA PRIVATE KEY-----",
        b"://u:",
        b"Bearer ",
        b"Basic ",
        b"password=",
        b"token=",
        b"T3BlbkFJ",
        b"xoxb-1-2-",
        b"\\n",
        b"@",
    ];
    let bytes = noise(200_000, 42);
    let mut hay = Vec::new();
    for (i, chunk) in bytes.chunks(97).enumerate() {
        hay.extend_from_slice(keywords[i % keywords.len()]);
        // Printable noise most of the time, raw bytes (non-UTF-8) now and then.
        if i % 5 == 0 {
            hay.extend_from_slice(chunk);
        } else {
            hay.extend(
                chunk
                    .iter()
                    .map(|b| b"abcXYZ019+/=_-.:@ \n\"'"[usize::from(*b) % 21]),
            );
        }
    }
    let whole = find(&hay);
    assert!(whole.len() > 10, "{} matches", whole.len());
    for m in &whole {
        assert!(m.start < m.end && m.end <= hay.len());
        assert!(!hay[m.start..m.end].contains(&b'\n'));
    }
    let mut by_line = Vec::new();
    let mut offset = 0;
    for line in hay.split(|&b| b == b'\n') {
        for m in find(line) {
            by_line.push((m.start + offset, m.end + offset, m.rule));
        }
        offset += line.len() + 1;
    }
    let whole: Vec<(usize, usize, u16)> = whole.iter().map(|m| (m.start, m.end, m.rule)).collect();
    // A PEM header's check looks at the next line, which a line alone does not have.
    let pem = rules().rule_index("pem.private_key");
    let differ: Vec<_> = whole
        .iter()
        .filter(|m| !by_line.contains(m) && Some(m.2) != pem)
        .collect();
    assert!(differ.is_empty(), "{differ:?}");
    for cut in [0, 1, 2, 3, 4, 7, 13] {
        find(&hay[..cut.min(hay.len())]);
        find(&hay[hay.len().saturating_sub(cut)..]);
    }
}

#[test]
fn rules_are_shared_across_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    send_sync(rules());
    let text = b"GITHUB_TOKEN=ghp_ZeZcqckdfeepqag6wNLx5T1uznQs6hINJZ7F";
    let counts: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2).map(|_| s.spawn(|| find(text).len())).collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    assert_eq!(counts, [1, 1]);
}

/// The detector searches only where the prefilter points: through the whole engine (which
/// gives values under credential keys to the key hints), every example of every rule is
/// found, and no counter-example yields what a search of the whole text would not.
#[test]
fn every_rule_example_is_found_where_the_prefilter_points() {
    use crate::detect::{Kind, KindSet, Shape};
    use crate::engine::{examples, Config, Scanner};
    let scanner = Scanner::new(Config {
        kinds: KindSet::of(Kind::Secret),
        ..Config::default()
    });
    // Without key hints, for counter-examples: a value under `"password"` is the key hint's
    // to report, whatever a text rule's counter-example says.
    let plain = Scanner::new(Config {
        kinds: KindSet::of(Kind::Secret),
        structure: false,
        ..Config::default()
    });
    let found_by = |scanner: &Scanner, text: &str| -> Vec<String> {
        examples::findings(scanner, text, Shape::Lines)
            .into_iter()
            .filter(|(kind, _)| *kind == Kind::Secret)
            .map(|(_, span)| text[span].to_string())
            .collect()
    };
    let mut failures = Vec::new();
    for rule in spec().rule {
        for example in &rule.examples {
            let got = found_by(&scanner, example.text());
            if !got.iter().any(|g| g == example.secret()) {
                failures.push(format!("{}: {:?} gave {got:?}", rule.id, example.text()));
            }
        }
        for text in &rule.negative_examples {
            let whole: Vec<String> = find(text.as_bytes())
                .iter()
                .map(|m| text[m.start..m.end].to_string())
                .collect();
            let got = found_by(&plain, text);
            if got.iter().any(|g| !whole.contains(g)) {
                failures.push(format!("{}: negative {text:?} gave {got:?}", rule.id));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_builtin_rules_pass_their_own_examples() {
    let failures = SecretRules::check_file(BUILTIN_RULES);
    assert!(failures.is_empty(), "{failures:?}");
}

/// The keys of the password and token key hints in rules.toml reach the detector only if the
/// structure layer hints them: each must be in its key table (`token`, `accesskey` and
/// `credential(s)` are left out on purpose, see src/structure/keys.rs).
#[test]
fn key_hint_keys_are_hinted_by_the_structure_layer() {
    use crate::structure::keys::{hint_for_key, Hint};
    let file: toml::Value = toml::from_str(super::BUILTIN_RULES).expect("rules.toml parses");
    let left_out = ["token", "accesskey", "credentials", "credential"];
    let hints = file["key_hint"].as_array().expect("key hints");
    let mut missing = Vec::new();
    for hint in hints {
        let want = match hint["id"].as_str() {
            Some("keyed.password") => Hint::Password,
            Some("keyed.token") => Hint::Secret,
            _ => continue,
        };
        for key in hint["keys"].as_array().expect("keys") {
            let key = key.as_str().expect("a key is a string");
            if !left_out.contains(&key) && hint_for_key(key.as_bytes()) != Some(want) {
                missing.push(key.to_string());
            }
        }
    }
    assert!(missing.is_empty(), "not hinted: {missing:?}");
}

//! `piiscan redact` through the built binary: on the committed corpora (every copy passes
//! the issue's checks (a) to (e)) and on small inputs written here (escapes, URLs, CSV cells,
//! field rules, standard streams, compression, refusals).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use piiscan::redact::pseudonym;
use piiscan::Kind;

const KEY: &str = "redact-test-key-0123456789abcdefghijklmnopqrstuv";
const OTHER_KEY: &str = "another-test-key-0123456789abcdefghijklmnopqrs";

fn redact(args: &[&str], key: Option<&str>) -> Output {
    let mut cmd = Command::cargo_bin("piiscan").unwrap();
    cmd.arg("redact")
        .args(args)
        .env_remove("PIISCAN_REDACT_KEY");
    if let Some(key) = key {
        cmd.env("PIISCAN_REDACT_KEY", key);
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The files under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Findings of `scan --format jsonl` as (offset, length, kind, value).
fn findings(path: &Path, kinds: &str) -> Vec<(usize, usize, String, String)> {
    let out = Command::cargo_bin("piiscan")
        .unwrap()
        .args([
            "scan",
            "--format",
            "jsonl",
            "--show-values",
            "--kinds",
            kinds,
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["offset"].as_u64().unwrap() as usize,
                v["length"].as_u64().unwrap() as usize,
                v["kind"].as_str().unwrap().to_string(),
                v["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The kinds redact changes by default, as `--kinds`: the direct identifiers (the
/// quasi-identifiers are kept, as `scan` and `gate` leave them out by default).
const REDACTED: &str = "email,phone,secret,ipv4,ipv6,person_name,city,region,country,coordinates";

/// (d): the copy is the input with each finding's span replaced by text without a line end:
/// each piece of the input between findings is found in the copy, in order, with only a
/// short stretch without a line end between one piece and the next.
/// Outside JSON, a replacement adds no quote.
fn same_outside_spans(input: &[u8], copy: &[u8], spans: &[(usize, usize)], what: &str, json: bool) {
    let mut pieces = Vec::new();
    let mut at = 0;
    for &(s, l) in spans {
        if s < at {
            continue;
        }
        pieces.push(&input[at..s]);
        at = s + l;
    }
    pieces.push(&input[at..]);
    let mut pos = 0;
    for (i, piece) in pieces.iter().enumerate() {
        if i == 0 {
            assert!(
                copy.starts_with(piece),
                "{what}: the copy starts differently"
            );
            pos = piece.len();
            continue;
        }
        let found = if piece.is_empty() {
            // The last piece, when a finding ends the file.
            Some(copy.len() - pos)
        } else {
            memchr::memmem::find(&copy[pos..], piece)
        };
        let Some(gap) = found else {
            panic!("{what}: piece {i} of {} is not in the copy", pieces.len());
        };
        let between = &copy[pos..pos + gap];
        assert!(
            gap <= 200 && !between.contains(&b'\n'),
            "{what}: piece {i} is {gap} bytes past the replacement before it"
        );
        assert!(
            json || !between.contains(&b'"'),
            "{what}: a replacement outside JSON adds a quote"
        );
        pos += gap + piece.len();
    }
    assert_eq!(pos, copy.len(), "{what}: the copy ends differently");
}

/// The key paths of a JSON value, arrays as `[]`.
fn key_paths(v: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = format!("{prefix}.{k}");
                out.insert(path.clone());
                key_paths(v, &path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                key_paths(v, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// The records of a CSV text, each as its number of cells (quotes honoured, also over
/// line ends).
fn csv_shape(text: &[u8]) -> Vec<usize> {
    let mut records = Vec::new();
    let (mut cells, mut quoted, mut at_start) = (1, false, true);
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'"' if quoted && text.get(i + 1) == Some(&b'"') => {}
            b'"' if quoted && i > 0 && text[i - 1] == b'"' && !at_start => {}
            b'"' => quoted = !quoted,
            b',' if !quoted => cells += 1,
            b'\n' if !quoted => {
                records.push(cells);
                cells = 1;
            }
            _ => {}
        }
        at_start = b == b'\n';
    }
    if !text.ends_with(b"\n") && !text.is_empty() {
        records.push(cells);
    }
    records
}

/// Redacts `corpus` into a fresh folder with `key`, checked by `--verify`.
fn redact_corpus(corpus: &str, key: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("copy");
    let out = redact(
        &[corpus, "--out", out_dir.to_str().unwrap(), "--verify", "-q"],
        Some(key),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing of the redacted kinds remains"));
    (dir, out_dir)
}

#[test]
fn redacted_corpora_pass_every_check() {
    for corpus in ["corpora/labelled", "corpora/samples"] {
        let (_dir, out_dir) = redact_corpus(corpus, KEY);
        let inputs = files(Path::new(corpus));
        assert_eq!(files(&out_dir), inputs, "{corpus}: one copy per input");
        for rel in &inputs {
            let what = format!("{corpus}/{}", rel.display());
            let input = std::fs::read(Path::new(corpus).join(rel)).unwrap();
            let copy = std::fs::read(out_dir.join(rel)).unwrap();
            let found = findings(&Path::new(corpus).join(rel), REDACTED);
            assert!(
                rel.ends_with("labels.jsonl") || !found.is_empty(),
                "{what}: a corpus file with nothing to redact tests nothing"
            );
            // (a) No address, IP or phone of the copy is anything but a pseudonym, and no
            // original value of those kinds is left anywhere in it.
            for (_, _, kind, value) in findings(&out_dir.join(rel), "email,ipv4,ipv6,phone") {
                let kind = Kind::from_name(&kind).unwrap();
                let value = piiscan::redact::rewrite::decode(value.as_bytes());
                assert!(pseudonym::recognises(kind, &value), "{what}: {kind} left");
            }
            let copy_text = String::from_utf8_lossy(&copy);
            for (_, _, kind, value) in &found {
                if ["email", "ipv4", "ipv6", "phone"].contains(&kind.as_str()) && value.len() > 8 {
                    assert!(
                        !copy_text.contains(value.as_str()),
                        "{what}: a {kind} is left"
                    );
                }
            }
            // (d) Identical outside the spans.
            let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or("");
            let json = ext == "ndjson" || ext == "jsonl";
            let spans: Vec<(usize, usize)> = found.iter().map(|f| (f.0, f.1)).collect();
            same_outside_spans(&input, &copy, &spans, &what, json);
            // (b) JSON lines parse, with the same keys.
            if json {
                let lines = input
                    .split(|&b| b == b'\n')
                    .zip(copy.split(|&b| b == b'\n'));
                for (n, (a, b)) in lines.enumerate() {
                    let Ok(a) = serde_json::from_slice::<serde_json::Value>(a) else {
                        continue;
                    };
                    let b: serde_json::Value = serde_json::from_slice(b)
                        .unwrap_or_else(|e| panic!("{what}:{}: does not parse: {e}", n + 1));
                    let (mut ka, mut kb) = (BTreeSet::new(), BTreeSet::new());
                    key_paths(&a, "", &mut ka);
                    key_paths(&b, "", &mut kb);
                    assert_eq!(ka, kb, "{what}:{}: keys differ", n + 1);
                }
            }
            // (c) CSV records and columns.
            if ext == "csv" {
                assert_eq!(csv_shape(&input), csv_shape(&copy), "{what}: CSV shape");
            }
        }
    }
}

#[test]
fn one_key_gives_the_same_copy_and_another_key_other_pseudonyms() {
    let (_a, first) = redact_corpus("corpora/samples", KEY);
    let (_b, second) = redact_corpus("corpora/samples", KEY);
    let (_c, other) = redact_corpus("corpora/samples", OTHER_KEY);
    let mut differ = 0;
    for rel in files(&first) {
        let a = std::fs::read(first.join(&rel)).unwrap();
        assert_eq!(
            a,
            std::fs::read(second.join(&rel)).unwrap(),
            "{}",
            rel.display()
        );
        let pseudonyms = |dir: &Path| -> Vec<String> {
            findings(&dir.join(&rel), "email")
                .into_iter()
                .map(|f| f.3)
                .collect()
        };
        let (mine, theirs) = (pseudonyms(&first), pseudonyms(&other));
        assert_eq!(mine.len(), theirs.len());
        for (m, t) in mine.iter().zip(&theirs) {
            assert_ne!(m, t, "{}: one pseudonym under two keys", rel.display());
            differ += 1;
        }
    }
    assert!(differ > 0, "the samples hold e-mail addresses");
}

/// Writes `text` as `name` in a fresh folder and redacts it to `copy.NAME` there.
fn redact_text(name: &str, text: &str, args: &[&str]) -> (String, Output) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(name);
    std::fs::write(&input, text).unwrap();
    let copy = dir.path().join(format!("copy.{name}"));
    let mut all = vec![input.to_str().unwrap(), "-o", copy.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = redact(&all, Some(KEY));
    let written = std::fs::read_to_string(&copy).unwrap_or_default();
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        text,
        "the original changed"
    );
    (written, out)
}

#[test]
fn replacements_are_valid_where_they_land() {
    // name, input, args, must hold, must not hold
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
        &'a [&'a str],
    );
    let cases: &[Case] = &[
        (
            "a.ndjson",
            "{\"e\":\"kim\\u0040example.net\",\"n\":1}\n",
            &[],
            &["@redacted.invalid\",\"n\":1}"],
            &["kim", "\\u0040"],
        ),
        (
            "b.ndjson",
            "{\"u\":\"https://shop.test/?e=kim%40example.net&x=1\"}\n",
            &[],
            &["%40redacted.invalid&x=1\"}"],
            &["kim"],
        ),
        (
            "c.ndjson",
            "{\"note\":\"write to jane.doe@example.com soon\"}\n",
            &["--action", "email=mask"],
            &["\"write to ", " soon\"}"],
            &["jane.doe"],
        ),
        (
            "d.ndjson",
            "{\"ip\":\"203.0.113.77\",\"lat\":48.8566,\"lon\":2.3522}\n",
            &["--action", "ipv4=generalise"],
            &["\"203.0.113.0\"", "48.9", "2.4"],
            &["203.0.113.77", "48.8566"],
        ),
        (
            "e.ndjson",
            "{\"email\":\"jane.doe@example.com\",\"k\":2}\n",
            &["--action", "email=remove"],
            &["{\"email\":\"\",\"k\":2}"],
            &["jane"],
        ),
        (
            "g.log",
            "[2001:db8:0:0:1::2]:51512 - - \"GET /?u=kim@example.net\"\n",
            &[],
            &["]:51512 - - \"GET /?u=u", "@redacted.invalid\"\n"],
            &["[\"", "0:1::2", "kim"],
        ),
        (
            "f.csv",
            "id,email,city\n1,jane.doe@example.com,Lyon\n2,\"a@b.example.org\",Paris\n",
            &["--action", "city=generalise"],
            &["1,u", ",France\n2,\"u", "@redacted.invalid\",France\n"],
            &["jane", "Lyon", "Paris"],
        ),
    ];
    for &(name, input, args, holds, absent) in cases {
        let (copy, out) = redact_text(name, input, args);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        for h in holds {
            assert!(copy.contains(h), "{name}: {copy:?} lacks {h:?}");
        }
        for a in absent {
            assert!(!copy.contains(a), "{name}: {copy:?} holds {a:?}");
        }
        if name.ends_with("ndjson") {
            for line in copy.lines() {
                serde_json::from_str::<serde_json::Value>(line).unwrap();
            }
        }
    }
}

#[test]
fn fields_take_the_action_their_rule_gives() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[redact.kinds]\nperson_name = \"mask\"\n[redact.fields]\nproperties.notes = \"remove\"\n\"properties.support\" = \"keep\"\n",
    )
    .unwrap();
    let input = "{\"properties\":{\"notes\":\"lives above the bakery\",\"support\":\"help@example.com\",\"email\":\"jane.doe@example.com\"}}\n";
    let (copy, out) = redact_text("f.ndjson", input, &["--config", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(copy.contains("\"notes\":\"\""), "{copy}");
    assert!(copy.contains("\"support\":\"help@example.com\""), "{copy}");
    assert!(!copy.contains("jane.doe"), "{copy}");
    // An action a kind cannot take is refused before anything is read.
    let (_, out) = redact_text("g.ndjson", input, &["--action", "coordinates=pseudonymise"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn standard_input_goes_to_standard_output() {
    let out = Command::cargo_bin("piiscan")
        .unwrap()
        .args(["redact", "-"])
        .env("PIISCAN_REDACT_KEY", KEY)
        .write_stdin("{\"email\":\"jane.doe@example.com\"}\nplain line\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("{\"email\":\"u") && text.ends_with("@redacted.invalid\"}\nplain line\n"),
        "{text}"
    );
}

#[test]
fn an_output_that_would_replace_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.ndjson");
    let text = "{\"email\":\"jane.doe@example.com\"}\n";
    std::fs::write(&input, text).unwrap();
    let inside = dir.path().join("copies");
    let cases: Vec<Vec<&str>> = vec![
        vec![input.to_str().unwrap(), "-o", input.to_str().unwrap()],
        vec![
            dir.path().to_str().unwrap(),
            "--out",
            inside.to_str().unwrap(),
        ],
        vec![
            input.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ],
    ];
    for args in cases {
        let out = redact(&args, Some(KEY));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&input).unwrap(), text, "{args:?}");
    }
}

#[test]
fn compressed_inputs_are_written_compressed_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"email\":\"jane.doe@example.com\",\"ip\":\"203.0.113.9\"}\n".repeat(100);
    let gz = dir.path().join("in").join("a.ndjson.gz");
    let zst = dir.path().join("in").join("b.ndjson.zst");
    std::fs::create_dir(dir.path().join("in")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    std::fs::write(&zst, zstd::encode_all(text.as_bytes(), 3).unwrap()).unwrap();
    let out_dir = dir.path().join("out");
    let out = redact(
        &[
            dir.path().join("in").to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--verify",
        ],
        Some(KEY),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let gz_copy = std::fs::read(out_dir.join("a.ndjson.gz")).unwrap();
    assert!(gz_copy.starts_with(&[0x1f, 0x8b]), "gzip in, gzip out");
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&gz_copy[..])
        .read_to_string(&mut plain)
        .unwrap();
    let zst_copy = std::fs::read(out_dir.join("b.ndjson.zst")).unwrap();
    assert!(
        zst_copy.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]),
        "zstd in, zstd out"
    );
    let from_zstd = String::from_utf8(zstd::decode_all(&zst_copy[..]).unwrap()).unwrap();
    assert_eq!(plain, from_zstd, "one key, one copy");
    assert_eq!(plain.lines().count(), 100);
    assert!(
        !plain.contains("jane") && !plain.contains("203.0.113.9"),
        "{plain}"
    );
}

#[test]
fn the_key_never_reaches_an_output_and_without_one_the_run_says_so() {
    let (copy, out) = redact_text("k.ndjson", "{\"email\":\"jane.doe@example.com\"}\n", &[]);
    assert!(!copy.contains(KEY) && !stderr(&out).contains(KEY));
    assert!(!stderr(&out).contains("will not survive"));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.ndjson");
    std::fs::write(&input, "{\"email\":\"jane.doe@example.com\"}\n").unwrap();
    let copy = dir.path().join("b.ndjson");
    let out = redact(
        &[input.to_str().unwrap(), "-o", copy.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("joins across runs will not survive"),
        "{}",
        stderr(&out)
    );
    // A short key is refused, without being printed.
    let out = redact(
        &[input.to_str().unwrap(), "-o", copy.to_str().unwrap()],
        Some("short-key-xyz"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("short-key-xyz"));
}

/// A `;` file whose first lines alone read as `,`-delimited (three names either way, and a
/// tie goes to `,`): with `--delimiter ';'` the scan reads its columns by `;`, and the copy
/// is written by the same columns, never guessed again. A field rule on the `notes` column
/// reaches it only then.
#[test]
fn a_csv_is_rewritten_by_the_delimiter_the_scan_read_it_with() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "[redact.fields]\n\"notes*\" = \"remove\"\n").unwrap();
    let input = "ts;notes, free, text;email\n\
                 1;call back, urgent, today;jane.doe@example.com\n\
                 2;left, no message, again;lee@example.org\n";
    let config = ["--config", policy.to_str().unwrap()];
    let cases: &[(&[&str], bool)] = &[(&["--delimiter", ";"], true), (&[], false)];
    for &(delimiter, by_semicolon) in cases {
        let mut args = config.to_vec();
        args.extend_from_slice(delimiter);
        let (copy, out) = redact_text("t.csv", input, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            !copy.contains("jane.doe") && !copy.contains("lee@"),
            "{copy}"
        );
        let rows: Vec<Vec<&str>> = copy.lines().map(|l| l.split(';').collect()).collect();
        assert_eq!(rows.len(), 3, "{copy}");
        assert_eq!(rows[0], ["ts", "notes, free, text", "email"], "{copy}");
        for row in &rows[1..] {
            assert_eq!(row.len(), 3, "{copy}");
            // By `;`, the notes column is the rule's and is emptied; read by `,` (the guess
            // alone), no column is named `notes…` and the text stays.
            assert_eq!(row[1].is_empty(), by_semicolon, "{delimiter:?}: {copy}");
            assert!(row[2].ends_with("@redacted.invalid"), "{copy}");
        }
    }
}

/// A member of an archive as the tests write it: name, mode, content; a directory when the
/// name ends with `/`.
type Member = (&'static str, u32, Vec<u8>);

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn archive_members() -> Vec<Member> {
    let events = "{\"email\":\"jane.doe@example.com\",\"ip\":\"203.0.113.9\",\"n\":1}\n\
                  {\"msg\":\"call kim\\u0040example.net\",\"ip\":\"198.51.100.23\"}\n"
        .repeat(50);
    let people = "name,email,city\nJane Doe,jane.doe@example.com,Paris\n\
                  Omar Haddad,omar@example.org,Lyon\n";
    vec![
        ("2025/", 0o750, Vec::new()),
        ("2025/events.json.gz", 0o640, gzip(events.as_bytes())),
        ("2025/people.csv", 0o600, people.as_bytes().to_vec()),
        ("README.txt", 0o644, b"nothing personal here\n".to_vec()),
    ]
}

fn write_tar_gz(path: &Path, members: &[Member]) {
    let file = std::fs::File::create(path).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (name, mode, data) in members {
        let mut header = tar::Header::new_ustar();
        header.set_mode(*mode);
        header.set_mtime(1_700_000_000);
        if name.ends_with('/') {
            header.set_entry_type(tar::EntryType::Directory);
        }
        header.set_size(data.len() as u64);
        tar.append_data(&mut header, name, &data[..]).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

fn write_zip(path: &Path, members: &[Member]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, mode, data) in members {
        let options = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
        if name.ends_with('/') {
            zip.add_directory(*name, options).unwrap();
        } else {
            // A gzip'd member is stored, as exports ship them; the rest deflated.
            let method = if name.ends_with(".gz") {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            zip.start_file(*name, options.compression_method(method))
                .unwrap();
            zip.write_all(data).unwrap();
        }
    }
    zip.finish().unwrap();
}

/// The members of a tar.gz or ZIP: name, mode (permission bits), content.
fn read_members(path: &Path) -> Vec<(String, u32, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    if bytes.starts_with(b"PK") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut file = zip.by_index(i).unwrap();
                let mut data = Vec::new();
                file.read_to_end(&mut data).unwrap();
                let mode = file.unix_mode().unwrap_or(0) & 0o777;
                (file.name().unwrap().to_string(), mode, data)
            })
            .collect()
    } else {
        assert!(
            bytes.starts_with(&[0x1f, 0x8b]),
            "a tar.gz copy stays gzip'd"
        );
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        tar.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = String::from_utf8(e.path_bytes().into_owned()).unwrap();
                let mode = e.header().mode().unwrap() & 0o777;
                let mut data = Vec::new();
                e.read_to_end(&mut data).unwrap();
                (name, mode, data)
            })
            .collect()
    }
}

/// A tar.gz and a ZIP of gzip'd NDJSON, CSV, text and a directory are copied as archives of
/// the same members, in order, with their names and modes; each member is redacted (a gzip'd
/// member stays gzip'd) and byte-identical outside its findings, and `--verify` re-reads the
/// copies member by member.
#[test]
fn archives_are_copied_member_by_member() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let plain = dir.path().join("plain");
    std::fs::create_dir_all(plain.join("2025")).unwrap();
    std::fs::create_dir(&input).unwrap();
    let members = archive_members();
    write_tar_gz(&input.join("export.tar.gz"), &members);
    write_zip(&input.join("export.zip"), &members);
    // The members as files, to find their findings where the scan finds them.
    for (name, _, data) in members.iter().filter(|m| !m.0.ends_with('/')) {
        let data = if name.ends_with(".gz") {
            gunzip(data)
        } else {
            data.clone()
        };
        std::fs::write(plain.join(name.trim_end_matches(".gz")), data).unwrap();
    }
    let out_dir = dir.path().join("out");
    let out = redact(
        &[
            input.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--verify",
        ],
        Some(KEY),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 copies re-scanned"),
        "{}",
        stderr(&out)
    );
    for archive in ["export.tar.gz", "export.zip"] {
        let copied = read_members(&out_dir.join(archive));
        let originals = read_members(&input.join(archive));
        let listing = |m: &[(String, u32, Vec<u8>)]| -> Vec<(String, u32)> {
            m.iter().map(|(n, mode, _)| (n.clone(), *mode)).collect()
        };
        assert_eq!(
            listing(&copied),
            listing(&originals),
            "{archive}: names, order, modes"
        );
        assert_eq!(copied.len(), members.len());
        for ((name, _, data), (_, _, original)) in copied.iter().zip(&members) {
            if data.is_empty() && original.is_empty() {
                continue;
            }
            let what = format!("{archive}!{name}");
            let (copy, original) = if name.ends_with(".gz") {
                assert!(data.starts_with(&[0x1f, 0x8b]), "{what}: stays gzip'd");
                (gunzip(data), gunzip(original))
            } else {
                (data.clone(), original.clone())
            };
            let found = findings(&plain.join(name.trim_end_matches(".gz")), REDACTED);
            assert_eq!(
                found.is_empty(),
                name.ends_with(".txt"),
                "{what}: {found:?}"
            );
            let spans: Vec<(usize, usize)> = found.iter().map(|f| (f.0, f.1)).collect();
            same_outside_spans(&original, &copy, &spans, &what, name.contains(".json"));
            let text = String::from_utf8_lossy(&copy);
            for leaked in ["jane.doe", "kim", "omar@", "203.0.113.9", "Jane Doe"] {
                assert!(!text.contains(leaked), "{what}: {leaked} left");
            }
        }
    }
}

/// A member piiscan does not read (here binary) could hold anything: the archive gets no
/// copy, the run fails and names the member, and the other inputs are still copied.
#[test]
fn an_archive_with_a_member_not_read_gets_no_copy() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let mut members = archive_members();
    members.insert(
        2,
        ("2025/blob.bin", 0o644, vec![0u8, 159, 146, 150, 0, 1, 2, 3]),
    );
    write_tar_gz(&input.join("export.tar.gz"), &members);
    write_zip(&input.join("export.zip"), &members);
    std::fs::write(
        input.join("a.ndjson"),
        "{\"email\":\"jane.doe@example.com\"}\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = redact(
        &[input.to_str().unwrap(), "--out", out_dir.to_str().unwrap()],
        Some(KEY),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    for archive in ["export.tar.gz", "export.zip"] {
        assert!(
            stderr(&out).contains(&format!("{archive}!2025/blob.bin")),
            "{}",
            stderr(&out)
        );
        assert!(!out_dir.join(archive).exists(), "{archive}: no copy");
    }
    assert_eq!(files(&out_dir), [PathBuf::from("a.ndjson")]);
}

/// The fenced block that follows `marker` in README.md, without its fences.
fn readme_block(readme: &str, marker: &str) -> String {
    let at = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README.md has no {marker}: the test follows it"));
    let rest = &readme[at..];
    let open = rest.find("```").expect("a fenced block after the marker");
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").expect("the block closes")].to_string()
}

/// README's CI example, run as it is written: every `run:` line of its block in order (gate
/// the raw export, redact with `--verify`, gate the copy with the policy shown beside it,
/// ship), by `sh -e` in a folder holding an export, with the built binary as `piiscan`. The
/// raw export must fail the first gate and the copy pass the second; a README that changes
/// shape (other steps, no policy) fails here.
#[test]
fn the_readme_ci_example_runs() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let steps: Vec<String> = readme_block(&readme, "<!-- ci-example:")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: "))
        .map(str::to_string)
        .collect();
    assert_eq!(
        steps.len(),
        4,
        "gate, redact, gate the copy, ship: {steps:?}"
    );
    for (step, starts) in steps.iter().zip([
        "piiscan gate exports/",
        "piiscan redact exports/ --out safe/ --verify",
        "piiscan gate safe/ --config piiscan-safe.toml",
        "./scripts/upload.sh safe/",
    ]) {
        assert!(step.starts_with(starts), "{step}");
    }
    let policy = readme_block(&readme, "<!-- ci-example-policy -->");
    // Every range a phone pseudonym is drawn from is accepted, not only the one met here.
    for prefix in pseudonym::DRAMA_NUMBERS {
        let rx = format!("'\\{prefix}[0-9]{{3}}'");
        assert!(policy.contains(&rx), "the README's policy lacks {rx}");
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("exports/2025")).unwrap();
    std::fs::create_dir_all(root.join("scripts")).unwrap();
    std::fs::write(root.join("piiscan-safe.toml"), policy).unwrap();
    std::fs::write(
        root.join("scripts/upload.sh"),
        "#!/bin/sh\nfind \"$1\" -type f | sort > shipped.txt\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let script = root.join("scripts/upload.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let events = "{\"event\":\"signup\",\"email\":\"jane.doe@example.com\",\"ip\":\"203.0.113.9\",\"phone\":\"+33 6 12 34 56 78\",\"name\":\"Jane Doe\"}\n\
                  {\"event\":\"login\",\"email\":\"omar.haddad@example.org\",\"ip\":\"2001:db8:85a3::8a2e:370:7334\",\"city\":\"Lyon\"}\n";
    std::fs::write(root.join("exports/2025/events.ndjson"), events.repeat(20)).unwrap();
    std::fs::write(
        root.join("exports/users.csv"),
        "name,email,city\nJane Doe,jane.doe@example.com,Paris\nOmar Haddad,omar@example.org,Lyon\n",
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("piiscan");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .arg("-ec")
        .arg(steps.join("\n"))
        .current_dir(root)
        .env("PATH", path)
        .env("PIISCAN_REDACT_KEY", KEY)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("piiscan.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().map_or(0, Vec::len);
    assert!(results > 0, "the raw export fails the first gate");
    let shipped = std::fs::read_to_string(root.join("shipped.txt")).unwrap();
    assert_eq!(
        shipped.lines().collect::<Vec<_>>(),
        ["safe/2025/events.ndjson", "safe/users.csv"]
    );
}

/// `--verify` reads each copy as it will be read downstream, and exits 1 when a value of a
/// redacted kind is in it. Here the input is text (`.txt`, two columns: not read as CSV), so
/// its national phone numbers, which need a phone column or key, are not found and stay; the
/// copy is named `.csv`, read by its `phone` column, and they are found there. Named `.csv`
/// from the start, the same input is redacted and the check passes.
#[test]
fn verify_exits_1_when_a_value_of_a_redacted_kind_remains() {
    let text = "phone,team\n0612345678,blue\n0698765432,red\n";
    let cases = [
        ("p.txt", "copy.csv", 1, true),
        ("p.csv", "copy.csv", 0, false),
    ];
    for (name, copy_name, code, left) in cases {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join(name);
        std::fs::write(&input, text).unwrap();
        let copy = dir.path().join(copy_name);
        let out = redact(
            &[
                input.to_str().unwrap(),
                "-o",
                copy.to_str().unwrap(),
                "--verify",
            ],
            Some(KEY),
        );
        assert_eq!(out.status.code(), Some(code), "{name}: {}", stderr(&out));
        let written = std::fs::read_to_string(&copy).unwrap();
        assert_eq!(written.contains("0612345678"), left, "{name}: {written}");
        if left {
            assert!(
                stderr(&out).contains("2 values of redacted kinds remain"),
                "{}",
                stderr(&out)
            );
            assert!(!stderr(&out).contains("0612345678"), "masks only");
        }
    }
}

//! Archives and what piiscan cannot read, through the built binary: ZIP and tar members read
//! as inputs of their own (nested, compressed, on stdin), bombs, encrypted and unsupported
//! members, truncated archives, formats refused, symbolic links out of the paths named, and
//! the listing of every input not scanned in every output format. The archives are written
//! here with the crates piiscan reads them with.

use std::io::Write;
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// A folder of inputs, and runs of piiscan in it.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `piiscan ARGS` in the case's folder.
    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, None)
    }

    fn run_with(&self, args: &[&str], stdin: Option<Vec<u8>>) -> Output {
        let mut cmd = Command::cargo_bin("piiscan").unwrap();
        cmd.current_dir(self.dir.path())
            .args(args)
            .timeout(Duration::from_secs(120));
        if let Some(stdin) = stdin {
            cmd.write_stdin(stdin);
        }
        cmd.output().unwrap()
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

#[track_caller]
fn holds(text: &str, want: &str) {
    assert!(text.contains(want), "want {want:?} in:\n{text}");
}

fn jsonl(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// NDJSON events with an e-mail address, an IP address and a city each, numbered from `from`.
fn events(from: usize, count: usize) -> Vec<u8> {
    let cities = ["Paris", "Lyon", "Berlin", "Madrid", "Toronto"];
    let mut out = Vec::new();
    for i in from..from + count {
        writeln!(
            out,
            "{{\"event\":\"login\",\"user\":{{\"email\":\"user{i}@example.org\"}},\
             \"ip\":\"203.0.113.{}\",\"city\":\"{}\"}}",
            i % 250,
            cities[i % cities.len()]
        )
        .unwrap();
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 6);
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A ZIP of `members`, each written with its method; `large` writes zip64 records.
fn zip_of(members: &[(&str, &[u8], zip::CompressionMethod)], large: bool) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, method) in members {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(*method)
            .large_file(large);
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn deflated<'a>(
    members: &[(&'a str, &'a [u8])],
) -> Vec<(&'a str, &'a [u8], zip::CompressionMethod)> {
    members
        .iter()
        .map(|&(n, d)| (n, d, zip::CompressionMethod::Deflated))
        .collect()
}

fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, name, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Findings as (kind, field, offset, line, column): what must not change when the same bytes
/// come from a member instead of a file.
fn places(findings: &[Value]) -> Vec<(String, Value, u64, u64, u64)> {
    findings
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["field"].clone(),
                f["offset"].as_u64().unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn scan_jsonl(case: &Case, paths: &[&str]) -> Vec<Value> {
    let mut args = vec!["scan", "--format", "jsonl", "--kinds", "all"];
    args.extend_from_slice(paths);
    jsonl(&case.run(&args))
}

/// A ZIP in a tar.gz in a ZIP: every member is read, named through each archive, with offsets
/// and lines counted in its own content, and its CSV columns sniffed from its own name. An
/// archive one level deeper than `--max-depth` is refused (exit 2), and read with a deeper
/// limit.
#[test]
fn nested_archives_are_read_member_by_member() {
    let case = Case::new();
    let ndjson = events(0, 20);
    let csv = b"name,email,signup_ip\nann,ann@example.org,198.51.100.7\n".to_vec();
    case.write("plain/events.ndjson", &ndjson);
    case.write("plain/users.csv", &csv);
    let inner_zip = zip_of(
        &deflated(&[("events.ndjson", &ndjson), ("users.csv", &csv)]),
        false,
    );
    let tar_gz = gzip(&tar_of(&[
        ("dir/inner.zip", &inner_zip),
        ("dir/readme.txt", b"hi\n"),
    ]));
    let gz_events = gzip(&ndjson);
    let outer = zip_of(
        &deflated(&[("export.tar.gz", &tar_gz), ("top.ndjson.gz", &gz_events)]),
        false,
    );
    case.write("outer.zip", &outer);

    let want = places(&scan_jsonl(&case, &["plain/events.ndjson"]));
    let want_csv = places(&scan_jsonl(&case, &["plain/users.csv"]));
    assert_eq!(want.len(), 60, "{want:?}");
    assert!(
        want_csv.iter().any(|p| p.1 == "email"),
        "CSV columns: {want_csv:?}"
    );

    let out = case.run(&["scan", "--format", "jsonl", "--kinds", "all", "outer.zip"]);
    expect(&out, 1);
    let found = jsonl(&out);
    let of = |path: &str| -> Vec<Value> {
        found
            .iter()
            .filter(|f| f["path"] == path)
            .cloned()
            .collect()
    };
    let deepest = "outer.zip!export.tar.gz!dir/inner.zip!events.ndjson";
    assert_eq!(places(&of(deepest)), want, "{deepest}");
    assert_eq!(
        places(&of("outer.zip!export.tar.gz!dir/inner.zip!users.csv")),
        want_csv
    );
    let top = of("outer.zip!top.ndjson.gz");
    assert_eq!(places(&top), want);
    assert_eq!(top[0]["compressed"], "gzip");
    assert_eq!(found.len(), want.len() * 2 + want_csv.len());

    // One more level: the ZIP inside is past the limit of 3; what is above it is read.
    case.write(
        "deeper.zip",
        &zip_of(&deflated(&[("outer.zip", &outer)]), false),
    );
    let out = case.run(&["scan", "--format", "jsonl", "deeper.zip"]);
    expect(&out, 2);
    holds(
        &stderr(&out),
        "deeper.zip!outer.zip!export.tar.gz!dir/inner.zip: archive nested past the depth limit \
         of 3",
    );
    let paths: Vec<Value> = jsonl(&out).iter().map(|f| f["path"].clone()).collect();
    assert!(!paths.is_empty());
    assert!(paths
        .iter()
        .all(|p| p == "deeper.zip!outer.zip!top.ndjson.gz"));
    let out = case.run(&[
        "scan",
        "--format",
        "jsonl",
        "--max-depth",
        "4",
        "deeper.zip",
    ]);
    expect(&out, 1);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let out = case.run(&["scan", "--max-depth", "0", "outer.zip"]);
    expect(&out, 2);
    holds(&stdout(&out), "1 input not scanned:");
}

/// What Amplitude delivers, a ZIP of gzip'd NDJSON files: `report` gives the same figures as
/// over the members unpacked, `gate` the same findings and verdict with member paths, and a
/// baseline, an allowlist's `files` glob and the exposure report see the member paths.
#[test]
fn a_zip_of_gzipped_members_reports_and_gates_like_the_members_unpacked() {
    let case = Case::new();
    let members: Vec<(String, Vec<u8>)> = (0..3)
        .map(|i| (format!("{i}.ndjson.gz"), gzip(&events(i * 40, 50))))
        .collect();
    for (name, data) in &members {
        case.write(&format!("unpacked/{name}"), data);
    }
    // Stored, as gzip'd members usually are; deflate for one of them.
    let entries: Vec<(&str, &[u8], zip::CompressionMethod)> = members
        .iter()
        .enumerate()
        .map(|(i, (n, d))| {
            let method = if i == 1 {
                zip::CompressionMethod::Deflated
            } else {
                zip::CompressionMethod::Stored
            };
            (n.as_str(), d.as_slice(), method)
        })
        .collect();
    case.write("export.zip", &zip_of(&entries, false));

    let report = |path: &str| -> Value {
        let out = case.run(&["report", "--format", "json", path]);
        expect(&out, 0);
        let mut report: Value = serde_json::from_slice(&out.stdout).unwrap();
        // What was scanned and when differ by name; the figures must not.
        let inputs = report["inputs"].as_array().unwrap().len();
        assert!(inputs > 1, "{report}");
        let object = report.as_object_mut().unwrap();
        object.remove("about");
        object.remove("inputs");
        report
    };
    let unpacked = report("unpacked");
    assert!(unpacked["distinct_emails"]["value"].as_u64().unwrap() > 100);
    assert_eq!(report("export.zip"), unpacked);

    let gate = |path: &str| -> (Value, i32) {
        let out = case.run(&["gate", "--format", "json", path]);
        let code = out.status.code().unwrap();
        let text = stdout(&out).replace("unpacked/", "export.zip!");
        (serde_json::from_str(&text).unwrap(), code)
    };
    let (from_files, code) = gate("unpacked");
    assert_eq!(code, 1);
    let (from_zip, code) = gate("export.zip");
    assert_eq!(code, 1);
    let without_time = |mut v: Value| {
        v["summary"]["elapsed_seconds"] = Value::Null;
        v["summary"]["gb_per_second"] = Value::Null;
        v
    };
    assert_eq!(without_time(from_zip.clone()), without_time(from_files));
    assert_eq!(from_zip["findings"][0]["path"], "export.zip!0.ndjson.gz");

    // A `files` glob over a member's path allows its findings.
    case.write(
        "policy.toml",
        b"[kinds]\ncity = \"ignore\"\n[[allow]]\nfiles = [\"export.zip!1.*\"]\n",
    );
    let out = case.run(&["gate", "--config", "policy.toml", "export.zip"]);
    expect(&out, 1);
    let verdict = stdout(&out);
    // The member's 50 e-mail addresses and 50 IP addresses.
    holds(&verdict, "100 new findings; 50 allowed");
    holds(&verdict, "allowed: 100 by allow entry");
    assert!(!verdict.contains("export.zip!1.ndjson.gz"), "{verdict}");
    holds(&verdict, "export.zip!2.ndjson.gz");

    // A baseline of the ZIP accepts its findings, wherever the ZIP is moved.
    let out = case.run(&["baseline", "export.zip", "-o", "baseline.json"]);
    expect(&out, 0);
    let baseline = std::fs::read_to_string(case.path("baseline.json")).unwrap();
    holds(&baseline, "export.zip!0.ndjson.gz");
    std::fs::create_dir(case.path("moved")).unwrap();
    std::fs::rename(case.path("export.zip"), case.path("moved/export.zip")).unwrap();
    let out = case.run(&["gate", "moved/export.zip", "--baseline", "baseline.json"]);
    expect(&out, 0);
    holds(&stdout(&out), "piiscan gate: PASS");
}

/// xz and bzip2 files are decompressed like gzip: the same findings as the plain file, marked
/// with their compression; as tar.xz and tar.bz2 too, with members.
#[test]
fn xz_and_bzip2_files_are_read() {
    let case = Case::new();
    let text = events(0, 30);
    case.write("plain.ndjson", &text);
    case.write("e.ndjson.xz", &xz(&text));
    case.write("e.ndjson.bz2", &bzip2(&text));
    let tar = tar_of(&[("in/e.ndjson", &text)]);
    case.write("e.tar.xz", &xz(&tar));
    case.write("e.tar.bz2", &bzip2(&tar));
    case.write("e.tar.zst", &zstd::encode_all(&tar[..], 3).unwrap());
    case.write("e.tgz", &gzip(&tar));
    let want = places(&scan_jsonl(&case, &["plain.ndjson"]));
    assert_eq!(want.len(), 90);
    for (file, compressed) in [
        ("e.ndjson.xz", Some("xz")),
        ("e.ndjson.bz2", Some("bzip2")),
        ("e.tar.xz", None),
        ("e.tar.bz2", None),
        ("e.tar.zst", None),
        ("e.tgz", None),
    ] {
        let found = scan_jsonl(&case, &[file]);
        assert_eq!(places(&found), want, "{file}");
        let path = if compressed.is_some() {
            file.to_string()
        } else {
            format!("{file}!in/e.ndjson")
        };
        assert_eq!(found[0]["path"], path.as_str(), "{file}");
        assert_eq!(found[0]["compressed"].as_str(), compressed, "{file}");
    }
}

/// A ZIP that comes as a stream (stdin, gzip'd) is spilled to a temporary file and read; zip64
/// records and zstd members are read; member names with control characters are printed
/// escaped.
#[test]
fn zips_from_streams_zip64_zstd_and_odd_names() {
    let case = Case::new();
    let text = events(0, 10);
    let zip = zip_of(
        &[
            ("a.ndjson", &text, zip::CompressionMethod::Zstd),
            ("b\x1b[2J.ndjson", &text, zip::CompressionMethod::Stored),
        ],
        true,
    );
    case.write("plain.ndjson", &text);
    case.write("z64.zip", &zip);
    case.write("z64.zip.gz", &gzip(&zip));
    let want = places(&scan_jsonl(&case, &["plain.ndjson"]));
    for (args, stdin, prefix) in [
        (vec!["z64.zip"], None, "z64.zip"),
        (vec!["z64.zip.gz"], None, "z64.zip.gz"),
        (vec!["-"], Some(zip.clone()), "-"),
    ] {
        let mut all = vec!["scan", "--format", "jsonl", "--kinds", "all"];
        all.extend(args);
        let out = case.run_with(&all, stdin);
        expect(&out, 1);
        let found = jsonl(&out);
        assert_eq!(found.len(), want.len() * 2, "{prefix}");
        assert_eq!(places(&found[..want.len()]), want, "{prefix}");
        assert_eq!(found[0]["path"], format!("{prefix}!a.ndjson"), "{prefix}");
        assert_eq!(places(&found[want.len()..]), want, "{prefix}");
    }
    let out = case.run(&["scan", "z64.zip"]);
    let summary = stdout(&out);
    holds(&summary, "z64.zip!b\\u{1b}[2J.ndjson");
    assert!(!summary.contains('\x1b'), "{summary}");
}

/// A ZIP whose members together expand past `--max-ratio` times its size is stopped with an
/// error naming the member, quickly and in bounded memory, and nothing after it is read; a
/// gzip bomb inside a tar is stopped by its stream's own ratio. Both fail a gate.
#[test]
fn archive_bombs_are_errors() {
    let case = Case::new();
    let zeros = vec![0u8; 8 << 20];
    let names: Vec<String> = (0..40).map(|i| format!("z{i:02}.log")).collect();
    let mut members: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &zeros[..])).collect();
    let text = events(0, 5);
    members.push(("zz-after.ndjson", &text));
    let bomb = zip_of(&deflated(&members), false);
    assert!(bomb.len() < (1 << 20), "{}", bomb.len());
    case.write("bomb.zip", &bomb);
    case.write("good.ndjson", &text);
    for command in ["scan", "gate"] {
        let out = case.run(&[
            command,
            "--binary",
            "--max-ratio",
            "20",
            "bomb.zip",
            "good.ndjson",
        ]);
        expect(&out, 2);
        let err = stderr(&out);
        holds(&err, "bomb.zip!z");
        holds(&err, "the archive expands more than 20:1");
        holds(&err, "archive bomb");
        let out_text = stdout(&out);
        assert!(!out_text.contains("zz-after"), "{command}: {out_text}");
        if command == "scan" {
            holds(&out_text, "good.ndjson");
        } else {
            holds(&out_text, "piiscan gate: ERROR");
        }
    }

    let gz_bomb = gzip(&vec![b'a'; 64 << 20]);
    case.write(
        "bomb.tar",
        &tar_of(&[("a.gz", &gz_bomb), ("b.ndjson", &text)]),
    );
    let out = case.run(&["scan", "--format", "jsonl", "bomb.tar"]);
    expect(&out, 2);
    holds(
        &stderr(&out),
        "bomb.tar!a.gz: gzip stream expands more than 1000:1",
    );
    // The tar goes on after a member that failed by its own ratio.
    assert!(jsonl(&out).iter().any(|f| f["path"] == "bomb.tar!b.ndjson"));
}

/// Sets the general-purpose flags (encryption is bit 0) or the method of every entry of a ZIP,
/// in its local headers and its central directory.
fn patch_zip(zip: &mut [u8], flags: Option<u16>, method: Option<u16>) {
    let mut i = 0;
    while i + 12 < zip.len() {
        let (flags_at, method_at) = match &zip[i..i + 4] {
            b"PK\x03\x04" => (i + 6, i + 8),
            b"PK\x01\x02" => (i + 8, i + 10),
            _ => {
                i += 1;
                continue;
            }
        };
        if let Some(f) = flags {
            zip[flags_at..flags_at + 2].copy_from_slice(&f.to_le_bytes());
        }
        if let Some(m) = method {
            zip[method_at..method_at + 2].copy_from_slice(&m.to_le_bytes());
        }
        i += 4;
    }
}

/// An encrypted member, and a member compressed with a method piiscan does not read (LZMA),
/// are refused by name, the rest of the ZIP is read, and `scan` and `gate` exit 2.
#[test]
fn encrypted_and_unsupported_zip_members_are_refused() {
    let case = Case::new();
    let text = events(0, 5);
    let one = |name: &str| zip_of(&[(name, &text[..], zip::CompressionMethod::Stored)], false);
    let mut encrypted = one("secret.ndjson");
    patch_zip(&mut encrypted, Some(1), None);
    let mut lzma = one("packed.ndjson");
    patch_zip(&mut lzma, None, Some(14));
    let outer = zip_of(
        &deflated(&[
            ("enc.zip", &encrypted),
            ("lzma.zip", &lzma),
            ("ok.ndjson", &text),
        ]),
        false,
    );
    case.write("export.zip", &outer);
    for command in ["scan", "gate"] {
        let out = case.run(&[command, "export.zip"]);
        expect(&out, 2);
        let err = stderr(&out);
        holds(
            &err,
            "export.zip!enc.zip!secret.ndjson: encrypted archive member, which piiscan cannot \
             decrypt",
        );
        holds(
            &err,
            "export.zip!lzma.zip!packed.ndjson: ZIP member compressed with Lzma, which piiscan \
             cannot read",
        );
        holds(&stdout(&out), "export.zip!ok.ndjson");
    }
    let out = case.run(&["gate", "export.zip"]);
    holds(
        &stdout(&out),
        "piiscan gate: ERROR (inputs were not scanned)",
    );
    holds(&stdout(&out), "the gate cannot vouch for the export");
}

/// A tar cut short, plain or gzip'd, is an error naming the member it ends in; what came before
/// is scanned. A ZIP cut short cannot be read at all (its directory is at its end): an error.
#[test]
fn truncated_archives_are_errors() {
    let case = Case::new();
    let text = events(0, 200);
    let tar = tar_of(&[("a.ndjson", &text), ("b.ndjson", &text)]);
    // Inside the second member's data.
    let cut = 512 + text.len().div_ceil(512) * 512 + 512 + 1000;
    case.write("cut.tar", &tar[..cut]);
    case.write("cut.tar.gz", &gzip(&tar[..cut]));
    let zip = zip_of(&deflated(&[("a.ndjson", &text)]), false);
    case.write("cut.zip", &zip[..zip.len() - 30]);
    for file in ["cut.tar", "cut.tar.gz"] {
        let out = case.run(&["scan", "--format", "jsonl", file]);
        expect(&out, 2);
        holds(
            &stderr(&out),
            &format!("{file}!b.ndjson: the tar archive ends inside this member"),
        );
        let found = jsonl(&out);
        assert_eq!(
            found
                .iter()
                .filter(|f| f["path"] == format!("{file}!a.ndjson"))
                .count(),
            600,
            "{file}"
        );
        let out = case.run(&["gate", file]);
        expect(&out, 2);
        holds(
            &stdout(&out),
            "piiscan gate: ERROR (an input could not be read)",
        );
        holds(&stdout(&out), "the gate cannot vouch for it");
    }
    let out = case.run(&["scan", "cut.zip"]);
    expect(&out, 2);
    holds(&stderr(&out), "cut.zip: not a readable ZIP archive");
}

/// A gzip stream whose deflate data is damaged, as a file and as a member of a tar, is an
/// error naming it; `gate` exits 2 and says it cannot vouch for the export, whatever it found
/// before the damage.
#[test]
fn corrupt_gzip_streams_are_errors() {
    let case = Case::new();
    let text = events(0, 300);
    let mut bad = gzip(&text);
    // Inside the deflate data, well past the 10-byte header.
    let mid = bad.len() / 2;
    for b in &mut bad[mid..mid + 16] {
        *b ^= 0x5a;
    }
    case.write("bad.ndjson.gz", &bad);
    case.write("bad.tar", &tar_of(&[("in/bad.ndjson.gz", &bad)]));
    for (file, named) in [
        ("bad.ndjson.gz", "bad.ndjson.gz: gzip"),
        ("bad.tar", "bad.tar!in/bad.ndjson.gz: gzip"),
    ] {
        let out = case.run(&["scan", "--format", "jsonl", file]);
        expect(&out, 2);
        holds(&stderr(&out), named);
        let out = case.run(&["gate", file]);
        expect(&out, 2);
        holds(&stderr(&out), named);
        let verdict = stdout(&out);
        holds(&verdict, "piiscan gate: ERROR (an input could not be read)");
        holds(&verdict, "the gate cannot vouch for it");
        assert!(!verdict.contains("PASS"), "{verdict}");
    }
}

/// A binary file, and a compressed stream in a format piiscan does not read (LZ4, compress),
/// fail a gate closed: exit 2, named with the reason, and the verdict says it cannot vouch
/// for the export. Without them, the same folder passes.
#[test]
fn a_gate_never_passes_a_binary_file_or_an_unknown_compression() {
    let case = Case::new();
    case.write("export/clean.log", b"nothing personal here\n");
    let clean = case.run(&["gate", "export"]);
    expect(&clean, 0);
    for (file, bytes, reason) in [
        (
            "export/photo.bin",
            &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR ann@example.org\n"[..],
            "export/photo.bin: binary file (NUL byte near the start)",
        ),
        (
            "export/e.ndjson.lz4",
            &b"\x04\x22\x4d\x18\x64\x40\xa7 ann@example.org"[..],
            "export/e.ndjson.lz4: LZ4 stream, which piiscan cannot read",
        ),
        (
            "export/e.log.Z",
            &b"\x1f\x9d\x90 ann@example.org"[..],
            "export/e.log.Z: compress (.Z) stream, which piiscan cannot read",
        ),
    ] {
        let path = case.write(file, bytes);
        let out = case.run(&["gate", "export"]);
        expect(&out, 2);
        holds(&stderr(&out), reason);
        let verdict = stdout(&out);
        holds(&verdict, "piiscan gate: ERROR (an input was not scanned)");
        holds(&verdict, "the gate cannot vouch for the export");
        let out = case.run(&["baseline", "export", "-o", "b.json"]);
        expect(&out, 2);
        assert!(!case.path("b.json").exists(), "{file}");
        std::fs::remove_file(path).unwrap();
    }
}

/// Formats recognised and not read are refused by name, even with `--binary` (an archive is
/// not a binary file to read as text), and fail a gate.
#[test]
fn unsupported_formats_are_refused_even_with_binary() {
    let case = Case::new();
    case.write("a.7z", b"7z\xbc\xaf\x27\x1c\x00\x04 user ann@example.org\n");
    case.write("b.rar", b"Rar!\x1a\x07\x01\x00 user ann@example.org\n");
    case.write("ok.ndjson", &events(0, 2));
    for args in [
        vec!["scan", "a.7z", "b.rar", "ok.ndjson"],
        vec!["scan", "--binary", "a.7z", "b.rar", "ok.ndjson"],
        vec!["gate", "--binary", "a.7z", "b.rar", "ok.ndjson"],
    ] {
        let out = case.run(&args);
        expect(&out, 2);
        let err = stderr(&out);
        holds(&err, "a.7z: 7z archive, which piiscan cannot read");
        holds(&err, "b.rar: RAR archive, which piiscan cannot read");
    }
}

/// A symbolic link in a scanned folder that leads out of it is not followed: its target's
/// data is not read, the link is listed as not scanned, and the run fails (exit 2) until
/// `--follow` is given or the link removed. A link that stays inside is followed.
#[cfg(unix)]
#[test]
fn links_out_of_the_paths_named_are_not_followed() {
    let case = Case::new();
    case.write("outside/secret.log", b"root password for ceo@example.com\n");
    case.write("export/day1/a.ndjson", &events(0, 2));
    std::os::unix::fs::symlink(case.path("outside/secret.log"), case.path("export/shadow"))
        .unwrap();
    std::os::unix::fs::symlink("day1", case.path("export/latest")).unwrap();

    let out = case.run(&["scan", "--format", "jsonl", "export"]);
    expect(&out, 2);
    holds(
        &stderr(&out),
        "export/shadow: symbolic link out of the paths named (to ",
    );
    holds(&stderr(&out), "use --follow to scan it");
    let found = jsonl(&out);
    assert!(
        found.iter().all(|f| f["path"] != "export/shadow"),
        "{found:?}"
    );
    // The link inside is followed: the same file under both names, scanned once.
    assert!(found.iter().any(|f| f["path"] == "export/day1/a.ndjson"));
    holds(
        &stderr(&out),
        "the same file as export/day1/a.ndjson; scanned once",
    );

    let out = case.run(&["gate", "export"]);
    expect(&out, 2);
    holds(&stdout(&out), "the gate cannot vouch for the export");

    let out = case.run(&["scan", "--format", "jsonl", "--follow", "export"]);
    expect(&out, 1);
    assert!(jsonl(&out).iter().any(|f| f["path"] == "export/shadow"));
    // Named with its target's folder, the link leads inside the paths named.
    let out = case.run(&["scan", "--format", "jsonl", "export", "outside"]);
    expect(&out, 1);
}

/// Every input not scanned is listed with its reason in every format: the summary, JSON,
/// SARIF notifications, and the exposure report's table, JSON and page; each exits 2. The
/// run's own output, excluded, is listed and does not fail the run.
#[test]
fn skipped_inputs_are_listed_in_every_format() {
    let case = Case::new();
    case.write("export/a.ndjson", &events(0, 3));
    case.write("export/b.bin", b"\x89PNG\r\n\x1a\n\0\0\0 bob@example.org\n");
    case.write("export/c.7z", b"7z\xbc\xaf\x27\x1c\0\x04");
    let binary = "export/b.bin: binary file (NUL byte near the start); skipped, use --binary to \
                  scan it";
    let seven = "export/c.7z: 7z archive, which piiscan cannot read; not scanned";

    let out = case.run(&["scan", "export"]);
    expect(&out, 2);
    let summary = stdout(&out);
    holds(&summary, "2 inputs not scanned:\n");
    holds(&summary, &format!("  {binary}\n"));
    holds(&summary, &format!("  {seven}"));
    assert!(!summary.contains("could not be read"), "{summary}");

    let out = case.run(&["scan", "--format", "json", "export"]);
    expect(&out, 2);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = json["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{json}");
    assert_eq!(skipped[0]["path"], "export/b.bin");
    assert_eq!(skipped[0]["fails_run"], true);
    assert!(skipped[1]["reason"]
        .as_str()
        .unwrap()
        .starts_with("7z archive"));

    let out = case.run(&["scan", "--format", "sarif", "export"]);
    expect(&out, 2);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    let texts: Vec<&str> = notes
        .iter()
        .map(|n| n["message"]["text"].as_str().unwrap())
        .collect();
    assert!(texts.iter().any(|t| t.starts_with(binary)), "{texts:?}");
    assert!(texts.iter().any(|t| t.starts_with(seven)), "{texts:?}");
    assert!(notes.iter().all(|n| n["level"] == "error"), "{notes:?}");

    let out = case.run(&["report", "export"]);
    expect(&out, 2);
    let table = stdout(&out);
    holds(&table, "Incomplete:      2 inputs were not scanned");
    holds(&table, &format!("Not scanned:     {binary}"));
    holds(&table, &format!("Not scanned:     {seven}"));
    let out = case.run(&["report", "--format", "json", "export"]);
    expect(&out, 2);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["skipped"].as_array().unwrap().len(), 2, "{report}");
    let out = case.run(&["report", "--format", "html", "export"]);
    expect(&out, 2);
    let page = stdout(&out);
    holds(
        &page,
        "<strong>Incomplete:</strong> 2 inputs were not scanned.",
    );
    holds(&page, "<li><code>export/b.bin</code>: binary file");
    holds(&page, "<li><code>export/c.7z</code>: 7z archive");

    // Its own output is the only skip, and an exclusion: listed, and the run does not fail.
    std::fs::remove_file(case.path("export/b.bin")).unwrap();
    std::fs::remove_file(case.path("export/c.7z")).unwrap();
    let out = case.run(&[
        "scan",
        "--format",
        "json",
        "export",
        "-o",
        "export/out.json",
    ]);
    expect(&out, 1);
    let json: Value =
        serde_json::from_slice(&std::fs::read(case.path("export/out.json")).unwrap()).unwrap();
    let skipped = json["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{json}");
    assert_eq!(skipped[0]["fails_run"], false);
    holds(
        skipped[0]["reason"].as_str().unwrap(),
        "the output file of this run",
    );
    // And with nothing to say, nothing is said.
    let out = case.run(&["scan", "export"]);
    expect(&out, 1);
    let summary = stdout(&out);
    assert!(!summary.contains("not scanned"), "{summary}");
    assert!(!summary.contains("could not be read"), "{summary}");
    let json: Value =
        serde_json::from_slice(&case.run(&["scan", "--format", "json", "export"]).stdout).unwrap();
    assert!(json.get("skipped").is_none(), "{json}");
}

/// Members are read as the files they are: a pretty-printed JSON array is a document (field
/// paths under `[]`, coordinates paired), a `;`-delimited CSV is split by its own dialect,
/// a `|` one by its, and `--delimiter` reaches members too; the findings are those of the
/// files unpacked.
#[test]
fn documents_and_csv_dialects_inside_archives_read_as_files() {
    let case = Case::new();
    let mut doc = b"[\n".to_vec();
    for i in 0..40 {
        let sep = if i == 39 { "" } else { "," };
        writeln!(
            doc,
            "  {{\n    \"user\": {{\n      \"email\": \"ann{i}@example.org\"\n    }},\n    \
             \"latitude\": 48.85{i:02},\n    \"longitude\": 2.35{i:02}\n  }}{sep}"
        )
        .unwrap();
    }
    doc.extend_from_slice(b"]\n");
    let mut semi = b"name;email;city;signup_ip\n".to_vec();
    for i in 0..40 {
        writeln!(semi, "ann {i};ann{i}@example.org;Lyon;198.51.100.{i}").unwrap();
    }
    let piped: Vec<u8> = semi
        .iter()
        .map(|&b| if b == b';' { b'|' } else { b })
        .collect();
    case.write("plain/doc.json", &doc);
    case.write("plain/semi.csv", &semi);
    case.write("plain/piped.csv", &piped);
    let zip = zip_of(&deflated(&[("doc.json", &doc), ("semi.csv", &semi)]), false);
    case.write("export.zip", &zip);
    case.write(
        "export.tar.gz",
        &gzip(&tar_of(&[("d/doc.json", &doc), ("d/piped.csv", &piped)])),
    );

    let doc_want = places(&scan_jsonl(&case, &["plain/doc.json"]));
    assert!(
        doc_want.iter().any(|p| p.1 == "[].user.email"),
        "{doc_want:?}"
    );
    assert!(
        doc_want.iter().any(|p| p.0 == "coordinates"),
        "{doc_want:?}"
    );
    let semi_want = places(&scan_jsonl(&case, &["plain/semi.csv"]));
    assert!(semi_want.iter().any(|p| p.1 == "email"), "{semi_want:?}");

    let found = scan_jsonl(&case, &["export.zip", "export.tar.gz"]);
    let of = |path: &str| -> Vec<(String, Value, u64, u64, u64)> {
        places(
            &found
                .iter()
                .filter(|f| f["path"] == path)
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(of("export.zip!doc.json"), doc_want);
    assert_eq!(of("export.tar.gz!d/doc.json"), doc_want);
    assert_eq!(of("export.zip!semi.csv"), semi_want);

    let piped_want = places(&scan_jsonl(&case, &["plain/piped.csv"]));
    assert!(piped_want.iter().any(|p| p.1 == "email"), "{piped_want:?}");
    assert_eq!(of("export.tar.gz!d/piped.csv"), piped_want);

    // A delimiter given that does not split the member's header: read as text, with a note
    // that names the member.
    let out = case.run(&[
        "scan",
        "--format",
        "jsonl",
        "--delimiter",
        ";",
        "export.tar.gz",
    ]);
    expect(&out, 1);
    holds(
        &stderr(&out),
        "export.tar.gz!d/piped.csv: named as a delimited file, but its first line does not \
         split into two columns by `;`",
    );
    let got: Vec<Value> = jsonl(&out)
        .into_iter()
        .filter(|f| f["path"] == "export.tar.gz!d/piped.csv")
        .collect();
    assert!(!got.is_empty() && got.iter().all(|f| f["field"].is_null()));
}

/// Fail closed, one input at a time beside a clean file: every reason an input is not read
/// whole (a format recognised and not read, an encrypted member, a truncated tar, a corrupt
/// gzip stream, a bomb, an archive too deep, a binary file, a link out of the paths named)
/// makes `scan` and `report` exit 2 naming it, `gate` exit 2 saying it cannot vouch for the
/// export, and `baseline` exit 2 without writing a baseline. Without the input, the gate
/// passes and the baseline is written.
#[test]
fn every_input_not_read_whole_fails_gate_and_baseline() {
    let text = events(0, 200);
    let mut encrypted = zip_of(
        &[("s.ndjson", &text[..], zip::CompressionMethod::Stored)],
        false,
    );
    patch_zip(&mut encrypted, Some(1), None);
    let tar = tar_of(&[("a.ndjson", &text), ("b.ndjson", &text)]);
    let mut corrupt = gzip(&text);
    let mid = corrupt.len() / 2;
    for b in &mut corrupt[mid..mid + 16] {
        *b ^= 0x5a;
    }
    // Text, not NULs (a member of NULs is refused as binary before it expands), past the
    // budget's floor of 16 MiB.
    let filler = b"aaaaaaa\n".repeat(1 << 20);
    let bomb = zip_of(
        &deflated(&[
            ("z0.log", &filler),
            ("z1.log", &filler),
            ("z2.log", &filler),
        ]),
        false,
    );
    let mut deep = zip_of(&deflated(&[("e.ndjson", &text)]), false);
    for i in 0..4 {
        deep = zip_of(&deflated(&[(&format!("d{i}.zip"), &deep)]), false);
    }
    let cases: [(&str, Vec<u8>, &[&str], &str); 8] = [
        (
            "e.7z",
            b"7z\xbc\xaf\x27\x1c\x00\x04 ann@example.org\n".to_vec(),
            &[],
            "7z archive, which piiscan cannot read",
        ),
        ("enc.zip", encrypted, &[], "encrypted archive member"),
        (
            "cut.tar",
            tar[..tar.len() / 2].to_vec(),
            &[],
            "the tar archive ends inside this member",
        ),
        ("bad.ndjson.gz", corrupt, &[], "gzip"),
        ("bomb.zip", bomb, &["--max-ratio", "20"], "archive bomb"),
        (
            "deep.zip",
            deep,
            &[],
            "archive nested past the depth limit of 3",
        ),
        (
            "photo.bin",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR ann@example.org\n".to_vec(),
            &[],
            "binary file",
        ),
        (
            "shadow",
            Vec::new(),
            &[],
            "symbolic link out of the paths named",
        ),
    ];
    for (name, bytes, args, reason) in cases {
        let case = Case::new();
        case.write("export/clean.log", b"nothing personal here\n");
        case.write("outside/secret.log", b"root password for ceo@example.com\n");
        let with = |command: &str, more: &[&str]| -> Vec<String> {
            let mut all = vec![command.to_string()];
            all.extend(args.iter().chain(more).map(|s| s.to_string()));
            all.push("export".into());
            all
        };
        let run =
            |argv: Vec<String>| case.run(&argv.iter().map(String::as_str).collect::<Vec<_>>());
        expect(&run(with("gate", &[])), 0);
        expect(&run(with("baseline", &["-o", "b.json"])), 0);
        std::fs::remove_file(case.path("b.json")).unwrap();

        if name == "shadow" {
            std::os::unix::fs::symlink(case.path("outside/secret.log"), case.path("export/shadow"))
                .unwrap();
        } else {
            case.write(&format!("export/{name}"), &bytes);
        }
        // (`scan` over a bomb is archive_bombs_are_errors'; each run here decodes 24 MiB.)
        let listing: &[&str] = if name == "bomb.zip" {
            &["report"]
        } else {
            &["scan", "report"]
        };
        for &command in listing {
            let out = run(with(command, &[]));
            expect(&out, 2);
            holds(&stderr(&out), &format!("export/{name}"));
            holds(&stderr(&out), reason);
        }
        let out = run(with("gate", &[]));
        expect(&out, 2);
        holds(&stderr(&out), reason);
        holds(&stdout(&out), "piiscan gate: ERROR");
        holds(&stdout(&out), "the gate cannot vouch for");
        let out = run(with("baseline", &["-o", "b.json"]));
        expect(&out, 2);
        assert!(
            !case.path("b.json").exists(),
            "{name}: a baseline was written"
        );
    }
}

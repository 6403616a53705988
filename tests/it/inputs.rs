//! Real-world and bad inputs through the built binary: compressed, empty, binary, invalid
//! UTF-8, UTF-16, CRLF, long lines, unreadable paths. None may panic, hang or lose other files'
//! findings; the exit status is 2 whenever an input could not be scanned.

use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

fn scan(args: &[&str], paths: &[&Path]) -> Output {
    Command::cargo_bin("piiscan")
        .unwrap()
        .arg("scan")
        .args(["--format", "jsonl"])
        .args(args)
        .args(paths)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

fn findings(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `piiscan scan --format jsonl -` on `text` (large: a generous timeout).
fn scan_stdin(text: Vec<u8>) -> Output {
    Command::cargo_bin("piiscan")
        .unwrap()
        .args(["scan", "--format", "jsonl", "-"])
        .write_stdin(text)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

const TEXT: &[u8] = b"{\"user\":\"x\"}\ncontact bob@example.org from 203.0.113.9\n";

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn gzip_and_zstd_are_recognised_by_magic_and_report_decompressed_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.log");
    std::fs::write(&plain, TEXT).unwrap();
    // Names that lie about the content: detection is by magic bytes.
    let gz = dir.path().join("export.ndjson");
    let mut two_members = gzip(&TEXT[..13]);
    two_members.extend(gzip(&TEXT[13..]));
    std::fs::write(&gz, two_members).unwrap();
    let zst = dir.path().join("export.bin");
    std::fs::write(&zst, zstd::encode_all(TEXT, 3).unwrap()).unwrap();

    let want = findings(&scan(&[], &[&plain]));
    assert_eq!(want.len(), 2);
    for (path, format) in [(&gz, "gzip"), (&zst, "zstd")] {
        let got = findings(&scan(&[], &[path]));
        assert_eq!(got.len(), want.len(), "{format}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g["offset"], w["offset"]);
            assert_eq!(g["line"], w["line"]);
            assert_eq!(g["kind"], w["kind"]);
            assert_eq!(g["compressed"], format);
        }
    }
    assert!(want[0].get("compressed").is_none());
}

#[test]
fn truncated_and_bomb_archives_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.log");
    std::fs::write(&good, TEXT).unwrap();
    let big: Vec<u8> = TEXT.repeat(20_000);
    let gz = gzip(&big);
    let truncated = dir.path().join("truncated.gz");
    std::fs::write(&truncated, &gz[..gz.len() / 2]).unwrap();
    let bomb = dir.path().join("bomb.gz");
    std::fs::write(&bomb, gzip(&vec![b'a'; 64 << 20])).unwrap();

    let out = scan(&[], &[&truncated, &bomb, &good]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("truncated.gz: gzip stream ends early"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bomb.gz: gzip stream expands more than"),
        "{stderr}"
    );
    let found = findings(&out);
    assert!(found
        .iter()
        .any(|f| f["path"].as_str().unwrap().ends_with("good.log")));
    assert!(
        found
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with("truncated.gz"))
            .count()
            > 100,
        "what was decompressed before the damage is still scanned"
    );
}

#[test]
fn empty_binary_invalid_utf8_and_crlf_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(scan(&[], &[&empty]).status.code(), Some(0));

    let binary = dir.path().join("image.bin");
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0 bob@example.org\n".to_vec();
    bytes.extend_from_slice(TEXT);
    std::fs::write(&binary, &bytes).unwrap();
    let out = scan(&[], &[&binary]);
    assert_eq!(out.status.code(), Some(2), "a binary file is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary file"));
    assert_eq!(findings(&scan(&["--binary"], &[&binary])).len(), 3);

    let invalid = dir.path().join("latin1.log");
    // Not at the start: `FF FE` there is a UTF-16LE BOM (see `utf16_with_a_bom_is_decoded`).
    std::fs::write(&invalid, b"caf\xe9 \xff\xfe bob@example.org \xc3\n").unwrap();
    let found = findings(&scan(&[], &[&invalid]));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["offset"], 8);

    let crlf = dir.path().join("crlf.log");
    std::fs::write(&crlf, b"a\r\nbob@example.org\r\nip 203.0.113.9\r\n").unwrap();
    let found = findings(&scan(&["--show-values"], &[&crlf]));
    let values: Vec<(&str, u64, u64)> = found
        .iter()
        .map(|f| {
            (
                f["value"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(values, [("bob@example.org", 2, 1), ("203.0.113.9", 3, 4)]);
}

#[test]
fn a_single_200_mb_line() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.log");
    let mut line = vec![b'x'; 200 << 20];
    let at = 150 << 20;
    line[at..at + 17].copy_from_slice(b" bob@example.org ");
    std::fs::write(&long, &line).unwrap();
    let found = findings(&scan(&["--kinds", "email"], &[&long]));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["offset"], at as u64 + 1);
    assert_eq!(found[0]["line"], 1);
}

/// `setpriv` (util-linux) when this test runs as root, to drop to `nobody`: root reads any
/// file, so a permission error can only be seen as another user. `None` when not root.
#[cfg(unix)]
fn unprivileged() -> Option<Command> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let available = std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        return None;
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .arg(assert_cmd::cargo::cargo_bin("piiscan"));
    Some(cmd)
}

#[cfg(unix)]
#[test]
fn unreadable_missing_and_dangling_paths_fail_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // Reachable by `nobody` when the test drops to it.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let good = dir.path().join("good.log");
    std::fs::write(&good, TEXT).unwrap();
    std::fs::set_permissions(&good, std::fs::Permissions::from_mode(0o644)).unwrap();
    let dangling = dir.path().join("dangling.log");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    let missing = dir.path().join("missing.log");
    let locked = dir.path().join("locked.log");
    std::fs::write(&locked, TEXT).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();

    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = match unprivileged() {
        Some(cmd) => cmd,
        None if root => {
            eprintln!("note: running as root without setpriv: the permission error is not checked");
            Command::cargo_bin("piiscan").unwrap()
        }
        None => Command::cargo_bin("piiscan").unwrap(),
    };
    let out = cmd
        .args(["scan", "--format", "jsonl"])
        .args([&missing, &dangling, &locked, &good])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("missing.log: No such file"), "{stderr}");
    assert!(
        stderr.contains("dangling.log: a symbolic link whose target does not exist"),
        "{stderr}"
    );
    let locked_checked = !root || unprivileged().is_some();
    if locked_checked {
        assert!(stderr.contains("locked.log: Permission denied"), "{stderr}");
    }
    let found = findings(&out);
    assert!(found
        .iter()
        .any(|f| f["path"].as_str().unwrap().ends_with("good.log")));
    assert!(!found
        .iter()
        .any(|f| f["path"].as_str().unwrap().ends_with("locked.log")));
}

/// A file truncated by another process while it is mapped and scanned: no SIGBUS, the error
/// names the file and says it shrank, exit status 2, and the next file is still scanned. The
/// truncation is made as soon as the file shows in the process's memory maps; if the scan
/// had already finished by then (a fast machine), that run cannot show the error and is
/// accepted, but never a crash.
#[cfg(target_os = "linux")]
#[test]
fn a_file_truncated_while_scanned_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("growing-export.log");
    let line = b"user clicked the button on the settings page and nothing else happened\n";
    let mut text = Vec::with_capacity(200 << 20);
    let mut n = 0;
    while text.len() < 200 << 20 {
        if n % 10_000 == 0 {
            text.extend_from_slice(b"contact bob@example.org\n");
        }
        text.extend_from_slice(line);
        n += 1;
    }
    std::fs::write(&big, &text).unwrap();
    drop(text);
    let good = dir.path().join("z-good.log");
    std::fs::write(&good, TEXT).unwrap();

    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("piiscan"))
        .args(["scan", "--format", "jsonl", "--threads", "1"])
        .args([&big, &good])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let maps = format!("/proc/{}/maps", child.id());
    let name = big.to_str().unwrap().to_string();
    let started = std::time::Instant::now();
    let mut truncated_while_mapped = false;
    while started.elapsed() < Duration::from_secs(60) {
        match std::fs::read_to_string(&maps) {
            Ok(m) if m.contains(&name) => {
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&big)
                    .unwrap()
                    .set_len(1 << 20)
                    .unwrap();
                truncated_while_mapped = true;
                break;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(1)),
            Err(_) => break, // the process is gone
        }
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), None, "killed by a signal: {stderr}");
    let found = findings(&out);
    assert!(
        found
            .iter()
            .any(|f| f["path"].as_str().unwrap().ends_with("z-good.log")),
        "the next file is scanned"
    );
    let shrank = stderr.contains(&format!("{name}: the file shrank from"));
    match out.status.code() {
        Some(2) => assert!(shrank, "{stderr}"),
        Some(1) if !shrank => {
            eprintln!(
                "note: the scan ended before the truncation (mapped and truncated: \
                 {truncated_while_mapped}); the shrink was not observed"
            );
        }
        code => panic!("exit status {code:?}: {stderr}"),
    }
}

/// A `.csv` file without a header row: its first row is data, so no finding may name a field
/// after it (that would print a raw value), whatever kind of value opens the file.
#[test]
fn headerless_csv_never_names_a_field_after_its_first_row() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        "1,jane.doe@example.com,Lyon,203.0.113.7\n",
        "jane.doe@example.com,Lyon,2001:db8::7\n",
        "203.0.113.7,jane.doe@example.com,Lyon\n",
        "Lyon,48.8566,jane.doe@example.com\n",
        // No cell is a value, but a first name and a surname side by side are a record.
        "John,Smith,Lyon\n",
    ];
    for (i, first) in rows.iter().enumerate() {
        let path = dir.path().join(format!("headerless{i}.csv"));
        let body = format!("{first}2,bob@example.org,Paris,198.51.100.1\n");
        std::fs::write(&path, body).unwrap();
        let out = scan(&["--kinds", "all"], &[&path]);
        let found = findings(&out);
        assert!(found.len() >= 3, "{first:?}: {found:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        for raw in [
            "jane.doe",
            "203.0.113.7",
            "2001:db8::7",
            "48.8566",
            "bob@",
            "John",
            "Smith",
        ] {
            assert!(!text.contains(raw), "{first:?} leaks {raw}: {text}");
        }
        for f in &found {
            assert!(f["field"].is_null(), "{first:?}: {f}");
        }
    }
}

/// A compressed CSV keeps its structure: columns name the findings' fields and hint at what
/// their cells hold, as for the same file uncompressed.
#[test]
fn compressed_csv_keeps_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    // Two columns: only the file name says this is CSV (a sniffed header needs three).
    let csv: &[u8] = b"email,city\njane.doe@example.com,Lyon\n";
    let plain = dir.path().join("x.csv");
    std::fs::write(&plain, csv).unwrap();
    let gz = dir.path().join("x.csv.gz");
    std::fs::write(&gz, gzip(csv)).unwrap();
    let zst = dir.path().join("x.csv.zst");
    std::fs::write(&zst, zstd::encode_all(csv, 3).unwrap()).unwrap();
    let fields = |path: &Path| -> Vec<(String, String)> {
        findings(&scan(&["--kinds", "all"], &[path]))
            .iter()
            .map(|f| {
                (
                    f["kind"].as_str().unwrap().to_string(),
                    f["field"].as_str().unwrap_or("(none)").to_string(),
                )
            })
            .collect()
    };
    let want = fields(&plain);
    assert!(
        want.contains(&("city".to_string(), "city".to_string())),
        "{want:?}"
    );
    assert!(want.contains(&("email".to_string(), "email".to_string())));
    assert_eq!(fields(&gz), want, "gzip");
    assert_eq!(fields(&zst), want, "zstd");
}

/// A quoted cell with line ends (a comment typed on several lines) does not shift the
/// columns of the cells after it: they keep their field names and their columns' hints
/// (`Nice` is a place only because its column says so).
#[test]
fn csv_cells_with_line_ends_keep_the_columns_after_them() {
    let dir = tempfile::tempdir().unwrap();
    let csv: &[u8] = b"id,comment,email,city\n\
        1,\"line one\nline two\",jane@example.com,Paris\n\
        2,plain,bob@example.org,Lyon\n\
        3,\"a\nb\nc, d, e\",x@example.com,Nice\n";
    let path = dir.path().join("comments.csv");
    std::fs::write(&path, csv).unwrap();
    let got: Vec<(String, u64, String)> = findings(&scan(&[], &[&path]))
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["field"].as_str().unwrap_or("(none)").to_string(),
            )
        })
        .collect();
    let want = [
        ("email", 3, "email"),
        ("city", 3, "city"),
        ("email", 4, "email"),
        ("city", 4, "city"),
        ("email", 7, "email"),
        ("city", 7, "city"),
    ];
    let want: Vec<(String, u64, String)> = want
        .iter()
        .map(|&(k, l, f)| (k.to_string(), l, f.to_string()))
        .collect();
    assert_eq!(got, want);
}

/// Chunks of a CSV end where records end: a record whose quoted cell holds line ends is never
/// cut by a chunk boundary, whatever the chunk size, mapped or streamed (gzip'd), so the cells
/// after the quoted one keep their columns (`Nice` is a place only by its column).
#[test]
fn csv_records_with_line_ends_are_not_cut_by_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,comment,email,city\n");
    // Streams are read 64 KiB at a time: enough records for a dozen chunks of them.
    let records = 20_000;
    for i in 0..records {
        match i % 3 {
            0 => csv.push_str(&format!("{i},plain,u{i}@example.com,Nice\n")),
            1 => csv.push_str(&format!(
                "{i},\"one\ntwo, \"\"three\"\"\nfour\",u{i}@example.com,Nice\n"
            )),
            _ => csv.push_str(&format!("{i},\"x\n\",u{i}@example.com,\"Nice\"\n")),
        }
    }
    let path = dir.path().join("comments.csv");
    std::fs::write(&path, &csv).unwrap();
    let gz = dir.path().join("comments.csv.gz");
    std::fs::write(&gz, gzip(csv.as_bytes())).unwrap();
    let fields = |out: &Output| -> Vec<(String, String)> {
        findings(out)
            .iter()
            .map(|f| {
                let field = f["field"].as_str().unwrap_or("(none)").to_string();
                (f["kind"].as_str().unwrap().to_string(), field)
            })
            .collect()
    };
    let want: Vec<(String, String)> = (0..records)
        .flat_map(|_| [("email", "email"), ("city", "city")])
        .map(|(k, f)| (k.to_string(), f.to_string()))
        .collect();
    for size in ["1", "333", "4096", "100000"] {
        for file in [&path, &gz] {
            let got = fields(&scan(&["--chunk-size", size], &[file]));
            assert_eq!(got, want, "chunks of {size} bytes, {}", file.display());
        }
    }
}

/// `text` scanned through stdin (a stream) and from a file (mapped), for tests of what must
/// hold either way.
fn scan_streamed_and_mapped(text: Vec<u8>) -> [(&'static str, Output); 2] {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one-line.json");
    std::fs::write(&file, &text).unwrap();
    let mapped = scan(&[], &[&file]);
    let mut mapped_stderr = String::from_utf8_lossy(&mapped.stderr).into_owned();
    mapped_stderr = mapped_stderr.replace(&*file.to_string_lossy(), "-");
    let mapped = Output {
        stderr: mapped_stderr.into_bytes(),
        ..mapped
    };
    [("streamed", scan_stdin(text)), ("mapped", mapped)]
}

/// A line longer than `MAX_LINE` is cut into overlapping pieces, whether it is streamed or
/// mapped: a value across a cut, across the middle of the overlap or at its edges is found
/// once, at its exact offset and column, and the lines after the long one are numbered as
/// before.
#[test]
fn values_across_the_cuts_of_a_long_line_are_found_once() {
    use piiscan::chunk::{MAX_LINE, OVERLAP};
    let len = MAX_LINE + (1 << 20);
    let mut text = vec![b'x'; len];
    let cut = MAX_LINE;
    let starts = [
        cut - OVERLAP - 8,      // across the start of the next piece
        cut - OVERLAP / 2 - 40, // just before the middle of the overlap
        cut - OVERLAP / 2 - 8,  // across the middle of the overlap
        cut - OVERLAP / 2 + 16, // just after it
        cut - 8,                // across the cut
        cut + 100_000,          // in the next piece only
    ];
    let value = b"bob@example.org";
    for &at in &starts {
        text[at - 1] = b' ';
        text[at..at + value.len()].copy_from_slice(value);
        text[at + value.len()] = b' ';
    }
    text.extend_from_slice(b"\nnext line 203.0.113.9\n");
    let mut want: Vec<(u64, u64, u64)> = starts
        .iter()
        .map(|&at| (at as u64, 1, at as u64 + 1))
        .collect();
    want.push((len as u64 + 11, 2, 11));
    for (how, out) in scan_streamed_and_mapped(text) {
        assert_eq!(out.status.code(), Some(1), "{how}");
        let found: Vec<(u64, u64, u64)> = findings(&out)
            .iter()
            .map(|f| {
                (
                    f["offset"].as_u64().unwrap(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(found, want, "{how}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let note = format!(
            "-: a line longer than {} MiB (in the bytes from 0)",
            MAX_LINE >> 20
        );
        assert!(stderr.contains(&note), "{how}: {stderr}");
        assert_eq!(stderr.matches("longer than").count(), 1, "{how}: {stderr}");
    }
}

/// A JSON array exported on one line, longer than `MAX_LINE`: past its first piece, values
/// known only by their key (`$city`), written with escapes (`\u00cele-de-France` under
/// `$region`) or needing their key to tell an address from a version (`ip`) are all found,
/// at their offsets and with their field names, streamed or mapped.
#[test]
fn a_json_array_on_one_line_is_scanned_whole_in_pieces() {
    use piiscan::chunk::MAX_LINE;
    let record = r#"{"event":"Sign Up","properties":{"$city":"Lyon","$region":"\u00cele-de-France","ip":"203.0.113.9","app_version":"10.17.46.35"}}"#;
    let mut text = b"[".to_vec();
    let mut want = Vec::new();
    while text.len() < 2 * MAX_LINE + (1 << 20) {
        if text.len() > 1 {
            text.push(b',');
        }
        let at = text.len() as u64;
        for (kind, value) in [
            ("city", "Lyon"),
            ("region", r"\u00cele-de-France"),
            ("ipv4", "203.0.113.9"),
        ] {
            let offset = at + record.find(value).unwrap() as u64;
            want.push((kind.to_string(), offset));
        }
        text.extend_from_slice(record.as_bytes());
    }
    text.extend_from_slice(b"]\n");
    for (how, out) in scan_streamed_and_mapped(text) {
        let found: Vec<(String, u64)> = findings(&out)
            .iter()
            .map(|f| {
                let kind = f["kind"].as_str().unwrap().to_string();
                (kind, f["offset"].as_u64().unwrap())
            })
            .collect();
        assert_eq!(found.len(), want.len(), "{how}");
        assert!(found == want, "{how}: the findings differ");
        let fields: std::collections::BTreeSet<(String, String)> = findings(&out)
            .iter()
            .map(|f| {
                let kind = f["kind"].as_str().unwrap().to_string();
                (kind, f["field"].as_str().unwrap_or("(none)").to_string())
            })
            .collect();
        let want: std::collections::BTreeSet<(String, String)> = [
            ("city", "[].properties.$city"),
            ("ipv4", "[].properties.ip"),
            ("region", "[].properties.$region"),
        ]
        .into_iter()
        .map(|(k, f)| (k.to_string(), f.to_string()))
        .collect();
        assert_eq!(fields, want, "{how}");
    }
}

/// A long line of text that holds brackets, quotes and commas is no JSON: its pieces get no
/// field names from them.
#[test]
fn a_long_line_of_text_gets_no_field_names() {
    use piiscan::chunk::MAX_LINE;
    let mut text = Vec::new();
    while text.len() < MAX_LINE + (1 << 20) {
        text.extend_from_slice(br#"GET [ok, "a":{"b": [1, 2]}] from bob@example.org, "#);
    }
    text.push(b'\n');
    for (how, out) in scan_streamed_and_mapped(text) {
        let found = findings(&out);
        assert!(found.len() > 100_000, "{how}");
        assert!(found.iter().all(|f| f["field"].is_null()), "{how}");
    }
}

/// A piece of a long line may start inside a JSON string: the prefilter cannot know
/// where strings are there, and must not guess, or every key of the piece would be read
/// inside out and the values known only by their key (`"$city":"Nice"`) lost.
#[test]
fn keys_after_a_cut_inside_a_string_still_hint() {
    use piiscan::chunk::MAX_LINE;
    let mut text = b"{\"note\":\"".to_vec();
    text.resize(MAX_LINE + (2 << 20), b'x');
    let at = text.len() + "\",\"$city\":\"".len();
    text.extend_from_slice(b"\",\"$city\":\"Nice\",\"n\":1}\n");
    for (how, out) in scan_streamed_and_mapped(text) {
        let found: Vec<(String, u64)> = findings(&out)
            .iter()
            .map(|f| {
                (
                    f["kind"].as_str().unwrap().to_string(),
                    f["offset"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(found, [("city".to_string(), at as u64)], "{how}");
    }
}

/// NUL padding after the last gzip member (tape and block tools write it; `gzip -d` skips it)
/// is not an error: same findings, exit status 1.
#[test]
fn gzip_with_trailing_nul_padding() {
    let dir = tempfile::tempdir().unwrap();
    let padded = dir.path().join("padded.log.gz");
    let mut bytes = gzip(TEXT);
    bytes.extend(vec![0u8; 4096]);
    std::fs::write(&padded, bytes).unwrap();
    let out = scan(&[], &[&padded]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&out).len(), 2);
}

/// A CSV export as PowerShell's `Out-File` writes it: UTF-16LE with a BOM (`BE` for the other
/// byte order).
fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xfe, 0xff]
    } else {
        vec![0xff, 0xfe]
    };
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

const CSV: &str = "name,email,ip\nJosé,jose@example.com,203.0.113.9\n\
                   王芳,wang.fang@example.org,198.51.100.20\n";

/// The findings of `out` without their path, to compare across files, each checked to carry
/// `encoding` (`None`: no such key) and then without it.
fn comparable(out: &Output, encoding: Option<&str>) -> Vec<serde_json::Value> {
    let mut found = findings(out);
    for f in &mut found {
        let f = f.as_object_mut().unwrap();
        f.remove("path");
        let got = f.remove("encoding");
        assert_eq!(got.as_ref().map(|e| e.as_str().unwrap()), encoding);
    }
    found
}

/// UTF-16 with a BOM is decoded to UTF-8: its findings are those of the same text in UTF-8,
/// with their lines, columns, offsets (in the UTF-8 text) and CSV columns, whether the file is
/// read from disk or from stdin, and whether a chunk holds all of it or a few lines.
#[test]
fn utf16_with_a_bom_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("export.csv");
    std::fs::write(&plain, CSV).unwrap();
    let want = comparable(&scan(&["--show-values"], &[&plain]), None);
    let lines: Vec<_> = want.iter().map(|f| (&f["kind"], &f["line"])).collect();
    // `王芳` under `name` is a person (a Han value that starts with a known surname); `José`
    // alone is not.
    assert_eq!(lines.len(), 5, "{want:?}");
    assert_eq!(lines[0], (&"email".into(), &2.into()));
    assert_eq!(lines[2], (&"person_name".into(), &3.into()));
    assert_eq!(lines[4], (&"ipv4".into(), &3.into()));
    assert_eq!(want[0]["field"], "email");
    for (big_endian, encoding) in [(false, "UTF-16LE"), (true, "UTF-16BE")] {
        let bytes = utf16(CSV, big_endian);
        // Without decoding, the NULs of UTF-16 make it binary.
        assert!(bytes.contains(&0));
        let file = dir.path().join(format!("export-{big_endian}.csv"));
        std::fs::write(&file, &bytes).unwrap();
        let out = scan(&["--show-values"], &[&file]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(!stderr.contains("binary"), "{stderr}");
        assert_eq!(comparable(&out, Some(encoding)), want);
        let out = scan_stdin(bytes);
        let want_stdin = comparable(&scan_stdin(CSV.into()), None);
        assert_eq!(comparable(&out, Some(encoding)), want_stdin);
        let sarif = Command::cargo_bin("piiscan")
            .unwrap()
            .args(["scan", "--format", "sarif"])
            .arg(&file)
            .output()
            .unwrap();
        let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
        let result = &sarif["runs"][0]["results"][0];
        assert_eq!(result["properties"]["encoding"], encoding, "{result}");
        // Undecoded, a gate read it as text (it was `--binary`), found nothing and passed.
        let gate = Command::cargo_bin("piiscan")
            .unwrap()
            .current_dir(dir.path())
            .arg("gate")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(gate.status.code(), Some(1), "big endian: {big_endian}");
    }

    // Many lines in small chunks: values and lines across the decoder's buffers and the chunks.
    let many = CSV.to_string()
        + &CSV
            .lines()
            .skip(1)
            .map(|l| l.to_string() + "\n")
            .collect::<String>()
            .repeat(20_000);
    std::fs::write(&plain, &many).unwrap();
    let file = dir.path().join("many.csv");
    std::fs::write(&file, utf16(&many, false)).unwrap();
    let args = ["--chunk-size", "4096"];
    let want = comparable(&scan(&args, &[&plain]), None);
    assert_eq!(want.len(), 5 * 20_001);
    assert_eq!(comparable(&scan(&args, &[&file]), Some("UTF-16LE")), want);
}

/// A gzip'd UTF-16 file is decompressed, then decoded.
#[test]
fn gzipped_utf16_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("export.csv");
    std::fs::write(&plain, CSV).unwrap();
    let gz = dir.path().join("export.csv.gz");
    std::fs::write(&gz, gzip(&utf16(CSV, false))).unwrap();
    let want = comparable(&scan(&[], &[&plain]), None);
    assert_eq!(want.len(), 5);
    let got = comparable(&scan(&[], &[&gz]), Some("UTF-16LE"));
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["compressed"], "gzip");
        for key in ["offset", "line", "column", "kind", "field", "masked"] {
            assert_eq!(g[key], w[key], "{key}");
        }
    }
}

/// Only a BOM marks UTF-16: without one, a file of NULs or of UTF-16 text is still binary, and
/// a BOM followed by NUL characters decodes to NUL bytes, binary too.
#[test]
fn utf16_without_a_bom_is_still_binary() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>); 3] = [
        ("nuls.csv", vec![0; 1000]),
        ("no-bom.csv", utf16(CSV, false)[2..].to_vec()),
        (
            "bom-then-nuls.csv",
            [&[0xff, 0xfe][..], &[0; 1000]].concat(),
        ),
    ];
    for (name, bytes) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = scan(&[], &[&file]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty(), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("binary file"), "{name}: {stderr}");
    }
}

/// A UTF-8 byte-order mark (Excel's "CSV UTF-8" writes one) is not part of the first column's
/// name nor of the first JSON line, and still counts in offsets and columns: read in place,
/// and gzip'd (streamed).
#[test]
fn a_utf8_bom_is_not_part_of_the_header_or_the_first_line() {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let dir = tempfile::tempdir().unwrap();
    let csv = [BOM, b"email,city,ip\njane@example.com,Paris,81.2.69.161\n"].concat();
    let json = [
        BOM,
        b"{\"$email\":\"jane@example.com\",\"n\":{\"ip\":\"81.2.69.161\"}}\n",
    ]
    .concat();
    for (name, text, want) in [
        ("export.csv", &csv, [("email", 17, 1), ("ip", 40, 24)]),
        (
            "export.ndjson",
            &json,
            [("$email", 14, 15), ("n.ip", 43, 44)],
        ),
    ] {
        let plain = dir.path().join(name);
        std::fs::write(&plain, text).unwrap();
        let gz = dir.path().join(format!("{name}.gz"));
        std::fs::write(&gz, gzip(text)).unwrap();
        for path in [&plain, &gz] {
            let out = scan(&["--kinds", "email,ipv4"], &[path]);
            assert_eq!(out.status.code(), Some(1), "{path:?}");
            let got: Vec<_> = findings(&out)
                .iter()
                .map(|f| (f["field"].clone(), f["offset"].clone(), f["column"].clone()))
                .collect();
            let want: Vec<_> = want
                .iter()
                .map(|&(field, offset, column)| (field.into(), offset.into(), column.into()))
                .collect();
            assert_eq!(got, want, "{path:?}");
        }
    }
}

/// A tree of many small files scanned with few file descriptors: no file stays open while its
/// content waits in a batch, so every file is scanned, whatever the limit, as without it.
#[cfg(unix)]
#[test]
fn many_small_files_are_all_scanned_with_few_file_descriptors() {
    let dir = tempfile::tempdir().unwrap();
    let files = 600;
    for i in 0..files {
        let sub = dir.path().join(format!("d{:02}", i % 12));
        std::fs::create_dir_all(&sub).unwrap();
        let text = format!("visit by user{i}@example.org\n");
        std::fs::write(sub.join(format!("f{i:04}.log")), text).unwrap();
    }
    // One large file too, mapped rather than read.
    let mut big = b"contact bob@example.org\n".to_vec();
    big.resize(1 << 20, b'\n');
    std::fs::write(dir.path().join("big.log"), big).unwrap();
    let run = |limit: Option<u32>| {
        let bin = assert_cmd::cargo::cargo_bin("piiscan");
        let mut cmd = std::process::Command::new("sh");
        let ulimit = limit.map_or(String::new(), |n| format!("ulimit -n {n} && "));
        cmd.arg("-c")
            .arg(format!("{ulimit}exec \"$0\" \"$@\""))
            .arg(bin)
            .args(["scan", "-q", "--format", "jsonl", "--threads", "2"])
            .arg(dir.path());
        cmd.output().unwrap()
    };
    let unlimited = run(None);
    let limited = run(Some(48));
    let stderr = String::from_utf8_lossy(&limited.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(limited.status.code(), Some(1), "{stderr}");
    assert_eq!(limited.status.code(), unlimited.status.code());
    let found = findings(&limited);
    assert_eq!(found.len(), files + 1);
    assert_eq!(found, findings(&unlimited));
}

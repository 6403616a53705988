//! Object storage inputs, through `file://` (object_store's local store: the same listing,
//! GET and streaming code as a bucket; the S3 protocol itself is tested against a local S3
//! server in python/tests/test_objects.py): a prefix reads, shards and merges as the same
//! files on disk do, and what cannot be listed fails the run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

const KEY: &str = "0123456789abcdef0123456789abcdef-object-tests";

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("piiscan")
        .unwrap()
        .current_dir(dir)
        .env("PIISCAN_FINGERPRINT_KEY", KEY)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An export of the labelled corpus in nested folders, with a gzip'd NDJSON, a CSV, a ZIP and
/// a name that sorts between a folder and its files (`day-2.log` after `day/...`).
fn export(dir: &Path) -> PathBuf {
    let root = dir.join("export");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/labelled");
    let copy = |from: &str, to: &str| {
        let to = root.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(corpus.join(from), to).unwrap();
    };
    copy("export.csv", "day/export.csv");
    copy("tickets.txt", "day/tickets.txt");
    copy("access.log", "day-2.log");
    let mixpanel = std::fs::read(corpus.join("mixpanel.ndjson")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(root.join("day/mixpanel.ndjson.gz")).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(&mixpanel).unwrap();
    gz.finish().unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(root.join("more.zip")).unwrap());
    for name in ["segment.ndjson", "amplitude.ndjson"] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(corpus.join(name)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    root
}

fn file_url(root: &Path) -> String {
    format!("file://{}/", root.display())
}

/// A report's JSON with the URL of the prefix read as the folder's path.
fn as_on_disk(report: &[u8], url: &str, folder: &str) -> String {
    String::from_utf8_lossy(report).replace(url, folder)
}

/// `report` over `file://.../export/` is `report` over `export/`: the same inputs in the same
/// order, the same counts; and four shards of the URL, merged, are that report too.
#[test]
fn a_prefix_reports_shards_and_merges_as_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = export(dir.path());
    let url = file_url(&root);
    let on_disk = run(dir.path(), &["report", "-q", "--format", "json", "export/"]);
    assert_eq!(on_disk.status.code(), Some(0), "{}", stderr(&on_disk));
    let from_url = run(dir.path(), &["report", "-q", "--format", "json", &url]);
    assert_eq!(from_url.status.code(), Some(0), "{}", stderr(&from_url));
    let on_disk = String::from_utf8_lossy(&on_disk.stdout).into_owned();
    assert!(
        on_disk.contains("export/more.zip!segment.ndjson"),
        "{on_disk}"
    );
    assert_eq!(as_on_disk(&from_url.stdout, &url, "export/"), on_disk);

    // A partial report of shard `k/4` of `root`, written to `out` (`-`: standard output).
    let partial = |k: u32, out: &str, root: &str| {
        let shard = format!("{k}/4");
        let mut args: Vec<&str> = "report -q --partial --shard".split(' ').collect();
        args.extend([shard.as_str(), "-o", out, root]);
        let done = run(dir.path(), &args);
        assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
        done.stdout
    };
    let mut parts = Vec::new();
    for k in 1..=4 {
        let part = format!("part-{k}.json");
        partial(k, &part, &url);
        // The shards split the objects as they split the files: by name below the prefix.
        let ours = std::fs::read(dir.path().join(&part)).unwrap();
        let disk = partial(k, "-", "export/");
        assert_eq!(
            as_on_disk(&ours, &url, "export/"),
            as_on_disk(&disk, "", "")
        );
        parts.push(part);
    }
    let mut merge = vec!["merge", "--format", "json"];
    merge.extend(parts.iter().map(String::as_str));
    let merged = run(dir.path(), &merge);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert_eq!(as_on_disk(&merged.stdout, &url, "export/"), on_disk);
}

/// What cannot be listed or read is an error naming the URL, the rest is read, and no gate
/// passes: a prefix with nothing below it, a scheme that is not storage, a URL's query string
/// never shown.
#[test]
fn what_cannot_be_listed_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let root = export(dir.path());
    let url = file_url(&root);
    let missing = format!("file://{}/nothing-here/", root.display());
    let out = run(dir.path(), &["gate", "-q", &missing, &url]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&missing) && err.contains("no object there"),
        "{err}"
    );
    // The rest was read: its findings are in the verdict.
    assert!(String::from_utf8_lossy(&out.stdout).contains("email"));

    let signed = "https://127.0.0.1:9/bucket/a.ndjson?X-Amz-Signature=5ecret&X-Amz-Credential=AKIA";
    let out = run(dir.path(), &["scan", "-q", "--format", "json", signed]);
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert!(
        all.contains("https://127.0.0.1:9/bucket/a.ndjson: cannot read"),
        "{all}"
    );
    assert!(!all.contains("5ecret") && !all.contains("AKIA"), "{all}");
}

/// The run's own output, written inside the tree a `file://` URL names, is not read, and an
/// output that would replace an object of the tree is refused.
#[test]
fn a_file_url_keeps_the_outputs_rules() {
    let dir = tempfile::tempdir().unwrap();
    let root = export(dir.path());
    let url = file_url(&root);
    // A scan of the URL whose findings go to `out`, below the folder it names.
    let scan_to = |out: &str| {
        run(
            dir.path(),
            &["scan", "-q", "--format", "jsonl", "-o", out, &url],
        )
    };
    let out = scan_to("export/day/out.jsonl");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let written = std::fs::read_to_string(root.join("day/out.jsonl")).unwrap();
    assert!(!written.contains("out.jsonl"));
    let out = scan_to("export/day/export.csv");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("export.csv"), "{}", stderr(&out));
    assert!(std::fs::read_to_string(root.join("day/export.csv"))
        .unwrap()
        .contains(','));
}

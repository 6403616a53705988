use std::io;

use super::lines::{open_decompressed, read_spans, LineContexts};
use super::matcher::{FileMatch, Pending};
use super::*;
use crate::finding::Finding;
use rand::{Rng, SeedableRng};

fn finding(offset: u64, length: u32, kind: Kind) -> Finding {
    Finding {
        offset,
        length,
        line: 1,
        column: 1,
        kind,
        detail: crate::detect::Detail::NONE,
        field: None,
        masked: "x".into(),
        value: None,
        fingerprint: None,
        checked: None,
    }
}

fn label(offset: u64, length: u32, kind: Kind) -> Span {
    Span {
        offset,
        length,
        kind,
    }
}

/// Matches findings (in offset order) with labels in a file of text lines.
fn compare(labels: &[Span], findings: &[Finding]) -> Evaluation {
    let mut eval = Evaluation::default();
    let mut file = FileMatch::start(Pending {
        display: "f.log".into(),
        path: PathBuf::from("/nonexistent/f.log"),
        labels: labels.to_vec(),
    });
    for f in findings {
        file.finding(f, &mut eval);
    }
    file.finish(&mut eval);
    eval
}

/// Spans and line contexts are read from the text the scan reads: decompressed, decoded.
#[test]
fn files_are_opened_as_the_scan_reads_them() {
    use std::io::Write;
    let text = "{\"a\":1}\nbob@example.org\n";
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&utf16).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("plain.log", text.as_bytes().to_vec()),
        ("utf16.log", utf16),
        ("utf16.log.gz", gz.finish().unwrap()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let mut got = String::new();
        open_decompressed(&path)
            .unwrap()
            .read_to_string(&mut got)
            .unwrap();
        assert_eq!(got, text, "{name}");
    }
}

fn tuple(c: Counts) -> (u64, u64, u64, u64) {
    (c.labels, c.found, c.findings, c.correct)
}

#[test]
fn overlap_and_kind_decide() {
    let labels = [
        label(0, 5, Kind::Email),
        label(10, 5, Kind::City),
        label(30, 5, Kind::Email),
        label(40, 5, Kind::Region),
    ];
    let findings = [
        finding(2, 5, Kind::Email),   // overlaps the first label: correct
        finding(10, 5, Kind::Region), // a region for a city: right only as "any place"
        finding(20, 3, Kind::Ipv4),   // overlaps nothing: wrong
        finding(30, 5, Kind::Ipv4),   // overlaps a label of another kind: wrong
        finding(41, 2, Kind::Region), // inside a region label: correct
    ];
    let eval = compare(&labels, &findings);
    assert_eq!(tuple(eval.get(Kind::Email, None)), (2, 1, 1, 1));
    let city = eval.get(Kind::City, None);
    assert_eq!(tuple(city), (1, 0, 0, 0));
    assert_eq!((city.recall(), city.recall_any_place()), (0.0, 1.0));
    let region = eval.get(Kind::Region, None);
    assert_eq!(tuple(region), (1, 1, 2, 1));
    assert_eq!(region.precision(), 0.5);
    assert_eq!(region.precision_any_place(), 1.0);
    assert_eq!(eval.get(Kind::Ipv4, None).precision(), 0.0);
    // Examples: only what no compatible kind accounts for.
    assert_eq!(eval.misses.len(), 1);
    assert_eq!(eval.false_positives.len(), 2);
    let all = eval.overall();
    assert_eq!(tuple(all), (4, 2, 5, 2));
    assert_eq!((all.found_any_place, all.correct_any_place), (3, 3));
}

/// The streaming match against a brute-force one: every finding against every label.
#[test]
fn streaming_match_equals_brute_force() {
    let kinds = [Kind::City, Kind::Region, Kind::Email, Kind::Referrer];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut random = move |n: u64| rng.gen_range(0..n);
    for _ in 0..200 {
        let mut labels = Vec::new();
        let mut at = 0;
        for _ in 0..random(20) {
            at += random(15);
            let length = 1 + random(8) as u32;
            labels.push(label(at, length, kinds[random(4) as usize]));
            at += u64::from(length);
        }
        let mut findings = Vec::new();
        let mut at = 0;
        for _ in 0..random(20) {
            at += random(10);
            // Findings may overlap each other (a referrer around an e-mail address).
            findings.push(finding(
                at,
                1 + random(12) as u32,
                kinds[random(4) as usize],
            ));
        }
        let eval = compare(&labels, &findings);
        let overlaps =
            |l: &Span, f: &Finding| l.offset < f.offset + u64::from(f.length) && f.offset < l.end();
        let mut want = Counts::default();
        for l in &labels {
            want.labels += 1;
            want.found += u64::from(findings.iter().any(|f| overlaps(l, f) && f.kind == l.kind));
            want.found_any_place += u64::from(
                findings
                    .iter()
                    .any(|f| overlaps(l, f) && compatible(l.kind, f.kind)),
            );
        }
        for f in &findings {
            want.findings += 1;
            want.correct += u64::from(labels.iter().any(|l| overlaps(l, f) && f.kind == l.kind));
            want.correct_any_place += u64::from(
                labels
                    .iter()
                    .any(|l| overlaps(l, f) && compatible(l.kind, f.kind)),
            );
        }
        assert_eq!(eval.overall(), want, "{labels:?}\n{findings:?}");
    }
}

#[test]
fn contexts() {
    let dir = tempfile::tempdir().unwrap();
    let text = b"{\"a\":1}\nplain\n  [ {\"b\":2}]\n\n[12/Nov/2025:10:15:32] x\n{\"c\":\nlast";
    let plain = dir.path().join("mixed.log");
    std::fs::write(&plain, text).unwrap();
    let gz = dir.path().join("mixed.log.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    io::Write::write_all(&mut enc, text).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let csv = dir.path().join("x.csv");
    std::fs::write(&csv, b"id,email\nplain,a@b.co\n").unwrap();
    use Context::{Structured as S, Text as T};
    // (offset, context), for every line
    let want = [
        (2, S),
        (9, T),
        (14, S),
        (26, S),
        (27, T),
        (28, T),
        (53, S),
        (60, T),
    ];
    for path in [&plain, &gz] {
        let contexts = LineContexts::read(path).unwrap();
        for (offset, context) in want {
            assert_eq!(contexts.at(offset), context, "{path:?} @{offset}");
        }
    }
    let contexts = LineContexts::read(&csv).unwrap();
    assert_eq!(contexts.at(12), S);
}

#[test]
fn misses_are_shown_masked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    std::fs::write(&path, b"hello Jane Doe and Lyon\n").unwrap();
    let spans = [label(6, 8, Kind::PersonName), label(19, 4, Kind::City)];
    assert_eq!(
        read_spans(&path, &spans).unwrap(),
        [b"Jane Doe".to_vec(), b"Lyon".to_vec()]
    );
    let mut eval = Evaluation::default();
    let file = FileMatch::start(Pending {
        display: "t.txt".into(),
        path,
        labels: spans.to_vec(),
    });
    file.finish(&mut eval);
    let masked: Vec<&str> = eval.misses.iter().map(|e| e.masked.as_str()).collect();
    assert_eq!(masked, ["J*** D***", "L***"]);
}

//! Throughput in bytes per second, on deterministic generated exports.
//!
//! Inputs come from the `gen-corpus` binary (seed 7, 16 MiB by default, `PIISCAN_BENCH_SIZE`
//! to change), generated once into `target/bench-inputs/`. Before timing, each bench checks
//! that the scan still finds what the labels say is there (at least 90% of the labelled spans
//! of its kinds), so a change cannot look faster by finding nothing.
//!
//! Groups: `detector/*` (one detector on NDJSON, hints and prefilter candidates precomputed),
//! `detector-identifiers/*` (cards, IBANs, national numbers on lines full of long numbers,
//! with identifiers planted),
//! `structure/hints` and `structure/prefilter/*`, `chunk/split-64KiB` and `chunk/stream`, `scan/*` (the whole engine on each shape, 1 and 2
//! threads, and the NDJSON export read as plain text, to price structure-awareness), and
//! `report/jsonl` (writing the export's findings, in findings per second).
//! `cargo bench -- --quick` (criterion's quick mode) suits a CI smoke check.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use piiscan::detect::{self, Haystack, HintedValue, Match};
use piiscan::engine::{Config, FileContext, Scanner};
use piiscan::prefilter::{Candidates, Class, Classes};
use piiscan::report::jsonl::JsonlReporter;
use piiscan::sink::{Chunk, Flow, InputInfo, Problem, Sink, GO_ON};
use piiscan::structure::json;
use piiscan::{chunk, Finding, Kind, KindSet};

struct Inputs {
    dir: PathBuf,
    labels: HashMap<(String, Kind), usize>,
}

fn inputs() -> Inputs {
    let size = std::env::var("PIISCAN_BENCH_SIZE").unwrap_or_else(|_| "16MiB".to_string());
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-inputs/seed7-{size}"));
    if !dir.join("labels.jsonl").exists() {
        let status = Command::new(env!("CARGO_BIN_EXE_gen-corpus"))
            .args([
                "--out",
                dir.to_str().unwrap(),
                "--size",
                &size,
                "--seed",
                "7",
            ])
            .status()
            .expect("gen-corpus runs");
        assert!(status.success(), "gen-corpus failed");
    }
    let mut labels = HashMap::new();
    for line in std::fs::read_to_string(dir.join("labels.jsonl"))
        .unwrap()
        .lines()
    {
        let label: piiscan::eval::Label = serde_json::from_str(line).unwrap();
        *labels.entry((label.path, label.kind)).or_insert(0) += 1;
    }
    Inputs { dir, labels }
}

impl Inputs {
    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(name)).unwrap()
    }

    /// Fails the bench when findings of `kinds` fall below 90% of the labels of `file`.
    fn check(&self, file: &str, kinds: KindSet, found: usize) {
        let labelled: usize = kinds
            .iter()
            .map(|k| {
                self.labels
                    .get(&(file.to_string(), k))
                    .copied()
                    .unwrap_or(0)
            })
            .sum();
        assert!(
            found * 10 >= labelled * 9,
            "{file}: {found} findings of {kinds:?} for {labelled} labels: the scan is broken"
        );
    }
}

struct Count(usize);

impl Sink for Count {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        self.0 += chunk.findings.len();
        GO_ON
    }
    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        if let Problem::Error(error) = problem {
            panic!("{error}");
        }
        GO_ON
    }
}

fn hints_of(bytes: &[u8]) -> Vec<HintedValue> {
    let mut hints = Vec::new();
    json::find_hints(bytes, &mut hints);
    hints
}

fn detectors(c: &mut Criterion) {
    let inputs = inputs();
    let data = inputs.read("mixpanel.ndjson");
    // Hints and candidates are found once, outside the timed loops: each detector is timed
    // alone, and the stages that find them have benches of their own below.
    let chunks: Vec<(&[u8], Vec<HintedValue>, Candidates)> =
        chunk::split(&data, chunk::DEFAULT_CHUNK_SIZE)
            .map(|r| {
                let bytes = &data[r];
                (bytes, hints_of(bytes), Candidates::new(bytes, Classes::ALL))
            })
            .collect();
    let mut group = c.benchmark_group("detector");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    for detector in detect::detectors(KindSet::all()) {
        let kinds = detector.kinds();
        let run = || {
            let mut out: Vec<Match> = Vec::new();
            for (bytes, hints, candidates) in &chunks {
                let mut hay = Haystack::with_candidates(bytes, hints, candidates);
                hay.hint_at = Some(json::hint_of_value_at);
                detector.find(&hay, kinds, &mut out);
            }
            out.len()
        };
        inputs.check("mixpanel.ndjson", kinds, run());
        group.bench_function(detector.family(), |b| b.iter(run));
    }
    group.finish();

    let mut group = c.benchmark_group("structure");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.bench_function("hints", |b| {
        b.iter(|| {
            chunks
                .iter()
                .map(|(bytes, _, _)| hints_of(bytes).len())
                .sum::<usize>()
        })
    });
    for (name, classes) in [
        ("prefilter/all", Classes::ALL),
        (
            "prefilter/email+ip",
            Classes::NONE
                .with(Class::At)
                .with(Class::Decimal)
                .with(Class::Colon)
                .with(Class::Newline),
        ),
    ] {
        group.bench_function(name, |b| {
            let mut candidates = Candidates::default();
            b.iter(|| {
                chunks
                    .iter()
                    .map(|(bytes, _, _)| {
                        candidates.find(bytes, classes);
                        candidates.get(Class::Newline).len()
                    })
                    .sum::<usize>()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("chunk");
    group.throughput(Throughput::Bytes(data.len() as u64));
    // Splitting a mapped file only looks near each cut, so it is timed with small chunks;
    // a stream is copied through the chunker whole.
    group.bench_function("split-64KiB", |b| {
        b.iter(|| chunk::split(&data, 64 << 10).count())
    });
    group.bench_function("stream", |b| {
        b.iter(|| {
            let mut chunker =
                chunk::StreamChunker::new(std::io::Cursor::new(&data), chunk::DEFAULT_CHUNK_SIZE);
            let mut n = 0;
            while let Some(c) = chunker.next_chunk().unwrap() {
                n += c.bytes.len();
            }
            n
        })
    });
    group.finish();
}

/// The identifier detectors (payment cards, IBANs, national numbers) on lines where they
/// have work to do: 20,000 log and JSON lines full of long numbers (epoch milliseconds, order
/// ids, prices, UUIDs, phone numbers, ISBNs), one in ten holding an identifier. Each bench
/// first checks that its detector finds exactly the identifiers planted, of its kind.
fn identifiers(c: &mut Criterion) {
    const PLANTED: &[(&str, Kind)] = &[
        ("card 4111 1111 1111 1111", Kind::CreditCard),
        (r#""card_number":"5555555555554444""#, Kind::CreditCard),
        ("IBAN DE89 3704 0044 0532 0130 00", Kind::Iban),
        (r#""payee":"GB29NWBK60161331926819""#, Kind::Iban),
        ("SSN 123-45-6789", Kind::NationalId),
        (r#""bsn":"111222333""#, Kind::NationalId),
        ("codice fiscale RSSMRA85T10A562S", Kind::NationalId),
    ];
    let mut data = String::new();
    let mut planted: HashMap<Kind, usize> = HashMap::new();
    for i in 0u64..20_000 {
        let ms = 1_700_000_000_000 + i * 7919;
        let id = 100_000_000 + i * 104_729;
        if i % 10 == 0 {
            let (text, kind) = PLANTED[(i / 10) as usize % PLANTED.len()];
            *planted.entry(kind).or_default() += 1;
            if text.starts_with('"') {
                data.push_str(&format!(r#"{{"time":{ms},{text},"order_id":"{id}"}}"#));
                data.push('\n');
            } else {
                data.push_str(&format!("{ms} WARN ticket {id}: customer sent {text}\n"));
            }
        } else if i % 2 == 0 {
            data.push_str(&format!(
                "{{\"time\":{ms},\"order_id\":\"{id}{i:07}\",\"amount\":\"{id}.99\",\
                 \"trace\":\"550e8400-e29b-41d4-a716-{i:012}\",\"phone\":\"+1 201-555-{:04}\"}}\n",
                i % 10_000
            ));
        } else {
            data.push_str(&format!(
                "2024-01-15 12:30:45,123 INFO order {id} isbn 9780306406157 took {ms} ns, \
                 total 1 234 567,89 EUR, call (201) 555-{:04}\n",
                i % 10_000
            ));
        }
    }
    let data = data.into_bytes();
    let chunks: Vec<(&[u8], Vec<HintedValue>, Candidates)> =
        chunk::split(&data, chunk::DEFAULT_CHUNK_SIZE)
            .map(|r| {
                let bytes = &data[r];
                (bytes, hints_of(bytes), Candidates::new(bytes, Classes::ALL))
            })
            .collect();
    let mut group = c.benchmark_group("detector-identifiers");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    for kind in [Kind::CreditCard, Kind::Iban, Kind::NationalId] {
        let detector = detect::detectors(KindSet::of(kind)).remove(0);
        let run = || {
            let mut out: Vec<Match> = Vec::new();
            for (bytes, hints, candidates) in &chunks {
                let hay = Haystack::with_candidates(bytes, hints, candidates);
                detector.find(&hay, KindSet::of(kind), &mut out);
            }
            out.len()
        };
        assert_eq!(run(), planted[&kind], "{kind}: the detector is broken");
        group.bench_function(detector.family(), |b| b.iter(run));
    }
    group.finish();
}

/// What `piiscan scan` looks for by default: the direct identifiers.
fn scan_config() -> Config {
    Config {
        kinds: Kind::ALL.into_iter().filter(|k| !k.is_quasi()).collect(),
        ..Config::default()
    }
}

fn end_to_end(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("scan");
    group.sample_size(10);
    for file in ["mixpanel.ndjson", "export.csv", "access.log", "tickets.txt"] {
        let path = inputs.dir.join(file);
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        group.throughput(Throughput::Bytes(meta.len()));
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let scanner = Scanner::new(scan_config());
            let run = || {
                let mut count = Count(0);
                pool.install(|| scanner.scan_paths(std::slice::from_ref(&path), &mut count));
                count.0
            };
            inputs.check(file, scanner.config().kinds, run());
            group.bench_with_input(
                BenchmarkId::new(file, format!("{threads}t")),
                &threads,
                |b, _| b.iter(run),
            );
        }
    }
    // What structure-awareness costs: the same export read as plain text (`--plain`), which
    // finds less (no key hints), one thread. Compare with `mixpanel.ndjson/1t`.
    let path = inputs.dir.join("mixpanel.ndjson");
    if let Ok(meta) = std::fs::metadata(&path) {
        group.throughput(Throughput::Bytes(meta.len()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let scanner = Scanner::new(Config {
            structure: false,
            ..scan_config()
        });
        group.bench_function("mixpanel.ndjson/plain-1t", |b| {
            b.iter(|| {
                let mut count = Count(0);
                pool.install(|| scanner.scan_paths(std::slice::from_ref(&path), &mut count));
                count.0
            })
        });
    }
    // A whole file scanned as one chunk on this thread, as a library user would.
    let data = inputs.read("mixpanel.ndjson");
    let scanner = Scanner::new(scan_config());
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("mixpanel.ndjson/scan_chunk", |b| {
        b.iter(|| {
            chunk::split(&data, chunk::DEFAULT_CHUNK_SIZE)
                .map(|r| {
                    scanner
                        .scan_chunk(&data[r.clone()], r.start as u64, &FileContext::default())
                        .findings
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

/// Writing the findings: every finding of a dense export becomes a line of output (the JSONL
/// of the 1 GiB export is 63% of its size), so this is part of any scan's floor. Findings
/// are collected once, then written to a sink that discards them; throughput in findings.
fn report(c: &mut Criterion) {
    let inputs = inputs();
    let data = inputs.read("mixpanel.ndjson");
    let scanner = Scanner::new(scan_config());
    let findings: Vec<Finding> = chunk::split(&data, chunk::DEFAULT_CHUNK_SIZE)
        .flat_map(|r| {
            let chunk = &data[r.clone()];
            let context = FileContext::default();
            scanner.scan_chunk(chunk, r.start as u64, &context).findings
        })
        .collect();
    inputs.check("mixpanel.ndjson", scanner.config().kinds, findings.len());
    let file = InputInfo {
        path: "target/bench-inputs/mixpanel.ndjson".to_string(),
        name: "target/bench-inputs/mixpanel.ndjson".to_string(),
        compression: None,
        encoding: None,
    };
    let mut group = c.benchmark_group("report");
    group.throughput(Throughput::Elements(findings.len() as u64));
    group.bench_function("jsonl", |b| {
        b.iter(|| {
            let mut out = JsonlReporter::new(Box::new(std::io::sink()), false);
            let chunk = Chunk {
                input: &file,
                base: 0,
                bytes: &[],
                findings: &findings,
                judgements: None,
            };
            assert!(out.chunk(&chunk).is_continue());
        })
    });
    group.finish();
}

/// The rewriting stage of `piiscan redact`: each chunk of the NDJSON export, with its findings
/// (pseudonyms' digests made on the workers, as in a run), written to a reused buffer with
/// its values replaced under the default actions. Throughput in input bytes; the bench checks
/// that every finding of a changed kind was replaced.
fn redact(c: &mut Criterion) {
    use piiscan::redact::{Key, Plan, Rewriter};
    let inputs = inputs();
    let data = inputs.read("mixpanel.ndjson");
    let plan = Plan::new(Default::default(), Key::new(&[7; 32]).unwrap());
    let scanner = Scanner::new(Config {
        kinds: plan.scan_kinds(&[]),
        describe: false,
        hooks: piiscan::engine::Hooks {
            detectors: Vec::new(),
            values: plan.value_check(),
        },
        ..Config::default()
    });
    let chunks: Vec<(std::ops::Range<usize>, Vec<Finding>)> =
        chunk::split(&data, chunk::DEFAULT_CHUNK_SIZE)
            .map(|r| {
                let context = FileContext::default();
                let found = scanner.scan_chunk(&data[r.clone()], r.start as u64, &context);
                (r, found.findings)
            })
            .collect();
    let changed = chunks
        .iter()
        .flat_map(|(_, f)| f)
        .filter(|f| plan.action(f.kind) != piiscan::detect::RedactAction::Keep)
        .count() as u64;
    assert!(changed > 0);
    let mut out = Vec::with_capacity(data.len() + data.len() / 4);
    let mut group = c.benchmark_group("redact");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("rewrite", |b| {
        b.iter(|| {
            out.clear();
            let mut rewriter = Rewriter::new(&plan);
            for (r, findings) in &chunks {
                rewriter
                    .chunk(&data[r.clone()], r.start as u64, findings, &mut out)
                    .unwrap();
            }
            assert_eq!(rewriter.counts.total(), changed);
        })
    });
    group.finish();
}

criterion_group!(benches, detectors, identifiers, end_to_end, report, redact);
criterion_main!(benches);

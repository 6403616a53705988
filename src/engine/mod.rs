//! The engine: chunks in, ordered findings out.
//!
//! Inputs are cut into newline-aligned chunks ([`crate::chunk`]) and a batch of chunks, from one
//! large file or many small ones, is scanned in parallel on the rayon pool. Each chunk goes
//! through the whole pipeline on one thread ([`pipeline`]): the prefilter pass, structure
//! hints, every detector, overlap resolution ([`resolve`]), then line, column, field and mask
//! for what was kept ([`build`]). The [`driver`] hands each batch's results to a
//! [`crate::sink::Sink`] in input order, so the output is the same whatever the number of
//! threads, and memory stays bounded by the batch size rather than growing with the input.
//!
//! The engine reads inputs through [`crate::source`] and knows nothing of what its sink does
//! with the events: reporters, the gate and the exposure aggregation are all downstream.

mod build;
mod context;
mod document;
mod driver;
pub mod examples;
mod fingerprint;
mod long_line;
mod pipeline;
mod records;
mod resolve;
#[cfg(test)]
mod tests;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use self::fingerprint::FingerprintHasher;
use crate::chunk;
use crate::detect::{self, Detector, Kind, KindSet};
use crate::finding::Checked;
use crate::prefilter::Classes;
use crate::sink::{Sink, Stats};
use crate::source::archive::DEFAULT_MAX_DEPTH;
use crate::source::decompress::DEFAULT_MAX_RATIO;
use crate::structure::keys::{Hint, KeyFilter};

pub use context::{FileContext, Resume};
pub use pipeline::ChunkResult;

/// The stages of [`Scanner::scan_chunk`] besides the detectors, timed for `--stats`.
const STAGES: [&str; 5] = [
    "stage:prefilter",
    "stage:hints",
    "stage:escapes",
    "stage:resolve",
    "stage:build",
];

/// What the user asked for, validated.
#[derive(Clone, Debug)]
pub struct Config {
    pub kinds: KindSet,
    pub chunk_size: usize,
    pub show_values: bool,
    /// Scan files that look binary instead of skipping them.
    pub binary: bool,
    /// The cap on decompressed bytes per compressed byte, and on the bytes an input's archives
    /// may yield per byte of the input.
    pub max_ratio: u64,
    /// How many archives deep members are read (an archive deeper is skipped).
    pub max_depth: usize,
    /// Follow symbolic links met in folders wherever they lead (by default, not out of the
    /// paths named).
    pub follow: bool,
    /// Give each finding a fingerprint: a hash of its value under a key drawn at random for
    /// this run, so that distinct values can be counted without any value being kept.
    pub fingerprints: bool,
    /// The key of fingerprints, when they must be the same from run to run (a report's
    /// distinct counts compared across runs); `None` draws one for the run.
    pub fingerprint_key: Option<[u64; 2]>,
    /// Give each finding its masked value and field name. Off when the output is counts
    /// only (the summary): masking and walking JSON paths are most of the cost of a finding.
    pub describe: bool,
    /// Give each described finding its masked value too. Off when findings are only counted
    /// by field (the exposure report): a mask is a string built per finding, and the
    /// report never prints one.
    pub masks: bool,
    /// Read JSON and CSV structure: key hints, key paths and column names, `\u` escapes.
    /// Off, every input is plain text (`--plain`), which is what the structure costs is
    /// measured against.
    pub structure: bool,
    /// Detectors and checks from outside the engine (a policy's); none by default.
    pub hooks: Hooks,
    /// Files never scanned, by identity: the run's own output file, which a walk of the folder
    /// it lies in would otherwise read while it is being written.
    pub exclude: Vec<PathBuf>,
    /// The delimiter of delimited files (`--delimiter`); sniffed from each file's head when
    /// `None`.
    pub delimiter: Option<u8>,
    /// Scan only this share of the inputs (`--shard K/N`, see [`crate::source::shard`]).
    pub shard: Option<crate::source::shard::Shard>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            kinds: KindSet::all(),
            chunk_size: chunk::DEFAULT_CHUNK_SIZE,
            show_values: false,
            binary: false,
            max_ratio: DEFAULT_MAX_RATIO,
            max_depth: DEFAULT_MAX_DEPTH,
            follow: false,
            fingerprints: false,
            fingerprint_key: None,
            describe: true,
            masks: true,
            structure: true,
            hooks: Hooks::default(),
            exclude: Vec::new(),
            delimiter: None,
            shard: None,
        }
    }
}

/// What a policy adds to the engine: detectors of its own kinds, and a check of each raw
/// value while it is still in memory (allowlists by value, domain or IP range; baseline
/// digests), run on the worker threads. Empty by default, and then free: scans without a
/// policy never call into it.
#[derive(Clone, Default)]
pub struct Hooks {
    /// More detectors, run after the built-in ones. A detector of a built-in family (a
    /// policy's secret rules with ours) replaces the built-in one; those of custom kinds are
    /// resolved among themselves (see [`resolve`]), so they add findings and never hide any.
    pub detectors: Vec<Arc<dyn Detector>>,
    /// Called once per finding with its raw bytes; what it returns is the finding's
    /// [`crate::finding::Finding::checked`].
    pub values: Option<Arc<dyn ValueCheck>>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("detectors", &self.detectors.len())
            .field("values", &self.values.is_some())
            .finish()
    }
}

/// A look at the raw value of each finding, on the thread that found it, so that no raw value
/// has to travel downstream of the engine. It must not keep or print the value.
pub trait ValueCheck: Send + Sync {
    fn check(&self, kind: Kind, raw: &[u8]) -> Checked;
}

/// Scans bytes for personal data.
pub struct Scanner {
    config: Config,
    detectors: Vec<Box<dyn Detector>>,
    /// Whether any enabled detector needs the key hint of every value (the name, place,
    /// coordinate and quasi-identifier detectors do), and the filter for the keys they need.
    /// The IP detectors read a key only for the odd candidate, on demand.
    needs_hints: bool,
    key_filter: KeyFilter,
    /// The candidate classes the detectors visit, together.
    detector_classes: Classes,
    /// The key of fingerprints: the configuration's, or drawn for this run.
    fingerprint_key: FingerprintHasher,
    /// The detectors that keep personal data out of field names, made when first needed.
    field_detectors: std::sync::OnceLock<Vec<Box<dyn Detector>>>,
}

impl Scanner {
    pub fn new(config: Config) -> Scanner {
        let mut detectors = detect::detectors(config.kinds);
        // A hook of a built-in family (a policy's secret rules, with ours) takes its place.
        let hooked = |d: &dyn Detector| {
            let family = d.family();
            config.hooks.detectors.iter().any(|h| h.family() == family)
        };
        detectors.retain(|d| !hooked(d.as_ref()));
        for extra in &config.hooks.detectors {
            detectors.push(Box::new(Arc::clone(extra)));
        }
        let kinds = config.kinds;
        let enabled = || kinds.iter().filter_map(Kind::spec);
        // Hints are found up front for the kinds whose detectors read a key at every value;
        // the IP detectors read one only now and then, on demand.
        let needs_hints = config.structure && enabled().any(|s| !s.reads.is_empty());
        // With hints found anyway, an e-mail key settles ties between kinds on one span.
        let key_filter = KeyFilter::new(|h| {
            enabled().any(|s| s.reads.contains(&h)) || (h == Hint::Email && needs_hints)
        });
        let detector_classes = detectors
            .iter()
            .fold(Classes::NONE, |c, d| c.union(d.classes()));
        let fingerprint_key = FingerprintHasher::new(config.fingerprint_key);
        Scanner {
            config,
            detectors,
            needs_hints,
            key_filter,
            detector_classes,
            fingerprint_key,
            field_detectors: std::sync::OnceLock::new(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The names of what [`ChunkResult::stage_times`] times, in its order: each detector
    /// family, then the engine's own stages (`stage:prefilter`, ...).
    pub fn stage_names(&self) -> Vec<&'static str> {
        let detectors = self.detectors.iter().map(|d| d.family());
        detectors.chain(STAGES).collect()
    }

    /// Scans every target of `paths` and hands its events to `sink` in input order.
    pub fn scan_paths(&self, paths: &[PathBuf], sink: &mut dyn Sink) -> Stats {
        let started = Instant::now();
        let mut driver = driver::Driver::new(self, sink);
        driver.add_paths(paths);
        driver.finish();
        let mut stats = driver.into_stats();
        stats.elapsed = started.elapsed();
        stats
    }

    /// Scans one stream (stdin, a pipe, a decompressed file) named `path` in the output.
    pub fn scan_reader(&self, path: &Path, reader: impl Read + Send, sink: &mut dyn Sink) -> Stats {
        let started = Instant::now();
        let mut driver = driver::Driver::new(self, sink);
        driver.add_reader(path, Box::new(reader));
        driver.finish();
        let mut stats = driver.into_stats();
        stats.elapsed = started.elapsed();
        stats
    }
}

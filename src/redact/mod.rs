//! `piiscan redact`: a safe copy of each input, byte for byte the same outside the values it
//! replaces.
//!
//! The copy is made from the scan's own events, not by a second scanner: [`Redactor`] is a
//! [`Sink`] that hears each chunk's bytes and findings in input order and writes the bytes
//! with each finding replaced ([`rewrite`]), into a temporary file beside the destination that
//! is renamed into place when the input was read whole ([`crate::output`]); an input that
//! could not be read whole leaves no copy. A compressed input is written compressed the same
//! way (gzip, zstd).
//!
//! What replaces a value is its kind's action ([`crate::detect::Redaction`] gives the
//! defaults; a policy's `[redact]` table and `--action` others), or the action of the field it
//! lies under: a mask, a keyed pseudonym ([`pseudonym`]), a coarser value ([`generalise`]),
//! nothing, or the value kept. Pseudonyms are keyed HMACs computed on the worker threads,
//! through the engine's value hook ([`crate::engine::ValueCheck`]), where the raw value is at
//! hand: the thread that writes the copy only formats them.
//!
//! [`Verifier`] is the check of a copy: a sink over a scan of the copies that counts each
//! finding of a kind that was to be changed and is not something redact writes (a pseudonym,
//! a mask, a value already as general as generalising makes it).

pub mod fields;
pub mod generalise;
pub mod pseudonym;
pub mod rewrite;

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::detect::normal::FOLD_MAX;
use crate::detect::{Kind, KindSet, RedactAction};
use crate::engine::ValueCheck;
use crate::finding::{Checked, Finding};
use crate::output::{Output, OutputError, Readers};
use crate::policy::redact::{RedactRules, DEFAULT_DECIMALS};
use crate::sink::{Chunk, Flow, InputEnd, InputInfo, Problem, Sink, GO_ON};
use crate::source::decompress::Compression;

pub use pseudonym::Key;
pub use rewrite::Rewriter;

/// The digests each thread keeps (see [`Plan::digest`]): some 6 MiB at most.
const DIGEST_CACHE: usize = 1 << 16;

/// A digest kept by a thread: the kind and normal form it is of, to confirm a hit.
type Kept = (Kind, Box<[u8]>, pseudonym::Digest);

thread_local! {
    /// Digests by a hash of the kind and normal form. One run has one key, so nothing of
    /// another key can be found here.
    static DIGESTS: std::cell::RefCell<rustc_hash::FxHashMap<u64, Kept>> =
        std::cell::RefCell::default();
}

/// What a run of `redact` does: the rules, the key, and what follows from them.
#[derive(Clone)]
pub struct Plan {
    pub rules: RedactRules,
    /// The action of each built-in kind, in [`Kind::ALL`] order.
    actions: [RedactAction; Kind::ALL.len()],
    pub decimals: u8,
    key: Arc<Key>,
    /// The last keys of the field rules, as they are written in JSON (`"notes"`): a line
    /// without any holds no field value. `None` when a rule's last key is a pattern.
    pub field_keys: Option<Vec<memchr::memmem::Finder<'static>>>,
}

impl Plan {
    pub fn new(rules: RedactRules, key: Key) -> Plan {
        let actions = Kind::ALL.map(|k| rules.action(k));
        let decimals = rules.decimals.unwrap_or(DEFAULT_DECIMALS);
        let field_keys = rules
            .fields
            .iter()
            .map(|r| {
                r.last_key().map(|k| {
                    memchr::memmem::Finder::new(format!("\"{k}\"").as_bytes()).into_owned()
                })
            })
            .collect();
        Plan {
            rules,
            actions,
            decimals,
            key: Arc::new(key),
            field_keys,
        }
    }

    /// The action for findings of `kind` (outside a field with a rule).
    pub fn action(&self, kind: Kind) -> RedactAction {
        match Kind::ALL.iter().position(|&k| k == kind) {
            Some(i) => self.actions[i],
            None => self.rules.action(kind),
        }
    }

    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The keyed digest of a raw value of `kind`, in its normal form.
    ///
    /// An export names the same people over and over, and an HMAC costs two or three
    /// SHA-256 blocks (a fifth of a run's instructions when each finding paid for one): each
    /// thread keeps the digests of the values it met last, up to [`DIGEST_CACHE`] of them,
    /// by their normal form. A short ASCII value without escapes is normalised on the stack.
    pub fn digest(&self, kind: Kind, raw: &[u8]) -> pseudonym::Digest {
        use std::hash::{Hash, Hasher};
        let mut folded = [0u8; FOLD_MAX];
        let owned;
        let normal: &[u8] = match (!raw.contains(&b'%'))
            .then(|| kind.normal().fold_ascii(raw, &mut folded))
            .flatten()
        {
            Some(n) => &folded[..n],
            None => {
                owned = kind.normal().apply(rewrite::decode(raw).as_bytes());
                owned.as_bytes()
            }
        };
        let mut hasher = rustc_hash::FxHasher::default();
        kind.hash(&mut hasher);
        normal.hash(&mut hasher);
        let hash = hasher.finish();
        DIGESTS.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some((k, value, digest)) = cache.get(&hash) {
                if *k == kind && **value == *normal {
                    return *digest;
                }
            }
            let digest = self.key.digest(kind.name(), normal);
            if cache.len() >= DIGEST_CACHE {
                cache.clear();
            }
            cache.insert(hash, (kind, normal.into(), digest));
            digest
        })
    }

    /// The kinds to scan: those that are changed, and those that compete with them for the
    /// same text (a place beats a name on `Santa Barbara`; its findings are then kept).
    pub fn scan_kinds(&self, custom: &[Kind]) -> KindSet {
        let mut set: KindSet = Kind::ALL
            .into_iter()
            .filter(|&k| self.action(k) != RedactAction::Keep)
            .collect();
        for spec in set.iter().filter_map(Kind::spec) {
            for &kind in spec.competes_with {
                set.insert(kind);
            }
        }
        for &kind in custom {
            if self.action(kind) != RedactAction::Keep {
                set.insert(kind);
            }
        }
        // Field rules can keep what a detector finds: the kinds kept are still not scanned.
        set
    }

    /// The engine hook that computes pseudonyms' digests on the worker threads.
    pub fn value_check(&self) -> Option<Arc<dyn ValueCheck>> {
        let any = Kind::ALL
            .iter()
            .any(|&k| self.action(k) == RedactAction::Pseudonymise)
            || self.rules.pseudonymises(std::iter::empty());
        any.then(|| Arc::new(Digests(self.clone())) as Arc<dyn ValueCheck>)
    }

    /// Whether a value found in a copy is one that redact writes for `kind` (or one it may
    /// leave: a value of a kind that is kept).
    pub fn leaves(&self, kind: Kind, action: RedactAction, raw: &[u8]) -> bool {
        let value = rewrite::decode(raw);
        let ours = match action {
            RedactAction::Keep => true,
            RedactAction::Mask => value.contains('*'),
            RedactAction::Pseudonymise => pseudonym::recognises(kind, &value),
            RedactAction::Generalise => generalise::is_general(kind, &value, self.decimals),
            RedactAction::Remove => false,
        };
        // A city or region generalised writes its country; another kind's pseudonym can hold
        // text a detector takes for this kind (`Person 3f9a…`).
        ours || (kind == Kind::Country
            && [Kind::City, Kind::Region]
                .iter()
                .any(|&k| self.action(k) == RedactAction::Generalise)
            && generalise::is_country_name(&value))
            || Kind::ALL
                .iter()
                .filter(|&&k| k != kind && self.action(k) == RedactAction::Pseudonymise)
                .any(|&k| pseudonym::recognises(k, &value))
    }
}

/// The pseudonyms' digests, on the worker threads (see the module documentation).
struct Digests(Plan);

impl ValueCheck for Digests {
    fn check(&self, kind: Kind, raw: &[u8]) -> Checked {
        let digest =
            (self.0.action(kind) == RedactAction::Pseudonymise).then(|| self.0.digest(kind, raw));
        Checked {
            allowed_by: None,
            digest,
        }
    }
}

/// Values replaced, by action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub masked: u64,
    pub pseudonymised: u64,
    pub generalised: u64,
    pub removed: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.masked += other.masked;
        self.pseudonymised += other.pseudonymised;
        self.generalised += other.generalised;
        self.removed += other.removed;
    }

    pub fn total(&self) -> u64 {
        self.masked + self.pseudonymised + self.generalised + self.removed
    }
}

/// Where the copies go.
#[derive(Clone, Debug)]
pub enum Destinations {
    /// Standard output (one input, `-`).
    Stdout,
    /// One file.
    File(PathBuf),
    /// A file per input, by the input's name as the scan reports it.
    Each(HashMap<String, PathBuf>),
}

/// A copy being written, compressed as its input was.
enum Encoded {
    Plain(Output),
    Gzip(flate2::write::GzEncoder<Output>),
    Zstd(zstd::stream::write::Encoder<'static, Output>),
    Xz(liblzma::write::XzEncoder<Output>),
    Bzip2(bzip2::write::BzEncoder<Output>),
}

impl Encoded {
    fn new(output: Output, compression: Option<Compression>) -> io::Result<Encoded> {
        Ok(match compression {
            None => Encoded::Plain(output),
            Some(Compression::Gzip) => Encoded::Gzip(flate2::write::GzEncoder::new(
                output,
                flate2::Compression::default(),
            )),
            Some(Compression::Zstd) => Encoded::Zstd(zstd::stream::write::Encoder::new(output, 3)?),
            Some(Compression::Xz) => Encoded::Xz(liblzma::write::XzEncoder::new(output, 6)),
            Some(Compression::Bzip2) => Encoded::Bzip2(bzip2::write::BzEncoder::new(
                output,
                bzip2::Compression::default(),
            )),
        })
    }

    fn finish(self) -> io::Result<Output> {
        match self {
            Encoded::Plain(output) => Ok(output),
            Encoded::Gzip(encoder) => encoder.finish(),
            Encoded::Zstd(encoder) => encoder.finish(),
            Encoded::Xz(encoder) => encoder.finish(),
            Encoded::Bzip2(encoder) => encoder.finish(),
        }
    }
}

impl Write for Encoded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoded::Plain(o) => o.write(buf),
            Encoded::Gzip(o) => o.write(buf),
            Encoded::Zstd(o) => o.write(buf),
            Encoded::Xz(o) => o.write(buf),
            Encoded::Bzip2(o) => o.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoded::Plain(o) => o.flush(),
            Encoded::Gzip(o) => o.flush(),
            Encoded::Zstd(o) => o.flush(),
            Encoded::Xz(o) => o.flush(),
            Encoded::Bzip2(o) => o.flush(),
        }
    }
}

struct Current<'p> {
    rewriter: Rewriter<'p>,
    out: BufWriter<Encoded>,
    path: String,
    failed: bool,
}

/// The sink that writes the redacted copies. See the module documentation.
pub struct Redactor<'p> {
    plan: &'p Plan,
    destinations: Destinations,
    inputs: Vec<PathBuf>,
    current: Option<Current<'p>>,
    /// The copies written, in order.
    pub written: Vec<PathBuf>,
    /// Inputs left without a copy, and why (already printed).
    pub failed: u64,
    pub counts: Counts,
}

impl<'p> Redactor<'p> {
    pub fn new(plan: &'p Plan, destinations: Destinations, inputs: Vec<PathBuf>) -> Redactor<'p> {
        Redactor {
            plan,
            destinations,
            inputs,
            current: None,
            written: Vec::new(),
            failed: 0,
            counts: Counts::default(),
        }
    }

    fn open(&self, input: &InputInfo) -> Result<(Output, Option<PathBuf>), String> {
        let destination = match &self.destinations {
            Destinations::Stdout => None,
            Destinations::File(path) => Some(path.clone()),
            Destinations::Each(map) => match map.get(&input.name) {
                Some(path) => Some(path.clone()),
                None => return Err("no destination was planned for it".into()),
            },
        };
        if let Some(parent) = destination.as_deref().and_then(Path::parent) {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    format!("cannot create {}: {e}", crate::source::display_path(parent))
                })?;
            }
        }
        let output = Output::create(destination.as_deref(), &self.inputs, Readers::Usual)
            .map_err(|e: OutputError| e.to_string())?;
        Ok((output, destination))
    }

    fn fail(&mut self, path: &str, why: &str) {
        eprintln!("piiscan: {path}: {why}; no redacted copy written");
        self.failed += 1;
    }
}

impl Sink for Redactor<'_> {
    fn begin(&mut self, input: &InputInfo) -> Flow {
        if input.encoding.is_some() {
            self.fail(&input.path, "UTF-16 inputs are not redacted yet");
            return GO_ON;
        }
        match self.open(input) {
            Ok((output, destination)) => match Encoded::new(output, input.compression) {
                Ok(encoded) => {
                    self.current = Some(Current {
                        rewriter: Rewriter::new(self.plan, &input.name),
                        out: BufWriter::with_capacity(1 << 20, encoded),
                        path: destination
                            .map(|d| d.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        failed: false,
                    })
                }
                Err(e) => self.fail(&input.path, &e.to_string()),
            },
            Err(why) => self.fail(&input.path, &why),
        }
        GO_ON
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        let Some(current) = self.current.as_mut() else {
            return GO_ON;
        };
        if current.failed {
            return GO_ON;
        }
        let written =
            current
                .rewriter
                .chunk(chunk.bytes, chunk.base, chunk.findings, &mut current.out);
        match written {
            Ok(()) => GO_ON,
            // The reader of standard output went away: nothing more to write.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::ops::ControlFlow::Break(()),
            Err(e) => {
                current.failed = true;
                let why = format!("cannot write the copy: {e}");
                let path = chunk.input.path.clone();
                self.fail(&path, &why);
                GO_ON
            }
        }
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        match problem {
            Problem::Error(error) => {
                eprintln!("piiscan: {error}");
                if let Some(current) = self.current.as_mut() {
                    current.failed = true;
                }
                self.failed += 1;
            }
            Problem::Skipped { path, reason } => {
                self.fail(path, &format!("skipped ({reason})"));
            }
            Problem::Note { path, message } => eprintln!("piiscan: {path}: {message}"),
        }
        GO_ON
    }

    fn end(&mut self, input: &InputInfo, end: &InputEnd) -> Flow {
        let Some(current) = self.current.take() else {
            return GO_ON;
        };
        self.counts.add(&current.rewriter.counts);
        if current.failed || !end.complete {
            if !current.failed {
                self.fail(&input.path, "it was not read to its end");
            }
            // Dropping the temporary file removes it.
            return GO_ON;
        }
        let committed = current
            .out
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(Encoded::finish)
            .map_err(|e| e.to_string())
            .and_then(|output| output.commit().map_err(|e| e.to_string()));
        match committed {
            Ok(()) if !current.path.is_empty() => self.written.push(PathBuf::from(current.path)),
            Ok(()) => {}
            Err(why) => self.fail(&input.path, &why),
        }
        GO_ON
    }
}

/// The check of the copies: counts what a scan of them finds that should have been changed.
pub struct Verifier<'p> {
    plan: &'p Plan,
    /// Findings that remain, in all.
    pub remaining: u64,
    pub errors: u64,
    shown: u64,
}

impl<'p> Verifier<'p> {
    pub fn new(plan: &'p Plan) -> Verifier<'p> {
        Verifier {
            plan,
            remaining: 0,
            errors: 0,
            shown: 0,
        }
    }

    fn action(&self, f: &Finding) -> RedactAction {
        let field = f
            .field
            .as_deref()
            .and_then(|name| self.plan.rules.field(name));
        field.map_or(self.plan.action(f.kind), |rule| rule.action)
    }
}

impl Sink for Verifier<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        for f in chunk.findings {
            let action = self.action(f);
            let start = (f.offset - chunk.base) as usize;
            let raw = &chunk.bytes[start..start + f.length as usize];
            if self.plan.leaves(f.kind, action, raw) {
                continue;
            }
            self.remaining += 1;
            if self.shown < 10 {
                self.shown += 1;
                eprintln!(
                    "piiscan: verify: {}:{}:{}: {} {} remains",
                    chunk.input.path, f.line, f.column, f.kind, f.masked
                );
            }
        }
        GO_ON
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        match problem {
            Problem::Error(error) => {
                eprintln!("piiscan: verify: {error}");
                self.errors += 1;
            }
            Problem::Skipped { path, reason } => {
                eprintln!("piiscan: verify: {path}: skipped ({reason})");
                self.errors += 1;
            }
            Problem::Note { .. } => {}
        }
        GO_ON
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stack path, the general path and the cache give one digest per value.
    #[test]
    fn one_value_has_one_digest_however_written_and_whenever_asked() {
        let plan = Plan::new(RedactRules::default(), Key::new(&[3; 32]).unwrap());
        let spellings: &[&[u8]] = &[
            b"Jane.Doe@Example.com",
            b"jane.doe@example.com",
            b"jane.doe%40example.com",
            br"jane.doe\u0040example.com",
        ];
        let want = plan.key().digest("email", b"jane.doe@example.com");
        for _ in 0..2 {
            for raw in spellings {
                assert_eq!(plan.digest(Kind::Email, raw), want, "{raw:?}");
            }
        }
        assert_ne!(plan.digest(Kind::PersonName, b"jane.doe@example.com"), want);
    }
}

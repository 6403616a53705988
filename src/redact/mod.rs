//! `piiscan redact`: a safe copy of each input, byte for byte the same outside the values it
//! replaces.
//!
//! The copy is made from the scan's own events, not by a second scanner: [`Redactor`] is a
//! [`Sink`] that hears each chunk's bytes and findings in input order and writes the bytes
//! with each finding replaced ([`rewrite`]), into a temporary file beside the destination that
//! is renamed into place when the input was read whole ([`crate::output`]); an input that
//! could not be read whole leaves no copy. A compressed input is written compressed the same
//! way (gzip, zstd, xz, bzip2), and an archive member by member ([`archive`]). A CSV file is
//! rewritten by the header and dialect the scan read it with ([`crate::sink::Layout`]).
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

mod archive;
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
use crate::sink::{Archive, Chunk, Flow, InputEnd, InputInfo, Layout, Problem, Sink, GO_ON};
use crate::source::archive::Entry;

use crate::source::decompress::Compression;
use archive::Target;

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
enum Encoded<W: Write> {
    Plain(W),
    Gzip(flate2::write::GzEncoder<W>),
    Zstd(zstd::stream::write::Encoder<'static, W>),
    Xz(liblzma::write::XzEncoder<W>),
    Bzip2(bzip2::write::BzEncoder<W>),
}

impl<W: Write> Encoded<W> {
    fn new(output: W, compression: Option<Compression>) -> io::Result<Encoded<W>> {
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

    fn finish(self) -> io::Result<W> {
        match self {
            Encoded::Plain(output) => Ok(output),
            Encoded::Gzip(encoder) => encoder.finish(),
            Encoded::Zstd(encoder) => encoder.finish(),
            Encoded::Xz(encoder) => encoder.finish(),
            Encoded::Bzip2(encoder) => encoder.finish(),
        }
    }
}

impl<W: Write> Write for Encoded<W> {
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
    out: BufWriter<Encoded<Target>>,
    path: String,
    failed: bool,
    /// For a member of an archive, its entry there.
    entry: Option<Entry>,
}

/// The sink that writes the redacted copies. See the module documentation.
pub struct Redactor<'p> {
    plan: &'p Plan,
    destinations: Destinations,
    inputs: Vec<PathBuf>,
    current: Option<Current<'p>>,
    /// The archives being written, innermost last.
    archives: Vec<archive::Open>,
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
            archives: Vec::new(),
            written: Vec::new(),
            failed: 0,
            counts: Counts::default(),
        }
    }

    /// Where the copy of the input (or archive) named `name` goes, opened.
    fn open(&self, name: &str) -> Result<(Output, Option<PathBuf>), String> {
        let destination = match &self.destinations {
            Destinations::Stdout => None,
            Destinations::File(path) => Some(path.clone()),
            Destinations::Each(map) => match map.get(name) {
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

    /// A member of the archive being written cannot be copied: neither can the archive.
    fn fail_member(&mut self, path: &str, why: &str) {
        if let Some(open) = self.archives.last_mut() {
            if !open.failed() {
                eprintln!(
                    "piiscan: {path}: {why}; its archive gets no redacted copy (a member not                      redacted could hold what the copy must not)"
                );
            }
            open.fail();
        }
    }

    /// The end of an input or member whose copy was written to `current.out`.
    fn finish(&mut self, input: &InputInfo, current: Current<'p>) {
        let finished = current
            .out
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(Encoded::finish)
            .map_err(|e| e.to_string());
        match finished {
            Ok(Target::Output(output)) => match output.commit() {
                Ok(()) if !current.path.is_empty() => {
                    self.written.push(PathBuf::from(current.path))
                }
                Ok(()) => {}
                Err(why) => self.fail(&input.path, &why.to_string()),
            },
            Ok(Target::Temp(file)) => {
                let appended = match (self.archives.last_mut(), &current.entry) {
                    (Some(open), Some(entry)) => open.append(entry, file),
                    _ => Err("its entry in the archive is not known".into()),
                };
                if let Err(why) = appended {
                    self.fail_member(&input.path, &why);
                }
            }
            Err(why) if self.archives.is_empty() => self.fail(&input.path, &why),
            Err(why) => self.fail_member(&input.path, &why),
        }
    }
}

impl Sink for Redactor<'_> {
    fn begin(&mut self, input: &InputInfo) -> Flow {
        let in_archive = !self.archives.is_empty();
        if in_archive && self.archives.last().is_some_and(archive::Open::failed) {
            return GO_ON;
        }
        if input.encoding.is_some() {
            let why = "UTF-16 inputs are not redacted yet";
            match in_archive {
                true => self.fail_member(&input.path, why),
                false => self.fail(&input.path, why),
            }
            return GO_ON;
        }
        let opened = if in_archive {
            tempfile::tempfile()
                .map(|file| (Target::Temp(file), None))
                .map_err(|e| format!("cannot make a temporary file: {e}"))
        } else {
            self.open(&input.name)
                .map(|(output, destination)| (Target::Output(output), destination))
        };
        let encoded = opened.and_then(|(target, destination)| {
            Encoded::new(target, input.compression)
                .map(|encoded| (encoded, destination))
                .map_err(|e| e.to_string())
        });
        match encoded {
            Ok((encoded, destination)) => {
                self.current = Some(Current {
                    rewriter: Rewriter::new(self.plan),
                    out: BufWriter::with_capacity(1 << 20, encoded),
                    path: destination
                        .map(|d| d.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    failed: false,
                    entry: None,
                })
            }
            Err(why) if in_archive => self.fail_member(&input.path, &why),
            Err(why) => self.fail(&input.path, &why),
        }
        GO_ON
    }

    fn layout(&mut self, input: &InputInfo, layout: &Layout<'_>) -> Flow {
        let Some(current) = self.current.as_mut() else {
            return GO_ON;
        };
        current.rewriter.set_csv(layout.csv.cloned());
        current.entry = layout.entry.cloned();
        if layout.records {
            current.failed = true;
            let why = "Parquet inputs are not redacted yet";
            match self.archives.is_empty() {
                true => self.fail(&input.path, why),
                false => self.fail_member(&input.path, why),
            }
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
                match self.archives.is_empty() {
                    true => self.fail(&path, &why),
                    false => self.fail_member(&path, &why),
                }
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
                match self.archives.last_mut() {
                    Some(open) => open.fail(),
                    None => self.failed += 1,
                }
            }
            Problem::Skipped { path, reason } if !self.archives.is_empty() => {
                self.fail_member(path, &format!("skipped ({reason})"));
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
                let why = "it was not read to its end";
                match self.archives.is_empty() {
                    true => self.fail(&input.path, why),
                    false => self.fail_member(&input.path, why),
                }
            }
            if let Some(open) = self.archives.last_mut() {
                open.fail();
            }
            // Dropping the temporary file removes it.
            return GO_ON;
        }
        self.finish(input, current);
        GO_ON
    }

    fn archive(&mut self, event: &Archive<'_>) -> Flow {
        match *event {
            Archive::Begin {
                path,
                name,
                container,
                compression,
                entry,
            } => {
                let nested = !self.archives.is_empty();
                let opened = if nested {
                    tempfile::tempfile()
                        .map(|file| (Target::Temp(file), None))
                        .map_err(|e| format!("cannot make a temporary file: {e}"))
                } else {
                    self.open(name)
                        .map(|(output, destination)| (Target::Output(output), destination))
                };
                let open = opened.and_then(|(target, destination)| {
                    archive::Open::new(
                        container,
                        target,
                        compression,
                        entry.cloned(),
                        path.to_string(),
                        destination,
                    )
                });
                match open {
                    Ok(open) => self.archives.push(open),
                    Err(why) => {
                        if nested {
                            self.fail_member(path, &why);
                        }
                        // A failed archive keeps the nesting: no copy is made of it.
                        if !nested {
                            self.fail(path, &why);
                        }
                        self.archives
                            .push(archive::Open::failed_at(path.to_string()));
                    }
                }
            }
            Archive::Other(entry) => {
                if let Some(open) = self.archives.last_mut() {
                    if let Err(why) = open.other(entry) {
                        let path =
                            format!("{}!{}", open.path, String::from_utf8_lossy(&entry.name));
                        let path = crate::source::printable(&path).into_owned();
                        self.fail_member(&path, &why);
                    }
                }
            }
            Archive::End => {
                let Some(open) = self.archives.pop() else {
                    return GO_ON;
                };
                let path = open.path.clone();
                let destination = open.destination.clone();
                let already = open.failed();
                match open.finish() {
                    Ok((Target::Output(output), _)) => match output.commit() {
                        Ok(()) => self.written.extend(destination),
                        Err(why) => self.fail(&path, &why.to_string()),
                    },
                    Ok((Target::Temp(file), Some(entry))) => {
                        if let Some(parent) = self.archives.last_mut() {
                            if let Err(why) = parent.append(&entry, file) {
                                self.fail_member(&path, &why);
                            }
                        }
                    }
                    Ok((Target::Temp(_), None)) => {
                        self.fail_member(&path, "its entry in the archive is not known")
                    }
                    Err(why) if self.archives.is_empty() => {
                        // The member that failed was named already.
                        let why = if already {
                            "a member could not be redacted".into()
                        } else {
                            why
                        };
                        self.fail(&path, &why);
                    }
                    Err(why) => {
                        if !already {
                            self.fail_member(&path, &why);
                        } else if let Some(parent) = self.archives.last_mut() {
                            parent.fail();
                        }
                    }
                }
            }
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

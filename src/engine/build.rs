//! From kept matches to findings: line, column, field name, mask, fingerprint and the
//! policy's check of the raw value, all while the chunk's bytes are at hand, so that nothing
//! downstream needs them.
//!
//! Field names are worked out only for the lines that hold findings: the JSON key path is
//! replayed from the key ends and brackets the prefilter listed (or walked by the tokenizer),
//! a CSV cell is named by its column. A name is made fit to print once per chunk ([`FieldNames`]):
//! keys that are themselves personal data are masked as their findings would be.

use std::ops::Range;
use std::sync::Arc;

use compact_str::CompactString;

use super::{resolve, FileContext, Resume, Scanner};
use crate::detect::{self, Haystack, KindSet, Match};
use crate::finding::Finding;
use crate::prefilter::{Candidates, Class};
use crate::structure::json;

impl Scanner {
    /// A field name fit to print: the keys (spans of `name`, see [`json::paths_at`]) that are
    /// themselves personal data are masked as their findings are, whatever kinds the scan
    /// looks for, so that the `field` of a finding cannot show what its `masked` hides. Run
    /// once per distinct name per chunk.
    ///
    /// A name longer than [`MAX_FIELD`] bytes (a value nested thousands deep, in a broken or
    /// hostile file) keeps its innermost keys only, after `…`: it would be printed in every
    /// finding under it.
    pub(super) fn field_name(&self, name: &[u8], keys: &[(usize, usize)]) -> Arc<str> {
        let mut out = String::new();
        let (name, keys) = match innermost_keys(name, keys) {
            Some((name, keys)) => {
                out.push('…');
                (name, std::borrow::Cow::Owned(keys))
            }
            None => (name, std::borrow::Cow::Borrowed(keys)),
        };
        // What the built-in detectors can find in a bare key needs one of these: `@` or an
        // escape of it (e-mail), digits or `:` (addresses, coordinates), a capital (names and
        // places) or a byte past ASCII. Ordinary keys (`properties`, `$email`) have none.
        let suspect = |key: &[u8]| {
            !key.is_ascii()
                || key.iter().any(|b| {
                    b.is_ascii_digit() || b.is_ascii_uppercase() || matches!(b, b'@' | b':' | b'%')
                })
        };
        let custom = &self.config.hooks.detectors;
        let mut at = 0;
        let (mut matches, mut kept) = (Vec::new(), Vec::new());
        for &(start, end) in keys.iter() {
            let key = &name[start..end];
            let builtin = suspect(key);
            if !builtin && custom.is_empty() {
                continue;
            }
            let hay = Haystack::new(key, &[]);
            if builtin {
                let all = KindSet::all();
                let detectors = self.field_detectors.get_or_init(|| detect::detectors(all));
                for detector in detectors {
                    detector.find(&hay, all, &mut matches);
                }
            }
            // A policy's own kinds can look like anything, so every key is searched for them.
            for detector in custom {
                detector.find(&hay, detector.kinds(), &mut matches);
            }
            resolve::overlaps(&hay, &mut matches, &mut kept);
            matches.clear();
            for m in &kept {
                // A policy's match can overlap a built-in one: what is left of it is masked.
                let (from, to) = ((start + m.start).max(at), start + m.end);
                if to <= from {
                    continue;
                }
                out.push_str(&String::from_utf8_lossy(&name[at..from]));
                out.push_str(&detect::mask(m.kind, &name[from..to]));
                at = to;
            }
        }
        out.push_str(&String::from_utf8_lossy(&name[at..]));
        out.into()
    }

    /// Turns matches into findings: line, column, field, masked value. `candidates` hold the
    /// chunk's newlines, and its JSON keys and brackets when field names are wanted; `records`
    /// the CSV records that span lines, whose later lines take their columns from the first.
    pub(super) fn build(
        &self,
        bytes: &[u8],
        base: u64,
        file: &FileContext,
        candidates: &Candidates,
        records: &[Range<usize>],
        kept: &[Match],
    ) -> Vec<Finding> {
        let newlines = candidates.get(Class::Newline);
        let indexed = candidates.searched(Class::Structure);
        let (mut key, mut bracket) = (0, 0);
        let mut walker = json::Walker::default();
        let mut findings = Vec::with_capacity(kept.len());
        let mut names = FieldNames::default();
        let mut offsets: Vec<usize> = Vec::new();
        let mut fields: Vec<Option<Arc<str>>> = Vec::new();
        let mut records = records;
        let describe = self.config.describe && self.config.structure;
        // A chunk of a document is walked once, from its start behind its prefix.
        let mut document = Vec::new();
        if describe && file.document {
            self.document_fields(
                bytes,
                file.resume.as_deref(),
                kept,
                &mut walker,
                &mut names,
                &mut document,
            );
        }
        // Newlines before the current match: its line is the next one.
        let mut line = 0;
        let mut i = 0;
        while i < kept.len() {
            let start = kept[i].start;
            while newlines.get(line).is_some_and(|&n| (n as usize) < start) {
                line += 1;
            }
            let line_start = line.checked_sub(1).map_or(0, |l| newlines[l] as usize + 1);
            let line_end = newlines.get(line).map_or(bytes.len(), |&n| n as usize);
            let mut j = i;
            while j < kept.len() && kept[j].start < line_end {
                j += 1;
            }
            // A CSV line inside a record that spans lines is read from the record's start.
            while records.first().is_some_and(|r| r.end < line_start) {
                records = &records[1..];
            }
            let record_start = records
                .first()
                .filter(|r| r.start <= line_start)
                .map_or(line_start, |r| r.start);
            // The first line of the file is read past its byte-order mark, if it has one.
            let bom = if base + record_start as u64 == 0 {
                file.bom
            } else {
                0
            };
            let text_start = record_start + bom;
            let text = &bytes[text_start.min(line_end)..line_end];
            let group = &kept[i..j];
            fields.clear();
            if file.document {
                fields.extend(document.get(i..j).into_iter().flatten().cloned());
            }
            fields.resize(group.len(), None);
            if describe && !file.document {
                offsets.clear();
                offsets.extend(group.iter().map(|m| m.start.saturating_sub(text_start)));
                let json = json::looks_like_json(text);
                let mut json_path = |k: usize, path: json::Path<'_>| {
                    fields[k] = Some(names.of_path(path, |p, keys| self.field_name(p, keys)));
                };
                let resume = file
                    .resume
                    .as_deref()
                    .filter(|r| line_start == 0 && r.at < text.len());
                if let Some(Resume { at, prefix }) = resume {
                    // A piece of a cut JSON line: its values from `at` on walk behind the
                    // prefix that stands for the line before.
                    let skip = offsets.partition_point(|&o| o < *at);
                    let mut resumed = Vec::with_capacity(prefix.len() + text.len() - at);
                    resumed.extend_from_slice(prefix);
                    resumed.extend_from_slice(&text[*at..]);
                    let shift = |o: usize| o - at + prefix.len();
                    let shifted: Vec<usize> = offsets[skip..].iter().map(|&o| shift(o)).collect();
                    walker.paths_at(&resumed, &shifted, |k, path| json_path(k + skip, path));
                } else if json && indexed {
                    // The chunk's lists from this line on.
                    let from = |list: &[u32], at: &mut usize| {
                        // A few dozen keys a line: a walk beats a binary search's cache misses.
                        while list.get(*at).is_some_and(|&p| (p as usize) < line_start) {
                            *at += 1;
                        }
                        *at
                    };
                    let keys = candidates.get(Class::Key);
                    let structure = candidates.get(Class::Structure);
                    let index = json::Index {
                        keys: &keys[from(keys, &mut key)..],
                        structure: &structure[from(structure, &mut bracket)..],
                    };
                    walker.paths_indexed(text, text_start, index, &offsets, json_path);
                } else if json {
                    walker.paths_at(text, &offsets, json_path);
                } else if let Some(header) = &file.csv {
                    header.columns_at(text, &offsets, |k, name| {
                        let whole = [(0, name.len())];
                        fields[k] =
                            Some(names.intern(name.as_bytes(), |n| self.field_name(n, &whole)));
                    });
                }
            }
            for (m, field) in group.iter().zip(fields.drain(..)) {
                let raw = &bytes[m.start..m.end];
                findings.push(Finding {
                    offset: base + m.start as u64,
                    length: (m.end - m.start) as u32,
                    line: line as u64 + 1,
                    column: (m.start - line_start + 1) as u32,
                    kind: m.kind,
                    detail: m.detail,
                    field,
                    masked: if self.config.describe && self.config.masks {
                        detect::mask(m.kind, raw)
                    } else {
                        CompactString::default()
                    },
                    value: self
                        .config
                        .show_values
                        .then(|| String::from_utf8_lossy(raw).into()),
                    fingerprint: self
                        .config
                        .fingerprints
                        .then(|| self.fingerprint_key.fingerprint(m.kind, raw)),
                    checked: self
                        .config
                        .hooks
                        .values
                        .as_ref()
                        .map(|v| v.check(m.kind, raw)),
                });
            }
            i = j;
        }
        findings
    }
}

impl Scanner {
    /// The field names of the matches of a chunk of a JSON document, into `out` (one per
    /// match, `None` where a match has no key path): the chunk walks from where its key
    /// paths pick up, behind the prefix that stands for the document before it (see
    /// [`super::FileContext::document`]). None without a prefix: the document stopped
    /// looking like JSON before the chunk.
    fn document_fields(
        &self,
        bytes: &[u8],
        resume: Option<&Resume>,
        kept: &[Match],
        walker: &mut json::Walker,
        names: &mut FieldNames,
        out: &mut Vec<Option<Arc<str>>>,
    ) {
        out.clear();
        out.resize(kept.len(), None);
        let (Some(Resume { at, prefix }), Some(last)) = (resume, kept.last()) else {
            return;
        };
        let skip = kept.partition_point(|m| m.start < *at);
        if skip == kept.len() {
            return;
        }
        // The text up to the end of the last match's line, behind the prefix.
        let end =
            memchr::memchr(b'\n', &bytes[last.start..]).map_or(bytes.len(), |i| last.start + i);
        let mut text = Vec::with_capacity(prefix.len() + end - at);
        text.extend_from_slice(prefix);
        text.extend_from_slice(&bytes[*at..end]);
        let offsets: Vec<usize> = kept[skip..]
            .iter()
            .map(|m| m.start - at + prefix.len())
            .collect();
        walker.paths_at(&text, &offsets, |k, path| {
            out[skip + k] = Some(names.of_path(path, |p, keys| self.field_name(p, keys)));
        });
    }
}

/// The longest field name printed whole; see [`Scanner::field_name`].
pub(super) const MAX_FIELD: usize = 1 << 10;

/// Where a key sits in a field name: see [`json::Walker::paths_at`].
type KeySpan = (usize, usize);

/// For a field name longer than [`MAX_FIELD`], the part from the first key that starts in its
/// last [`MAX_FIELD`] bytes (or from its last key), with the key spans moved to match.
fn innermost_keys<'n>(name: &'n [u8], keys: &[KeySpan]) -> Option<(&'n [u8], Vec<KeySpan>)> {
    let over = name.len().checked_sub(MAX_FIELD).filter(|&over| over > 0)?;
    let from = keys
        .iter()
        .position(|&(start, _)| start >= over)
        .unwrap_or(keys.len().checked_sub(1)?);
    let cut = keys[from].0;
    let moved = keys[from..].iter().map(|&(s, e)| (s - cut, e - cut));
    (cut > 0).then(|| (&name[cut..], moved.collect()))
}

/// The field names of one chunk's findings, each held once: a dense export repeats a few
/// fields (`properties.$email`) thousands of times per chunk. A JSON key path is found by its
/// number ([`json::Path::id`], of the chunk's one walker), and written out, then named by its
/// text, only the first time.
#[derive(Default)]
struct FieldNames {
    by_text: rustc_hash::FxHashMap<Box<[u8]>, Arc<str>>,
    by_path: Vec<Option<Arc<str>>>,
}

impl FieldNames {
    /// The shared printable form of the key path `path`, made by `printable` from its text
    /// and its keys' spans the first time that text is seen.
    fn of_path(
        &mut self,
        mut path: json::Path<'_>,
        printable: impl FnOnce(&[u8], &[KeySpan]) -> Arc<str>,
    ) -> Arc<str> {
        let id = path.id() as usize;
        if let Some(Some(name)) = self.by_path.get(id) {
            return Arc::clone(name);
        }
        let (text, keys) = path.text();
        let name = self.intern(text, |t| printable(t, keys));
        if self.by_path.len() <= id {
            self.by_path.resize(id + 1, None);
        }
        self.by_path[id] = Some(Arc::clone(&name));
        name
    }

    /// The shared printable form of `name`, made by `printable` the first time it is seen.
    fn intern(&mut self, name: &[u8], printable: impl FnOnce(&[u8]) -> Arc<str>) -> Arc<str> {
        if let Some(name) = self.by_text.get(name) {
            return Arc::clone(name);
        }
        let shared = printable(name);
        self.by_text.insert(name.into(), Arc::clone(&shared));
        shared
    }
}

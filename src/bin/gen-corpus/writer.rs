//! Writing records while recording, for each labelled value, where it lands on disk.
//!
//! Ground truth is only as good as its offsets, so labels are never computed after the fact
//! (by searching for a value, which finds the wrong occurrence): each value is labelled at the
//! moment it is appended, from the length of what was written before it.

use std::io::{self, Write};

use piiscan::Kind;
use rand::Rng;

/// One labelled span, relative to the start of its file.
pub struct Span {
    pub offset: u64,
    pub length: u64,
    pub kind: Kind,
}

/// A file being written: the bytes of the current record, and the labels of the file.
pub struct Out<W: Write> {
    sink: W,
    /// The record being built.
    buf: Vec<u8>,
    /// Bytes of the file written before `buf`.
    written: u64,
    labels: Vec<Span>,
    /// Bytes written beside the shape's own records (see [`Out::extra_since`]).
    extra: u64,
}

/// How a JSON string is written: as plain UTF-8, or with non-ASCII characters (and `/`)
/// escaped as exporters do (`\u00e9`, `\/`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    None,
    Json,
    /// Like `Json`, and `@` as `\u0040` too (some exporters escape it).
    JsonAt,
    /// Already escaped (a PEM block whose line breaks are written `\n`): written as it is.
    Verbatim,
}

impl<W: Write> Out<W> {
    pub fn new(sink: W) -> Out<W> {
        Out {
            sink,
            buf: Vec::with_capacity(4096),
            written: 0,
            labels: Vec::new(),
            extra: 0,
        }
    }

    /// Bytes of the file so far, including the current record.
    pub fn len(&self) -> u64 {
        self.written + self.buf.len() as u64
    }

    /// Counts what was written since `start` (a [`Out::len`]) as extra: values planted beside
    /// a shape's own records, which do not take the room of those records, so that a file
    /// keeps the records it had before they were planted.
    pub fn extra_since(&mut self, start: u64) {
        self.extra += self.len() - start;
    }

    /// Bytes of the file so far, without the extra ones: what the size target counts.
    pub fn counted(&self) -> u64 {
        self.len() - self.extra
    }

    /// Appends unlabelled text.
    pub fn raw(&mut self, text: &str) -> &mut Self {
        self.buf.extend_from_slice(text.as_bytes());
        self
    }

    /// Appends text labelled as `kind`.
    pub fn pii(&mut self, kind: Kind, text: &str) -> &mut Self {
        let start = self.len();
        self.raw(text);
        self.label(start, kind);
        self
    }

    /// Labels everything appended since `start` as `kind`.
    pub fn label(&mut self, start: u64, kind: Kind) {
        let length = self.len() - start;
        if length > 0 {
            self.labels.push(Span {
                offset: start,
                length,
                kind,
            });
        }
    }

    /// Appends a JSON string (with its quotes); its content is labelled when `kind` is given.
    pub fn json_str(&mut self, value: &str, escape: Escape, kind: Option<Kind>) -> &mut Self {
        self.json_parts(&[(value, kind.as_slice())], escape)
    }

    /// Appends a JSON string made of parts, each labelled with its kinds (an address used as
    /// an account ID is both).
    pub fn json_parts(&mut self, parts: &[(&str, &[Kind])], escape: Escape) -> &mut Self {
        self.buf.push(b'"');
        for (part, kinds) in parts {
            let start = self.len();
            self.escaped(part, escape);
            for kind in *kinds {
                self.label(start, *kind);
            }
        }
        self.buf.push(b'"');
        self
    }

    fn escaped(&mut self, value: &str, escape: Escape) {
        if escape == Escape::Verbatim {
            self.buf.extend_from_slice(value.as_bytes());
            return;
        }
        let json = escape != Escape::None;
        for c in value.chars() {
            match c {
                '"' => self.buf.extend_from_slice(b"\\\""),
                '\\' => self.buf.extend_from_slice(b"\\\\"),
                '/' if json => self.buf.extend_from_slice(b"\\/"),
                '@' if escape == Escape::JsonAt => self.buf.extend_from_slice(b"\\u0040"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(self.buf, "\\u{:04x}", c as u32);
                }
                c if !c.is_ascii() && json => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        let _ = write!(self.buf, "\\u{unit:04x}");
                    }
                }
                c => {
                    let mut utf8 = [0u8; 4];
                    self.buf
                        .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
        }
    }

    /// Appends `"key":` and a JSON string value.
    pub fn field(&mut self, key: &str, value: &str, escape: Escape, kind: Option<Kind>) {
        self.json_str(key, Escape::None, None).raw(":");
        self.json_str(value, escape, kind);
    }

    /// Appends `"key":` and a raw JSON value (a number, an object written by the caller).
    pub fn field_raw(&mut self, key: &str, value: &str, kind: Option<Kind>) {
        self.json_str(key, Escape::None, None).raw(":");
        match kind {
            Some(kind) => self.pii(kind, value),
            None => self.raw(value),
        };
    }

    /// Ends the record with a newline and writes it out.
    pub fn end_record(&mut self) -> io::Result<()> {
        self.buf.push(b'\n');
        self.sink.write_all(&self.buf)?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Flushes the file and hands back its labels.
    pub fn finish(mut self) -> io::Result<Vec<Span>> {
        if !self.buf.is_empty() {
            self.end_record()?;
        }
        self.sink.flush()?;
        Ok(self.labels)
    }
}

/// The JSON fields of one object, written in an order that varies from record to record, as
/// exports that build objects from hash maps do.
pub struct Fields<'a, W: Write> {
    out: &'a mut Out<W>,
    items: Vec<Item>,
}

enum Item {
    Str(String, String, Escape, Option<Kind>),
    Parts(String, Vec<(String, Vec<Kind>)>, Escape),
    Raw(String, String, Option<Kind>),
    Object(String, Vec<Item>),
    Array(String, Vec<Vec<Item>>),
}

impl<'a, W: Write> Fields<'a, W> {
    pub fn new(out: &'a mut Out<W>) -> Fields<'a, W> {
        Fields {
            out,
            items: Vec::new(),
        }
    }

    pub fn str(&mut self, key: &str, value: &str, escape: Escape, kind: Option<Kind>) {
        self.items
            .push(Item::Str(key.into(), value.into(), escape, kind));
    }

    pub fn raw(&mut self, key: &str, value: &str, kind: Option<Kind>) {
        self.items.push(Item::Raw(key.into(), value.into(), kind));
    }

    /// A string value made of parts, each labelled when it has a kind (an address inside a
    /// URL).
    pub fn parts(&mut self, key: &str, parts: &[(&str, &[Kind])], escape: Escape) {
        let parts = parts
            .iter()
            .map(|(p, k)| (p.to_string(), k.to_vec()))
            .collect();
        self.items.push(Item::Parts(key.into(), parts, escape));
    }

    /// A nested object, built with its own [`Object`].
    pub fn object(&mut self, key: &str, object: Object) {
        self.items.push(Item::Object(key.into(), object.items));
    }

    /// An array of objects.
    pub fn array(&mut self, key: &str, objects: Vec<Object>) {
        self.items.push(Item::Array(
            key.into(),
            objects.into_iter().map(|o| o.items).collect(),
        ));
    }

    /// Writes the object, its fields shuffled (nested objects too) unless `keep_order`.
    pub fn write(mut self, rng: &mut impl Rng, keep_order: bool) {
        write_items(self.out, &mut self.items, rng, keep_order);
    }
}

/// The fields of a nested object.
#[derive(Default)]
pub struct Object {
    items: Vec<Item>,
}

impl Object {
    pub fn str(&mut self, key: &str, value: &str, escape: Escape, kind: Option<Kind>) {
        self.items
            .push(Item::Str(key.into(), value.into(), escape, kind));
    }

    /// A string value made of parts, each labelled when it has a kind.
    pub fn parts(&mut self, key: &str, parts: &[(&str, &[Kind])], escape: Escape) {
        let parts = parts
            .iter()
            .map(|(p, k)| (p.to_string(), k.to_vec()))
            .collect();
        self.items.push(Item::Parts(key.into(), parts, escape));
    }

    pub fn raw(&mut self, key: &str, value: &str, kind: Option<Kind>) {
        self.items.push(Item::Raw(key.into(), value.into(), kind));
    }

    pub fn object(&mut self, key: &str, object: Object) {
        self.items.push(Item::Object(key.into(), object.items));
    }
}

fn write_items<W: Write>(out: &mut Out<W>, items: &mut [Item], rng: &mut impl Rng, keep: bool) {
    if !keep {
        use rand::seq::SliceRandom;
        items.shuffle(rng);
    }
    out.raw("{");
    for (i, item) in items.iter_mut().enumerate() {
        if i > 0 {
            out.raw(",");
        }
        match item {
            Item::Str(key, value, escape, kind) => out.field(key, value, *escape, *kind),
            Item::Parts(key, parts, escape) => {
                out.json_str(key, Escape::None, None).raw(":");
                let parts: Vec<(&str, &[Kind])> = parts
                    .iter()
                    .map(|(p, k)| (p.as_str(), k.as_slice()))
                    .collect();
                out.json_parts(&parts, *escape);
            }
            Item::Raw(key, value, kind) => out.field_raw(key, value, *kind),
            Item::Object(key, inner) => {
                out.json_str(key, Escape::None, None).raw(":");
                write_items(out, inner, rng, keep);
            }
            Item::Array(key, objects) => {
                out.json_str(key, Escape::None, None).raw(":[");
                for (j, inner) in objects.iter_mut().enumerate() {
                    if j > 0 {
                        out.raw(",");
                    }
                    write_items(out, inner, rng, keep);
                }
                out.raw("]");
            }
        }
    }
    out.raw("}");
}

//! `--format jsonl`: one finding per line, written as it is found, so that a multi-GB scan can
//! be piped into `jq` or another tool without waiting for the end.
//!
//! A dense export yields a finding every few hundred bytes, and each line is written on the
//! thread that orders the findings, so a chunk's lines are assembled by hand in a reused
//! buffer and written together: the path is escaped once per file, numbers go through `itoa`,
//! and strings are copied as they are unless they hold a byte that JSON must escape. The
//! result is byte for byte what `serde_json` writes for a [`Record`] (a test holds the two
//! together).

use std::io::{self, Write};

use super::{print_problem, write_stats, End, Record, Reporter};
use crate::finding::Finding;
use crate::sink::{Chunk, Flow, InputInfo, Problem, Sink, GO_ON};

pub struct JsonlReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    show_stats: bool,
    /// Lines not written yet: a chunk's, up to [`LINES`] bytes.
    lines: Vec<u8>,
    /// The file of the last finding and the start of its lines: `{"path":"…"`.
    file: Option<(InputInfo, Vec<u8>)>,
    /// The first write that failed: the scan stops, and `finish` returns it.
    failed: Option<io::Error>,
}

impl<'w> JsonlReporter<'w> {
    pub fn new(out: Box<dyn Write + 'w>, show_stats: bool) -> Self {
        JsonlReporter {
            out: io::BufWriter::with_capacity(1 << 16, out),
            show_stats,
            lines: Vec::with_capacity(LINES + 1024),
            file: None,
            failed: None,
        }
    }
}

/// The bytes of lines gathered before they are written.
const LINES: usize = 1 << 16;

/// Appends `{"path":"…"` for `file`: its real name, JSON-escaped.
fn line_start(file: &InputInfo, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"path\":");
    push_str(out, &file.name);
}

/// Appends one finding as a JSON object and a newline; `start` is [`line_start`]'s output for
/// its file.
fn render(start: &[u8], file: &InputInfo, f: &Finding, out: &mut Vec<u8>) {
    let mut num = itoa::Buffer::new();
    out.extend_from_slice(start);
    out.extend_from_slice(b",\"offset\":");
    out.extend_from_slice(num.format(f.offset).as_bytes());
    out.extend_from_slice(b",\"length\":");
    out.extend_from_slice(num.format(f.length).as_bytes());
    out.extend_from_slice(b",\"line\":");
    out.extend_from_slice(num.format(f.line).as_bytes());
    out.extend_from_slice(b",\"column\":");
    out.extend_from_slice(num.format(f.column).as_bytes());
    out.extend_from_slice(b",\"kind\":\"");
    out.extend_from_slice(f.kind.name().as_bytes());
    if let Some(detail) = f.detail.name() {
        out.extend_from_slice(b"\",\"detail\":");
        push_str(out, detail);
        out.extend_from_slice(b",\"field\":");
    } else {
        out.extend_from_slice(b"\",\"field\":");
    }
    match &f.field {
        Some(field) => push_str(out, field),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"masked\":");
    push_str(out, &f.masked);
    if let Some(value) = &f.value {
        out.extend_from_slice(b",\"value\":");
        push_str(out, value);
    }
    if let Some(compression) = file.compression {
        out.extend_from_slice(b",\"compressed\":\"");
        out.extend_from_slice(compression.name().as_bytes());
        out.push(b'"');
    }
    if let Some(encoding) = file.encoding {
        out.extend_from_slice(b",\"encoding\":\"");
        out.extend_from_slice(encoding.name().as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(b"}\n");
}

/// Appends `s` as a JSON string.
fn push_str(out: &mut Vec<u8>, s: &str) {
    // Every byte looked at, without a way out at the first to escape: a loop the compiler
    // turns into vector compares (the test that stopped early ran a byte at a time).
    let plain = s.bytes().fold(true, |plain, b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    });
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
    }
}

impl JsonlReporter<'_> {
    /// Writes the lines of a chunk's findings: its file's line start made once a file, not
    /// compared for each finding.
    fn write(&mut self, chunk: &Chunk<'_>) -> io::Result<()> {
        let file = chunk.input;
        if self.file.as_ref().is_none_or(|(f, _)| f != file) {
            let mut start = Vec::new();
            line_start(file, &mut start);
            self.file = Some((file.clone(), start));
        }
        let Some((_, start)) = &self.file else {
            unreachable!("set above");
        };
        let lines = &mut self.lines;
        lines.clear();
        for (finding, judgement) in chunk.judged() {
            if let Some(judgement) = judgement {
                // Rare (a gate's jsonl report): the keys a policy adds go through serde.
                serde_json::to_writer(&mut *lines, &Record::new(file, finding, Some(judgement)))?;
                lines.push(b'\n');
            } else {
                render(start, file, finding, lines);
            }
            if lines.len() >= LINES {
                self.out.write_all(lines)?;
                lines.clear();
            }
        }
        self.out.write_all(lines)
    }
}

impl Sink for JsonlReporter<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        if let Err(e) = self.write(chunk) {
            self.failed = Some(e);
            return Flow::Break(());
        }
        GO_ON
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        print_problem(problem);
        GO_ON
    }
}

impl Reporter for JsonlReporter<'_> {
    fn finish(&mut self, end: &End<'_>) -> io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.out.flush()?;
        if self.show_stats {
            write_stats(&mut io::stderr(), end.stats)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Kind;
    use crate::report::Record;
    use crate::source::decompress::Compression;
    use crate::source::transcode::Utf16;

    /// A chunk's lines, gathered and written in pieces of about [`LINES`] bytes, are its
    /// findings' lines in order, whatever their number, and judged findings carry their
    /// judgement.
    #[test]
    fn a_chunk_is_written_whole_and_in_order() {
        use crate::finding::{Action, Judgement};
        let file = InputInfo {
            path: "a.ndjson".into(),
            name: "a.ndjson".into(),
            compression: None,
            encoding: None,
        };
        let findings: Vec<Finding> = (0..3000u64)
            .map(|i| Finding {
                offset: 100 * i,
                length: 20,
                line: i + 1,
                column: 7,
                kind: Kind::ALL[i as usize % Kind::ALL.len()],
                detail: crate::detect::Detail::NONE,
                field: (i % 3 != 0).then(|| format!("properties.k{}", i % 7).into()),
                masked: "j***@e***.com".into(),
                value: None,
                fingerprint: None,
                checked: None,
            })
            .collect();
        let judgements: Vec<Judgement> = (0..findings.len())
            .map(|i| Judgement {
                action: if i % 2 == 0 {
                    Action::Fail
                } else {
                    Action::Warn
                },
                known: None,
                fingerprint: None,
            })
            .collect();
        let mut want = Vec::new();
        for judged in [None, Some(&judgements)] {
            for (i, f) in findings.iter().enumerate() {
                let judgement = judged.map(|j| &j[i]);
                serde_json::to_writer(&mut want, &Record::new(&file, f, judgement)).unwrap();
                want.push(b'\n');
            }
        }
        assert!(want.len() > 4 * LINES, "several pieces a chunk");
        let mut got = Vec::new();
        let mut reporter = JsonlReporter::new(Box::new(&mut got), false);
        for judgements in [None, Some(&judgements[..])] {
            let chunk = Chunk {
                input: &file,
                base: 0,
                bytes: b"",
                findings: &findings,
                judgements,
            };
            assert!(reporter.chunk(&chunk).is_continue());
        }
        reporter.out.flush().unwrap();
        drop(reporter);
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }

    /// The hand-made line is what serde_json makes of the same record.
    #[test]
    fn lines_are_what_serde_writes() {
        let strings = [
            "",
            "plain",
            "quote \" and backslash \\",
            "tab\tnew\nline\r\u{1}\u{1f}",
            "é 王芳 \u{7f} \u{2028}",
            "\u{202e}liame \u{200b}",
            "properties.$email",
        ];
        for (i, s) in strings.iter().enumerate() {
            let encodings = [None, Some(Utf16::Le), Some(Utf16::Be)];
            for (j, compression) in [None, Some(Compression::Gzip), Some(Compression::Zstd)]
                .into_iter()
                .enumerate()
            {
                let name = format!("dir/{s}.ndjson");
                let file = InputInfo {
                    path: crate::source::printable(&name).into_owned(),
                    name,
                    compression,
                    encoding: encodings[(i + j) % encodings.len()],
                };
                let finding = Finding {
                    offset: u64::MAX - i as u64,
                    length: i as u32,
                    line: 1 << 40,
                    column: u32::MAX,
                    kind: Kind::ALL[i % Kind::ALL.len()],
                    detail: if i % 2 == 1 {
                        crate::detect::Detail::intern("us_ssn")
                    } else {
                        crate::detect::Detail::NONE
                    },
                    field: (i % 2 == 0).then(|| (*s).into()),
                    masked: (*s).into(),
                    value: (i % 3 == 0).then(|| (*s).into()),
                    fingerprint: Some(7),
                    checked: None,
                };
                let mut want = serde_json::to_vec(&Record::new(&file, &finding, None)).unwrap();
                want.push(b'\n');
                let mut start = Vec::new();
                line_start(&file, &mut start);
                let mut got = Vec::new();
                render(&start, &file, &finding, &mut got);
                assert_eq!(
                    String::from_utf8(got).unwrap(),
                    String::from_utf8(want).unwrap()
                );
            }
        }
    }
}

//! Batches scanned in parallel while the previous batch's events go to the sink, in input
//! order: the one place where events leave the engine.

use std::time::Instant;

use rayon::prelude::*;

use super::{ArchiveItem, Driver, Held, Item, Scanned, Unit, UnitBytes};
use crate::engine::long_line::keep_owned;
use crate::engine::ChunkResult;
use crate::sink::{Archive, Chunk, InputEnd, Layout, Problem};
use crate::source::SourceError;

/// Where the emission of events stands within the current input.
#[derive(Default)]
pub(super) struct Emitting {
    /// Lines seen so far in the input.
    pub(super) lines_before: u64,
    /// Bytes emitted so far of the input.
    pub(super) bytes: u64,
    /// False once an error was met in the input.
    pub(super) complete: bool,
}

impl Driver<'_> {
    /// Scans the pending batch in parallel while the previous batch's events are emitted on
    /// this thread, so the pool never waits for the output. With one thread the two run one
    /// after the other: `--threads 1` means one core.
    pub(super) fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        self.batch_units = 0;
        self.batch_bytes = 0;
        self.batch_row_groups = 0;
        let scanner = self.scanner;
        let scan = |batch: &[Item]| -> Vec<Scanned> {
            let units: Vec<&Unit> = batch
                .iter()
                .filter_map(|item| match item {
                    Item::Chunk(unit) => Some(unit),
                    _ => None,
                })
                .collect();
            units
                .par_iter()
                .map(|unit| match &unit.row_group {
                    Some(group) => scanner.scan_row_group(&group.file, group.index, &group.wanted),
                    None => (
                        scanner.scan_chunk(unit.bytes.as_slice(), unit.base, &unit.file.context),
                        None,
                    ),
                })
                .collect()
        };
        let previous = self.scanned.take();
        let results = if rayon::current_num_threads() > 1 {
            let mut results = Vec::new();
            rayon::in_place_scope(|s| {
                s.spawn(|_| results = scan(&batch));
                if let Some((items, results)) = previous {
                    self.emit(items, results);
                }
            });
            results
        } else {
            if let Some((items, results)) = previous {
                self.emit(items, results);
            }
            scan(&batch)
        };
        self.scanned = Some((batch, results));
    }

    /// Scans and emits everything queued.
    pub(in crate::engine) fn finish(&mut self) {
        self.flush();
        if let Some((items, results)) = self.scanned.take() {
            self.emit(items, results);
        }
    }

    /// Hands the events of a scanned batch to the sink, in order; stops at the first that
    /// the sink refuses.
    pub(super) fn emit(&mut self, batch: Vec<Item>, results: Vec<Scanned>) {
        let mut results = results.into_iter();
        for item in batch {
            if self.stats.stopped {
                return;
            }
            let flow = match item {
                Item::Begin {
                    file,
                    entry,
                    records,
                } => {
                    self.emitting = Emitting {
                        complete: true,
                        ..Emitting::default()
                    };
                    let layout = Layout {
                        csv: self.csv_of(&file.context),
                        entry: entry.as_deref(),
                        records,
                    };
                    match self.sink.begin(&file.info) {
                        flow if flow.is_break() => flow,
                        _ => self.sink.layout(&file.info, &layout),
                    }
                }
                Item::Archive(item) => {
                    let event = match &item {
                        ArchiveItem::Begin {
                            path,
                            name,
                            container,
                            compression,
                            entry,
                        } => Archive::Begin {
                            path,
                            name,
                            container: *container,
                            compression: *compression,
                            entry: entry.as_deref(),
                        },
                        ArchiveItem::Other(entry) => Archive::Other(entry),
                        ArchiveItem::End => Archive::End,
                    };
                    self.sink.archive(&event)
                }
                Item::Chunk(unit) => match results.next() {
                    Some((result, error)) => {
                        let flow = self.emit_chunk(&unit, result);
                        match (error, &unit.row_group) {
                            (Some(message), Some(group)) if flow.is_continue() => {
                                self.row_group_error(&unit.file.info, group.index, &message)
                            }
                            _ => flow,
                        }
                    }
                    None => continue,
                },
                Item::Problem(held) => {
                    if matches!(held, Held::Error(_)) {
                        self.emitting.complete = false;
                    }
                    let problem = match &held {
                        Held::Error(e) => Problem::Error(e),
                        Held::Skipped { path, reason } => Problem::Skipped { path, reason },
                        Held::Note { path, message } => Problem::Note { path, message },
                    };
                    self.sink.problem(&problem)
                }
                Item::End(file) => {
                    let end = InputEnd {
                        bytes: self.emitting.bytes,
                        complete: self.emitting.complete,
                    };
                    self.sink.end(&file.info, &end)
                }
            };
            if flow.is_break() {
                self.stats.stopped = true;
            }
        }
    }

    /// Hands one chunk and its findings to the sink.
    fn emit_chunk(&mut self, unit: &Unit, mut result: ChunkResult) -> crate::sink::Flow {
        let mut bytes = unit.bytes.as_slice();
        let mut base = unit.base;
        if let Some(long_line) = &unit.long_line {
            keep_owned(long_line, unit.base, &mut result);
            bytes = &bytes[long_line.owned.clone()];
            base += long_line.owned.start as u64;
        }
        if let UnitBytes::Shared(content, range) = &unit.bytes {
            if range.end == content.len() {
                if let Some(now) = content.shrunk() {
                    let error = SourceError::Other {
                        path: unit.file.info.path.clone(),
                        message: format!(
                            "the file shrank from {} to {now} bytes while it was scanned; \
                             what lay past byte {now} may be scanned only in part",
                            content.len()
                        ),
                    };
                    self.stats.errors += 1;
                    self.emitting.complete = false;
                    if self.sink.problem(&Problem::Error(&error)).is_break() {
                        return crate::sink::Flow::Break(());
                    }
                }
            }
        }
        self.stats.bytes += result.bytes;
        self.stats.malformed_json += result.malformed_json;
        self.stats.findings += result.findings.len() as u64;
        for (slot, t) in self.stats.stage_times.iter_mut().zip(&result.stage_times) {
            slot.1 += *t;
        }
        for finding in &mut result.findings {
            finding.line += self.emitting.lines_before;
        }
        self.emitting.lines_before += result.newlines;
        self.emitting.bytes += result.bytes;
        let started = Instant::now();
        let flow = self.sink.chunk(&Chunk {
            input: &unit.file.info,
            base,
            bytes,
            findings: &result.findings,
            judgements: None,
        });
        self.stats.output_time += started.elapsed();
        flow
    }
}

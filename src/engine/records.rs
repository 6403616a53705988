//! Records through the engine: cells of (field, value), from a Parquet file or any other
//! source of records ([`crate::source::records`]), scanned by the same pipeline as text.
//!
//! A batch is laid out as text that the pipeline already knows how to read: each value on a
//! line of its own, in row order (so a value that is itself JSON, as an `event_properties`
//! column often is, is read like a line of NDJSON: key hints, key paths, escapes), with a
//! [`HintedValue`] over it from its field's name (`properties.city` hints like a `city` key,
//! see [`keys::hint_for_path`]). The one exception is the values under latitude and
//! longitude fields: a row's share one line, tab-separated, because a coordinate under a key
//! counts only beside its partner on the same line, as in a JSON object. Tabs and newlines
//! end every match, so no finding spans two cells; each is mapped back to its cell:
//!
//! * `field`: the field's name, followed by the key path within the value when the value is
//!   JSON (`event_properties.$email`); keys that are personal data masked, as for JSON;
//! * `line`: the 1-based row (the cell's row + 1), counted from the start of the input;
//! * `column`: the 1-based byte column within the value, and `offset` the same, 0-based:
//!   a finding is at (row, field, byte within the value), and offsets are not unique within
//!   such an input.
//!
//! Findings come out in row order, and within a row in the order of the row's cells (the
//! batch's order for that row), coordinates last.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{ChunkResult, FileContext, Scanner};
use crate::detect::{Hint, HintedValue};
use rayon::prelude::*;

use crate::source::parquet::{ParquetFile, RowGroupBatches, Values};
use crate::source::records::Records;
use crate::structure::keys;

/// What the engine makes of the fields of a batch, once per batch (or per row group).
pub(super) struct Fields {
    hints: Vec<Option<Hint>>,
    /// The names fit to print (keys that are personal data masked).
    names: Vec<Arc<str>>,
}

/// A cell laid out in the text: where, and which.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    cell: usize,
}

/// The text of a batch, reused from batch to batch by each worker thread.
#[derive(Default)]
struct Layout {
    text: Vec<u8>,
    spans: Vec<Span>,
    hints: Vec<HintedValue>,
    order: Vec<usize>,
    paired: Vec<usize>,
}

thread_local! {
    static LAYOUT: std::cell::RefCell<Layout> = std::cell::RefCell::default();
}

/// Hints whose values a detector pairs within a line: they share their row's line.
fn paired(hint: Option<Hint>) -> bool {
    matches!(hint, Some(Hint::Latitude | Hint::Longitude))
}

impl Scanner {
    /// Scans a batch of records: each value with the hint of its field's name, as a JSON
    /// value with its key. See the module documentation for what the findings' places mean.
    /// The result counts no newlines (its lines are rows already) and, as `bytes`, the bytes
    /// of the values.
    pub fn scan_records(&self, records: &Records) -> ChunkResult {
        let fields = self.record_fields(records.fields());
        self.scan_records_with(records, &fields)
    }

    /// The hints and printable names of fields.
    pub(super) fn record_fields(&self, names: &[Arc<str>]) -> Fields {
        let structure = self.config.structure;
        Fields {
            hints: names
                .iter()
                .map(|n| keys::hint_for_path(n.as_bytes()).filter(|_| structure))
                .collect(),
            names: names
                .iter()
                .map(|n| self.field_name(n.as_bytes(), &[(0, n.len())]))
                .collect(),
        }
    }

    /// Whether a column of values of `values` under the name `path` is worth reading: text
    /// always, numbers and UUIDs when the name hints at a kind (`latitude`, `user_id`).
    pub(super) fn wants_column(&self, path: &str, values: Values) -> bool {
        match values {
            Values::Text | Values::Binary => true,
            Values::Number | Values::Uuid => {
                self.config.structure && keys::hint_for_path(path.as_bytes()).is_some()
            }
            Values::Other => false,
        }
    }

    pub(super) fn scan_records_with(&self, records: &Records, fields: &Fields) -> ChunkResult {
        LAYOUT.with(|layout| {
            let mut layout = layout.borrow_mut();
            self.scan_laid_out(records, fields, &mut layout)
        })
    }

    fn scan_laid_out(
        &self,
        records: &Records,
        fields: &Fields,
        layout: &mut Layout,
    ) -> ChunkResult {
        let cells = records.cells();
        let Layout {
            text,
            spans,
            hints,
            order,
            paired: pairs,
        } = layout;
        text.clear();
        spans.clear();
        hints.clear();
        order.clear();
        order.extend(0..cells.len());
        // Stable: a row's cells keep the order they were pushed in.
        order.sort_by_key(|&i| cells[i].row);
        let hint_of = |cell: usize| {
            let field = cells[cell].field as usize;
            fields.hints.get(field).copied().flatten()
        };
        let mut lay = |cell: usize, text: &mut Vec<u8>| {
            let start = text.len();
            text.extend_from_slice(records.value(&cells[cell]));
            let end = text.len();
            spans.push(Span { start, end, cell });
            if let Some(hint) = hint_of(cell) {
                hints.push(HintedValue { start, end, hint });
            }
        };
        for row in order.chunk_by(|&a, &b| cells[a].row == cells[b].row) {
            pairs.clear();
            for &cell in row {
                if paired(hint_of(cell)) {
                    pairs.push(cell);
                    continue;
                }
                lay(cell, text);
                text.push(b'\n');
            }
            for (k, &cell) in pairs.iter().enumerate() {
                if k > 0 {
                    text.push(b'\t');
                }
                lay(cell, text);
            }
            if !pairs.is_empty() {
                text.push(b'\n');
            }
        }
        let mut result = self.scan_hinted_chunk(text, &FileContext::default(), hints);
        // Spans are in text order: each finding's cell is the last that starts at or before it.
        let mut joined: FxHashMap<(u32, Arc<str>), Arc<str>> = FxHashMap::default();
        let describe = self.config.describe;
        result.findings.retain_mut(|f| {
            let at = f.offset as usize;
            let Some(span) = spans[..spans.partition_point(|s| s.start <= at)].last() else {
                return false;
            };
            if at + f.length as usize > span.end {
                return false;
            }
            let cell = &cells[span.cell];
            let within = at - span.start;
            f.offset = within as u64;
            f.line = cell.row.saturating_add(1);
            f.column = u32::try_from(within + 1).unwrap_or(u32::MAX);
            f.field = describe.then(|| {
                let name = &fields.names[cell.field as usize];
                match f.field.take() {
                    None => Arc::clone(name),
                    Some(path) => Arc::clone(
                        joined
                            .entry((cell.field, path))
                            .or_insert_with_key(|(_, path)| join_path(name, path)),
                    ),
                }
            });
            true
        });
        result.newlines = 0;
        result.bytes = records.value_bytes() as u64;
        result
    }

    /// Scans row group `group` of a Parquet file, its columns `wanted`: the findings of all
    /// its batches, and what stopped the reading, if anything.
    ///
    /// A file written as one row group (pandas' and DuckDB's for most sizes) must still use
    /// every core: batches are decoded a round at a time, one per thread, and a round is
    /// scanned in parallel while the next is decoded (`rayon::join`, which never blocks a
    /// worker: row groups read side by side share the pool). Memory is two rounds of batches.
    pub(super) fn scan_row_group(
        &self,
        file: &ParquetFile,
        group: usize,
        wanted: &[usize],
    ) -> (ChunkResult, Option<String>) {
        let target = self.config.chunk_size.max(1 << 12);
        let mut total = ChunkResult::default();
        let mut reader = match file.row_group(group, wanted, target) {
            Ok(reader) => reader,
            Err(e) => return (total, Some(e)),
        };
        let fields = self.record_fields(reader.records().fields());
        let width = rayon::current_num_threads().max(1);
        let mut scanning: Vec<Records> = Vec::new();
        let mut reading: Vec<Records> = (0..width).map(|_| reader.records()).collect();
        // Fills a round of batches: how many, and what stopped the reading, if anything.
        let read_round = |reader: &mut RowGroupBatches, round: &mut Vec<Records>| {
            for (filled, records) in round.iter_mut().enumerate() {
                match reader.next_batch(records) {
                    Ok(true) => continue,
                    Ok(false) => return (filled, None),
                    Err(e) => return (filled, Some(e)),
                }
            }
            (round.len(), None)
        };
        let mut error = None;
        let (mut filled, mut ended) = (0, false);
        loop {
            let (results, (read, stopped)) = rayon::join(
                || {
                    let round = &scanning[..filled];
                    round
                        .par_iter()
                        .map(|records| self.scan_records_with(records, &fields))
                        .collect::<Vec<_>>()
                },
                || match ended {
                    true => (0, None),
                    false => read_round(&mut reader, &mut reading),
                },
            );
            for result in results {
                total.findings.extend(result.findings);
                total.bytes += result.bytes;
                total.malformed_json += result.malformed_json;
                if total.stage_times.is_empty() {
                    total.stage_times = result.stage_times;
                } else {
                    for (sum, t) in total.stage_times.iter_mut().zip(result.stage_times) {
                        *sum += t;
                    }
                }
            }
            // What was read before any damage is still scanned, in the next round.
            ended |= stopped.is_some() || read < width;
            error = error.or(stopped);
            if scanning.is_empty() {
                scanning = (0..width).map(|_| reader.records()).collect();
            }
            std::mem::swap(&mut scanning, &mut reading);
            filled = read;
            if filled == 0 && ended {
                break;
            }
        }
        (total, error)
    }
}

/// A field's name followed by a key path within its value: `props` and `$email` make
/// `props.$email`, `items` and `[].id` make `items[].id`.
fn join_path(name: &str, path: &str) -> Arc<str> {
    if path.starts_with('[') {
        format!("{name}{path}").into()
    } else {
        format!("{name}.{path}").into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Config;
    use crate::Kind;

    /// (field, row, value) cells in, (line, column, kind, field, found text) out.
    type Case = (
        &'static [(&'static str, u64, &'static str)],
        &'static [(u64, u32, Kind, &'static str, &'static str)],
    );

    const CASES: &[Case] = &[
        (
            &[("email", 0, "jane@example.com")],
            &[(1, 1, Kind::Email, "email", "jane@example.com")],
        ),
        (
            &[("notes", 5, "write to jane@example.com now")],
            &[(6, 10, Kind::Email, "notes", "jane@example.com")],
        ),
        // A first name alone is a name under a first-name column, not in free text.
        (
            &[("first_name", 0, "Jane"), ("comment", 1, "Jane")],
            &[(1, 1, Kind::PersonName, "first_name", "Jane")],
        ),
        (
            &[("customer.first_name", 0, "Jane")],
            &[(1, 1, Kind::PersonName, "customer.first_name", "Jane")],
        ),
        // A latitude counts beside its row's longitude, not alone.
        (
            &[
                ("geo.lat", 2, "48.8566"),
                ("note", 2, "x"),
                ("geo.lng", 2, "2.3522"),
                ("geo.lat", 3, "48.8566"),
            ],
            &[
                (3, 1, Kind::Coordinates, "geo.lat", "48.8566"),
                (3, 1, Kind::Coordinates, "geo.lng", "2.3522"),
            ],
        ),
        // A value that is JSON is read as JSON, its key path after the field's.
        (
            &[("props", 0, r#"{"$email":"x@example.com"}"#)],
            &[(1, 12, Kind::Email, "props.$email", "x@example.com")],
        ),
        (
            &[("items", 0, r#"[{"ip":"203.0.113.9"}]"#)],
            &[(1, 9, Kind::Ipv4, "items[].ip", "203.0.113.9")],
        ),
        // Rows pushed out of order come out in row order, a row's cells as pushed.
        (
            &[
                ("b", 1, "second@example.com"),
                ("a", 0, "first@example.com"),
                ("c", 1, "third@example.com"),
            ],
            &[
                (1, 1, Kind::Email, "a", "first@example.com"),
                (2, 1, Kind::Email, "b", "second@example.com"),
                (2, 1, Kind::Email, "c", "third@example.com"),
            ],
        ),
        // A value over several lines: still one cell, columns within it.
        (
            &[("log", 9, "line one\nthen 203.0.113.9")],
            &[(10, 15, Kind::Ipv4, "log", "203.0.113.9")],
        ),
        // A field name that is personal data is masked like a value.
        (
            &[("jane@example.com", 0, "203.0.113.9")],
            &[(1, 1, Kind::Ipv4, "j***@e***.com", "203.0.113.9")],
        ),
        (&[("empty", 0, ""), ("plain", 1, "nothing here")], &[]),
    ];

    fn batch(cells: &[(&'static str, u64, &'static str)]) -> Records {
        let mut names: Vec<&str> = cells.iter().map(|c| c.0).collect();
        names.sort_unstable();
        names.dedup();
        let mut records = Records::new(names.iter().map(|&n| n.into()).collect());
        for &(field, row, value) in cells {
            let index = names.iter().position(|&n| n == field).unwrap();
            records.push(row, index, value.as_bytes());
        }
        records
    }

    #[test]
    fn cells_are_scanned_under_their_fields() {
        let scanner = Scanner::new(Config {
            show_values: true,
            ..Config::default()
        });
        for (cells, want) in CASES {
            let records = batch(cells);
            let result = scanner.scan_records(&records);
            let got: Vec<_> = result
                .findings
                .iter()
                .map(|f| {
                    (
                        f.line,
                        f.column,
                        f.kind,
                        f.field.as_deref().unwrap_or("(none)"),
                        f.value.as_deref().unwrap_or(""),
                    )
                })
                .collect();
            assert_eq!(&got, want, "{cells:?}");
            for f in &result.findings {
                assert_eq!(f.offset + 1, u64::from(f.column));
            }
            assert_eq!(result.newlines, 0);
            assert_eq!(result.bytes, records.value_bytes() as u64);
        }
    }

    /// `--plain`: no hints from the field names, still the field as the place.
    #[test]
    fn plain_scans_read_no_hints() {
        let scanner = Scanner::new(Config {
            structure: false,
            ..Config::default()
        });
        let records = batch(&[("first_name", 0, "Jane"), ("email", 1, "a@example.com")]);
        let found: Vec<_> = scanner
            .scan_records(&records)
            .findings
            .iter()
            .map(|f| (f.line, f.kind, f.field.as_deref().map(str::to_string)))
            .collect();
        assert_eq!(found, [(2, Kind::Email, Some("email".to_string()))]);
    }

    #[test]
    fn columns_worth_reading() {
        let scanner = Scanner::new(Config::default());
        let cases = [
            ("anything", Values::Text, true),
            ("blob", Values::Binary, true),
            ("latitude", Values::Number, true),
            ("user_id", Values::Number, true),
            ("count", Values::Number, false),
            ("device_id", Values::Uuid, true),
            ("request_id", Values::Uuid, false),
            ("email", Values::Other, false),
        ];
        for (path, values, want) in cases {
            assert_eq!(scanner.wants_column(path, values), want, "{path}");
        }
    }
}

//! Parquet files, read as [`Records`]: cells of text under their column's path.
//!
//! A Parquet file is columnar and compressed page by page (snappy, zstd, gzip, lz4): scanned
//! as bytes it is binary, and what a text scan could see of it is the min/max statistics in
//! its footer. So it is decoded: the footer gives the schema and the row groups; each row
//! group's column chunks are read page by page with the `parquet` crate's low-level column
//! readers (without arrow, which would double the build for nothing piiscan needs), a batch
//! of rows at a time, and every value of a text column becomes a cell whose field is the
//! column's path as a JSON key path would name it: `properties.city` for a nested group,
//! `items[]` for the elements of a list, `items[].email` for a field of a list of groups, and
//! `attrs.key` / `attrs.value` for a map. Numeric columns (and UUIDs) are decoded only when
//! the caller asks for them (the engine does when their name hints at a kind: `latitude`,
//! `user_id`), written as JSON would write them (`48.8566`).
//!
//! Memory is bounded per row group: a batch holds the values of a few hundred to a few
//! thousand rows, sized so that its text stays near the engine's chunk size, and the pages of
//! the columns read; row groups are independent, so several are read at once on different
//! threads. A mapped file is read in place ([`Mapped`]): pages are handed to the decoders as
//! slices of the map, without a copy. A Parquet file that comes as a stream (standard input, a
//! compressed file, a member of an archive) is first copied to an anonymous temporary file
//! by the driver, since its footer is at its end, then read the same way.
//!
//! A file is taken for Parquet when it starts or ends with the magic `PAR1`, or is named
//! `.parquet`; one that then cannot be read (a truncated or corrupt footer or page, a codec
//! not built in, an encrypted file) is an error naming the path, never skipped as binary, so
//! that a gate never passes a file it did not read.

mod cells;
mod mapped;
mod schema;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use parquet::file::reader::{FileReader, SerializedFileReader};

use super::mmap::Content;
use super::records::Records;
use cells::{ColumnCells, Scratch};
use mapped::Mapped;
use schema::{field_path, leaves, values_of};
/// The magic bytes at both ends of a Parquet file.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// True when content that starts with `head` is (the start of) a Parquet file.
pub fn starts_like_parquet(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

/// True when a file is to be read as Parquet: its magic at either end, or its name (unless
/// it is compressed: then it is decompressed first, and a Parquet file inside, known by its
/// magic, is copied to a temporary file and read as this one is).
/// Such a file that turns out not to be readable is an error, not a binary file to skip.
pub fn is_parquet(path: &Path, content: &[u8]) -> bool {
    let named = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("parq"));
    starts_like_parquet(content)
        || content.ends_with(MAGIC)
        || (named && !super::is_encoded(content))
}

/// What a column holds, as far as scanning goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Values {
    /// Text: strings, enums, JSON.
    Text,
    /// Bytes without a type: often text written by a tool that does not annotate strings
    /// (older Spark, Impala, Hive). Values that are valid UTF-8 are scanned.
    Binary,
    /// Integers and floating-point numbers.
    Number,
    /// UUIDs, 16 bytes, written in their hyphenated form.
    Uuid,
    /// Booleans, dates, times, timestamps, decimals, BSON, geometries...: nothing a text
    /// detector could find.
    Other,
}

/// A leaf column of the file's schema.
#[derive(Clone, Debug)]
pub struct Column {
    /// The column's path, named as a JSON key path would be (`properties.city`, `items[]`).
    pub path: Arc<str>,
    pub values: Values,
}

/// An open Parquet file: its footer read, its row groups ready to be read in any order, from
/// any thread.
pub struct ParquetFile {
    reader: SerializedFileReader<Mapped>,
    columns: Vec<Column>,
}

impl ParquetFile {
    /// Reads the footer of `content`. The error says what is wrong, never with content.
    pub fn open(content: Arc<Content>) -> Result<ParquetFile, String> {
        if !content.starts_with(MAGIC) || !content.ends_with(MAGIC) || content.len() < 12 {
            return Err(
                "not a whole Parquet file: the PAR1 magic is missing at its start or \
                 end (truncated?)"
                    .into(),
            );
        }
        let reader = catch(|| SerializedFileReader::new(Mapped(content)).map_err(describe))?;
        let schema = reader.metadata().file_metadata().schema_descr();
        let mut paths = Vec::with_capacity(schema.num_columns());
        for field in schema.root_schema().get_fields() {
            leaves(field, field_path("", field), &mut paths);
        }
        let columns = schema
            .columns()
            .iter()
            .enumerate()
            .map(|(i, column)| Column {
                // The walk names the leaves in the schema's order; should a schema ever be
                // walked otherwise, the dotted path is still a name.
                path: match paths.get(i) {
                    Some(path) if paths.len() == schema.num_columns() => path.as_str().into(),
                    _ => column.path().string().into(),
                },
                values: values_of(column),
            })
            .collect();
        Ok(ParquetFile { reader, columns })
    }

    /// The leaf columns, in the schema's order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn row_groups(&self) -> usize {
        self.reader.num_row_groups()
    }

    /// The rows of row group `group`, numbered from the start of the file.
    pub fn rows(&self, group: usize) -> Range<u64> {
        let groups = self.reader.metadata().row_groups();
        let count = |g: &parquet::file::metadata::RowGroupMetaData| g.num_rows().max(0) as u64;
        let first: u64 = groups[..group.min(groups.len())].iter().map(count).sum();
        first..first + groups.get(group).map_or(0, count)
    }

    /// Where row group `group`'s column chunks lie in the file (clamped to it).
    pub fn span(&self, group: usize, file_len: usize) -> Range<usize> {
        let Some(meta) = self.reader.metadata().row_groups().get(group) else {
            return 0..0;
        };
        let ranges = meta.columns().iter().map(|c| c.byte_range());
        let start = ranges.clone().map(|(s, _)| s).min().unwrap_or(0);
        let end = ranges.map(|(s, l)| s.saturating_add(l)).max().unwrap_or(0);
        let clamp = |x: u64| usize::try_from(x).unwrap_or(usize::MAX).min(file_len);
        clamp(start)..clamp(end).max(clamp(start))
    }

    /// A reader of row group `group`'s columns `wanted` (indices into [`Self::columns`]), a
    /// batch of rows at a time into [`Records`] whose field `k` is column `wanted[k]`, each
    /// batch's values near `target` bytes.
    pub fn row_group(
        &self,
        group: usize,
        wanted: &[usize],
        target: usize,
    ) -> Result<RowGroupBatches, String> {
        catch(|| {
            let row_group = self.reader.get_row_group(group).map_err(describe)?;
            let mut readers = Vec::with_capacity(wanted.len());
            for &i in wanted {
                let column = self.columns.get(i).ok_or("no such column")?;
                let reader = row_group.get_column_reader(i).map_err(describe)?;
                let descr = row_group.metadata().column(i).column_descr_ptr();
                readers.push(ColumnCells::new(reader, &descr, column.values));
            }
            let fields = wanted.iter().map(|&i| Arc::clone(&self.columns[i].path));
            Ok(RowGroupBatches {
                readers,
                fields: fields.collect(),
                rows: self.rows(group),
                next: self.rows(group).start,
                per_batch: 256,
                target,
                scratch: Scratch::default(),
                done: false,
            })
        })
    }
}

/// The batches of one row group, read in order: see [`ParquetFile::row_group`].
pub struct RowGroupBatches {
    readers: Vec<ColumnCells>,
    fields: Vec<Arc<str>>,
    rows: Range<u64>,
    next: u64,
    /// Rows read per batch: twice as many while a batch's values stay under half the target,
    /// half as many past it.
    per_batch: u64,
    target: usize,
    scratch: Scratch,
    done: bool,
}

impl RowGroupBatches {
    /// An empty batch for this row group's fields.
    pub fn records(&self) -> Records {
        Records::new(self.fields.clone())
    }

    /// Fills `records` (emptied first) with the next rows; false once the row group is read
    /// whole (and checked: values past the rows the footer counts would go unscanned, so
    /// they make the file corrupt). The error says what is wrong, never with content.
    pub fn next_batch(&mut self, records: &mut Records) -> Result<bool, String> {
        records.clear();
        if self.done {
            return Ok(false);
        }
        catch(|| self.next_batch_inner(records))
    }

    fn next_batch_inner(&mut self, records: &mut Records) -> Result<bool, String> {
        let n = self.per_batch.min(self.rows.end - self.next);
        if n == 0 {
            self.done = true;
            for (k, reader) in self.readers.iter_mut().enumerate() {
                if reader.read(1, self.next, k, records, &mut self.scratch)? > 0 {
                    let path = printable_path(&self.fields[k]);
                    return Err(format!(
                        "column {path} holds more rows than its row group counts; the file is \
                         corrupt"
                    ));
                }
            }
            return Ok(false);
        }
        for (k, reader) in self.readers.iter_mut().enumerate() {
            let path = &self.fields[k];
            let read = reader
                .read(n as usize, self.next, k, records, &mut self.scratch)
                .map_err(|e| format!("column {}: {e}", printable_path(path)))?;
            if read as u64 != n {
                return Err(short_column(path));
            }
        }
        self.next += n;
        let bytes = records.value_bytes();
        if bytes < self.target / 2 {
            self.per_batch = (self.per_batch * 2).min(1 << 16);
        } else if bytes > self.target {
            self.per_batch = (self.per_batch / 2).max(1);
        }
        Ok(true)
    }
}

pub(super) fn short_column(path: &str) -> String {
    let path = printable_path(path);
    format!("column {path} ends before its row group does; the file is corrupt")
}

fn printable_path(path: &str) -> std::borrow::Cow<'_, str> {
    super::printable(path)
}

/// The message of a Parquet error, made safe to print (the crate's messages name offsets,
/// lengths and codecs, not values).
pub(super) fn describe(e: parquet::errors::ParquetError) -> String {
    let text = e.to_string();
    let text: String = text.chars().take(300).collect();
    super::printable(&text).into_owned()
}

/// Runs a read of the `parquet` crate, whose decoders assert things about the data that a
/// corrupt file can break: a panic is an error of that file, not the end of the scan.
fn catch<T>(read: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|_| {
        Err("the Parquet decoder gave up on corrupt data (see the message above)".into())
    })
}

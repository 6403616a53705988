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

use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as Physical};
use parquet::column::reader::{get_typed_column_reader, ColumnReader, ColumnReaderImpl};
use parquet::data_type::{
    ByteArrayType, DataType, DoubleType, FixedLenByteArrayType, FloatType, Int32Type, Int64Type,
};
use parquet::file::reader::{ChunkReader, FileReader, Length};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::schema::types::{ColumnDescriptor, Type};

use super::mmap::Content;
use super::records::Records;

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

fn short_column(path: &str) -> String {
    let path = printable_path(path);
    format!("column {path} ends before its row group does; the file is corrupt")
}

fn printable_path(path: &str) -> std::borrow::Cow<'_, str> {
    super::printable(path)
}

/// The message of a Parquet error, made safe to print (the crate's messages name offsets,
/// lengths and codecs, not values).
fn describe(e: parquet::errors::ParquetError) -> String {
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

/// Buffers reused from batch to batch.
#[derive(Default)]
struct Scratch {
    def: Vec<i16>,
    rep: Vec<i16>,
    text: Vec<u8>,
}

/// A column chunk's reader, typed, with what its values are.
struct ColumnCells {
    reader: Typed,
    values: Values,
    max_def: i16,
    max_rep: i16,
    unsigned: bool,
}

enum Typed {
    Bytes(
        ColumnReaderImpl<ByteArrayType>,
        Vec<parquet::data_type::ByteArray>,
    ),
    Fixed(
        ColumnReaderImpl<FixedLenByteArrayType>,
        Vec<parquet::data_type::FixedLenByteArray>,
    ),
    I32(ColumnReaderImpl<Int32Type>, Vec<i32>),
    I64(ColumnReaderImpl<Int64Type>, Vec<i64>),
    F32(ColumnReaderImpl<FloatType>, Vec<f32>),
    F64(ColumnReaderImpl<DoubleType>, Vec<f64>),
    /// A column of a type never scanned: its records are still counted.
    Other(ColumnReader),
}

impl ColumnCells {
    fn new(reader: ColumnReader, descr: &ColumnDescriptor, values: Values) -> ColumnCells {
        let reader = match reader {
            ColumnReader::ByteArrayColumnReader(_) => {
                Typed::Bytes(get_typed_column_reader(reader), Vec::new())
            }
            ColumnReader::FixedLenByteArrayColumnReader(_) => {
                Typed::Fixed(get_typed_column_reader(reader), Vec::new())
            }
            ColumnReader::Int32ColumnReader(_) => {
                Typed::I32(get_typed_column_reader(reader), Vec::new())
            }
            ColumnReader::Int64ColumnReader(_) => {
                Typed::I64(get_typed_column_reader(reader), Vec::new())
            }
            ColumnReader::FloatColumnReader(_) => {
                Typed::F32(get_typed_column_reader(reader), Vec::new())
            }
            ColumnReader::DoubleColumnReader(_) => {
                Typed::F64(get_typed_column_reader(reader), Vec::new())
            }
            other => Typed::Other(other),
        };
        let unsigned = match descr.logical_type_ref() {
            Some(LogicalType::Integer(int)) => !int.is_signed,
            _ => matches!(
                descr.converted_type(),
                ConvertedType::UINT_8
                    | ConvertedType::UINT_16
                    | ConvertedType::UINT_32
                    | ConvertedType::UINT_64
            ),
        };
        ColumnCells {
            reader,
            values,
            max_def: descr.max_def_level(),
            max_rep: descr.max_rep_level(),
            unsigned,
        }
    }

    /// Reads up to `n` rows, the first of them row `first`, pushing their values as cells of
    /// field `field`. Returns the rows read.
    fn read(
        &mut self,
        n: usize,
        first: u64,
        field: usize,
        records: &mut Records,
        scratch: &mut Scratch,
    ) -> Result<usize, String> {
        let Scratch { def, rep, text } = scratch;
        def.clear();
        rep.clear();
        let (max_def, max_rep) = (self.max_def, self.max_rep);
        let levels = (max_def > 0).then_some(&mut *def);
        let reps = (max_rep > 0).then_some(&mut *rep);
        // The row of each value read, from the levels: a repetition level of 0 opens a row,
        // and only values at the maximum definition level are there (not null).
        let rows = |def: &[i16], rep: &[i16], count: usize| -> Vec<u64> {
            let mut rows = Vec::with_capacity(count);
            let mut row = first;
            let levels = def.len().max(rep.len());
            if levels == 0 {
                return (first..first + count as u64).collect();
            }
            for l in 0..levels {
                // Without repetition every level is a row of its own.
                if l > 0 && (max_rep == 0 || rep.get(l) == Some(&0)) {
                    row += 1;
                }
                if max_def == 0 || def.get(l) == Some(&max_def) {
                    rows.push(row);
                }
            }
            rows
        };
        macro_rules! read_typed {
            ($reader:expr, $buf:expr) => {{
                $buf.clear();
                let (records_read, values_read, _) = $reader
                    .read_records(n, levels, reps, $buf)
                    .map_err(describe)?;
                let rows = rows(def, rep, values_read);
                if rows.len() != values_read {
                    return Err(
                        "the levels of a column do not match its values; the file is \
                                corrupt"
                            .into(),
                    );
                }
                (records_read, rows)
            }};
        }
        let binary = self.values == Values::Binary;
        let unsigned = self.unsigned;
        let read = match &mut self.reader {
            Typed::Bytes(reader, buf) => {
                let (read, rows) = read_typed!(reader, buf);
                for (value, &row) in buf.iter().zip(&rows) {
                    let bytes = value.data();
                    // Untyped bytes are scanned when they are text.
                    if !binary || std::str::from_utf8(bytes).is_ok() {
                        records.push(row, field, bytes);
                    }
                }
                read
            }
            Typed::Fixed(reader, buf) => {
                let (read, rows) = read_typed!(reader, buf);
                for (value, &row) in buf.iter().zip(&rows) {
                    if let Ok(uuid) = <[u8; 16]>::try_from(value.data()) {
                        text.clear();
                        write_uuid(&uuid, text);
                        records.push(row, field, text);
                    }
                }
                read
            }
            Typed::I32(reader, buf) => {
                let (read, rows) = read_typed!(reader, buf);
                let mut num = itoa::Buffer::new();
                for (&value, &row) in buf.iter().zip(&rows) {
                    let text = if unsigned {
                        num.format(value as u32)
                    } else {
                        num.format(value)
                    };
                    records.push(row, field, text.as_bytes());
                }
                read
            }
            Typed::I64(reader, buf) => {
                let (read, rows) = read_typed!(reader, buf);
                let mut num = itoa::Buffer::new();
                for (&value, &row) in buf.iter().zip(&rows) {
                    let text = if unsigned {
                        num.format(value as u64)
                    } else {
                        num.format(value)
                    };
                    records.push(row, field, text.as_bytes());
                }
                read
            }
            Typed::F32(reader, buf) => {
                let (read, rows) = read_typed!(reader, buf);
                for (&value, &row) in buf.iter().zip(&rows) {
                    push_float(
                        f64::from(value),
                        value.is_finite(),
                        row,
                        field,
                        records,
                        text,
                    );
                }
                read
            }
            Typed::F64(reader, buf) => {
                let (read, rows) = read_typed!(reader, buf);
                for (&value, &row) in buf.iter().zip(&rows) {
                    push_float(value, value.is_finite(), row, field, records, text);
                }
                read
            }
            Typed::Other(reader) => count_records(reader, n, levels, reps)?,
        };
        Ok(read)
    }
}

/// Writes a float as JSON would: the shortest form that reads back the same (`48.8566`),
/// never an exponent. Infinities and NaN are left out.
fn push_float(
    value: f64,
    finite: bool,
    row: u64,
    field: usize,
    records: &mut Records,
    text: &mut Vec<u8>,
) {
    use std::io::Write;
    if !finite {
        return;
    }
    text.clear();
    let _ = write!(text, "{value}");
    records.push(row, field, text);
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower-case.
fn write_uuid(uuid: &[u8; 16], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in uuid.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push(b'-');
        }
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 15)]);
    }
}

/// Reads and drops up to `n` records of a column never scanned.
fn count_records(
    reader: &mut ColumnReader,
    n: usize,
    def: Option<&mut Vec<i16>>,
    rep: Option<&mut Vec<i16>>,
) -> Result<usize, String> {
    fn read<T: DataType>(
        reader: &mut ColumnReaderImpl<T>,
        n: usize,
        def: Option<&mut Vec<i16>>,
        rep: Option<&mut Vec<i16>>,
    ) -> Result<usize, String>
    where
        T::T: Default + Clone,
    {
        let mut values: Vec<T::T> = Vec::new();
        let (records, _, _) = reader
            .read_records(n, def, rep, &mut values)
            .map_err(describe)?;
        Ok(records)
    }
    match reader {
        ColumnReader::BoolColumnReader(r) => read(r, n, def, rep),
        ColumnReader::Int32ColumnReader(r) => read(r, n, def, rep),
        ColumnReader::Int64ColumnReader(r) => read(r, n, def, rep),
        ColumnReader::Int96ColumnReader(r) => read(r, n, def, rep),
        ColumnReader::FloatColumnReader(r) => read(r, n, def, rep),
        ColumnReader::DoubleColumnReader(r) => read(r, n, def, rep),
        ColumnReader::ByteArrayColumnReader(r) => read(r, n, def, rep),
        ColumnReader::FixedLenByteArrayColumnReader(r) => read(r, n, def, rep),
    }
}

/// What the values of a leaf column are.
fn values_of(column: &ColumnDescriptor) -> Values {
    let logical = column.logical_type_ref();
    let converted = column.converted_type();
    match column.physical_type() {
        Physical::BYTE_ARRAY => match (logical, converted) {
            (Some(LogicalType::String | LogicalType::Enum | LogicalType::Json), _) => Values::Text,
            (None, ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON) => Values::Text,
            (None, ConvertedType::NONE) => Values::Binary,
            _ => Values::Other,
        },
        Physical::FIXED_LEN_BYTE_ARRAY => match logical {
            Some(LogicalType::Uuid) if column.type_length() == 16 => Values::Uuid,
            _ => Values::Other,
        },
        Physical::INT32 | Physical::INT64 => match (logical, converted) {
            (Some(LogicalType::Integer { .. }), _) => Values::Number,
            (None, ConvertedType::NONE) => Values::Number,
            (
                None,
                ConvertedType::INT_8
                | ConvertedType::INT_16
                | ConvertedType::INT_32
                | ConvertedType::INT_64
                | ConvertedType::UINT_8
                | ConvertedType::UINT_16
                | ConvertedType::UINT_32
                | ConvertedType::UINT_64,
            ) => Values::Number,
            _ => Values::Other,
        },
        Physical::FLOAT | Physical::DOUBLE => Values::Number,
        Physical::BOOLEAN | Physical::INT96 => Values::Other,
    }
}

/// The path of a schema field below `parent`: a repeated field not inside a list is a list of
/// its own (`tags[]`).
fn field_path(parent: &str, field: &Type) -> String {
    let mut path = join(parent, field.name());
    if field.get_basic_info().has_repetition()
        && field.get_basic_info().repetition() == Repetition::REPEATED
    {
        path.push_str("[]");
    }
    path
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// Appends the paths of the leaves of `field`, whose own path is `path`, in the schema's
/// order. Lists and maps are read by the rules of the Parquet format's LogicalTypes.md,
/// backward-compatibility rules included: the repeated group of a list is not part of the
/// path (`items.list.element` is `items[]`), nor is a map's (`attrs.key_value.key` is
/// `attrs.key`).
fn leaves(field: &Type, path: String, out: &mut Vec<String>) {
    if field.is_primitive() {
        out.push(path);
        return;
    }
    let info = field.get_basic_info();
    let children = field.get_fields();
    let repeated_one = children.len() == 1
        && children[0].get_basic_info().has_repetition()
        && children[0].get_basic_info().repetition() == Repetition::REPEATED;
    let list = matches!(info.logical_type_ref(), Some(LogicalType::List))
        || info.converted_type() == ConvertedType::LIST;
    let map = matches!(info.logical_type_ref(), Some(LogicalType::Map))
        || matches!(
            info.converted_type(),
            ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE
        );
    if list && repeated_one {
        let repeated = &children[0];
        let path = if path.ends_with("[]") {
            path
        } else {
            format!("{path}[]")
        };
        // Three levels (`list` → `element`) unless the repeated field is the element itself:
        // a primitive, a group of several fields, or the legacy `array` / `*_tuple` names.
        let element_is_repeated = repeated.is_primitive()
            || repeated.get_fields().len() != 1
            || repeated.name() == "array"
            || repeated.name().ends_with("_tuple");
        if element_is_repeated {
            descend(repeated, path, out);
        } else {
            let element = &repeated.get_fields()[0];
            if element.is_primitive() {
                out.push(path);
            } else {
                leaves(element, path, out);
            }
        }
        return;
    }
    if map && repeated_one && children[0].is_group() {
        for f in children[0].get_fields() {
            leaves(f, join(&path, f.name()), out);
        }
        return;
    }
    for f in children {
        leaves(f, field_path(&path, f), out);
    }
}

/// The leaves of a list's repeated field that is its element.
fn descend(element: &Type, path: String, out: &mut Vec<String>) {
    if element.is_primitive() {
        out.push(path);
    } else {
        for f in element.get_fields() {
            leaves(f, field_path(&path, f), out);
        }
    }
}

/// A mapped (or read) file as the `parquet` crate reads it: pages are slices of the map.
struct Mapped(Arc<Content>);

/// A window of the content, owned, for [`Bytes::from_owner`].
struct Window(Arc<Content>, Range<usize>);

impl AsRef<[u8]> for Window {
    fn as_ref(&self) -> &[u8] {
        &self.0[self.1.clone()]
    }
}

impl Length for Mapped {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
}

impl Mapped {
    fn window(&self, start: u64, length: usize) -> parquet::errors::Result<Range<usize>> {
        let len = self.0.len();
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        match start.checked_add(length) {
            Some(end) if end <= len => Ok(start..end),
            _ => Err(parquet::errors::ParquetError::EOF(format!(
                "{length} bytes at offset {start} are past the end of the file ({len} bytes)"
            ))),
        }
    }
}

impl ChunkReader for Mapped {
    type T = Reader;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Reader> {
        let range = self.window(start, 0)?;
        Ok(Reader(Arc::clone(&self.0), range.start))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        let range = self.window(start, length)?;
        Ok(Bytes::from_owner(Window(Arc::clone(&self.0), range)))
    }
}

/// A reader of the content from a position on.
struct Reader(Arc<Content>, usize);

impl Read for Reader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = self.0.get(self.1..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.1 += n;
        Ok(n)
    }
}

//! A column chunk read a batch of records at a time, its values written as cells.

use parquet::basic::{ConvertedType, LogicalType};
use parquet::column::reader::{get_typed_column_reader, ColumnReader, ColumnReaderImpl};
use parquet::data_type::{
    ByteArrayType, DataType, DoubleType, FixedLenByteArrayType, FloatType, Int32Type, Int64Type,
};
use parquet::schema::types::ColumnDescriptor;

use super::{describe, Values};
use crate::source::records::Records;
/// Buffers reused from batch to batch.
#[derive(Default)]
pub(super) struct Scratch {
    def: Vec<i16>,
    rep: Vec<i16>,
    text: Vec<u8>,
}

/// A column chunk's reader, typed, with what its values are.
pub(super) struct ColumnCells {
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
    pub(super) fn new(
        reader: ColumnReader,
        descr: &ColumnDescriptor,
        values: Values,
    ) -> ColumnCells {
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
    pub(super) fn read(
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

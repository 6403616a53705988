//! Records: inputs whose values come as (field, value) cells rather than as lines of text.
//!
//! A columnar file (Parquet), a row-oriented binary format (Avro), a database table or a
//! dataframe has no bytes the line-oriented engine could read, but it has what the engine
//! wants from text: values, and the name of the field each sits under. A [`Records`] batch
//! holds such cells (the field, the 0-based row the cell belongs to, the value's bytes),
//! and [`crate::engine::Scanner::scan_records`] runs them through the same detectors, each
//! value with the hint its field name gives (as a JSON key would), and returns findings whose
//! `field` is the field name, `line` the 1-based row and `column` and `offset` the place
//! within the cell. A source only fills batches; what the cells mean is the engine's affair.
//!
//! Values are bytes, as everywhere in piiscan: a field of text that is not valid UTF-8 is
//! still searched.

use std::sync::Arc;

/// A batch of cells from one input. Cells may be pushed in any order (a columnar source
/// pushes a column at a time); the engine reads them row by row, in the order pushed within
/// a row.
#[derive(Clone, Debug, Default)]
pub struct Records {
    fields: Vec<Arc<str>>,
    values: Vec<u8>,
    cells: Vec<Cell>,
}

/// One value of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The 0-based row (record) of the input the value belongs to.
    pub row: u64,
    /// Its field: an index into [`Records::fields`].
    pub field: u32,
    start: usize,
    end: usize,
}

impl Records {
    /// An empty batch over `fields`: the names of the fields its cells sit under, in the
    /// dotted form of JSON key paths (`properties.city`, `items[].email`).
    pub fn new(fields: Vec<Arc<str>>) -> Records {
        Records {
            fields,
            ..Records::default()
        }
    }

    pub fn fields(&self) -> &[Arc<str>] {
        &self.fields
    }

    /// Adds the value of `field` (an index into [`Records::fields`]) in `row`. Empty values
    /// hold nothing and are left out.
    ///
    /// # Panics
    /// When `field` is not an index into the fields: a caller's mistake, not the data's.
    pub fn push(&mut self, row: u64, field: usize, value: &[u8]) {
        assert!(field < self.fields.len(), "no field {field} in the batch");
        if value.is_empty() {
            return;
        }
        let start = self.values.len();
        self.values.extend_from_slice(value);
        self.cells.push(Cell {
            row,
            field: field as u32,
            start,
            end: self.values.len(),
        });
    }

    /// The cells, in the order they were pushed.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// The value of a cell of this batch.
    pub fn value(&self, cell: &Cell) -> &[u8] {
        &self.values[cell.start..cell.end]
    }

    /// The bytes of all the values.
    pub fn value_bytes(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Empties the batch, keeping its fields and its memory.
    pub fn clear(&mut self) {
        self.values.clear();
        self.cells.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_their_row_field_and_value() {
        let mut records = Records::new(vec!["email".into(), "city".into()]);
        let cases: &[(u64, usize, &[u8])] = &[
            (0, 0, b"jane@example.com"),
            (0, 1, b""),
            (1, 1, b"Paris"),
            (1, 0, b"\xff\xfe"),
        ];
        for &(row, field, value) in cases {
            records.push(row, field, value);
        }
        let kept: Vec<(u64, u32, &[u8])> = records
            .cells()
            .iter()
            .map(|c| (c.row, c.field, records.value(c)))
            .collect();
        assert_eq!(
            kept,
            [
                (0, 0, &b"jane@example.com"[..]),
                (1, 1, b"Paris"),
                (1, 0, b"\xff\xfe")
            ]
        );
        assert_eq!(records.value_bytes(), 23);
        records.clear();
        assert!(records.is_empty());
        assert_eq!(records.fields().len(), 2);
    }
}

//! Examples through the whole engine: what a scan finds in a short input read as lines of text
//! or JSON, or as a CSV file, so that every detector's examples (and a policy's own) are held
//! to what users will see, key hints and overlaps included.

use std::ops::Range;
use std::path::Path;

use super::{FileContext, Scanner};
use crate::detect::{Kind, Shape};

/// The kind and span of every finding in `input`, read as `shape` says.
pub fn findings(scanner: &Scanner, input: &str, shape: Shape) -> Vec<(Kind, Range<usize>)> {
    let context = match shape {
        Shape::Lines => FileContext::default(),
        Shape::Csv => FileContext::sniff(Path::new("example.csv"), input.as_bytes(), None),
    };
    scanner
        .scan_chunk(input.as_bytes(), 0, &context)
        .findings
        .iter()
        .map(|f| {
            let start = f.offset as usize;
            (f.kind, start..start + f.length as usize)
        })
        .collect()
}

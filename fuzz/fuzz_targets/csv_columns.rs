//! CSV headers (every delimiter, quoting sniffed) and columns on arbitrary bytes: no panic, the one-pass column lookup agrees
//! with the per-offset one at every offset (in order and out of order), records that span
//! lines run from a line start to a line end in order, chunks may end exactly at the line ends
//! no such record holds, hinted cells lie inside the input.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use piiscan::structure::csv::{Cut, Header};

fuzz_target!(|data: &[u8]| {
    let first_end = data
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |i| i + 1);
    let body = &data[first_end..];
    let names = ["export.csv", "export.tsv.gz", "export.log"];
    let delimiters = [None, Some(b';'), Some(b'|')];
    for (name, delimiter) in names.into_iter().flat_map(|n| delimiters.map(|d| (n, d))) {
        let names_person = &piiscan::detect::person_name::is_first_and_last;
        let Ok(Some(header)) = Header::sniff(Path::new(name), data, delimiter, names_person) else {
            continue;
        };
        let records = header.multiline_records(data);
        let mut after = 0;
        for r in &records {
            assert!(after <= r.start && r.start < r.end && r.end <= data.len());
            assert!(r.start == 0 || data[r.start - 1] == b'\n');
            assert!(r.end == data.len() || data[r.end] == b'\n');
            assert!(data[r.start..r.end].contains(&b'\n'));
            after = r.end + 1;
        }
        // A chunk may end at a line end exactly where no such record holds it.
        for end in (1..=data.len()).filter(|&e| data[e - 1] == b'\n') {
            let held = records.iter().any(|r| r.start < end - 1 && end - 1 < r.end);
            let mut from = 0;
            let cut = loop {
                match header.cut(data, from, end, true) {
                    Cut::After(close) if close + 1 < end => from = close + 1,
                    cut => break cut,
                }
            };
            assert_eq!(matches!(cut, Cut::After(_)), held, "line end at {end}");
            assert!(!matches!(cut, Cut::Unknown(_)));
        }
        let mut hints = Vec::new();
        header.find_hints(data, true, &records, &mut hints);
        for h in &hints {
            assert!(h.start <= h.end && h.end <= data.len());
        }
        for line in body.split(|&b| b == b'\n') {
            let forward: Vec<usize> = (0..=line.len()).collect();
            let backward: Vec<usize> = forward.iter().rev().copied().collect();
            for offsets in [&forward, &backward] {
                let mut got = vec![None; offsets.len()];
                header.columns_at(line, offsets, |i, name| got[i] = Some(name));
                for (i, &o) in offsets.iter().enumerate() {
                    assert_eq!(got[i], header.column_at(line, o), "offset {o}");
                }
            }
        }
    }
});

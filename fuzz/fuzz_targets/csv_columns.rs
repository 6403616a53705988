//! CSV headers and columns on arbitrary bytes: no panic, the one-pass column lookup agrees
//! with the per-offset one at every offset (in order and out of order), hinted cells lie
//! inside the input.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use piiscan::structure::csv::Header;

fuzz_target!(|data: &[u8]| {
    let first_end = data
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |i| i + 1);
    let (first, body) = data.split_at(first_end);
    for name in ["export.csv", "export.tsv.gz", "export.log"] {
        let Some(header) = Header::sniff(Path::new(name), first) else {
            continue;
        };
        let mut hints = Vec::new();
        header.find_hints(data, true, &mut hints);
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

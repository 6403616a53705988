//! The JSON key-path walker and the hint scan on arbitrary bytes: no panic, one answer per
//! offset, hinted spans inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::structure::json;

fuzz_target!(|data: &[u8]| {
    let offsets: Vec<usize> = (0..data.len()).step_by(3).collect();
    let mut last = None;
    json::paths_at(data, &offsets, |i, path, keys| {
        assert!(keys.iter().all(|&(s, e)| s <= e && e <= path.len()));
        assert!(i < offsets.len() && last.is_none_or(|l| l < i));
        last = Some(i);
    });
    let mut hints = Vec::new();
    json::find_hints(data, &mut hints);
    for h in hints {
        assert!(h.start <= h.end && h.end <= data.len());
    }
});

//! Every detector, through the whole chunk pipeline, on arbitrary bytes: no panic, findings
//! inside the input, never across a newline, sorted and not overlapping.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use piiscan::scan::{Config, FileContext, Scanner};

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::new(Config::default()))
}

fuzz_target!(|data: &[u8]| {
    let result = scanner().scan_chunk(data, 0, &FileContext::default());
    let mut last_end = 0;
    for f in &result.findings {
        let (start, end) = (f.offset as usize, f.offset as usize + f.length as usize);
        assert!(start >= last_end && end <= data.len() && start < end);
        assert!(!data[start..end].contains(&b'\n'));
        last_end = end;
    }
});

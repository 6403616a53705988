//! Every detector, through the whole chunk pipeline, on arbitrary bytes: no panic, findings
//! inside the input, never across a newline, sorted, and not overlapping within direct
//! identifiers nor within quasi-identifiers (the two are resolved apart: an account ID may
//! hold an e-mail address).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use piiscan::engine::{Config, FileContext, Scanner};

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::new(Config::default()))
}

fuzz_target!(|data: &[u8]| {
    let result = scanner().scan_chunk(data, 0, &FileContext::default());
    let (mut last_start, mut last_end) = (0, [0; 2]);
    for f in &result.findings {
        let (start, end) = (f.offset as usize, f.offset as usize + f.length as usize);
        let group = usize::from(f.kind.is_quasi());
        assert!(start >= last_start && start >= last_end[group]);
        assert!(end <= data.len() && start < end);
        assert!(!data[start..end].contains(&b'\n'));
        (last_start, last_end[group]) = (start, end);
    }
});

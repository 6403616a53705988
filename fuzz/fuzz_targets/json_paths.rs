//! The JSON key-path walkers and the hint scan on arbitrary bytes: no panic, one answer per
//! offset, the indexed walk (which replays the prefilter's key and bracket lists) agreeing with
//! the tokenizer on every line that is JSON, hinted spans inside the input.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use piiscan::prefilter::{Candidates, Class, Classes};
use piiscan::structure::json::{self, Index, Path, Walker};

/// The path of each offset, by the tokenizer or by the indexed walk.
fn paths(
    line: &[u8],
    offsets: &[usize],
    indexed: Option<(usize, Index<'_>)>,
) -> Vec<Option<Vec<u8>>> {
    let mut got = vec![None; offsets.len()];
    let mut last = None;
    // A path's number names its keys: the same number, the same path, within a walk.
    let mut named: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut found = |i: usize, mut path: Path<'_>| {
        let id = path.id();
        let (text, keys) = path.text();
        assert!(keys.iter().all(|&(s, e)| s <= e && e <= text.len()));
        assert!(i < offsets.len() && last.is_none_or(|l| l < i));
        assert_eq!(named.entry(id).or_insert_with(|| text.to_vec()), text);
        last = Some(i);
        got[i] = Some(text.to_vec());
    };
    let mut walker = Walker::default();
    match indexed {
        Some((line_start, index)) => {
            walker.paths_indexed(line, line_start, index, offsets, &mut found)
        }
        None => walker.paths_at(line, offsets, &mut found),
    }
    got
}

fuzz_target!(|data: &[u8]| {
    let listed = Candidates::new(data, Classes::NONE.with(Class::Key).with(Class::Structure));
    let index = Index {
        keys: listed.get(Class::Key),
        structure: listed.get(Class::Structure),
    };
    let mut line_start = 0;
    for line in data.split(|&b| b == b'\n') {
        let every: Vec<usize> = (0..line.len()).collect();
        let want = paths(line, &every, None);
        // The indexed walk is held to the tokenizer on lines that are JSON, where a detector
        // could find a value: where the tokenizer places one. (On a malformed line, which the
        // scan also walks when it starts like JSON, both only do their best: a bracket in a
        // bare word, `[[x[`, opens an array for one and not for the other.)
        let is_json = serde_json::from_slice::<serde_json::Value>(line).is_ok();
        if json::looks_like_json(line) && is_json {
            let offsets: Vec<usize> = every.into_iter().filter(|&i| want[i].is_some()).collect();
            let got = paths(line, &offsets, Some((line_start, index)));
            for (k, &i) in offsets.iter().enumerate() {
                assert_eq!(got[k], want[i], "offset {i} of line {line:?}");
            }
        }
        line_start += line.len() + 1;
    }
    let mut hints = Vec::new();
    json::find_hints(data, &mut hints);
    for h in hints {
        assert!(h.start <= h.end && h.end <= data.len());
    }
});

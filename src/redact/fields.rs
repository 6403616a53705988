//! Values by field: the spans of the values under the fields a `[redact.fields]` rule names,
//! whether or not a detector found anything in them (free text that no detector understands).
//!
//! JSON lines are walked byte by byte, keys joined into paths as the engine names fields
//! (`items[].note`), but only the lines that hold the last key of some rule (a `memmem`
//! first), so that a run with field rules pays for the walk on the few lines concerned. A rule
//! covers the scalar values at its path and below it (`properties.notes` takes an object's
//! strings too). CSV cells are named by their column.

use std::ops::Range;

use crate::policy::redact::FieldRule;
use crate::structure::csv;

/// A value a field rule covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldValue {
    /// The bytes to replace: a string's content (its quotes stay), or a bare value.
    pub span: Range<usize>,
    /// Whether the value is a JSON string (else a number, literal or CSV cell).
    pub string: bool,
    /// The rule, by its index.
    pub rule: usize,
}

/// Finds the values of one JSON `line` (starting at `at` in its chunk) that `rules` cover.
pub fn json_values(
    line: &[u8],
    at: usize,
    rules: &[FieldRule],
    path: &mut Vec<u8>,
    out: &mut Vec<FieldValue>,
) {
    // Frames: (is an array, the path's length at its values: an array's ends in `[]`).
    let mut stack: Vec<(bool, usize)> = Vec::new();
    path.clear();
    let mut expect_key = false;
    let mut pos = 0;
    let rule_for = |path: &[u8]| -> Option<usize> {
        let text = std::str::from_utf8(path).ok()?;
        rules.iter().position(|r| {
            r.matches(text)
                || text
                    .char_indices()
                    .filter(|&(i, c)| c == '.' || (c == '[' && text[i..].starts_with("[]")))
                    .any(|(i, _)| r.matches(&text[..i]))
        })
    };
    while pos < line.len() {
        match line[pos] {
            b'{' | b'[' => {
                let array = line[pos] == b'[';
                if array {
                    path.extend_from_slice(b"[]");
                }
                stack.push((array, path.len()));
                expect_key = !array;
                pos += 1;
            }
            b'}' | b']' => {
                // Back to the path of the container itself, the value of its parent's key.
                if let Some((array, base)) = stack.pop() {
                    path.truncate(if array { base - 2 } else { base });
                }
                expect_key = false;
                pos += 1;
            }
            b',' => {
                expect_key = matches!(stack.last(), Some((false, _)));
                pos += 1;
            }
            b':' | b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'"' => {
                let start = pos + 1;
                let Some(end) = string_end(line, start) else {
                    return;
                };
                pos = end + 1;
                if expect_key {
                    let base = stack.last().map_or(0, |&(_, len)| len);
                    path.truncate(base);
                    if base > 0 {
                        path.push(b'.');
                    }
                    path.extend_from_slice(&line[start..end]);
                    expect_key = false;
                    continue;
                }
                if let Some(rule) = rule_for(path) {
                    out.push(FieldValue {
                        span: at + start..at + end,
                        string: true,
                        rule,
                    });
                }
            }
            _ => {
                let start = pos;
                while pos < line.len() && !matches!(line[pos], b',' | b'}' | b']' | b' ' | b'\n') {
                    pos += 1;
                }
                pos = pos.max(start + 1);
                if let Some(rule) = rule_for(path) {
                    out.push(FieldValue {
                        span: at + start..at + pos,
                        string: false,
                        rule,
                    });
                }
            }
        }
    }
}

/// The position of the quote that closes the string whose content starts at `start`.
fn string_end(line: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    while let Some(j) = memchr::memchr2(b'"', b'\\', &line[i..]) {
        let p = i + j;
        if line[p] == b'\\' {
            i = p + 2;
            if i > line.len() {
                return None;
            }
        } else {
            return Some(p);
        }
    }
    None
}

/// Finds the cells of one CSV `line` (starting at `at`) whose column a rule covers;
/// `columns[i]` is the rule of column `i`.
pub fn csv_values(
    line: &[u8],
    at: usize,
    delimiter: u8,
    quoting: bool,
    columns: &[Option<usize>],
    out: &mut Vec<FieldValue>,
) {
    for (i, (s, e)) in csv::cells(line, delimiter, quoting).enumerate() {
        if let Some(Some(rule)) = columns.get(i) {
            let (s, e) = if e >= s + 2 && line[s] == b'"' && line[e - 1] == b'"' {
                (s + 1, e - 1)
            } else {
                (s, e)
            };
            out.push(FieldValue {
                span: at + s..at + e,
                string: false,
                rule: *rule,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::RedactAction;

    #[test]
    fn json_values_are_found_by_path_and_below_it() {
        let rules = [
            FieldRule::new("properties.notes", RedactAction::Remove).unwrap(),
            FieldRule::new("items[].note", RedactAction::Remove).unwrap(),
            FieldRule::new("meta.*", RedactAction::Mask).unwrap(),
        ];
        let cases: &[(&str, &[&str])] = &[
            (
                r#"{"properties":{"notes":"call me","other":"x"},"n":1}"#,
                &["call me"],
            ),
            (
                r#"{"properties":{"notes":{"a":"one","b":[2,"three"]},"x":"y"}}"#,
                &["one", "2", "three"],
            ),
            (
                r#"{"items":[{"note":"a"},{"note":"b","k":"c"}]}"#,
                &["a", "b"],
            ),
            (r#"{"meta":{"x":"1"},"m":"2"}"#, &["1"]),
            (r#"{"notes":"top level is not properties.notes"}"#, &[]),
            (
                r#"{"properties":{"notes":"esc \" quote"}}"#,
                &[r#"esc \" quote"#],
            ),
        ];
        let mut path = Vec::new();
        for &(line, want) in cases {
            let mut out = Vec::new();
            json_values(line.as_bytes(), 0, &rules, &mut path, &mut out);
            let got: Vec<&str> = out.iter().map(|v| &line[v.span.clone()]).collect();
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn csv_cells_are_found_by_column() {
        let mut out = Vec::new();
        csv_values(b"1,\"a, b\",c", 10, b',', true, &[None, Some(0)], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].span, 13..17);
    }
}

//! The labels file: the ground truth, by file, in offset order.

use std::collections::HashMap;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use super::{Label, Labels, Span};
use crate::source::SourceError;

/// Reads a labels file; label paths are resolved against the file's folder.
pub fn read_labels(path: &Path) -> Result<Labels, SourceError> {
    let file = std::fs::File::open(path).map_err(|e| SourceError::io(path, e))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut by_file: Labels = HashMap::new();
    // Label paths repeat: canonicalise each once.
    let mut keys: HashMap<String, PathBuf> = HashMap::new();
    for (n, line) in io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| SourceError::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let label: Label = serde_json::from_str(&line).map_err(|e| {
            SourceError::other(
                path,
                format!(
                    "line {}: not a label: {}",
                    n + 1,
                    crate::scrub::parser_message(&e.to_string())
                ),
            )
        })?;
        let key = keys
            .entry(label.path)
            .or_insert_with_key(|p| canonical(&base.join(p)));
        let length = u32::try_from(label.length).map_err(|_| {
            SourceError::other(path, format!("line {}: a label longer than 4 GiB", n + 1))
        })?;
        by_file.entry(key.clone()).or_default().push(Span {
            offset: label.offset,
            length,
            kind: label.kind,
        });
    }
    for labels in by_file.values_mut() {
        labels.sort_by_key(|l| l.offset);
    }
    Ok(by_file)
}

pub(super) fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

//! The architecture as code: data flows one way (ARCHITECTURE.md), so no module of the library
//! may use one that sits after it in the flow, and there is no cycle. The `use crate::` graph
//! of the library's top-level modules (code only: comments and test modules left out) is read
//! from the sources and held to this order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The library's top-level modules in the order data flows through them: each may use only
/// modules before it. Modules on one line sit side by side and may not use each other.
const LAYERS: &[&[&str]] = &[
    &["scrub", "short"],
    &["source"],
    &["chunk"],
    &["prefilter"],
    &["structure"],
    &["detect"],
    &["finding"],
    &["sink"],
    &["engine"],
    &["output"],
    &["policy", "exposure", "eval", "progress"],
    &["redact"],
    &["report"],
    &["run"],
];

/// The top-level modules each top-level module uses.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("bin") {
                    stack.push(path);
                }
                continue;
            }
            let rel = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if !rel.ends_with(".rs")
                || rel == "main.rs"
                || rel == "lib.rs"
                || rel.ends_with("tests.rs")
            {
                continue;
            }
            let top = rel
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            let used = edges.entry(top.clone()).or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (i, _) in line.match_indices("crate::") {
                    let name: String = line[i + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if !name.is_empty() && name != top {
                        used.insert(name);
                    }
                }
            }
        }
    }
    edges
}

#[test]
fn modules_use_only_what_comes_before_them_in_the_flow() {
    let layer_of = |module: &str| LAYERS.iter().position(|l| l.contains(&module));
    let mut problems = Vec::new();
    for (module, used) in graph() {
        let Some(at) = layer_of(&module) else {
            problems.push(format!(
                "{module} is not placed in LAYERS (tests/it/architecture.rs)"
            ));
            continue;
        };
        for dep in used {
            match layer_of(&dep) {
                Some(dep_at) if dep_at < at => {}
                Some(_) => problems.push(format!(
                    "{module} uses {dep}, which comes after it or beside it"
                )),
                None => problems.push(format!(
                    "{module} uses {dep}, which is not placed in LAYERS"
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check can fail: a made-up back edge is caught.
#[test]
fn a_back_edge_would_be_caught() {
    let layer_of = |module: &str| LAYERS.iter().position(|l| l.contains(&module)).unwrap();
    assert!(layer_of("engine") > layer_of("detect"));
    assert!(layer_of("report") > layer_of("policy"));
    let edges = graph();
    assert!(
        edges["engine"].contains("detect"),
        "the graph reads `crate::` paths"
    );
    assert!(!edges["detect"].contains("engine"));
}

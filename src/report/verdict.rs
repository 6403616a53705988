//! The gate's verdict as text: pass or fail, and why, for a CI log.
//!
//! Each kind with findings gets a line with its outcome and counts, then the places (file and
//! field) of its new findings, most first, each with the line of the first one and that one
//! masked. Nothing else of a value is printed. Paths, fields and examples come from the data:
//! their control, bidirectional and invisible characters are printed escaped.

use std::io::{self, Write};

use crate::policy::gate::{KindVerdict, Outcome, Verdict};
use crate::policy::Action;
use crate::source::printable;

/// Places listed per kind; the rest are counted.
const MAX_PLACES: usize = 10;

/// Writes the verdict.
pub fn write_verdict(out: &mut dyn Write, verdict: &Verdict) -> io::Result<()> {
    let failing = verdict
        .kinds
        .iter()
        .filter(|k| k.outcome == Outcome::Fail)
        .count();
    let status = match (verdict.errors, verdict.skipped, verdict.passed) {
        (1, 0, _) => "ERROR (an input could not be read)".to_string(),
        (2.., 0, _) => "ERROR (inputs could not be read)".to_string(),
        (0, 1, _) => "ERROR (an input was not scanned)".to_string(),
        (0, 2.., _) => "ERROR (inputs were not scanned)".to_string(),
        (1.., 1.., _) => "ERROR (inputs could not be read or were not scanned)".to_string(),
        (0, 0, true) => "PASS".to_string(),
        (0, 0, false) => format!(
            "FAIL ({} over the policy)",
            super::count(failing as u64, "kind", "kinds")
        ),
    };
    writeln!(out, "piiscan gate: {status}")?;
    write!(out, "policy: {}", verdict.policy)?;
    if let Some(b) = &verdict.baseline {
        write!(
            out,
            "; baseline: {} ({} known, {} no longer found)",
            b.path, b.known, b.unused
        )?;
    }
    writeln!(out)?;
    if verdict.files == 0 && verdict.errors == 0 && verdict.skipped == 0 {
        writeln!(
            out,
            "no file was scanned: nothing to judge (are the paths right?)"
        )?;
    }
    if !verdict.kinds.is_empty() {
        writeln!(out)?;
    }
    for kind in &verdict.kinds {
        write_kind(out, kind)?;
    }
    if !verdict.allowed.is_empty() {
        let parts: Vec<String> = verdict
            .allowed
            .iter()
            .map(|a| format!("{} by {}", a.count, a.entry))
            .collect();
        writeln!(out, "\nallowed: {}", parts.join("; "))?;
    }
    if !verdict.ignored.is_empty() {
        let parts: Vec<String> = verdict
            .ignored
            .iter()
            .map(|i| format!("{} {}", i.kind, i.count))
            .collect();
        writeln!(out, "ignored by the policy: {}", parts.join(", "))?;
    }
    if verdict.skipped > 0 {
        writeln!(
            out,
            "\n{} (see above): the gate cannot vouch for the export",
            super::unread(verdict.errors, verdict.skipped)
        )?;
    } else if verdict.errors > 0 {
        writeln!(
            out,
            "\n{} not be read (see above); the gate cannot vouch for {}",
            super::count(verdict.errors, "input could", "inputs could"),
            if verdict.errors == 1 { "it" } else { "them" }
        )?;
    } else if !verdict.passed {
        writeln!(
            out,
            "\nTo pass: remove the data from the export, allow it in the policy ([[allow]] \
             entries), or accept what is there now with `piiscan baseline PATH... -o \
             piiscan-baseline.json` and gate with `--baseline piiscan-baseline.json`."
        )?;
    }
    Ok(())
}

fn write_kind(out: &mut dyn Write, k: &KindVerdict) -> io::Result<()> {
    let tag = match k.outcome {
        Outcome::Fail => "FAIL",
        Outcome::Warn => "WARN",
        Outcome::BelowThreshold | Outcome::Clean => "ok",
    };
    let findings = |n: u64| if n == 1 { "finding" } else { "findings" };
    let mut line = match k.outcome {
        Outcome::Clean => format!("{}: no new finding", k.kind),
        Outcome::BelowThreshold => format!(
            "{}: {} new {}, below the threshold of {} ({})",
            k.kind,
            k.new,
            findings(k.new),
            k.threshold,
            k.action.name()
        ),
        Outcome::Fail | Outcome::Warn => format!(
            "{}: {} new {}{}",
            k.kind,
            k.new,
            findings(k.new),
            if k.threshold > 1 {
                format!(" (threshold {})", k.threshold)
            } else {
                String::new()
            }
        ),
    };
    if k.allowed > 0 {
        line.push_str(&format!("; {} allowed", k.allowed));
    }
    if k.known > 0 {
        line.push_str(&format!("; {} in the baseline", k.known));
    }
    writeln!(out, "{tag:<5} {line}")?;
    if !matches!(k.outcome, Outcome::Fail | Outcome::Warn) && k.action != Action::Fail {
        return Ok(());
    }
    for place in k.places.iter().take(MAX_PLACES) {
        writeln!(
            out,
            "      {:>8}  {}  {}  from line {}, e.g. {}",
            place.count,
            place.path,
            place
                .field
                .as_deref()
                .map_or("(free text)".into(), printable),
            place.line,
            printable(&place.example)
        )?;
    }
    if k.places.len() > MAX_PLACES {
        let rest: u64 = k.places[MAX_PLACES..].iter().map(|p| p.count).sum();
        writeln!(
            out,
            "      {:>8}  in {} more places",
            rest,
            k.places.len() - MAX_PLACES
        )?;
    }
    Ok(())
}

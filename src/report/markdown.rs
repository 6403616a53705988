//! Markdown for CI job summaries: the gate's verdict (`gate --format markdown`) and the
//! helpers the exposure report's Markdown uses.
//!
//! A job summary (GitHub's `$GITHUB_STEP_SUMMARY`, a GitLab merge request note) is rendered as
//! GitHub-flavoured Markdown with inline HTML allowed, so a path or a field name from the data
//! could add a link, an image that calls out, or an HTML tag there. Every piece of text that
//! comes from the data goes through [`escape`]: control characters printed escaped, every
//! ASCII punctuation character backslash-escaped (CommonMark lets any of them be), and `<`,
//! `>` and `&` written as entities, so that nothing in a value or a path is read as markup, a
//! table's cell border or an autolink.

use std::io::{self, Write};

use super::count;
use crate::policy::gate::{Outcome, Verdict};
use crate::source::printable;

/// Places listed per kind; the rest are counted.
const MAX_PLACES: usize = 10;

/// Text from the data as Markdown that renders as that text and nothing else.
pub fn escape(text: &str) -> String {
    let text = printable(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Writes the gate's verdict as Markdown: a heading with the outcome, a table of the kinds,
/// and the places of new findings.
pub fn write_verdict(out: &mut dyn Write, verdict: &Verdict) -> io::Result<()> {
    let failing = verdict
        .kinds
        .iter()
        .filter(|k| k.outcome == Outcome::Fail)
        .count() as u64;
    let status = if verdict.errors > 0 || verdict.skipped > 0 {
        format!("ERROR: {}", super::unread(verdict.errors, verdict.skipped))
    } else if verdict.passed {
        "PASS".to_string()
    } else {
        format!("FAIL: {} over the policy", count(failing, "kind", "kinds"))
    };
    writeln!(out, "## piiscan gate: {status}\n")?;
    write!(out, "Policy: {}", escape(&verdict.policy))?;
    if let Some(b) = &verdict.baseline {
        write!(
            out,
            "; baseline: {} ({} known, {} no longer found)",
            escape(&b.path),
            b.known,
            b.unused
        )?;
    }
    writeln!(
        out,
        "; {} scanned.\n",
        count(verdict.files, "file", "files")
    )?;
    if verdict.files == 0 && verdict.errors == 0 && verdict.skipped == 0 {
        writeln!(
            out,
            "No file was scanned: nothing to judge (are the paths right?)\n"
        )?;
    }
    if !verdict.kinds.is_empty() {
        writeln!(
            out,
            "| outcome | kind | new | threshold | in the baseline | allowed |"
        )?;
        writeln!(out, "|---|---|--:|--:|--:|--:|")?;
        for k in &verdict.kinds {
            let tag = match k.outcome {
                Outcome::Fail => "**FAIL**",
                Outcome::Warn => "WARN",
                Outcome::BelowThreshold | Outcome::Clean => "ok",
            };
            writeln!(
                out,
                "| {tag} | {} | {} | {} | {} | {} |",
                escape(k.kind.name()),
                k.new,
                k.threshold,
                k.known,
                k.allowed
            )?;
        }
        writeln!(out)?;
    }
    let listed: Vec<_> = verdict
        .kinds
        .iter()
        .filter(|k| matches!(k.outcome, Outcome::Fail | Outcome::Warn) && !k.places.is_empty())
        .collect();
    if !listed.is_empty() {
        writeln!(out, "### Where the new findings are\n")?;
        writeln!(
            out,
            "| kind | findings | file | field | first line | e.g. |"
        )?;
        writeln!(out, "|---|--:|---|---|--:|---|")?;
        for k in listed {
            for place in k.places.iter().take(MAX_PLACES) {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    escape(k.kind.name()),
                    place.count,
                    escape(&place.path),
                    place.field.as_deref().map_or("(free text)".into(), escape),
                    place.line,
                    escape(&place.example)
                )?;
            }
            if k.places.len() > MAX_PLACES {
                let rest: u64 = k.places[MAX_PLACES..].iter().map(|p| p.count).sum();
                writeln!(
                    out,
                    "| {} | {rest} | {} more places | | | |",
                    escape(k.kind.name()),
                    k.places.len() - MAX_PLACES
                )?;
            }
        }
        writeln!(out)?;
    }
    if !verdict.allowed.is_empty() {
        let parts: Vec<String> = verdict
            .allowed
            .iter()
            .map(|a| format!("{} by {}", a.count, escape(&a.entry)))
            .collect();
        writeln!(out, "Allowed: {}\n", parts.join("; "))?;
    }
    if !verdict.ignored.is_empty() {
        let parts: Vec<String> = verdict
            .ignored
            .iter()
            .map(|i| format!("{} {}", escape(i.kind.name()), i.count))
            .collect();
        writeln!(out, "Ignored by the policy: {}\n", parts.join(", "))?;
    }
    if !verdict.passed && verdict.errors == 0 && verdict.skipped == 0 {
        writeln!(
            out,
            "To pass: remove the data from the export, allow it in the policy (`[[allow]]` \
             entries), or accept what is there now with `piiscan baseline` and gate with \
             `--baseline`."
        )?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text from the data renders as itself: no tag, link, image, emphasis, table border or
    /// terminal escape survives.
    #[test]
    fn escapes_markup_of_every_kind() {
        let cases = [
            ("plain words 42", "plain words 42"),
            ("<img src=x>", "&lt;img src\\=x&gt;"),
            ("a|b", "a\\|b"),
            ("[x](http://e.test)", "\\[x\\]\\(http\\:\\/\\/e\\.test\\)"),
            ("![i](u)", "\\!\\[i\\]\\(u\\)"),
            ("*b* _i_ `c`", "\\*b\\* \\_i\\_ \\`c\\`"),
            ("a&amp;", "a&amp;amp\\;"),
            ("\x1b[2J\n# h", "\\\\u\\{1b\\}\\[2J\\\\n\\# h"),
            ("www.e.test", "www\\.e\\.test"),
        ];
        for (text, want) in cases {
            assert_eq!(escape(text), want, "{text:?}");
        }
    }
}

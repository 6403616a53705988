//! The exposure report as a terminal table, JSON, or a self-contained HTML page.
//!
//! All three print the same [`Report`]: counts, kinds and field names, never a value. The
//! HTML page has no script and no external asset (inline CSS, an inline SVG chart), so it can
//! be attached to a ticket or opened offline. Field names come from the data: the table and
//! the page escape their control characters (a key can hold an ESC that would rewrite the
//! terminal), and the page escapes them for HTML too; JSON escapes them by itself.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::count;
use crate::exposure::{Combination, Report, Row};
use crate::source::printable;

/// Fields shown in the terminal table; the JSON and HTML reports list them all.
const TABLE_FIELDS: usize = 20;
/// Combinations shown in the terminal table and the HTML page.
const TOP_COMBINATIONS: usize = 8;

/// Writes the report as a table that fits one screen.
pub fn write_table(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(
        out,
        "Exposure of {} in {}: {} personal data",
        human_bytes(r.bytes),
        count(r.files, "file", "files"),
        count(r.records_with_findings, "record carries", "records carry")
    )?;
    writeln!(
        out,
        "People exposed: {} distinct e-mail addresses, {} distinct account IDs",
        r.distinct_emails, r.distinct_account_ids
    )?;
    writeln!(
        out,
        "Profiles: {} records combine a direct identifier with a location or a device",
        r.profiles
    )?;
    if !r.field_packs.is_empty() {
        writeln!(out, "Field names known from: {}", r.field_packs.join(", "))?;
    }
    if r.errors > 0 || r.skipped_failing > 0 {
        writeln!(
            out,
            "Incomplete: {} (see stderr)",
            super::unread(r.errors, r.skipped_failing)
        )?;
    }
    for s in &r.skipped {
        writeln!(out, "Not scanned: {}: {}", s.path, s.reason)?;
    }
    if r.skipped_not_listed > 0 {
        writeln!(
            out,
            "Not scanned: {} more (listed on stderr)",
            count(r.skipped_not_listed, "input", "inputs")
        )?;
    }
    if r.malformed_json > 0 {
        writeln!(
            out,
            "{} scanned as plain text (no field names)",
            count(
                r.malformed_json,
                "malformed JSON line was",
                "malformed JSON lines were"
            )
        )?;
    }
    let header = |out: &mut dyn Write, title: &str| {
        writeln!(
            out,
            "\n{title:<44} {:>12} {:>10} {:>10}",
            "occurrences", "records", "distinct"
        )
    };
    let row = |out: &mut dyn Write, name: &str, row: &Row| {
        writeln!(
            out,
            "{name:<44} {:>12} {:>10} {:>10}",
            row.occurrences,
            row.records,
            row.distinct.to_string()
        )
    };
    header(out, "Direct identifiers")?;
    for r in &r.direct {
        row(out, r.kind.name(), r)?;
    }
    if !r.quasi.is_empty() {
        header(out, "Quasi-identifiers")?;
        for r in &r.quasi {
            row(out, r.kind.name(), r)?;
        }
    }
    let mut fields: Vec<&Row> = r.fields.iter().collect();
    fields.sort_by_key(|f| std::cmp::Reverse(f.occurrences));
    header(
        out,
        &format!(
            "Fields (top {} of {})",
            TABLE_FIELDS.min(fields.len()),
            fields.len()
        ),
    )?;
    for f in fields.iter().take(TABLE_FIELDS) {
        let name = format!("{:<12} {}", f.kind.name(), field_name(f));
        row(out, &truncate(&name, 44), f)?;
    }
    if !r.combinations.is_empty() {
        writeln!(
            out,
            "\n{:>10}  Field combinations that make profiles",
            "records"
        )?;
        for c in r.combinations.iter().take(TOP_COMBINATIONS) {
            writeln!(out, "{:>10}  {}", c.records, combination_name(c))?;
        }
    }
    if [&r.distinct_emails, &r.distinct_account_ids]
        .iter()
        .any(|c| c.estimated)
        || r.fields.iter().any(|f| f.distinct.estimated)
    {
        writeln!(
            out,
            "\n~ marks HyperLogLog++ estimates (standard error {:.2}%)",
            r.estimate_error * 100.0
        )?;
    }
    out.flush()
}

/// Writes the report as one JSON object.
pub fn write_json(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, r)?;
    writeln!(out)?;
    out.flush()
}

/// Writes the report as a self-contained HTML page.
pub fn write_html(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let mut h = String::new();
    h.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>piiscan exposure report</title><style>",
        "body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}",
        "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}",
        "table{border-collapse:collapse;width:100%}",
        "th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left}",
        "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}",
        ".facts{display:flex;gap:2em;flex-wrap:wrap}",
        ".fact{background:#f4f4f6;padding:.8em 1.2em;border-radius:6px}",
        ".fact b{display:block;font-size:1.6em}",
        "svg text{font:12px system-ui,sans-serif}",
        "</style></head><body>\n"
    ));
    let _ = writeln!(h, "<h1>What would leak if this export were breached</h1>");
    let _ = writeln!(
        h,
        "<p>{} scanned in {}; {} personal data.</p>",
        human_bytes(r.bytes),
        count(r.files, "file", "files"),
        count(r.records_with_findings, "record carries", "records carry")
    );
    if r.errors > 0 || r.skipped_failing > 0 {
        let _ = writeln!(
            h,
            "<p><strong>Incomplete:</strong> {}.</p>",
            super::unread(r.errors, r.skipped_failing)
        );
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(h, "<h2>Inputs not scanned</h2>\n<ul id=\"skipped\">");
        for s in &r.skipped {
            let _ = writeln!(
                h,
                "<li><code>{}</code>: {}</li>",
                escape(&s.path),
                escape(&s.reason)
            );
        }
        if r.skipped_not_listed > 0 {
            let _ = writeln!(
                h,
                "<li>and {} more</li>",
                count(r.skipped_not_listed, "input", "inputs")
            );
        }
        let _ = writeln!(h, "</ul>");
    }
    let _ = writeln!(h, "<div class=\"facts\">");
    for (label, value) in [
        ("distinct e-mail addresses", r.distinct_emails.to_string()),
        ("distinct account IDs", r.distinct_account_ids.to_string()),
        (
            "profiles (identity + location or device)",
            r.profiles.to_string(),
        ),
    ] {
        let _ = writeln!(
            h,
            "<div class=\"fact\" id=\"{}\"><b>{}</b>{}</div>",
            escape(&label.replace(' ', "-")),
            escape(&value),
            escape(label)
        );
    }
    let _ = writeln!(h, "</div>");
    if !r.field_packs.is_empty() {
        let _ = writeln!(
            h,
            "<p id=\"field-packs\">Field names known from: {}</p>",
            escape(&r.field_packs.join(", "))
        );
    }
    let _ = writeln!(h, "<h2>Exposure by kind</h2>");
    h.push_str(&chart(r));
    let _ = writeln!(h, "<h2>Fields</h2>");
    let _ = writeln!(
        h,
        "<table id=\"fields\"><thead><tr><th>kind</th><th>class</th><th>field</th>\
         <th class=\"n\">occurrences</th><th class=\"n\">records</th>\
         <th class=\"n\">distinct</th></tr></thead><tbody>"
    );
    for f in &r.fields {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            f.kind.name(),
            if f.kind.is_quasi() { "quasi" } else { "direct" },
            escape(&field_name(f)),
            f.occurrences,
            f.records,
            escape(&f.distinct.to_string())
        );
    }
    let _ = writeln!(h, "</tbody></table>");
    if !r.combinations.is_empty() {
        let _ = writeln!(h, "<h2>Field combinations that make profiles</h2>");
        let _ = writeln!(
            h,
            "<table id=\"combinations\"><thead><tr><th class=\"n\">records</th>\
             <th>fields</th></tr></thead><tbody>"
        );
        for c in r.combinations.iter().take(TOP_COMBINATIONS) {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{}</td><td>{}</td></tr>",
                c.records,
                escape(&combination_name(c))
            );
        }
        let _ = writeln!(h, "</tbody></table>");
    }
    let _ = writeln!(
        h,
        "<p>Counts marked ~ are HyperLogLog++ estimates (standard error {:.2}%). \
         Values are never stored: distinct counts come from keyed hashes drawn for this run.</p>",
        r.estimate_error * 100.0
    );
    h.push_str("</body></html>\n");
    out.write_all(h.as_bytes())?;
    out.flush()
}

/// A horizontal bar chart of occurrences per kind, as inline SVG.
fn chart(r: &Report) -> String {
    let rows: Vec<&Row> = r.direct.iter().chain(&r.quasi).collect();
    let max = rows.iter().map(|r| r.occurrences).max().unwrap_or(1).max(1);
    let (bar_h, gap, label_w, width) = (18, 6, 110, 560);
    let height = rows.len() * (bar_h + gap) + gap;
    let mut s = format!(
        "<svg id=\"chart\" role=\"img\" aria-label=\"occurrences by kind\" \
         xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\">\n",
        label_w + width + 90
    );
    for (i, row) in rows.iter().enumerate() {
        let y = gap + i * (bar_h + gap);
        let w = (row.occurrences as f64 / max as f64 * width as f64)
            .round()
            .max(1.0);
        let color = if row.kind.is_quasi() {
            "#9aa5b1"
        } else {
            "#d9534f"
        };
        let _ = writeln!(
            s,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" \
             height=\"{bar_h}\" fill=\"{color}\"><title>{}: {}</title></rect>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            y + 13,
            row.kind.name(),
            row.kind.name(),
            row.occurrences,
            label_w as f64 + w + 6.0,
            y + 13,
            row.occurrences
        );
    }
    s.push_str("</svg>\n");
    s
}

/// A row's field as printed: control characters escaped.
fn field_name(row: &Row) -> String {
    match &row.field {
        _ if row.other_fields => "(other fields)".to_string(),
        Some(field) => printable(field).into_owned(),
        None => "(free text)".to_string(),
    }
}

/// A combination's fields as printed: control characters escaped.
fn combination_name(c: &Combination) -> String {
    printable(&c.fields.join(" + ")).into_owned()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// Escapes text for HTML element content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_data_in_html() {
        assert_eq!(escape("<script>\"&'"), "&lt;script&gt;&quot;&amp;&#39;");
    }

    /// A key with an ESC or a newline cannot rewrite the terminal: the table and the page
    /// print it escaped.
    #[test]
    fn control_characters_in_field_names_are_escaped() {
        let field = "a\x1b[2Jb\n.email".to_string();
        let report = Report {
            bytes: 10,
            files: 1,
            errors: 0,
            skipped: Vec::new(),
            skipped_not_listed: 0,
            skipped_failing: 0,
            malformed_json: 0,
            records_with_findings: 1,
            distinct_emails: Default::default(),
            distinct_account_ids: Default::default(),
            direct: vec![],
            quasi: vec![],
            fields: vec![Row {
                kind: crate::Kind::Email,
                field: Some(field.clone()),
                other_fields: false,
                occurrences: 1,
                records: 1,
                distinct: Default::default(),
            }],
            profiles: 1,
            combinations: vec![Combination {
                fields: vec![format!("email@{field}"), "city@\x07x".to_string()],
                records: 1,
            }],
            estimate_error: 0.0081,
            field_packs: vec!["Mixpanel".into(), "<b>&".into()],
        };
        let mut table = Vec::new();
        write_table(&mut table, &report).unwrap();
        let mut html = Vec::new();
        write_html(&mut html, &report).unwrap();
        // The packs line: in the table as is, escaped in the page.
        let (t, h) = (
            String::from_utf8_lossy(&table),
            String::from_utf8_lossy(&html),
        );
        assert!(
            t.contains("Field names known from: Mixpanel, <b>&\n"),
            "{t}"
        );
        assert!(
            h.contains(
                "<p id=\"field-packs\">Field names known from: Mixpanel, &lt;b&gt;&amp;</p>"
            ),
            "{h}"
        );
        for out in [table, html] {
            let text = String::from_utf8(out).unwrap();
            assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
            assert!(text.contains("a\\u{1b}[2Jb\\n.email"), "{text}");
        }
    }

    #[test]
    fn truncates_long_names() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}

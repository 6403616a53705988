//! The exposure report as a terminal table, JSON, Markdown, or a self-contained HTML page.
//!
//! All of them print the same [`Report`]: counts, kinds, field names and paths, never a value.
//! The HTML page has no script and no external asset (inline CSS, an inline SVG chart), so it
//! can be attached to a ticket or opened offline. Field names and paths come from the data:
//! the table escapes their control characters (a key can hold an ESC that would rewrite the
//! terminal), the page escapes them for HTML too, Markdown for Markdown and HTML
//! ([`super::markdown::escape`]); JSON escapes them by itself.
//!
//! The human formats are built from the same parts, in the same order, so that a line added
//! to one part shows in all: [`overview`] (what was scanned, when, how: a list of labelled
//! lines), the kinds, the inputs, the fields, the combinations, the definitions and what to do
//! next. Combinations are written `email (field "user.email") + city (field "geo.city")`, not
//! `kind@field`, which reads like an e-mail address.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::markdown::escape as md;
use crate::exposure::{Combination, Count, InputRow, Report, Row};
use crate::source::printable;

/// Fields shown in the terminal table; the other formats list them all.
const TABLE_FIELDS: usize = 20;
/// Inputs shown in the terminal table, and before the fold in the page and in Markdown.
const TOP_INPUTS: usize = 20;
/// Combinations shown in the terminal table, and before the fold in the page and in Markdown.
const TOP_COMBINATIONS: usize = 10;

/// The colours of the chart and its legend: direct identifiers, quasi-identifiers.
const DIRECT_COLOUR: &str = "#d9534f";
const QUASI_COLOUR: &str = "#9aa5b1";

/// What the figures mean, as the table, the page and Markdown define them.
const DEFINITIONS: [(&str, &str); 7] = [
    (
        "occurrences",
        "values found, each time it is found (one value twice in a line counts twice)",
    ),
    (
        "records",
        "lines (JSON lines, CSV rows, log lines) that carry at least one occurrence",
    ),
    (
        "distinct",
        "different values, after each kind's normal form (Jane@X.org and jane@x.org are \
         one), counted from keyed hashes: no value is kept",
    ),
    (
        "~",
        "an estimate (HyperLogLog, Ertl's estimator), made past 65,536 distinct values in one row",
    ),
    (
        "direct identifier",
        "names a person alone: e-mail, phone, name, card, IBAN, national ID, IP address, \
         place",
    ),
    (
        "quasi-identifier",
        "names a person with other data: account ID, device, referrer, MAC address, IMEI",
    ),
    (
        "profile",
        "a record with a direct identifier beside a location or a device",
    ),
];

/// What to do next, the same in every human format.
const NEXT: [(&str, &str); 3] = [
    (
        "Gate",
        "`piiscan config init` writes a policy; `piiscan gate PATH...` fails (exit 1) when the \
         export breaks it, for CI",
    ),
    (
        "Redact",
        "`piiscan redact PATH... --out DIR` writes copies with the values masked, pseudonymised \
         or generalised",
    ),
    (
        "Compare",
        "run again with `--key-file FILE` (or PIISCAN_FINGERPRINT_KEY) on both sides to \
         compare distinct counts across runs",
    ),
];

/// The labelled lines that say what was scanned, when and how; each renderer escapes them.
/// A line added here shows in the table, the page and Markdown.
pub fn overview(r: &Report) -> Vec<(&'static str, String)> {
    let a = &r.about;
    let mut lines = vec![
        (
            "Scanned",
            format!(
                "{} ({} bytes) in {}",
                human_bytes(r.bytes),
                thousands(r.bytes),
                count_n(r.files, "file", "files")
            ),
        ),
        ("Paths", a.roots.join(", ")),
        ("Date", a.generated.clone()),
        ("piiscan", a.version.clone()),
        ("Kinds", kinds_line(r)),
        (
            "Policy",
            "none: a report judges nothing (`piiscan gate` applies a policy)".to_string(),
        ),
        (
            "Distinct counts",
            if a.keyed {
                "keyed (--key-file or PIISCAN_FINGERPRINT_KEY): the same input gives the same \
                 counts in every run"
                    .to_string()
            } else {
                "key drawn for this run: estimated counts (~) vary from run to run; give \
                 --key-file to compare runs"
                    .to_string()
            },
        ),
    ];
    if !r.field_packs.is_empty() {
        lines.push(("Field names known from", r.field_packs.join(", ")));
    }
    if r.errors > 0 || r.skipped_failing > 0 {
        lines.push(("Incomplete", super::unread(r.errors, r.skipped_failing)));
    }
    if r.malformed_json > 0 {
        lines.push((
            "Malformed JSON",
            format!(
                "{} scanned as plain text (no field names)",
                count_n(r.malformed_json, "line", "lines")
            ),
        ));
    }
    lines
}

fn kinds_line(r: &Report) -> String {
    let kinds = &r.about.kinds;
    let all = crate::detect::KindSet::all().iter().count();
    if kinds.len() == all {
        format!("all {all}")
    } else {
        let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
        names.join(", ")
    }
}

/// `n` with thousands separators and its noun, singular for one.
fn count_n(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `n` with a comma every three digits: 1,234,567.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A distinct count with separators, `~` before an estimate.
fn distinct(c: &Count) -> String {
    let n = thousands(c.value);
    if c.estimated {
        format!("~{n}")
    } else {
        n
    }
}

/// Whether any count of the report is an estimate.
fn any_estimate(r: &Report) -> bool {
    [&r.distinct_emails, &r.distinct_account_ids]
        .iter()
        .any(|c| c.estimated)
        || r.fields.iter().any(|f| f.distinct.estimated)
        || r.direct
            .iter()
            .chain(&r.quasi)
            .any(|f| f.distinct.estimated)
}

/// The inputs, most occurrences first (then in the order read).
fn inputs_by_occurrences(r: &Report) -> Vec<&InputRow> {
    let mut inputs: Vec<&InputRow> = r.inputs.iter().collect();
    inputs.sort_by_key(|i| std::cmp::Reverse(i.occurrences));
    inputs
}

/// The kinds found in an input: "email 3, city 2".
fn input_kinds(i: &InputRow) -> String {
    let parts: Vec<String> = i
        .kinds
        .iter()
        .map(|(k, n)| format!("{} {}", k.name(), thousands(*n)))
        .collect();
    parts.join(", ")
}

/// Writes the report as a table that fits one screen.
pub fn write_table(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(
        out,
        "Exposure of {} in {}: {} personal data",
        human_bytes(r.bytes),
        count_n(r.files, "file", "files"),
        count_n(r.records_with_findings, "record carries", "records carry")
    )?;
    writeln!(
        out,
        "People exposed: {} distinct e-mail addresses, {} distinct account IDs",
        distinct(&r.distinct_emails),
        distinct(&r.distinct_account_ids)
    )?;
    writeln!(
        out,
        "Profiles: {} records combine a direct identifier with a location or a device",
        thousands(r.profiles)
    )?;
    writeln!(out)?;
    for (label, text) in overview(r) {
        writeln!(out, "{:<16} {}", format!("{label}:"), printable(&text))?;
    }
    for e in &r.unread {
        writeln!(out, "Not read:        {}", printable(e))?;
    }
    for s in &r.skipped {
        writeln!(out, "Not scanned:     {}: {}", s.path, s.reason)?;
    }
    if r.skipped_not_listed > 0 {
        writeln!(
            out,
            "Not scanned:     {} more (listed on stderr)",
            count_n(r.skipped_not_listed, "input", "inputs")
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
            thousands(row.occurrences),
            thousands(row.records),
            distinct(&row.distinct)
        )
    };
    if !r.direct.is_empty() {
        header(out, "Direct identifiers")?;
        for r in &r.direct {
            row(out, r.kind.name(), r)?;
        }
    }
    if !r.quasi.is_empty() {
        header(out, "Quasi-identifiers")?;
        for r in &r.quasi {
            row(out, r.kind.name(), r)?;
        }
    }
    if r.direct.is_empty() && r.quasi.is_empty() {
        writeln!(out, "\nNo personal data found.")?;
    }
    let inputs = inputs_by_occurrences(r);
    let found_in = inputs.iter().filter(|i| i.occurrences > 0).count();
    if found_in > 0 {
        writeln!(
            out,
            "\n{:<44} {:>12} {:>10} {:>10}",
            format!(
                "Inputs (top {} of {found_in} with findings)",
                TOP_INPUTS.min(found_in)
            ),
            "occurrences",
            "records",
            "bytes"
        )?;
        for i in inputs.iter().filter(|i| i.occurrences > 0).take(TOP_INPUTS) {
            writeln!(
                out,
                "{:<44} {:>12} {:>10} {:>10}",
                truncate(&printable(&i.path), 44),
                thousands(i.occurrences),
                thousands(i.records),
                human_bytes(i.bytes)
            )?;
        }
    }
    if !r.fields.is_empty() {
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
    }
    if !r.combinations.is_empty() {
        writeln!(
            out,
            "\n{:>10}  Field combinations that make profiles (top {} of {})",
            "records",
            TOP_COMBINATIONS.min(r.combinations.len()),
            r.combinations.len()
        )?;
        for c in r.combinations.iter().take(TOP_COMBINATIONS) {
            writeln!(
                out,
                "{:>10}  {}",
                thousands(c.records),
                printable(&combination_name(c))
            )?;
        }
        if r.combinations.len() > TOP_COMBINATIONS {
            writeln!(
                out,
                "{:>10}  and {} more: --format html, markdown or json lists them all",
                "",
                thousands((r.combinations.len() - TOP_COMBINATIONS) as u64)
            )?;
        }
    }
    if any_estimate(r) {
        writeln!(
            out,
            "\n~ marks HyperLogLog estimates (standard error {:.2}%){}",
            r.estimate_error * 100.0,
            if r.about.keyed {
                ""
            } else {
                "; they vary from run to run without --key-file"
            }
        )?;
    }
    writeln!(out, "\nDefinitions")?;
    for (term, text) in DEFINITIONS {
        writeln!(out, "  {term:<18} {text}")?;
    }
    writeln!(out, "\nNext")?;
    for (what, text) in NEXT {
        writeln!(out, "  {what:<18} {text}")?;
    }
    out.flush()
}

/// Writes the report as one JSON object.
pub fn write_json(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, r)?;
    writeln!(out)?;
    out.flush()
}

/// Writes the report as Markdown, for a CI job summary (`>> $GITHUB_STEP_SUMMARY`): the
/// overview, the kinds, the inputs, the fields and the combinations as tables, the long lists
/// past their first rows folded in `<details>`.
pub fn write_markdown(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let mut m = String::new();
    let _ = writeln!(m, "## piiscan exposure report\n");
    let _ = writeln!(
        m,
        "**{}** distinct e-mail addresses, **{}** distinct account IDs, **{}** profiles \
         (identity + location or device) in {} that carry personal data.\n",
        distinct(&r.distinct_emails),
        distinct(&r.distinct_account_ids),
        thousands(r.profiles),
        count_n(r.records_with_findings, "record", "records")
    );
    for (label, text) in overview(r) {
        let _ = writeln!(m, "- **{label}**: {}", md(&text));
    }
    for e in &r.unread {
        let _ = writeln!(m, "- **Not read**: {}", md(e));
    }
    for s in &r.skipped {
        let _ = writeln!(m, "- **Not scanned**: {}: {}", md(&s.path), md(&s.reason));
    }
    if r.skipped_not_listed > 0 {
        let _ = writeln!(
            m,
            "- **Not scanned**: {} more",
            count_n(r.skipped_not_listed, "input", "inputs")
        );
    }
    let rows_table = |m: &mut String, first: &str, rows: &[(String, &Row)]| {
        let _ = writeln!(m, "| {first} | occurrences | records | distinct |");
        let _ = writeln!(m, "|---|--:|--:|--:|");
        for (name, row) in rows {
            let _ = writeln!(
                m,
                "| {name} | {} | {} | {} |",
                thousands(row.occurrences),
                thousands(row.records),
                distinct(&row.distinct)
            );
        }
        let _ = writeln!(m);
    };
    let kinds: Vec<(String, &Row)> = r
        .direct
        .iter()
        .map(|k| (format!("{} (direct)", k.kind.name()), k))
        .chain(
            r.quasi
                .iter()
                .map(|k| (format!("{} (quasi)", k.kind.name()), k)),
        )
        .collect();
    let _ = writeln!(m, "\n### Exposure by kind\n");
    if kinds.is_empty() {
        let _ = writeln!(m, "No personal data found.\n");
    } else {
        rows_table(&mut m, "kind", &kinds);
    }
    let inputs = inputs_by_occurrences(r);
    if !inputs.is_empty() {
        let _ = writeln!(m, "### Inputs\n");
        let table = |m: &mut String, rows: &[&InputRow]| {
            let _ = writeln!(m, "| input | bytes | occurrences | records | kinds |");
            let _ = writeln!(m, "|---|--:|--:|--:|---|");
            for i in rows {
                let _ = writeln!(
                    m,
                    "| {} | {} | {} | {} | {} |",
                    md(&i.path),
                    thousands(i.bytes),
                    thousands(i.occurrences),
                    thousands(i.records),
                    input_kinds(i)
                );
            }
            let _ = writeln!(m);
        };
        folded(&mut m, &inputs, TOP_INPUTS, "inputs", table);
        if r.inputs_not_listed > 0 {
            let _ = writeln!(
                m,
                "And {} more, counted in the totals only.\n",
                count_n(r.inputs_not_listed, "input", "inputs")
            );
        }
    }
    if !r.fields.is_empty() {
        let _ = writeln!(m, "### Fields\n");
        // Two columns in one: the header names both.
        let fields: Vec<(String, &Row)> = r
            .fields
            .iter()
            .map(|f| (format!("{} | {}", f.kind.name(), md(&field_name(f))), f))
            .collect();
        let _ = writeln!(m, "| kind | field | occurrences | records | distinct |");
        let _ = writeln!(m, "|---|---|--:|--:|--:|");
        for (name, row) in &fields {
            let _ = writeln!(
                m,
                "| {name} | {} | {} | {} |",
                thousands(row.occurrences),
                thousands(row.records),
                distinct(&row.distinct)
            );
        }
        let _ = writeln!(m);
    }
    if !r.combinations.is_empty() {
        let _ = writeln!(m, "### Field combinations that make profiles\n");
        let combos: Vec<&Combination> = r.combinations.iter().collect();
        let table = |m: &mut String, rows: &[&Combination]| {
            let _ = writeln!(m, "| records | identifier + location or device |");
            let _ = writeln!(m, "|--:|---|");
            for c in rows {
                let _ = writeln!(
                    m,
                    "| {} | {} |",
                    thousands(c.records),
                    md(&combination_name(c))
                );
            }
            let _ = writeln!(m);
        };
        folded(&mut m, &combos, TOP_COMBINATIONS, "combinations", table);
    }
    if any_estimate(r) {
        let _ = writeln!(
            m,
            "Counts marked \\~ are HyperLogLog estimates (standard error {:.2}%){}.\n",
            r.estimate_error * 100.0,
            if r.about.keyed {
                ""
            } else {
                "; they vary from run to run without `--key-file`"
            }
        );
    }
    let _ = writeln!(m, "<details><summary>Definitions</summary>\n");
    for (term, text) in DEFINITIONS {
        let _ = writeln!(m, "- **{}**: {}", md(term), md(text));
    }
    let _ = writeln!(m, "\n</details>\n\n### Next\n");
    for (what, text) in NEXT {
        let _ = writeln!(m, "- **{what}**: {text}");
    }
    out.write_all(m.as_bytes())?;
    out.flush()
}

/// Writes `rows` as tables: the first `top`, then the rest folded in `<details>`.
fn folded<T>(
    m: &mut String,
    rows: &[T],
    top: usize,
    what: &str,
    table: impl Fn(&mut String, &[T]),
) {
    table(m, &rows[..top.min(rows.len())]);
    if rows.len() > top {
        let _ = writeln!(
            m,
            "<details><summary>{} more {what}</summary>\n",
            thousands((rows.len() - top) as u64)
        );
        table(m, &rows[top..]);
        let _ = writeln!(m, "</details>\n");
    }
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
        "dl.about{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}",
        "dl.about dt{font-weight:600}dl.about dd{margin:0}",
        ".swatch{display:inline-block;width:1em;height:1em;vertical-align:middle;margin-right:.4em}",
        "details summary{cursor:pointer;margin:.6em 0}",
        "svg text{font:12px system-ui,sans-serif}",
        "</style></head><body>\n"
    ));
    let _ = writeln!(h, "<h1>What would leak if this export were breached</h1>");
    let _ = writeln!(
        h,
        "<p>{} scanned in {}; {} personal data.</p>",
        human_bytes(r.bytes),
        count_n(r.files, "file", "files"),
        count_n(r.records_with_findings, "record carries", "records carry")
    );
    if r.errors > 0 || r.skipped_failing > 0 {
        let _ = writeln!(
            h,
            "<p><strong>Incomplete:</strong> {}.</p>",
            super::unread(r.errors, r.skipped_failing)
        );
    }
    let _ = writeln!(h, "<div class=\"facts\">");
    for (label, value) in [
        ("distinct e-mail addresses", distinct(&r.distinct_emails)),
        ("distinct account IDs", distinct(&r.distinct_account_ids)),
        (
            "profiles (identity + location or device)",
            thousands(r.profiles),
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
    let _ = writeln!(
        h,
        "<h2>What was scanned</h2>\n<dl class=\"about\" id=\"about\">"
    );
    for (label, text) in overview(r) {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", escape(label), escape(&text));
    }
    let _ = writeln!(h, "</dl>");
    if !r.skipped.is_empty() || r.skipped_not_listed > 0 || !r.unread.is_empty() {
        let _ = writeln!(h, "<h2>Inputs not scanned</h2>\n<ul id=\"skipped\">");
        for e in &r.unread {
            let _ = writeln!(h, "<li>could not be read: {}</li>", escape(e));
        }
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
                count_n(r.skipped_not_listed, "input", "inputs")
            );
        }
        let _ = writeln!(h, "</ul>");
    }
    let _ = writeln!(h, "<h2>Exposure by kind</h2>");
    let _ = writeln!(
        h,
        "<p id=\"legend\"><span class=\"swatch\" style=\"background:{DIRECT_COLOUR}\"></span>\
         direct identifier &nbsp; <span class=\"swatch\" style=\"background:{QUASI_COLOUR}\">\
         </span>quasi-identifier &nbsp; (bars: occurrences)</p>"
    );
    h.push_str(&chart(r));
    let _ = writeln!(
        h,
        "<table id=\"kinds\"><thead><tr><th>kind</th><th>class</th>\
         <th class=\"n\">occurrences</th><th class=\"n\">records</th>\
         <th class=\"n\">distinct</th></tr></thead><tbody>"
    );
    for k in r.direct.iter().chain(&r.quasi) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            k.kind.name(),
            class(k),
            thousands(k.occurrences),
            thousands(k.records),
            escape(&distinct(&k.distinct))
        );
    }
    let _ = writeln!(h, "</tbody></table>");
    let inputs = inputs_by_occurrences(r);
    if !inputs.is_empty() {
        let _ = writeln!(h, "<h2>Inputs</h2>");
        let table = |h: &mut String, id: &str, rows: &[&InputRow]| {
            let _ = writeln!(
                h,
                "<table id=\"{id}\"><thead><tr><th>input</th><th class=\"n\">bytes</th>\
                 <th class=\"n\">occurrences</th><th class=\"n\">records</th>\
                 <th>kinds</th></tr></thead><tbody>"
            );
            for i in rows {
                let _ = writeln!(
                    h,
                    "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                     <td class=\"n\">{}</td><td>{}</td></tr>",
                    escape(&i.path),
                    thousands(i.bytes),
                    thousands(i.occurrences),
                    thousands(i.records),
                    escape(&input_kinds(i))
                );
            }
            let _ = writeln!(h, "</tbody></table>");
        };
        table(&mut h, "inputs", &inputs[..TOP_INPUTS.min(inputs.len())]);
        if inputs.len() > TOP_INPUTS {
            let _ = writeln!(
                h,
                "<details id=\"more-inputs\"><summary>{} more inputs</summary>",
                thousands((inputs.len() - TOP_INPUTS) as u64)
            );
            table(&mut h, "inputs-rest", &inputs[TOP_INPUTS..]);
            let _ = writeln!(h, "</details>");
        }
        if r.inputs_not_listed > 0 {
            let _ = writeln!(
                h,
                "<p>And {}, counted in the totals only.</p>",
                count_n(r.inputs_not_listed, "more input", "more inputs")
            );
        }
    }
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
            class(f),
            escape(&field_name(f)),
            thousands(f.occurrences),
            thousands(f.records),
            escape(&distinct(&f.distinct))
        );
    }
    let _ = writeln!(h, "</tbody></table>");
    if !r.combinations.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Field combinations that make profiles</h2>\n<p>{} of identity with a \
             location or a device, most records first.</p>",
            count_n(r.combinations.len() as u64, "combination", "combinations")
        );
        let table = |h: &mut String, id: &str, rows: &[Combination]| {
            let _ = writeln!(
                h,
                "<table id=\"{id}\"><thead><tr><th class=\"n\">records</th>\
                 <th>identifier + location or device</th></tr></thead><tbody>"
            );
            for c in rows {
                let _ = writeln!(
                    h,
                    "<tr><td class=\"n\">{}</td><td>{}</td></tr>",
                    thousands(c.records),
                    escape(&combination_name(c))
                );
            }
            let _ = writeln!(h, "</tbody></table>");
        };
        let top = TOP_COMBINATIONS.min(r.combinations.len());
        table(&mut h, "combinations", &r.combinations[..top]);
        if r.combinations.len() > top {
            let _ = writeln!(
                h,
                "<details id=\"more-combinations\"><summary>{} more combinations</summary>",
                thousands((r.combinations.len() - top) as u64)
            );
            table(&mut h, "combinations-rest", &r.combinations[top..]);
            let _ = writeln!(h, "</details>");
        }
    }
    let _ = writeln!(h, "<h2>Definitions</h2>\n<dl id=\"definitions\">");
    for (term, text) in DEFINITIONS {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(text));
    }
    let _ = writeln!(h, "</dl>");
    let _ = writeln!(
        h,
        "<p id=\"estimates\">Counts marked ~ are HyperLogLog estimates (standard error \
         {:.2}%). Values are never stored: distinct counts come from keyed hashes{}.</p>",
        r.estimate_error * 100.0,
        if r.about.keyed {
            " under the given key, the same in every run"
        } else {
            " under a key drawn for this run, so estimates vary from run to run"
        }
    );
    let _ = writeln!(h, "<h2>What to do next</h2>\n<ul id=\"next\">");
    for (what, text) in NEXT {
        let _ = writeln!(h, "<li><b>{}</b>: {}</li>", escape(what), code_spans(text));
    }
    let _ = writeln!(h, "</ul>");
    h.push_str("</body></html>\n");
    out.write_all(h.as_bytes())?;
    out.flush()
}

fn class(row: &Row) -> &'static str {
    if row.kind.is_quasi() {
        "quasi"
    } else {
        "direct"
    }
}

/// Our own text with `code` in backticks, as HTML (escaped, backticks as `<code>`).
fn code_spans(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
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
            QUASI_COLOUR
        } else {
            DIRECT_COLOUR
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
            thousands(row.occurrences)
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

/// A combination as people read it: `email (field "user.email") + city (free text)`. The
/// report's `kind@field` names (JSON keeps them) read like an e-mail address. Not escaped:
/// each format escapes it its own way.
fn combination_name(c: &Combination) -> String {
    let parts: Vec<String> = c
        .fields
        .iter()
        .map(|part| match part.split_once('@') {
            Some((kind, "(text)")) => format!("{kind} (free text)"),
            Some((kind, "(other fields)")) => format!("{kind} (other fields)"),
            Some((kind, field)) => format!("{kind} (field \"{field}\")"),
            None => part.clone(),
        })
        .collect();
    parts.join(" + ")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

/// Escapes text for HTML element content and attribute values, control and invisible
/// characters first ([`printable`]).
fn escape(s: &str) -> String {
    let s = printable(s);
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
            about: crate::exposure::About {
                roots: vec![format!("dir\x1b[2J/{field}")],
                ..Default::default()
            },
            inputs: vec![InputRow {
                path: format!("in\x07{field}"),
                ..Default::default()
            }],
            inputs_not_listed: 0,
            bytes: 10,
            files: 1,
            errors: 0,
            unread: Vec::new(),
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
        let mut markdown = Vec::new();
        write_markdown(&mut markdown, &report).unwrap();
        let escaped_in_md = "a\\\\u\\{1b\\}\\[2Jb\\\\n\\.email";
        let text = String::from_utf8(markdown).unwrap();
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
        assert!(text.contains(escaped_in_md), "{text}");
        // The packs line: in the table as is, escaped in the page and in Markdown.
        let (t, h) = (
            String::from_utf8_lossy(&table),
            String::from_utf8_lossy(&html),
        );
        assert!(
            t.contains("Field names known from: Mixpanel, <b>&\n"),
            "{t}"
        );
        assert!(
            h.contains("<dt>Field names known from</dt><dd>Mixpanel, &lt;b&gt;&amp;</dd>"),
            "{h}"
        );
        assert!(
            text.contains("**Field names known from**: Mixpanel\\, &lt;b&gt;&amp;"),
            "{text}"
        );
        for out in [table, html] {
            let text = String::from_utf8(out).unwrap();
            assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
            assert!(text.contains("a\\u{1b}[2Jb\\n.email"), "{text}");
        }
    }

    #[test]
    fn thousands_are_separated() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (152_584, "152,584"),
            (1_234_567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ];
        for (n, want) in cases {
            assert_eq!(thousands(n), want);
        }
    }

    /// Combinations read as kinds in fields, never as `x@y` (an address).
    #[test]
    fn combinations_do_not_read_as_addresses() {
        let cases = [
            (
                vec!["email@email", "city@city"],
                "email (field \"email\") + city (field \"city\")",
            ),
            (
                vec!["ipv4@(text)", "device@(other fields)"],
                "ipv4 (free text) + device (other fields)",
            ),
            (vec!["(other combinations)"], "(other combinations)"),
        ];
        for (fields, want) in cases {
            let c = Combination {
                fields: fields.into_iter().map(String::from).collect(),
                records: 1,
            };
            let name = combination_name(&c);
            assert_eq!(name, want);
        }
    }

    #[test]
    fn truncates_long_names() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}

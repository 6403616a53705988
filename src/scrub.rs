//! Parser messages without the values they quote.
//!
//! serde, `toml` and `serde_json` name the offending text in their messages: ``unknown variant
//! `a.b@corp.io`, expected one of `fail`, `warn`, `ignore` `` or `invalid type: string
//! "jane@corp.io", expected struct Label`. A policy's allowlist and an eval's labels hold real
//! addresses, so every such message goes through [`parser_message`] before it is shown: what
//! the file says becomes `…`, what the schema expects is kept.

/// `message` with the text it quotes from the input replaced by `…`: every double-quoted
/// string, and text in backticks except where it names what the schema holds (the list after
/// `expected`, the field of a `missing field`).
pub fn parser_message(message: &str) -> String {
    let expected = message.find("expected").unwrap_or(message.len());
    let mut out = String::with_capacity(message.len());
    let mut chars = message.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let mut escaped = false;
                for (_, c) in chars.by_ref() {
                    match c {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
                out.push_str("\"…\"");
            }
            '`' if message[..i].ends_with("missing field ") => {
                out.push(c);
                for (_, c) in chars.by_ref() {
                    out.push(c);
                    if c == '`' {
                        break;
                    }
                }
            }
            '`' if i < expected => {
                // The quoted text can hold a backtick itself: it ends at the last one before
                // `expected`, or at the next one when there is none.
                let end = match message[i + 1..expected].rfind('`') {
                    Some(j) => i + 1 + j,
                    None => message[i + 1..]
                        .find('`')
                        .map_or(message.len(), |j| i + 1 + j),
                };
                while chars.next_if(|&(k, _)| k <= end).is_some() {}
                out.push_str("`…`");
            }
            _ => out.push(c),
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::parser_message;

    #[test]
    fn values_are_redacted_and_what_is_expected_is_kept() {
        let cases = [
            (
                "unknown variant `a.b@corp.io`, expected one of `fail`, `warn`, `ignore`",
                "unknown variant `…`, expected one of `fail`, `warn`, `ignore`",
            ),
            (
                "unknown field `a.b@corp.io`, expected `email` or `ipv4`",
                "unknown field `…`, expected `email` or `ipv4`",
            ),
            (
                r#"invalid type: string "jane \"x\" @corp.io", expected struct Label at line 1 column 21"#,
                r#"invalid type: string "…", expected struct Label at line 1 column 21"#,
            ),
            ("unknown kind `jane@corp.io`", "unknown kind `…`"),
            (
                "unknown variant `ja`ne@corp.io`, expected `fail`",
                "unknown variant `…`, expected `fail`",
            ),
            ("duplicate key `jane@corp.io`", "duplicate key `…`"),
            ("missing field `kind`", "missing field `kind`"),
            // An unclosed quote hides the rest rather than show it.
            ("unknown field `jane@corp.io", "unknown field `…`"),
            (
                "invalid type: string \"jane@corp.io",
                "invalid type: string \"…\"",
            ),
            ("nothing quoted here", "nothing quoted here"),
        ];
        for (message, want) in cases {
            assert_eq!(parser_message(message), want, "{message}");
        }
    }
}

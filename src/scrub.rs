//! Messages without the values and secrets they quote.
//!
//! serde, `toml` and `serde_json` name the offending text in their messages: ``unknown variant
//! `a.b@corp.io`, expected one of `fail`, `warn`, `ignore` `` or `invalid type: string
//! "jane@corp.io", expected struct Label`. A policy's allowlist and an eval's labels hold real
//! addresses, so every such message goes through [`parser_message`] before it is shown: what
//! the file says becomes `…`, what the schema expects is kept.
//!
//! URLs are the other text that can carry what must not be shown: a signed URL's query string
//! is a credential, and object stores name the URL they failed on. [`url_secrets`] keeps a
//! URL's place (scheme, host, path) and drops the rest.

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

/// `message` with what a URL in it may carry besides its place taken out: the query string
/// and fragment (a signed URL's signature and credentials: `X-Amz-Signature=…`, an Azure SAS
/// `sig=…`) and the password of `user:password@`, each replaced by `…`. Object stores name
/// the URL they failed on in their messages, and a user names signed URLs as inputs; neither
/// may print what grants access.
pub fn url_secrets(message: &str) -> std::borrow::Cow<'_, str> {
    if !message.contains("://") {
        return std::borrow::Cow::Borrowed(message);
    }
    let ends = |c: char| c.is_whitespace() || matches!(c, ')' | '(' | '"' | '\'' | '<' | '>' | ',');
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("://") {
        // The scheme, the authority and the path are kept; the rest of the URL is not.
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let len = after.find(ends).unwrap_or(after.len());
        let (url, tail) = after.split_at(len);
        let authority_end = url.find(['/', '?', '#']).unwrap_or(url.len());
        let (authority, path) = url.split_at(authority_end);
        match authority.rsplit_once('@') {
            Some((user, host)) => {
                out.push_str(user.split(':').next().unwrap_or(""));
                if user.contains(':') {
                    out.push_str(":…");
                }
                out.push('@');
                out.push_str(host);
            }
            None => out.push_str(authority),
        }
        match path.find(['?', '#']) {
            Some(q) => {
                out.push_str(&path[..q]);
                out.push_str(&path[q..q + 1]);
                out.push('…');
            }
            None => out.push_str(path),
        }
        rest = tail;
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{parser_message, url_secrets};

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

    /// Query strings, fragments and passwords of URLs are never shown; their place is.
    #[test]
    fn urls_lose_what_grants_access() {
        let cases = [
            ("no url here", "no url here"),
            (
                "Error performing GET https://b.s3.amazonaws.com/k/a.csv?X-Amz-Signature=abc&X-Amz-Credential=AKIA in 1s",
                "Error performing GET https://b.s3.amazonaws.com/k/a.csv?… in 1s",
            ),
            (
                "(https://acct.blob.core.windows.net/c/x?sv=1&sig=s3cr3t)",
                "(https://acct.blob.core.windows.net/c/x?…)",
            ),
            ("http://user:pa55@host:9000/b#frag", "http://user:…@host:9000/b#…"),
            ("s3://bucket/prefix/", "s3://bucket/prefix/"),
            ("a http://h/x?q, then ftp://u@h/y", "a http://h/x?…, then ftp://u@h/y"),
        ];
        for (message, want) in cases {
            let got = url_secrets(message);
            assert_eq!(got, want, "{message}");
            assert!(!got.contains("pa55") && !got.contains("s3cr3t") && !got.contains("AKIA"));
        }
    }
}

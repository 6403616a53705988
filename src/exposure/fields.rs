//! Field names as the report shows them: identifier-like key segments as `*`.

use std::borrow::Cow;

/// A field's key path with identifier-like segments replaced by `*`: `contacts.c1042.email`
/// is `contacts.*.email`, `users[].5f3a9c1e-0b7d-4c1e-9a3b-1c2d3e4f5a6b.city` is
/// `users[].*.city`. See the module documentation for what looks like an identifier.
///
/// Key paths join keys with `.` without escaping them, so an address used as a key spills its
/// domain into the segments after it (`by_email.jane@example.org.city`): those that look like
/// domain labels go into the `*` too, but never the last segment, which names the value.
pub fn field_pattern(path: &str) -> Cow<'_, str> {
    let name = |segment: &str| segment.trim_end_matches("[]").len();
    if !path.split('.').any(|s| is_identifier(&s[..name(s)])) {
        return Cow::Borrowed(path);
    }
    let segments: Vec<&str> = path.split('.').collect();
    let mut out: Vec<String> = Vec::with_capacity(segments.len());
    let mut i = 0;
    while i < segments.len() {
        let segment = segments[i];
        let key = &segment[..name(segment)];
        i += 1;
        if !is_identifier(key) {
            out.push(segment.to_string());
            continue;
        }
        let mut last = segment;
        if key.as_bytes()[1..].contains(&b'@') {
            while i + 1 < segments.len() && is_domain_label(segments[i]) {
                last = segments[i];
                i += 1;
            }
        }
        out.push(format!("*{}", &last[name(last)..]));
    }
    Cow::Owned(out.join("."))
}

/// A label of a domain name: letters, digits and inner hyphens.
fn is_domain_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// True when a key looks like a value that identifies a record rather than a name chosen by
/// whoever designed the export.
fn is_identifier(key: &str) -> bool {
    let b = key.as_bytes();
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let hex = b.len() >= 8 && digits > 0 && b.iter().all(u8::is_ascii_hexdigit);
    let address = b.iter().skip(1).any(|&c| c == b'@');
    (digits > 0 && digits * 2 >= b.len()) || uuid || hex || address
}

//! Allowlists: findings a team has decided are not personal data, or may leave.
//!
//! An allowlist is a list of entries, each optionally limited to some kinds, that accept a
//! finding when any of their lists matches it:
//!
//! - `values`: exact values, compared after [`normalize`] (e-mail addresses decoded and
//!   case-folded, IP addresses in canonical form, names and places case-folded);
//! - `regexes`: regular expressions that must match the whole normalised value;
//! - `email_domains`: `example.com` (that domain exactly) or `*.test` (any domain under it);
//! - `ip_ranges`: CIDR ranges, single addresses, or the names `private` (RFC 1918 and
//!   fc00::/7), `loopback`, `documentation` (RFC 5737 and RFC 3849) and `link_local`;
//! - `fields`: JSON key paths or CSV columns, where `*` matches any run of characters
//!   (`context.*`, `items[].owner.email`: nothing but `*` is special, so brackets are literal);
//! - `files`: globs over the path as given and the path below the scanned folder (`*` stays
//!   within a folder, `**` crosses folders).
//!
//! The first four need the raw value, so they run in the engine ([`Allowlist::allows_value`],
//! through [`crate::scan::ValueCheck`]); fields and files are matched downstream, by the gate
//! ([`Allowlist::allows_place`]). A finding accepted by either is counted against the first
//! entry that accepts it, in file order.

use std::collections::HashSet;
use std::net::IpAddr;

use globset::GlobSet;
use ipnet::IpNet;
use regex::Regex;

use crate::detect::{Kind, Normal};

/// The named IP ranges `ip_ranges` accepts besides CIDR notation.
pub const NAMED_RANGES: &[(&str, &[&str])] = &[
    (
        "private",
        &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
    ),
    ("loopback", &["127.0.0.0/8", "::1/128"]),
    (
        "documentation",
        &[
            "192.0.2.0/24",
            "198.51.100.0/24",
            "203.0.113.0/24",
            "2001:db8::/32",
        ],
    ),
    ("link_local", &["169.254.0.0/16", "fe80::/10"]),
];

/// An e-mail domain pattern: a domain, or `*.` and a domain for everything below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Domain {
    Exact(String),
    /// The suffix, with its leading dot: `*.test` is `.test`.
    Below(String),
}

impl Domain {
    /// Parses `example.com` or `*.test` (case-insensitive); `None` if it is not a domain.
    pub fn parse(text: &str) -> Option<Domain> {
        let text = text.trim().to_ascii_lowercase();
        let (below, name) = match text.strip_prefix("*.") {
            Some(rest) => (true, rest.to_string()),
            None => (false, text),
        };
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if name.is_empty() || !name.split('.').all(label_ok) {
            return None;
        }
        Some(if below {
            Domain::Below(format!(".{name}"))
        } else {
            Domain::Exact(name)
        })
    }

    fn matches(&self, domain: &str) -> bool {
        match self {
            Domain::Exact(d) => domain == d,
            Domain::Below(suffix) => domain.ends_with(suffix.as_str()),
        }
    }
}

/// One allowlist entry, validated.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    /// Why the entry is there, as the policy says; shown with its counts.
    pub reason: Option<String>,
    /// The line of the entry in the policy file.
    pub line: usize,
    /// Only findings of these kinds; all kinds when `None`.
    pub kinds: Option<Vec<Kind>>,
    /// Exact values, normalised as each kind would be (see [`Entry::add_value`]).
    pub values: HashSet<(Normal, String)>,
    pub regexes: Vec<Regex>,
    pub email_domains: Vec<Domain>,
    pub ip_ranges: Vec<IpNet>,
    pub fields: Vec<String>,
    pub files: Option<GlobSet>,
}

impl Entry {
    /// Adds an exact value under every normalisation, so that it matches a finding of any kind.
    pub fn add_value(&mut self, value: &str) {
        for normal in Normal::ALL {
            self.values.insert((normal, normal.apply(value.as_bytes())));
        }
    }

    fn applies_to(&self, kind: Kind) -> bool {
        self.kinds
            .as_ref()
            .is_none_or(|kinds| kinds.contains(&kind))
    }

    fn checks_values(&self) -> bool {
        !(self.values.is_empty()
            && self.regexes.is_empty()
            && self.email_domains.is_empty()
            && self.ip_ranges.is_empty())
    }

    fn allows_value(&self, kind: Kind, value: &str) -> bool {
        if !self.applies_to(kind) {
            return false;
        }
        if self.values.contains(&(kind.normal(), value.to_string())) {
            return true;
        }
        if self.regexes.iter().any(|r| r.is_match(value)) {
            return true;
        }
        if !self.email_domains.is_empty() && kind.normal() == Normal::Email {
            if let Some((_, domain)) = value.rsplit_once('@') {
                if self.email_domains.iter().any(|d| d.matches(domain)) {
                    return true;
                }
            }
        }
        if !self.ip_ranges.is_empty() && kind.normal() == Normal::Ip {
            if let Ok(ip) = value.parse::<IpAddr>() {
                let ip = match ip {
                    IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
                    v4 => v4,
                };
                if self.ip_ranges.iter().any(|r| r.contains(&ip)) {
                    return true;
                }
            }
        }
        false
    }

    fn allows_place(&self, kind: Kind, paths: &[&str], field: Option<&str>) -> bool {
        if !self.applies_to(kind) {
            return false;
        }
        if let Some(field) = field {
            if self.fields.iter().any(|p| wildcard(p, field)) {
                return true;
            }
        }
        self.files
            .as_ref()
            .is_some_and(|set| paths.iter().any(|p| set.is_match(p)))
    }
}

/// The allowlist entries of a policy, in file order.
#[derive(Clone, Debug, Default)]
pub struct Allowlist {
    pub entries: Vec<Entry>,
}

impl Allowlist {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// True when some entry needs the raw value (values, regexes, domains, ranges).
    pub fn checks_values(&self) -> bool {
        self.entries.iter().any(Entry::checks_values)
    }

    /// The first entry that accepts a value of `kind`, normalised by [`normalize`].
    pub fn allows_value(&self, kind: Kind, value: &str) -> Option<u32> {
        self.entries
            .iter()
            .position(|e| e.allows_value(kind, value))
            .map(|i| i as u32)
    }

    /// The first entry that accepts a finding of `kind` at one of `paths` (the path as given,
    /// the path below the scanned folder) under `field`.
    pub fn allows_place(&self, kind: Kind, paths: &[&str], field: Option<&str>) -> Option<u32> {
        self.entries
            .iter()
            .position(|e| e.allows_place(kind, paths, field))
            .map(|i| i as u32)
    }

    /// How an entry is named in the gate's output: its reason, else its line.
    pub fn label(&self, index: usize) -> String {
        match self.entries.get(index) {
            Some(Entry {
                reason: Some(reason),
                line,
                ..
            }) => format!("allow entry at line {line} ({reason})"),
            Some(entry) => format!("allow entry at line {}", entry.line),
            None => format!("allow entry #{}", index + 1),
        }
    }
}

/// A value as allowlists and baselines compare it (see [`Normal`]).
pub fn normalize(kind: Kind, raw: &[u8]) -> String {
    kind.normal().apply(raw)
}

/// Matches `text` against `pattern`, where `*` matches any run of characters (none too) and
/// every other character matches itself.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let cases = [
            ("context.*", "context.ip", true),
            ("context.*", "context.traits.email", true),
            ("context.*", "properties.context.ip", false),
            ("*.email", "items[].owner.email", true),
            ("items[].owner.email", "items[].owner.email", true),
            ("items[].owner.email", "itemsX.owner.email", false),
            ("*", "", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("email", "user_email", false),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(wildcard(pattern, text), want, "{pattern} ~ {text}");
        }
    }

    #[test]
    fn domains() {
        let exact = Domain::parse("Example.com").unwrap();
        let below = Domain::parse("*.test").unwrap();
        let cases = [
            (&exact, "example.com", true),
            (&exact, "mail.example.com", false),
            (&exact, "notexample.com", false),
            (&below, "shop.test", true),
            (&below, "a.b.test", true),
            (&below, "test", false),
            (&below, "contest", false),
        ];
        for (pattern, domain, want) in cases {
            assert_eq!(pattern.matches(domain), want, "{pattern:?} ~ {domain}");
        }
        for bad in [
            "",
            "*.",
            "exa mple.com",
            "-x.com",
            "a..b",
            "*x.com",
            "jane@example.com",
        ] {
            assert_eq!(Domain::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn entries_match_values_of_their_kinds_only() {
        let mut entry = Entry {
            kinds: Some(vec![Kind::Email, Kind::Ipv4, Kind::Ipv6]),
            email_domains: vec![Domain::parse("*.test").unwrap()],
            ip_ranges: vec!["10.0.0.0/8".parse().unwrap()],
            ..Entry::default()
        };
        entry.add_value("Ops@Corp.example");
        let list = Allowlist {
            entries: vec![entry],
        };
        let value = |kind, raw: &str| list.allows_value(kind, &normalize(kind, raw.as_bytes()));
        assert_eq!(value(Kind::Email, "a@shop.test"), Some(0));
        assert_eq!(value(Kind::Email, "ops%40corp.example"), Some(0));
        assert_eq!(value(Kind::Email, "a@shop.com"), None);
        assert_eq!(value(Kind::Ipv4, "10.1.2.3"), Some(0));
        assert_eq!(value(Kind::Ipv6, "::ffff:10.1.2.3"), Some(0));
        assert_eq!(value(Kind::Ipv4, "11.1.2.3"), None);
        assert_eq!(
            value(Kind::PersonName, "ops@corp.example"),
            None,
            "kinds limit"
        );
    }
}

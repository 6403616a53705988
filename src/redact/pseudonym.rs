//! Keyed pseudonyms: the same value under the same key gives the same pseudonym in every file
//! and run, so joins and distinct counts survive; without the key nothing leads back.
//!
//! A pseudonym is an HMAC-SHA256 (RFC 2104, the `hmac` and `sha2` crates) of the kind's name
//! and the value in its kind's normal form ([`crate::detect::Normal`]: `Jane@Example.com`,
//! `jane%40example.com` and `jane\u0040example.com` are one address), cut to 128 bits and
//! written in a form that stays valid where the value stood and that no real person can hold:
//! an address at the reserved `.invalid` domain, an IP address of a range that is never
//! assigned, a UK number of the ranges Ofcom keeps for drama, a Luhn-valid card number of an
//! industry no card issuer belongs to. The key is never written
//! anywhere; a key drawn for one run is dropped with the process.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::detect::{card, Kind, Pseudonym};

/// The shortest key accepted: shorter keys can be searched for from a pseudonym of a known
/// value, as with `PIISCAN_FINGERPRINT_KEY`.
pub const MIN_KEY_BYTES: usize = 32;

/// The domain of e-mail pseudonyms: `.invalid` is reserved by RFC 2606 and never resolves.
pub const EMAIL_DOMAIN: &str = "redacted.invalid";

/// The issuer identification number of card pseudonyms: Major Industry Identifier 0 is
/// never a card issuer's (ISO/IEC 7812-1), so no real card and no scheme's range starts so.
pub const CARD_IIN: &str = "000000";

/// The digest a pseudonym is written from.
pub type Digest = [u8; 16];

/// The key of a run's pseudonyms. Its `Debug` says nothing of it.
#[derive(Clone)]
pub struct Key(Hmac<Sha256>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    /// A key from secret bytes, refused when shorter than [`MIN_KEY_BYTES`].
    pub fn new(secret: &[u8]) -> Result<Key, usize> {
        if secret.len() < MIN_KEY_BYTES {
            return Err(secret.len());
        }
        Hmac::<Sha256>::new_from_slice(secret)
            .map(Key)
            .map_err(|_| secret.len())
    }

    /// A key drawn for this run only.
    pub fn random() -> Key {
        use rand::RngCore;
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let key = Hmac::<Sha256>::new_from_slice(&secret).map(Key);
        secret.fill(0);
        key.unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"))
    }

    /// The digest of `normal` (a value of `scope` in normal form).
    pub fn digest(&self, scope: &str, normal: &[u8]) -> Digest {
        let mut mac = self.0.clone();
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(normal);
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }
}

/// The numbers Ofcom reserves for use in drama (TV and radio), as E.164 prefixes to which
/// three digits are added: no line in them is ever assigned. Source: Ofcom, "Telephone
/// numbers for drama purposes" (numbering guidance, retrieved as published in 2024).
pub const DRAMA_NUMBERS: [&str; 20] = [
    "+441134960",
    "+441144960",
    "+441154960",
    "+441164960",
    "+441174960",
    "+441184960",
    "+441214960",
    "+441314960",
    "+441414960",
    "+441514960",
    "+441614960",
    "+441914980",
    "+442079460",
    "+442896496",
    "+442920180",
    "+441632960",
    "+447700900",
    "+448081570",
    "+449098790",
    "+443069990",
];

fn hex(bytes: &[u8], out: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
}

/// Writes the pseudonym of digest `d` in `shape` to `out`.
pub fn write(shape: Pseudonym, d: &Digest, out: &mut String) {
    match shape {
        Pseudonym::Email => {
            out.push('u');
            hex(&d[..6], out);
            out.push('@');
            out.push_str(EMAIL_DOMAIN);
        }
        Pseudonym::Ipv4 => {
            let n = u32::from_be_bytes([d[0], d[1], d[2], d[3]]) & 0x0FFF_FFFF | 0xF000_0000;
            // 255.255.255.255 is the broadcast address, not of the reserved block.
            let n = if n == u32::MAX { n - 1 } else { n };
            let _ = write!(out, "{}", Ipv4Addr::from(n));
        }
        Pseudonym::Ipv6 => {
            let mut bytes = [0u8; 16];
            bytes[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
            bytes[4..].copy_from_slice(&d[..12]);
            let _ = write!(out, "{}", Ipv6Addr::from(bytes));
        }
        Pseudonym::Phone => {
            let range = DRAMA_NUMBERS[usize::from(d[0]) % DRAMA_NUMBERS.len()];
            let line = u16::from_be_bytes([d[1], d[2]]) % 1000;
            let _ = write!(out, "{range}{line:03}");
        }
        Pseudonym::Mac => {
            // Locally administered (bit 1 set), unicast (bit 0 clear).
            let first = (d[0] & 0xFC) | 0x02;
            let _ = write!(out, "{first:02x}");
            for b in &d[1..6] {
                let _ = write!(out, ":{b:02x}");
            }
        }
        Pseudonym::Imei => {
            let body = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
                % 1_000_000_000_000;
            let digits = format!("00{body:012}");
            let check = luhn_check_digit(digits.as_bytes());
            out.push_str(&digits);
            out.push(char::from(b'0' + check));
        }
        Pseudonym::Card => {
            let body = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
                % 1_000_000_000;
            let digits = format!("{CARD_IIN}{body:09}");
            let check = luhn_check_digit(digits.as_bytes());
            out.push_str(&digits);
            out.push(char::from(b'0' + check));
        }
        Pseudonym::Label(word) => {
            out.push_str(word);
            out.push(' ');
            hex(&d[..5], out);
        }
        Pseudonym::Token | Pseudonym::None => {
            out.push_str("id-");
            hex(&d[..8], out);
        }
    }
}

/// The digit that makes `digits` and it pass the Luhn check.
fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let d2 = d * 2;
                if d2 > 9 {
                    d2 - 9
                } else {
                    d2
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Whether `value` (decoded text) has the form of a pseudonym of `kind`: what a re-scan of a
/// redacted copy may find without anything having been left.
pub fn recognises(kind: Kind, value: &str) -> bool {
    let Some(spec) = kind.spec() else {
        return is_hex_after(value, "id-", 16);
    };
    let value = value.trim();
    match spec.redact.pseudonym {
        Pseudonym::Email => value
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case(EMAIL_DOMAIN)),
        Pseudonym::Ipv4 => value
            .parse::<Ipv4Addr>()
            .is_ok_and(|ip| ip.octets()[0] >= 240),
        Pseudonym::Ipv6 => value
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<Ipv6Addr>()
            .is_ok_and(|ip| ip.segments()[..2] == [0x2001, 0x0db8]),
        Pseudonym::Phone => {
            let e164 = kind.normal().apply(value.as_bytes());
            DRAMA_NUMBERS.iter().any(|prefix| {
                e164.strip_prefix(prefix)
                    .is_some_and(|rest| rest.len() == 3 && rest.bytes().all(|b| b.is_ascii_digit()))
            })
        }
        Pseudonym::Mac => {
            let normal = kind.normal().apply(value.as_bytes());
            u8::from_str_radix(normal.get(..2).unwrap_or(""), 16).is_ok_and(|b| b & 0x03 == 0x02)
        }
        Pseudonym::Imei => {
            let digits = kind.normal().apply(value.as_bytes());
            digits.len() == 15 && digits.starts_with("00")
        }
        Pseudonym::Card => {
            let digits = kind.normal().apply(value.as_bytes());
            digits.len() == 16 && digits.starts_with(CARD_IIN) && card::luhn(digits.as_bytes())
        }
        Pseudonym::Label(word) => value
            .strip_prefix(word)
            .and_then(|rest| rest.strip_prefix(' '))
            .is_some_and(|rest| rest.len() == 10 && rest.bytes().all(|b| b.is_ascii_hexdigit())),
        Pseudonym::Token | Pseudonym::None => is_hex_after(value, "id-", 16),
    }
}

fn is_hex_after(value: &str, prefix: &str, len: usize) -> bool {
    value
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == len && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Key {
        Key::new(&[byte; 32]).unwrap()
    }

    #[test]
    fn short_keys_are_refused() {
        assert_eq!(Key::new(&[1; 31]).err(), Some(31));
        assert!(Key::new(&[1; 32]).is_ok());
        assert_eq!(format!("{:?}", key(7)), "Key(..)");
    }

    #[test]
    fn pseudonyms_keep_their_form_and_are_recognised() {
        type ShapeOk = fn(&str) -> bool;
        let cases: &[(Kind, ShapeOk)] = &[
            (Kind::Email, |p| {
                p.starts_with('u') && p.ends_with("@redacted.invalid")
            }),
            (Kind::Ipv4, |p| {
                p.parse::<Ipv4Addr>()
                    .is_ok_and(|ip| ip.octets()[0] >= 240 && !ip.is_broadcast())
            }),
            (Kind::Ipv6, |p| p.starts_with("2001:db8:")),
            (Kind::Phone, |p| p.starts_with("+44") && p.len() == 13),
            (Kind::MacAddress, |p| p.len() == 17),
            (Kind::Imei, |p| p.len() == 15 && p.starts_with("00")),
            (Kind::CreditCard, |p| {
                p.len() == 16 && p.starts_with("000000")
            }),
            (Kind::PersonName, |p| {
                p.starts_with("Person ") && p.len() == 17
            }),
            (Kind::AccountId, |p| p.starts_with("id-") && p.len() == 19),
        ];
        for &(kind, shape_ok) in cases {
            let spec = kind.spec().unwrap();
            for value in ["a", "jane@example.com", "203.0.113.7", "+44 20 7946 0958"] {
                let d = key(1).digest(kind.name(), value.as_bytes());
                let mut out = String::new();
                write(spec.redact.pseudonym, &d, &mut out);
                assert!(shape_ok(&out), "{kind}: {out}");
                assert!(recognises(kind, &out), "{kind}: {out}");
            }
        }
        assert!(!recognises(Kind::Email, "jane@example.com"));
        assert!(!recognises(Kind::Ipv4, "203.0.113.7"));
        assert!(!recognises(Kind::Phone, "+44 20 7946 1958"));
        assert!(!recognises(Kind::PersonName, "Person Jane"));
        // A real (test) card number, and a pseudonym whose check digit is broken.
        assert!(!recognises(Kind::CreditCard, "4111 1111 1111 1111"));
        assert!(!recognises(Kind::CreditCard, "0000001234567890"));
    }

    #[test]
    fn card_pseudonyms_pass_the_luhn_check_in_no_issuers_range() {
        for seed in 0..50u8 {
            let d = key(seed).digest("credit_card", b"4111111111111111");
            let mut out = String::new();
            write(Pseudonym::Card, &d, &mut out);
            assert!(out.starts_with(CARD_IIN) && out.len() == 16, "{out}");
            assert!(card::luhn(out.as_bytes()), "{out}");
            // In no scheme's range: a re-scan of the copy does not report it as a card.
            assert!(card::scheme(out.as_bytes()).is_none(), "{out}");
        }
    }

    #[test]
    fn imei_pseudonyms_pass_the_luhn_check() {
        for seed in 0..50u8 {
            let d = key(seed).digest("imei", b"x");
            let mut out = String::new();
            write(Pseudonym::Imei, &d, &mut out);
            let (body, check) = out.split_at(14);
            assert_eq!(
                luhn_check_digit(body.as_bytes()),
                check.as_bytes()[0] - b'0'
            );
        }
        // A known valid IMEI: 49015420323751 + 8.
        assert_eq!(luhn_check_digit(b"49015420323751"), 8);
    }

    #[test]
    fn one_key_gives_one_pseudonym_and_two_keys_two() {
        let (a, b) = (key(1), key(2));
        assert_eq!(a.digest("email", b"x@y.z"), a.digest("email", b"x@y.z"));
        assert_ne!(a.digest("email", b"x@y.z"), b.digest("email", b"x@y.z"));
        assert_ne!(
            a.digest("email", b"x@y.z"),
            a.digest("person_name", b"x@y.z")
        );
    }
}

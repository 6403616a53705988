//! The kinds of personal data piiscan knows, each described once.
//!
//! A kind's [`KindSpec`] sits in its detector's file, beside the code that finds it: its name,
//! what it is (the SARIF rule text and the help), whether it identifies a person alone or
//! only in combination, the part it plays in a profile, how its values are normalised, the
//! keys that hint at it, its mask, its examples, and how it fares when another kind claims
//! the same span. The one list below ([`registry!`]) makes the [`Kind`] enum from them, so
//! adding a kind is a detector file and one line here; every place that needs to know about
//! kinds (the engine, the policy, the exposure report, SARIF, the help) reads the spec, and a
//! `match` over kinds left somewhere fails to compile rather than quietly miss the new one.

use std::sync::RwLock;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::normal::Normal;
use super::{Example, Family};
use crate::structure::keys::Hint;

/// Whether a kind identifies a person alone or only combined with others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identifies {
    /// A direct identifier: an e-mail address, a name, an IP address, a place.
    Alone,
    /// A quasi-identifier: harmless alone, a profile together (account IDs, devices,
    /// referrers, as the 2025 Mixpanel breach exposed beside the direct ones).
    InCombination,
}

/// The part a kind plays in a profile: a record is a profile when it holds an identity
/// together with a location or a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Says who: an e-mail address, a name, an IP address.
    Identity,
    /// Says where: a city, region, country or coordinates.
    Location,
    /// Says with what.
    Device,
    /// Links or describes records without placing or naming anyone.
    Other,
}

/// Everything piiscan knows about one kind, in one place.
#[derive(Debug)]
pub struct KindSpec {
    /// The name on the command line, in policies and in every output format.
    pub name: &'static str,
    /// The SARIF rule id (`EmailAddress`).
    pub rule_id: &'static str,
    /// A short title (`E-mail address`).
    pub title: &'static str,
    /// One sentence on why it is personal data: SARIF's rule text, the help.
    pub description: &'static str,
    pub identifies: Identifies,
    pub role: Role,
    /// How values are made comparable: distinct counts, allowlists and baselines all use it.
    pub normal: Normal,
    /// The key hints that say a value is of this kind: on a span claimed by several kinds,
    /// the one the key agrees with wins.
    pub hints: &'static [Hint],
    /// The hints the detector reads at every value (to judge a value by its key, or to leave
    /// values alone that a key has settled as something else). Empty when the detector needs
    /// no key at all, or only now and then (then it reads the one key on demand).
    pub reads: &'static [Hint],
    /// The value masked for display: enough to recognise it, never enough to recover it.
    pub mask: fn(&str) -> CompactString,
    /// The detector family that finds it.
    pub family: &'static Family,
    /// What `piiscan redact` does with it by default, and the shapes it can take there.
    pub redact: Redaction,
    /// Inputs that must and must not yield this kind (the family's, filtered by kind).
    pub examples: &'static [Example],
    /// On a span that several kinds claim and no key decides, the kind with the lowest rank
    /// wins (ties go to the first in report order): a place beats a person (`Santa Barbara`).
    pub tie_rank: u8,
    /// The kinds that claim the same text and win it: a scan for this kind runs their
    /// detectors too (and drops their findings if they are not wanted), or `Santa Barbara`
    /// would come out as a person.
    pub competes_with: &'static [Kind],
}

/// How `piiscan redact` treats a kind: its default action (a policy's `[redact]` table or
/// `--action` may choose another), the form its pseudonyms take, and what generalising it
/// means. Data only: the rewriting is `crate::redact`'s.
#[derive(Clone, Copy, Debug)]
pub struct Redaction {
    pub default: RedactAction,
    pub pseudonym: Pseudonym,
    pub generalise: Generalisation,
}

/// What `piiscan redact` writes in place of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RedactAction {
    /// The value's mask, as findings show it (`j***@e***.com`).
    Mask,
    /// A keyed pseudonym: the same value gives the same pseudonym under the same key.
    #[serde(alias = "pseudonymize")]
    Pseudonymise,
    /// A coarser value of the same kind: an IP address's network, rounded coordinates, a
    /// city's country.
    #[serde(alias = "generalize")]
    Generalise,
    /// Nothing (a JSON value that was only this becomes `""` or `null`, a CSV cell empty).
    Remove,
    /// The value as it is.
    Keep,
}

impl RedactAction {
    pub const ALL: [RedactAction; 5] = [
        RedactAction::Mask,
        RedactAction::Pseudonymise,
        RedactAction::Generalise,
        RedactAction::Remove,
        RedactAction::Keep,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RedactAction::Mask => "mask",
            RedactAction::Pseudonymise => "pseudonymise",
            RedactAction::Generalise => "generalise",
            RedactAction::Remove => "remove",
            RedactAction::Keep => "keep",
        }
    }

    /// Reads an action by name (`pseudonymize` and `generalize` too).
    pub fn from_name(name: &str) -> Option<RedactAction> {
        match name {
            "pseudonymize" => Some(RedactAction::Pseudonymise),
            "generalize" => Some(RedactAction::Generalise),
            _ => RedactAction::ALL.into_iter().find(|a| a.name() == name),
        }
    }
}

/// The form of a kind's pseudonyms: one that stays valid where the value stood, and that no
/// real person can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pseudonym {
    /// An address at the reserved `.invalid` top-level domain (RFC 2606).
    Email,
    /// An address of 240.0.0.0/4, reserved since RFC 1112 and never assigned.
    Ipv4,
    /// An address of 2001:db8::/32, reserved for documentation (RFC 3849).
    Ipv6,
    /// A UK number from the ranges Ofcom reserves for drama, where no line is ever assigned.
    Phone,
    /// A device address with the locally administered bit set, which no manufacturer is
    /// assigned (IEEE 802).
    Mac,
    /// A Luhn-valid IMEI whose reporting body identifier is `00`, kept for test IMEIs.
    Imei,
    /// A Luhn-valid 16-digit number whose issuer identification number is `000000`: Major
    /// Industry Identifier 0 (ISO/IEC 7812-1) is kept for ISO/TC 68 and other industry
    /// assignments, never for a card issuer, so no scheme's range holds it.
    Card,
    /// The word and a hex digest: `Person 3f9a0c1b2d`.
    Label(&'static str),
    /// `id-` and a hex digest, for identifiers with no shape to keep.
    Token,
    /// No pseudonym makes sense (coordinates): the kind cannot be pseudonymised.
    None,
}

/// What generalising a kind means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generalisation {
    /// IPv4 to its /24, IPv6 to its /48.
    IpPrefix,
    /// Each number rounded to a chosen number of decimals.
    Decimals,
    /// A place to the country it lies in.
    Country,
    /// The kind cannot be generalised.
    None,
}

macro_rules! registry {
    ($($variant:ident => $spec:path,)*) => {
        /// The kinds of personal data piiscan knows about, in report order; kinds that a
        /// policy defines ([`CustomKind`]) come after the built-in ones.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $($variant,)*
            /// A kind defined by a policy's custom detector (`employee_id`).
            Custom(CustomKind),
        }

        impl Kind {
            /// Every built-in kind, in report order.
            pub const ALL: [Kind; [$(stringify!($variant)),*].len()] = [$(Kind::$variant,)*];

            /// The description of a built-in kind; `None` for a policy's own.
            pub fn spec(self) -> Option<&'static KindSpec> {
                match self {
                    $(Kind::$variant => Some(&$spec),)*
                    Kind::Custom(_) => None,
                }
            }
        }
    };
}

registry! {
    Email => super::email::EMAIL,
    Phone => super::phone::PHONE,
    CreditCard => super::card::CREDIT_CARD,
    Iban => super::iban::IBAN,
    NationalId => super::national_id::NATIONAL_ID,
    Secret => super::secret::SECRET,
    Ipv4 => super::ipv4::IPV4,
    Ipv6 => super::ipv6::IPV6,
    PersonName => super::person_name::PERSON_NAME,
    City => super::geo::CITY,
    Region => super::geo::REGION,
    Country => super::geo::COUNTRY,
    Coordinates => super::coordinates::COORDINATES,
    AccountId => super::account_id::ACCOUNT_ID,
    Device => super::device::DEVICE,
    Referrer => super::referrer::REFERRER,
    MacAddress => super::mac_address::MAC_ADDRESS,
    Imei => super::imei::IMEI,
}

impl Kind {
    /// The name used on the command line and in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Custom(custom) => custom.name(),
            builtin => builtin.spec().map_or("custom", |s| s.name),
        }
    }

    /// True for quasi-identifiers: data that identifies a person only in combination.
    pub fn is_quasi(self) -> bool {
        self.spec()
            .is_some_and(|s| s.identifies == Identifies::InCombination)
    }

    /// The part the kind plays in a profile ([`Role::Other`] for a policy's kinds).
    pub fn role(self) -> Role {
        self.spec().map_or(Role::Other, |s| s.role)
    }

    /// True for kinds that place a person: city, region, country, coordinates. (An IP
    /// address geolocates too, but it is first an identity.)
    pub fn is_location(self) -> bool {
        self.role() == Role::Location
    }

    /// True for kinds defined by a policy rather than built in.
    pub fn is_custom(self) -> bool {
        matches!(self, Kind::Custom(_))
    }

    /// How values of the kind are made comparable; a policy's kinds compare as found.
    pub fn normal(self) -> Normal {
        self.spec().map_or(Normal::Exact, |s| s.normal)
    }

    /// Parses the name of a built-in kind, as printed by [`Kind::name`].
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// A small number per kind, below 32, to index a table by: the place of a built-in kind in
    /// [`Kind::ALL`], one number for every policy's kind after them.
    pub fn slot(self) -> usize {
        self.bit().trailing_zeros() as usize
    }

    fn bit(self) -> u32 {
        match self {
            // One bit stands for every custom kind: a custom detector reports only its own.
            Kind::Custom(_) => 1 << 31,
            builtin => 1 << Kind::ALL.iter().position(|&k| k == builtin).unwrap_or(31),
        }
    }
}

// A set of kinds is one word: every built-in kind has its bit below the custom kinds' one.
const _: () = assert!(Kind::ALL.len() < 31);

/// Kinds are written by name in every output format.
impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Reads a built-in kind, or a custom kind that this process already knows, by name.
impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Kind, D::Error> {
        let name = String::deserialize(deserializer)?;
        Kind::from_name(&name)
            .or_else(|| CustomKind::lookup(&name).map(Kind::Custom))
            .ok_or_else(|| serde::de::Error::custom(format!("unknown kind `{name}`")))
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The names of the custom kinds known to this process, in the order they were first named;
/// a [`CustomKind`] is an index into it.
///
/// Interned for the life of the process: a policy names a handful of kinds, and keeping each
/// name as a `&'static str` keeps [`Kind`] `Copy`, four bytes wide, and its name free to read,
/// so that built-in kinds pay nothing for custom ones. Names are never removed; naming the
/// same kind twice gives the same [`CustomKind`].
static CUSTOM_NAMES: RwLock<Vec<&'static str>> = RwLock::new(Vec::new());

/// A kind of personal data named by a policy. See [`CustomKind::intern`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomKind(u16);

impl CustomKind {
    /// The kind with this name, made known to the process on first use. `None` when the
    /// process already knows `u16::MAX` custom kinds.
    pub fn intern(name: &str) -> Option<CustomKind> {
        if let Some(kind) = CustomKind::lookup(name) {
            return Some(kind);
        }
        let mut names = CUSTOM_NAMES.write().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = names.iter().position(|n| *n == name) {
            return Some(CustomKind(i as u16));
        }
        let index = u16::try_from(names.len()).ok()?;
        names.push(Box::leak(name.to_owned().into_boxed_str()));
        Some(CustomKind(index))
    }

    /// The kind with this name, if the process knows it.
    pub fn lookup(name: &str) -> Option<CustomKind> {
        let names = CUSTOM_NAMES.read().unwrap_or_else(|e| e.into_inner());
        names
            .iter()
            .position(|n| *n == name)
            .map(|i| CustomKind(i as u16))
    }

    pub fn name(self) -> &'static str {
        let names = CUSTOM_NAMES.read().unwrap_or_else(|e| e.into_inner());
        names.get(usize::from(self.0)).copied().unwrap_or("custom")
    }
}

/// A small set of kinds, used to switch detectors on and off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct KindSet(u32);

impl KindSet {
    /// The empty set.
    pub const fn empty() -> KindSet {
        KindSet(0)
    }

    /// Every built-in kind.
    pub fn all() -> KindSet {
        Kind::ALL.into_iter().collect()
    }

    /// The direct identifiers among the built-in kinds (what `scan` looks for by default).
    pub fn direct() -> KindSet {
        Kind::ALL.into_iter().filter(|k| !k.is_quasi()).collect()
    }

    /// The quasi-identifiers among the built-in kinds.
    pub fn quasi() -> KindSet {
        Kind::ALL.into_iter().filter(|k| k.is_quasi()).collect()
    }

    /// The set of one kind.
    pub fn of(kind: Kind) -> KindSet {
        KindSet(kind.bit())
    }

    pub fn contains(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }

    pub fn insert(&mut self, kind: Kind) {
        self.0 |= kind.bit();
    }

    /// True when the two sets share at least one kind.
    pub fn intersects(self, other: KindSet) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The built-in kinds of the set (custom kinds share one member, see [`Kind::Custom`]).
    pub fn iter(self) -> impl Iterator<Item = Kind> {
        Kind::ALL.into_iter().filter(move |k| self.contains(*k))
    }
}

impl FromIterator<Kind> for KindSet {
    fn from_iter<I: IntoIterator<Item = Kind>>(iter: I) -> KindSet {
        let mut set = KindSet::empty();
        for kind in iter {
            set.insert(kind);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_kinds_are_interned_by_name_and_serialised_by_name() {
        let a = CustomKind::intern("test_employee_id").unwrap();
        let b = CustomKind::intern("test_badge").unwrap();
        assert_ne!(a, b);
        assert_eq!(CustomKind::intern("test_employee_id"), Some(a));
        assert_eq!(Kind::Custom(a).name(), "test_employee_id");
        let json = serde_json::to_string(&[Kind::Email, Kind::Custom(b)]).unwrap();
        assert_eq!(json, r#"["email","test_badge"]"#);
        let back: Vec<Kind> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, [Kind::Email, Kind::Custom(b)]);
        assert!(serde_json::from_str::<Kind>(r#""test_never_named""#).is_err());
    }

    #[test]
    fn custom_kinds_share_one_member_of_a_kind_set_and_sort_last() {
        let custom = Kind::Custom(CustomKind::intern("test_codename").unwrap());
        let mut set = KindSet::all();
        assert!(!set.contains(custom));
        set.insert(custom);
        assert!(set.contains(custom));
        assert_eq!(
            set.iter().count(),
            Kind::ALL.len(),
            "iter lists built-in kinds"
        );
        assert!(Kind::ALL.iter().all(|&k| k < custom));
        assert_eq!(std::mem::size_of::<Kind>(), 4);
    }

    /// The README documents every kind: a row of its kinds table, and its name in the lists
    /// of `--kinds` and of the policy's `[kinds]`.
    #[test]
    fn the_readme_documents_every_kind() {
        let readme = include_str!("../../README.md");
        let line = |start: &str| {
            readme
                .lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("no README line starting {start}"))
        };
        let options = line("| `--kinds ");
        let policy = line("| `[kinds]` ");
        for kind in Kind::ALL {
            let name = format!("`{}`", kind.name());
            assert!(
                readme.lines().any(|l| l.starts_with(&format!("| {name} "))),
                "{kind}: no row in the kinds table"
            );
            assert!(options.contains(&name), "{kind}: not in --kinds");
            assert!(
                policy.contains(&name),
                "{kind}: not in the policy's [kinds]"
            );
        }
    }

    /// Every kind is described in full, under a name of its own, and its family can report it.
    #[test]
    fn every_kind_is_described() {
        let mut names = std::collections::HashSet::new();
        let mut rule_ids = std::collections::HashSet::new();
        for kind in Kind::ALL {
            let spec = kind.spec().unwrap();
            assert!(names.insert(spec.name), "{kind}: name used twice");
            assert!(rule_ids.insert(spec.rule_id), "{kind}: rule id used twice");
            assert!(
                spec.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{kind}"
            );
            assert!(
                !spec.title.is_empty() && spec.description.ends_with('.'),
                "{kind}"
            );
            assert_eq!(Kind::from_name(spec.name), Some(kind));
            assert!((spec.family.build)().kinds().contains(kind), "{kind}");
            assert!(!(spec.mask)("x").is_empty(), "{kind}");
        }
    }
}

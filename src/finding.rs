//! What a scan produces: a [`Finding`] names a kind of personal data and where it sits in its
//! input, never the data itself.
//!
//! Findings carry byte offsets rather than copies of the matched text so that the hot path
//! allocates nothing per match and so that no raw value lingers in memory longer than the
//! chunk it was found in. Reporters that need a masked (or, with `--show-values`, a raw) value
//! slice it from the chunk while the chunk is still mapped.

use std::fmt;
use std::sync::{Arc, RwLock};

use compact_str::CompactString;

use serde::{Deserialize, Serialize};

/// The kinds of personal data piiscan knows about.
///
/// Direct identifiers come first, then the quasi-identifiers that the 2025 Mixpanel breach
/// exposed beside them (account IDs, devices, referrers): harmless alone, a profile together.
/// The order of the variants is the order used in reports; kinds that a policy defines
/// ([`CustomKind`]) come after the built-in ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Email,
    Ipv4,
    Ipv6,
    PersonName,
    City,
    Region,
    Country,
    Coordinates,
    AccountId,
    Device,
    Referrer,
    /// A kind defined by a policy's custom detector (`employee_id`, `project_codename`).
    Custom(CustomKind),
}

impl Kind {
    /// Every built-in kind, in report order.
    pub const ALL: [Kind; 11] = [
        Kind::Email,
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::PersonName,
        Kind::City,
        Kind::Region,
        Kind::Country,
        Kind::Coordinates,
        Kind::AccountId,
        Kind::Device,
        Kind::Referrer,
    ];

    /// The name used on the command line and in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::PersonName => "person_name",
            Kind::City => "city",
            Kind::Region => "region",
            Kind::Country => "country",
            Kind::Coordinates => "coordinates",
            Kind::AccountId => "account_id",
            Kind::Device => "device",
            Kind::Referrer => "referrer",
            Kind::Custom(custom) => custom.name(),
        }
    }

    /// True for quasi-identifiers: data that identifies a person only in combination.
    pub fn is_quasi(self) -> bool {
        matches!(self, Kind::AccountId | Kind::Device | Kind::Referrer)
    }

    /// True for kinds that place a person: city, region, country, coordinates (and an IP
    /// address, which geolocates).
    pub fn is_location(self) -> bool {
        matches!(
            self,
            Kind::City | Kind::Region | Kind::Country | Kind::Coordinates
        )
    }

    /// True for kinds defined by a policy rather than built in.
    pub fn is_custom(self) -> bool {
        matches!(self, Kind::Custom(_))
    }

    /// Parses the name of a built-in kind, as printed by [`Kind::name`].
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn bit(self) -> u32 {
        let index = match self {
            Kind::Email => 0,
            Kind::Ipv4 => 1,
            Kind::Ipv6 => 2,
            Kind::PersonName => 3,
            Kind::City => 4,
            Kind::Region => 5,
            Kind::Country => 6,
            Kind::Coordinates => 7,
            Kind::AccountId => 8,
            Kind::Device => 9,
            Kind::Referrer => 10,
            // One bit stands for every custom kind: a custom detector reports only its own.
            Kind::Custom(_) => 31,
        };
        1 << index
    }
}

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

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
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

/// One piece of personal data found in an input.
///
/// `offset` counts bytes from the start of the input (for compressed inputs, of the
/// decompressed stream); `line` and `column` are 1-based, the column in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub offset: u64,
    pub length: u32,
    pub line: u64,
    pub column: u32,
    pub kind: Kind,
    /// The JSON key path or CSV column the value sits under, when known. Shared by the
    /// findings of one field in one chunk.
    pub field: Option<Arc<str>>,
    /// The value masked for display (see [`crate::detect::mask`]); short enough to be held
    /// inline.
    pub masked: CompactString,
    /// The raw value, kept only when the user asked for it with `--show-values`.
    pub value: Option<Box<str>>,
    /// A keyed hash of the value (see [`crate::scan::Config::fingerprints`]), for counting
    /// distinct values without keeping any.
    pub fingerprint: Option<u64>,
    /// What a check of the raw value concluded, when one was configured (see
    /// [`crate::scan::ValueCheck`]): a policy's allowlists by value, a baseline's digest.
    pub checked: Option<Checked>,
}

/// What a [`crate::scan::ValueCheck`] concluded from a raw value, so that nothing downstream of
/// the engine needs the value itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// The number of the allowlist entry that accepts the value, if one does.
    pub allowed_by: Option<u32>,
    /// A keyed hash of the normalised value, when baselines are in use.
    pub digest: Option<[u8; 16]>,
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
}

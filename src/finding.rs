//! What a scan produces: a [`Finding`] names a kind of personal data and where it sits in its
//! input, never the data itself.
//!
//! Findings carry byte offsets rather than copies of the matched text so that the hot path
//! allocates nothing per match and so that no raw value lingers in memory longer than the
//! chunk it was found in. Reporters that need a masked (or, with `--show-values`, a raw) value
//! slice it from the chunk while the chunk is still mapped.

use std::fmt;
use std::sync::Arc;

use compact_str::CompactString;

use serde::{Deserialize, Serialize};

/// The kinds of personal data piiscan knows about.
///
/// Direct identifiers come first, then the quasi-identifiers that the 2025 Mixpanel breach
/// exposed beside them (account IDs, devices, referrers): harmless alone, a profile together.
/// The order of the variants is the order used in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
}

impl Kind {
    /// Every kind, in report order.
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

    /// Parses a name as printed by [`Kind::name`].
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
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

    /// Every kind.
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
}

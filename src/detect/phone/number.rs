//! Numbering plans: whether a digit token is a phone number of some region, and its E.164
//! form, with libphonenumber's metadata compiled into compact tables ([`super::generated`],
//! written by `scripts/gen_phone_plan.py`; source, version and licence in `data/README.md`).
//!
//! A candidate is turned away by integer checks first (possible lengths, first digits,
//! pattern widths), then by one DFA walk of a few instructions per digit; the automata of a
//! region are built on first use. Nothing allocates per candidate: digits live in [`Digits`].

/// Longest digit string handled: an IDD (up to 7 digits in the metadata), a calling code and a
/// national number of up to 17 digits fit.
pub const MAX_DIGITS: usize = 32;

/// A fixed-capacity buffer of ASCII digits (no allocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Digits {
    buf: [u8; MAX_DIGITS],
    len: u8,
}

impl Default for Digits {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Digits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Digits({})", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl Digits {
    pub const fn new() -> Self {
        Digits {
            buf: [0; MAX_DIGITS],
            len: 0,
        }
    }

    /// The digits of `s` (every ASCII digit, anything else skipped); `None` if more than
    /// [`MAX_DIGITS`].
    pub fn from_text(s: &[u8]) -> Option<Self> {
        let mut d = Digits::new();
        for &b in s {
            if b.is_ascii_digit() && !d.push(b) {
                return None;
            }
        }
        Some(d)
    }

    /// Appends a digit; false (and nothing appended) when full.
    pub fn push(&mut self, b: u8) -> bool {
        let l = usize::from(self.len);
        if l >= MAX_DIGITS {
            return false;
        }
        self.buf[l] = b;
        self.len += 1;
        true
    }

    /// Appends digits; false when they do not all fit (then the buffer holds those that did).
    pub fn extend(&mut self, s: &[u8]) -> bool {
        s.iter().all(|&b| self.push(b))
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
}

/// A region: ISO 3166-1 alpha-2 code as libphonenumber uses it (`GB`, `US`), or
/// [`Region::NON_GEO`] for the non-geographic calling codes (+800, +808, +870, +878, +881,
/// +882, +883, +888, +979; libphonenumber's `001`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Region(pub [u8; 2]);

impl Region {
    pub const NON_GEO: Region = Region(*b"00");

    /// `"US"`, or `"001"` for [`Region::NON_GEO`].
    pub fn as_str(&self) -> &'static str {
        if *self == Region::NON_GEO {
            return "001";
        }
        match super::plan::region_index(self.0).and_then(super::plan::region_meta) {
            Some(m) => std::str::from_utf8(&m.id).unwrap_or("ZZ"),
            None => "ZZ",
        }
    }

    /// The region with this code (`"de"` or `"DE"`; `"001"` for non-geographic), if the
    /// metadata knows it.
    pub fn from_code(code: &str) -> Option<Region> {
        if code == "001" {
            return Some(Region::NON_GEO);
        }
        let b = code.as_bytes();
        if b.len() != 2 {
            return None;
        }
        let id = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
        super::plan::region_index(id).map(|_| Region(id))
    }

    /// Whether national formats (no `+`) are recognised for this region.
    pub fn has_national_formats(&self) -> bool {
        super::plan::region_index(self.0)
            .and_then(super::plan::region_meta)
            .is_some_and(|m| m.national)
    }
}

/// libphonenumber's number types.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum NumberType {
    FixedLine,
    Mobile,
    /// The region's plan does not tell fixed lines and mobiles apart (e.g. NANP).
    FixedLineOrMobile,
    TollFree,
    PremiumRate,
    SharedCost,
    Voip,
    PersonalNumber,
    Pager,
    Uan,
    Voicemail,
}

impl NumberType {
    pub fn as_str(&self) -> &'static str {
        match self {
            NumberType::FixedLine => "FixedLine",
            NumberType::Mobile => "Mobile",
            NumberType::FixedLineOrMobile => "FixedLineOrMobile",
            NumberType::TollFree => "TollFree",
            NumberType::PremiumRate => "PremiumRate",
            NumberType::SharedCost => "SharedCost",
            NumberType::Voip => "Voip",
            NumberType::PersonalNumber => "PersonalNumber",
            NumberType::Pager => "Pager",
            NumberType::Uan => "Uan",
            NumberType::Voicemail => "Voicemail",
        }
    }
}

/// Longest E.164 string: `+`, a 3-digit calling code and a 17-digit national number (the
/// metadata allows national numbers longer than E.164's 15 digits in a few plans).
const E164_CAP: usize = 21;

/// A valid phone number, normalised.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Phone {
    e164: [u8; E164_CAP],
    len: u8,
    cc_len: u8,
    /// The region the number belongs to (`GB`, `US`, [`Region::NON_GEO`]...).
    pub region: Region,
    pub number_type: NumberType,
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phone")
            .field("e164", &self.e164())
            .field("region", &self.region.as_str())
            .field("number_type", &self.number_type)
            .finish()
    }
}

impl Phone {
    fn new(cc: u16, nsn: &[u8], region_idx: usize, number_type: NumberType) -> Option<Phone> {
        let mut e164 = [0u8; E164_CAP];
        e164[0] = b'+';
        let ccd = cc_digits(cc);
        let cc_len = ccd.len();
        let len = 1 + cc_len + nsn.len();
        if len > E164_CAP {
            return None;
        }
        e164[1..1 + cc_len].copy_from_slice(ccd.as_bytes());
        e164[1 + cc_len..len].copy_from_slice(nsn);
        let region = Region(super::plan::region_meta(region_idx)?.id);
        Some(Phone {
            e164,
            len: len as u8,
            cc_len: cc_len as u8,
            region,
            number_type,
        })
    }

    /// The number in E.164 form, `+` and digits: `+442079460958`.
    pub fn e164(&self) -> &str {
        std::str::from_utf8(&self.e164[..usize::from(self.len)]).unwrap_or("")
    }

    /// The country calling code (`44`).
    pub fn country_code(&self) -> u16 {
        self.e164[1..1 + usize::from(self.cc_len)]
            .iter()
            .fold(0u16, |a, &d| a * 10 + u16::from(d - b'0'))
    }

    /// The national significant number (`2079460958`).
    pub fn national_number(&self) -> &str {
        std::str::from_utf8(&self.e164[1 + usize::from(self.cc_len)..usize::from(self.len)])
            .unwrap_or("")
    }
}

/// The decimal digits of a calling code (1 to 3 digits).
pub(crate) fn cc_digits(cc: u16) -> Digits {
    let mut d = Digits::new();
    let all = [
        b'0' + (cc / 100 % 10) as u8,
        b'0' + (cc / 10 % 10) as u8,
        b'0' + (cc % 10) as u8,
    ];
    let skip = if cc >= 100 {
        0
    } else if cc >= 10 {
        1
    } else {
        2
    };
    d.extend(&all[skip..]);
    d
}

fn all_digits(d: &[u8]) -> bool {
    !d.is_empty() && d.len() <= MAX_DIGITS && d.iter().all(u8::is_ascii_digit)
}

/// libphonenumber's limits on a national significant number.
const MIN_NSN: usize = 2;
const MAX_NSN: usize = 17;

/// Validates a calling code and national number (the tail of `parse`): strips a national
/// prefix written after the code (`+44 (0)20 ...`), picks the region, checks the type.
fn finish(cc: u16, first: usize, count: usize, nsn: &[u8]) -> Option<Phone> {
    if nsn.len() < MIN_NSN {
        return None;
    }
    let mut buf = Digits::new();
    let nsn = super::plan::strip_for_parsing(first, nsn, &mut buf);
    if !(MIN_NSN..=MAX_NSN).contains(&nsn.len()) {
        return None;
    }
    let (idx, ty) = super::plan::select_region(first, count, nsn)?;
    Phone::new(cc, nsn, idx, ty)
}

/// A number written in international form: `digits` are the ASCII digits after `+` (or after
/// an IDD such as `00`), calling code first: `442079460958`. Every region of the metadata is
/// known, non-geographic codes included.
pub fn parse_international(digits: &[u8]) -> Option<Phone> {
    if !all_digits(digits) || digits.len() <= MIN_NSN {
        return None;
    }
    let (cc, cc_len, first, count) = super::plan::extract_calling_code(digits)?;
    finish(cc, first, count, &digits[cc_len..])
}

/// A number written the way it is dialled inside `region` (`020 7946 0958` in GB,
/// `(415) 555-2671` in the US), as its ASCII digits. Also understood, as libphonenumber does:
/// the region's IDD (`00 44 ...` from Germany, `011 44 ...` from the US) and the calling code
/// written without `+` when the number only makes sense with it. The national prefix must be
/// present where the region's formats require it (libphonenumber's matcher, leniency VALID).
/// `None` for regions without national formats (see [`Region::has_national_formats`]).
pub fn parse_national(digits: &[u8], region: Region) -> Option<Phone> {
    let idx = super::plan::region_index(region.0)?;
    parse_national_idx(digits, idx)
}

fn parse_national_idx(digits: &[u8], idx: usize) -> Option<Phone> {
    parse_national_how(digits, idx).map(|(p, _)| p)
}

/// How a national input was read: after an IDD or its own calling code (`true`: the grouping
/// as written says nothing about the national format), or as a national number (`false`).
fn parse_national_how(digits: &[u8], idx: usize) -> Option<(Phone, bool)> {
    let m = super::plan::region_meta(idx)?;
    if !m.national || !all_digits(digits) || digits.len() < MIN_NSN {
        return None;
    }
    if let Some(idd) = super::plan::idd_len(idx, digits) {
        let rest = &digits[idd..];
        if rest.len() <= MIN_NSN {
            return None;
        }
        let (cc, cc_len, first, count) = super::plan::extract_calling_code(rest)?;
        return finish(cc, first, count, &rest[cc_len..]).map(|p| (p, true));
    }
    let (first, count) = super::plan::regions_of(m);
    let mut buf = Digits::new();
    if let Some(nsn) = super::plan::strip_own_calling_code(idx, digits, &mut buf) {
        return finish(m.cc, first, count, nsn).map(|p| (p, true));
    }
    if !super::plan::national_feasible(m, digits) {
        return None;
    }
    let phone = finish(m.cc, first, count, digits)?;
    let nsn = phone.national_number().as_bytes();
    if !super::plan::national_prefix_present_if_required(first, nsn, digits) {
        return None;
    }
    Some((phone, false))
}

/// Whether `written` (the digit groups as typed, national prefix included) is how the
/// number's region formats it nationally: `(201) 555-0123` is US grouping, `020 1555 0123`
/// Chinese; a national prefix may be glued to the first group (`030 123456`) or stand alone
/// (`8 (495) 123-45-67`). A single group says nothing and matches.
fn grouping_matches(phone: &Phone, digits: &[u8], written: &[u8]) -> bool {
    if written.len() <= 1 {
        return true;
    }
    let nsn = phone.national_number().as_bytes();
    if !digits.ends_with(nsn) {
        return true; // a transform rule rewrote the digits: no comparison possible
    }
    let np_len = digits.len() - nsn.len();
    let Some(main) = super::plan::region_index(phone.region.0)
        .and_then(super::plan::region_meta)
        .map(|m| usize::from(m.cc_regions.0))
    else {
        return false;
    };
    let mut fg = [0u8; 8];
    let Some(n) = super::plan::national_grouping(main, nsn, &mut fg) else {
        return false;
    };
    let fg = &fg[..n];
    let glued = written.len() == n
        && usize::from(written[0]) == np_len + usize::from(fg[0])
        && written[1..] == fg[1..];
    let separate = np_len > 0
        && written.len() == n + 1
        && usize::from(written[0]) == np_len
        && written[1..] == *fg;
    glued || separate
}

/// [`parse_national`] for each region of `regions` in turn; the first valid reading wins.
pub fn parse_national_in(digits: &[u8], regions: &[Region]) -> Option<Phone> {
    regions.iter().find_map(|&r| parse_national(digits, r))
}

/// A national number whose region is unknown: tries the regions of [`NATIONAL_ORDER`] (the 25
/// most populous countries, most populous first, then the other EU members by population) and
/// returns the first valid reading. National numbers are ambiguous across countries
/// (`0612345678` is French and Dutch), so the region (and the E.164 form) is a best guess; that
/// it is a phone number somewhere is what the detector needs. Use [`parse_national_in`] with a
/// configured order to prefer the regions a data set comes from.
pub fn parse_national_any(digits: &[u8]) -> Option<Phone> {
    if !all_digits(digits) || digits.len() < MIN_NSN {
        return None;
    }
    national_order_idx()
        .iter()
        .find_map(|&idx| parse_national_idx(digits, idx))
}

static NATIONAL_ORDER_IDX: std::sync::OnceLock<Vec<usize>> = std::sync::OnceLock::new();

fn national_order_idx() -> &'static [usize] {
    NATIONAL_ORDER_IDX.get_or_init(|| {
        super::NATIONAL_ORDER
            .iter()
            .filter_map(|r| super::plan::region_index(*r))
            .collect()
    })
}

/// [`parse_national_any`] for a number whose digit groups as written are known
/// (`written`: the digit count of each group, e.g. `[3, 3, 4]` for `(201) 555-0123`): prefers
/// the first region (in [`NATIONAL_ORDER`]) whose national format groups the number that way
/// (libphonenumber's "strict grouping"), and falls back to the first valid reading. This is
/// what keeps `(201) 555-0123` American although China, tried first, also has a valid
/// `+86 20 1555 0123`.
pub fn parse_national_any_grouped(digits: &[u8], written: &[u8]) -> Option<Phone> {
    if !all_digits(digits) || digits.len() < MIN_NSN {
        return None;
    }
    if written.len() <= 1 {
        return parse_national_any(digits);
    }
    let mut fallback = None;
    for &idx in national_order_idx() {
        if let Some((p, neutral)) = parse_national_how(digits, idx) {
            if neutral || grouping_matches(&p, digits, written) {
                return Some(p);
            }
            fallback = fallback.or(Some(p));
        }
    }
    fallback
}

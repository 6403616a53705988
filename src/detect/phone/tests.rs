//! The phone detector's validation core against the reference implementation and on whole
//! lines: the oracle rows of `tests/data/phone/*.tsv` were computed by the PyPI package
//! `phonenumbers` (libphonenumber's Python port) from every example number of the metadata and
//! near misses; the line cases hold the decision rule (shape, key, cue) and its precision on
//! the hard negatives of logs.

mod oracle_cases {
    // Differential tests against the reference implementation: every row of `tests/data/*.tsv`
    // was computed by the PyPI package `phonenumbers` (libphonenumber's Python port) from the
    // metadata's example numbers of every region, written with different separators, and from
    // near misses (a digit short, a digit long, another leading digit). Each row states what the
    // crate must return; a row whose expectation is `-` must be rejected.

    use super::super::shape::scan;
    use super::super::{
        parse_international, parse_national, parse_national_any, Digits, Phone, Region,
    };

    struct Row<'a> {
        line: usize,
        region: Option<&'a str>,
        text: &'a str,
        expect: Option<(&'a str, &'a str, &'a str)>,
    }

    fn rows(data: &str, with_region: bool) -> Vec<Row<'_>> {
        data.lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.is_empty())
            .map(|(n, l)| {
                let c: Vec<&str> = l.split('\t').collect();
                let (region, rest) = if with_region {
                    (Some(c[0]), &c[1..])
                } else {
                    (None, &c[..])
                };
                assert_eq!(rest.len(), 4, "line {}: {l:?}", n + 1);
                let expect = (rest[1] != "-").then(|| (rest[1], rest[2], rest[3]));
                Row {
                    line: n + 1,
                    region,
                    text: rest[0],
                    expect,
                }
            })
            .collect()
    }

    fn digits(text: &str) -> Digits {
        Digits::from_text(text.as_bytes()).expect("test text fits")
    }

    fn got(p: Option<Phone>) -> Option<(String, String, String)> {
        p.map(|p| {
            (
                p.e164().to_string(),
                // the tables spell libphonenumber's `001` as `00`
                if p.region == Region::NON_GEO {
                    "00".to_string()
                } else {
                    p.region.as_str().to_string()
                },
                p.number_type.as_str().to_string(),
            )
        })
    }

    fn check(name: &str, rows: &[Row], f: impl Fn(&Row) -> Option<Phone>) -> (usize, usize) {
        let mut bad = Vec::new();
        let (mut pos, mut neg) = (0, 0);
        for r in rows {
            let want = r
                .expect
                .map(|(e, g, t)| (e.to_string(), g.to_string(), t.to_string()));
            let have = got(f(r));
            if want.is_some() {
                pos += 1;
            } else {
                neg += 1;
            }
            if have != want {
                bad.push(format!(
                    "{name}:{} {:?} {:?}: want {want:?}, got {have:?}",
                    r.line, r.region, r.text
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{} of {} rows differ from the oracle:\n{}",
            bad.len(),
            rows.len(),
            bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
        );
        eprintln!("{name}: {pos} positive and {neg} negative rows agree with the oracle");
        (pos, neg)
    }

    #[test]
    fn every_region_compiles() {
        assert_eq!(super::super::compile_all(), 254);
    }

    #[test]
    fn international_matches_oracle() {
        let rows = rows(
            include_str!("../../../tests/data/phone/international.tsv"),
            false,
        );
        let (pos, neg) = check("international.tsv", &rows, |r| {
            let d = digits(r.text);
            parse_international(d.as_bytes())
        });
        assert!(pos >= 200 && neg >= 200);
    }

    #[test]
    fn national_matches_oracle() {
        let rows = rows(include_str!("../../../tests/data/phone/national.tsv"), true);
        let (pos, neg) = check("national.tsv", &rows, |r| {
            let region = Region::from_code(r.region.unwrap_or_default()).expect("known region");
            parse_national(digits(r.text).as_bytes(), region)
        });
        assert!(pos >= 200 && neg >= 200);
    }

    #[test]
    fn national_any_matches_oracle() {
        let rows = rows(
            include_str!("../../../tests/data/phone/national_any.tsv"),
            false,
        );
        let (pos, neg) = check("national_any.tsv", &rows, |r| {
            parse_national_any(digits(r.text).as_bytes())
        });
        assert!(pos >= 200 && neg >= 200);
    }

    /// The formatted international examples (as libphonenumber prints them, and with dashes and
    /// dots) are found whole by the shape scanner and validate to the oracle's E.164.
    #[test]
    fn international_examples_scan_whole() {
        let rows = rows(
            include_str!("../../../tests/data/phone/international.tsv"),
            false,
        );
        let mut bad = Vec::new();
        let mut n = 0;
        // The scanner wants at least MIN_DIGITS digits: `+98 9601` (an Iranian 4-digit UAN) is
        // the one example number shorter than that.
        let long_enough = |r: &&Row| digits(r.text).len() >= super::super::shape::MIN_DIGITS;
        for r in rows
            .iter()
            .filter(|r| r.expect.is_some())
            .filter(long_enough)
        {
            let h = r.text.as_bytes();
            n += 1;
            match scan(h, 0) {
                Some(t) if t.ext_end == h.len() && t.has_plus => {
                    let e = got(parse_international(t.digits.as_bytes())).map(|g| g.0);
                    if e.as_deref() != r.expect.map(|x| x.0) {
                        bad.push(format!("{:?}: {e:?}", r.text));
                    }
                }
                other => bad.push(format!("{:?}: scanned {other:?}", r.text)),
            }
        }
        assert!(
            bad.is_empty(),
            "{} of {n}:\n{}",
            bad.len(),
            bad[..bad.len().min(40)].join("\n")
        );
    }
}

mod api_cases {
    // The public API: E.164 round trips, accessors, regions, inputs out of range.

    use super::super::{
        parse_international, parse_national, parse_national_any, parse_national_any_grouped,
        parse_national_in, Digits, NumberType, Region, EU_MEMBERS, NATIONAL_ORDER, TOP25,
    };

    fn r(code: &str) -> Region {
        Region::from_code(code).expect("known region")
    }

    /// Every valid E.164 of the oracle file parses back to itself, with the same region and type.
    #[test]
    fn e164_round_trip() {
        let mut n = 0;
        for line in include_str!("../../../tests/data/phone/international.tsv")
            .lines()
            .skip(1)
        {
            let c: Vec<&str> = line.split('\t').collect();
            if c[1] == "-" {
                continue;
            }
            let d = Digits::from_text(c[1].as_bytes()).expect("fits");
            let p = parse_international(d.as_bytes()).unwrap_or_else(|| panic!("{}", c[1]));
            assert_eq!(p.e164(), c[1]);
            let again = parse_international(&p.e164().as_bytes()[1..]).expect("again");
            assert_eq!(again, p);
            assert_eq!(
                format!("+{}{}", p.country_code(), p.national_number()),
                p.e164()
            );
            n += 1;
        }
        assert!(n > 6000, "{n}");
    }

    /// (national digits, region, E.164) for each national region's own example: the number
    /// read nationally and in international form agree.
    const NATIONAL_ROUND_TRIP: &[(&str, &str, &str)] = &[
        ("2015550123", "US", "+12015550123"),
        ("12015550123", "US", "+12015550123"),
        ("02079460958", "GB", "+442079460958"),
        ("07400123456", "GB", "+447400123456"),
        ("030123456", "DE", "+4930123456"),
        ("015123456789", "DE", "+4915123456789"),
        ("0612345678", "FR", "+33612345678"),
        ("0212345678", "IT", "+390212345678"),
        ("3123456789", "IT", "+393123456789"),
        ("612345678", "ES", "+34612345678"),
        ("89123456789", "RU", "+79123456789"),
        ("13812345678", "CN", "+8613812345678"),
        ("09012345678", "JP", "+819012345678"),
        ("11961234567", "BR", "+5511961234567"),
        ("9876543210", "IN", "+919876543210"),
        ("0612345678", "NL", "+31612345678"),
        ("0470123456", "BE", "+32470123456"),
        ("0664123456", "AT", "+43664123456"),
        ("512345678", "PL", "+48512345678"),
        ("0701234567", "SE", "+46701234567"),
        ("0851234567", "IE", "+353851234567"),
        ("21123456", "MT", "+35621123456"),
    ];

    #[test]
    fn national_round_trip() {
        for &(digits, region, e164) in NATIONAL_ROUND_TRIP {
            let p = parse_national(digits.as_bytes(), r(region))
                .unwrap_or_else(|| panic!("{digits} in {region}"));
            assert_eq!(p.e164(), e164, "{digits} in {region}");
            let i = parse_international(&e164.as_bytes()[1..]).expect("international");
            assert_eq!(i.e164(), e164);
            assert_eq!(i.region, p.region, "{e164}");
        }
    }

    #[test]
    fn national_prefix_required_where_the_plan_says() {
        // Germany, France, UK: written without the trunk 0 it is not a national number.
        assert!(parse_national(b"30123456", r("DE")).is_none());
        assert!(parse_national(b"612345678", r("FR")).is_none());
        assert!(parse_national(b"2079460958", r("GB")).is_none());
        // The US and Italy have no such rule.
        assert!(parse_national(b"2015550123", r("US")).is_some());
        assert!(parse_national(b"0212345678", r("IT")).is_some());
    }

    #[test]
    fn idd_and_calling_code_without_plus() {
        let gb = "+442079460958";
        assert_eq!(
            parse_national(b"00442079460958", r("DE")).map(|p| *p.e164() == *gb),
            Some(true)
        );
        assert_eq!(
            parse_national(b"011442079460958", r("US")).map(|p| *p.e164() == *gb),
            Some(true)
        );
        assert_eq!(
            parse_national(b"810442079460958", r("RU")).map(|p| *p.e164() == *gb),
            Some(true)
        );
        assert_eq!(
            parse_national(b"4930123456", r("DE")).map(|p| p.e164().to_string()),
            Some("+4930123456".into())
        );
    }

    #[test]
    fn types_and_regions() {
        let p = parse_international(b"447400123456").expect("GB mobile");
        assert_eq!(p.number_type, NumberType::Mobile);
        assert_eq!(p.region.as_str(), "GB");
        assert_eq!(p.country_code(), 44);
        assert_eq!(p.national_number(), "7400123456");
        let p = parse_international(b"18002345678").expect("US toll free");
        assert_eq!(p.number_type, NumberType::TollFree);
        // Regions sharing a calling code: Canada in +1, Jersey in +44, Kazakhstan in +7.
        assert_eq!(
            parse_international(b"16135550123").map(|p| p.region.as_str()),
            Some("CA")
        );
        assert_eq!(
            parse_international(b"447797123456").map(|p| p.region.as_str()),
            Some("JE")
        );
        assert_eq!(
            parse_international(b"77123456789").map(|p| p.region.as_str()),
            Some("KZ")
        );
        // Non-geographic: +800 (international freephone).
        let p = parse_international(b"80012345678").expect("+800");
        assert_eq!(p.region, Region::NON_GEO);
        assert_eq!(p.region.as_str(), "001");
        assert_eq!(p.number_type, NumberType::TollFree);
    }

    #[test]
    fn rejected_inputs() {
        for d in [
            &b""[..],
            b"1",
            b"12",
            b"+12015550123",
            b"1 201 555 0123",
            b"0442079460958",
            b"12345678901234567890123456789012345",
            b"99912345678",
        ] {
            assert!(parse_international(d).is_none(), "{d:?}");
        }
        assert!(
            parse_national(b"2015550123", r("CA")).is_none(),
            "no national formats for CA"
        );
        assert!(!r("CA").has_national_formats());
        assert!(r("DE").has_national_formats());
        assert!(parse_national_any(b"12a4567890").is_none());
    }

    #[test]
    fn region_lists() {
        assert_eq!(NATIONAL_ORDER.len(), 49);
        assert_eq!(TOP25.len(), 25);
        assert_eq!(EU_MEMBERS.len(), 27);
        for id in TOP25.iter().chain(EU_MEMBERS.iter()) {
            assert!(NATIONAL_ORDER.contains(id), "{id:?}");
            assert!(Region(*id).has_national_formats());
        }
        assert_eq!(&NATIONAL_ORDER[..3], &[*b"CN", *b"IN", *b"US"]);
        assert_eq!(Region::from_code("de"), Some(Region(*b"DE")));
        assert_eq!(Region::from_code("XX"), None);
        assert_eq!(Region::from_code("001"), Some(Region::NON_GEO));
    }

    #[test]
    fn region_order_and_grouping() {
        // Most populous first: China reads (201) 555-0123's digits as a Guangzhou number...
        assert_eq!(
            parse_national_any(b"2015550123").map(|p| p.region.as_str()),
            Some("CN")
        );
        // ...but China formats it 020 1555 0123; the US grouping wins when it is known.
        let p = parse_national_any_grouped(b"2015550123", &[3, 3, 4]).expect("grouped");
        assert_eq!(p.e164(), "+12015550123");
        // A caller that knows where the data comes from chooses the order.
        let p = parse_national_in(b"0612345678", &[r("NL"), r("FR")]).expect("in");
        assert_eq!(p.e164(), "+31612345678");
    }
}

mod shape_cases {
    // The shape scanner, table-driven: what it takes as one token (and its digits and shape), and
    // what it turns away whatever the context.

    use super::super::shape::{scan, Shape};

    /// (text, byte offset to scan at, expected token text with extension, digits, extension, shape)
    const TOKENS: &[(&str, usize, &str, &str, &str, Shape)] = &[
        (
            "+44 20 7946 0958",
            0,
            "+44 20 7946 0958",
            "442079460958",
            "",
            Shape::International,
        ),
        (
            "+442079460958",
            0,
            "+442079460958",
            "442079460958",
            "",
            Shape::International,
        ),
        (
            "+44-20-7946-0958",
            0,
            "+44-20-7946-0958",
            "442079460958",
            "",
            Shape::International,
        ),
        (
            "+44.20.7946.0958",
            0,
            "+44.20.7946.0958",
            "442079460958",
            "",
            Shape::International,
        ),
        (
            "+44 (0)20 7946 0958",
            0,
            "+44 (0)20 7946 0958",
            "4402079460958",
            "",
            Shape::International,
        ),
        (
            "+1 (201) 555-0123",
            0,
            "+1 (201) 555-0123",
            "12015550123",
            "",
            Shape::International,
        ),
        (
            "+1 201 555 0123 ext. 42",
            0,
            "+1 201 555 0123 ext. 42",
            "12015550123",
            "42",
            Shape::International,
        ),
        (
            "+1 201 555 0123 x42",
            0,
            "+1 201 555 0123 x42",
            "12015550123",
            "42",
            Shape::International,
        ),
        (
            "+1-201-555-0123;ext=7",
            0,
            "+1-201-555-0123;ext=7",
            "12015550123",
            "7",
            Shape::International,
        ),
        (
            "+1 201 555 0123 extension 7",
            0,
            "+1 201 555 0123 extension 7",
            "12015550123",
            "7",
            Shape::International,
        ),
        (
            "+49 (30) 123456",
            0,
            "+49 (30) 123456",
            "4930123456",
            "",
            Shape::International,
        ),
        (
            "+7 (912) 345-67-89",
            0,
            "+7 (912) 345-67-89",
            "79123456789",
            "",
            Shape::International,
        ),
        (
            "+33\u{a0}6\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
            0,
            "+33\u{a0}6\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
            "33612345678",
            "",
            Shape::International,
        ),
        (
            "+33\u{202f}6\u{202f}12\u{202f}34\u{202f}56\u{202f}78",
            0,
            "+33\u{202f}6\u{202f}12\u{202f}34\u{202f}56\u{202f}78",
            "33612345678",
            "",
            Shape::International,
        ),
        (
            "(201) 555-0123",
            0,
            "(201) 555-0123",
            "2015550123",
            "",
            Shape::PhoneLike,
        ),
        (
            "(201)555-0123",
            0,
            "(201)555-0123",
            "2015550123",
            "",
            Shape::PhoneLike,
        ),
        (
            "201-555-0123",
            0,
            "201-555-0123",
            "2015550123",
            "",
            Shape::PhoneLike,
        ),
        (
            "201.555.0123",
            0,
            "201.555.0123",
            "2015550123",
            "",
            Shape::PhoneLike,
        ),
        (
            "201 555 0123",
            0,
            "201 555 0123",
            "2015550123",
            "",
            Shape::PhoneLike,
        ),
        (
            "1-201-555-0123",
            0,
            "1-201-555-0123",
            "12015550123",
            "",
            Shape::PhoneLike,
        ),
        (
            "06 12 34 56 78",
            0,
            "06 12 34 56 78",
            "0612345678",
            "",
            Shape::PhoneLike,
        ),
        (
            "06.12.34.56.78",
            0,
            "06.12.34.56.78",
            "0612345678",
            "",
            Shape::PhoneLike,
        ),
        (
            "06-12-34-56-78",
            0,
            "06-12-34-56-78",
            "0612345678",
            "",
            Shape::PhoneLike,
        ),
        (
            "8 (912) 345-67-89",
            0,
            "8 (912) 345-67-89",
            "89123456789",
            "",
            Shape::PhoneLike,
        ),
        (
            "(030) 1234567",
            0,
            "(030) 1234567",
            "0301234567",
            "",
            Shape::PhoneLike,
        ),
        (
            "020 7946 0958",
            0,
            "020 7946 0958",
            "02079460958",
            "",
            Shape::PhoneLike,
        ),
        (
            "612 34 56 78",
            0,
            "612 34 56 78",
            "612345678",
            "",
            Shape::PhoneLike,
        ),
        (
            "0044 20 7946 0958",
            0,
            "0044 20 7946 0958",
            "00442079460958",
            "",
            Shape::PhoneLike,
        ),
        (
            "0151 23456789",
            0,
            "0151 23456789",
            "015123456789",
            "",
            Shape::Grouped,
        ),
        (
            "030/1234567",
            0,
            "030/1234567",
            "0301234567",
            "",
            Shape::Grouped,
        ),
        (
            "030 / 1234567",
            0,
            "030 / 1234567",
            "0301234567",
            "",
            Shape::Grouped,
        ),
        (
            "98765 43210",
            0,
            "98765 43210",
            "9876543210",
            "",
            Shape::Grouped,
        ),
        (
            "201.555-0123",
            0,
            "201.555-0123",
            "2015550123",
            "",
            Shape::Grouped,
        ),
        (
            "13812345678",
            0,
            "13812345678",
            "13812345678",
            "",
            Shape::Bare,
        ),
        // Space thousands are also phones in some plans: kept, but not phone-like by shape.
        (
            "12 345 678",
            0,
            "12 345 678",
            "12345678",
            "",
            Shape::Grouped,
        ),
        (
            "21 234 567",
            0,
            "21 234 567",
            "21234567",
            "",
            Shape::Grouped,
        ),
        (
            "(06 1) 234 5678",
            0,
            "(06 1) 234 5678",
            "0612345678",
            "",
            Shape::PhoneLike,
        ),
        (
            "(0-312) 34567",
            0,
            "(0-312) 34567",
            "031234567",
            "",
            Shape::PhoneLike,
        ),
        ("0612345678", 0, "0612345678", "0612345678", "", Shape::Bare),
        // Context around the token.
        (
            "Tel: 030 123456.",
            5,
            "030 123456",
            "030123456",
            "",
            Shape::Grouped,
        ),
        (
            "call (201) 555-0123, thanks",
            5,
            "(201) 555-0123",
            "2015550123",
            "",
            Shape::PhoneLike,
        ),
        (
            "\"phone\":\"+4930123456\"",
            9,
            "+4930123456",
            "4930123456",
            "",
            Shape::International,
        ),
        (
            "tel:+33612345678",
            4,
            "+33612345678",
            "33612345678",
            "",
            Shape::International,
        ),
        (
            "a\\n0612345678",
            3,
            "0612345678",
            "0612345678",
            "",
            Shape::Bare,
        ),
        (
            "phone=0612345678&x=1",
            6,
            "0612345678",
            "0612345678",
            "",
            Shape::Bare,
        ),
        (
            "201 555 0123 and more",
            0,
            "201 555 0123",
            "2015550123",
            "",
            Shape::PhoneLike,
        ),
    ];

    /// (text, offset): no phone token can start there.
    const REJECTED: &[(&str, usize)] = &[
        // Epoch seconds / milliseconds glued to units or other numbers.
        ("1700000000ms", 0),
        ("1700000000.123", 0),
        ("1700000000,5", 0),
        // Durations and sizes.
        ("1234567s", 0),
        ("86400000ms", 0),
        ("1234567 %", 0),
        ("1234567 ms", 0),
        ("1234567 bytes", 0),
        ("12345678 times", 0),
        ("1234567 kB", 0),
        ("12345678%", 0),
        // Prices.
        ("$1234567", 1),
        ("€1234567", 3),
        ("£ 1234567", 3),
        ("1234567.89", 0),
        ("1 234 567,89", 0),
        ("1.234.567", 0),
        ("1234567 €", 0),
        ("1234567 EUR", 0),
        ("1234567USD", 0),
        // Order and invoice numbers.
        ("INV-2024-0012345", 4),
        ("INV-2024-0012345", 9),
        ("#12345678", 1),
        ("ORD20240115001", 3),
        // UUID and hex parts.
        ("550e8400-e29b-41d4-a716-446655440000", 24),
        ("550e8400-e29b-41d4-a716-446655440000", 0),
        ("123e4567-e89b-12d3-a456-426614174000", 0),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", 26),
        ("0x1234567890", 1),
        // Versions and IPs.
        ("10.0.19045.2965", 0),
        ("v1.2.3456789", 1),
        ("192.168.100.200", 0),
        ("10.20.30.40", 0),
        ("Chrome/120.0.6099.109", 7),
        ("2.1.1234567", 0),
        // ISBNs.
        ("978-3-16-148410-0", 0),
        ("0-306-40615-2", 0),
        ("978-0-306-40615-7", 0),
        ("979-10-90636-07-1", 0),
        // Dates and times.
        ("2024-01-15", 0),
        ("2024-01-15 10:30:00", 0),
        ("2024-01-15T10:30:00Z", 0),
        ("15.01.2024", 0),
        ("01/15/2024", 0),
        ("15/01/2024 10:30", 0),
        ("2024/01/15 1234567", 0),
        ("10:30:00 1234567", 3),
        ("12:34:5678901", 6),
        // Postcodes.
        ("94105-1234", 0),
        ("01310-100", 0),
        ("100-0001", 0),
        // Payment cards.
        ("4111 1111 1111 1111", 0),
        ("4111-1111-1111-1111", 0),
        ("3782 822463 10005", 0),
        // Too short, too long.
        ("123456", 0),
        ("12 34 56", 0),
        ("+1234", 0),
        ("123456789012345678901", 0),
        ("1 2 3 4 5 6 7 8 9 0 1 2 3", 0),
        // Not a start.
        ("abc", 0),
        ("(abc)", 0),
        ("(123", 0),
        ("5+1234567", 1),
        ("x1234567", 1),
    ];

    #[test]
    fn tokens() {
        let mut bad = Vec::new();
        for &(text, at, want, digits, ext, shape) in TOKENS {
            let h = text.as_bytes();
            match scan(h, at) {
                Some(t) => {
                    let got = (
                        &text[t.start..t.ext_end],
                        String::from_utf8_lossy(t.digits.as_bytes()).into_owned(),
                        String::from_utf8_lossy(t.ext.as_bytes()).into_owned(),
                        t.shape,
                    );
                    if got != (want, digits.to_string(), ext.to_string(), shape) {
                        bad.push(format!("{text:?}@{at}: {got:?}"));
                    }
                    assert_eq!(t.has_plus, want.starts_with('+'), "{text:?}");
                    assert_eq!(
                        t.group_lengths()
                            .iter()
                            .map(|&g| usize::from(g))
                            .sum::<usize>(),
                        digits.len(),
                        "{text:?}"
                    );
                }
                None => bad.push(format!("{text:?}@{at}: rejected")),
            }
        }
        assert!(
            bad.is_empty(),
            "{} of {}:\n{}",
            bad.len(),
            TOKENS.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn rejected() {
        let bad: Vec<String> = REJECTED
            .iter()
            .filter_map(|&(text, at)| {
                scan(text.as_bytes(), at)
                    .map(|t| format!("{text:?}@{at}: {:?}", &text[t.start..t.ext_end]))
            })
            .collect();
        assert!(
            bad.is_empty(),
            "{} of {}:\n{}",
            bad.len(),
            REJECTED.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn group_lengths_as_written() {
        let t = scan(b"(201) 555-0123", 0).expect("token");
        assert_eq!(t.group_lengths(), &[3, 3, 4]);
        let t = scan(b"+44 (0)20 7946 0958", 0).expect("token");
        assert_eq!(t.group_lengths(), &[2, 1, 2, 4, 4]);
    }
}

mod detect_cases {
    // The reference rule (shape + key + cue + numbering plan) on whole lines: tables of lines with
    // the phones they hold, cue words and key names, and the precision on hard negatives.

    use super::super::cues::cue_before;
    use super::super::decide::{find_phones, Evidence};

    fn found(line: &str, key_hint: bool) -> Vec<(String, String)> {
        let mut out = Vec::new();
        find_phones(line.as_bytes(), key_hint, |f| {
            out.push((line[f.start..f.end].to_string(), f.phone.e164().to_string()));
        });
        out
    }

    /// (line, key hint, [(matched text, E.164)])
    type LineCase = (&'static str, bool, &'static [(&'static str, &'static str)]);

    const LINES: &[LineCase] = &[
        (
            "Call +44 20 7946 0958 today",
            false,
            &[("+44 20 7946 0958", "+442079460958")],
        ),
        (
            "Call +44 20 7946 0958 or (201) 555-0123",
            false,
            &[
                ("+44 20 7946 0958", "+442079460958"),
                ("(201) 555-0123", "+12015550123"),
            ],
        ),
        (
            "+1 (201) 555-0123 ext. 1234",
            false,
            &[("+1 (201) 555-0123 ext. 1234", "+12015550123")],
        ),
        (
            "tel:+33612345678",
            false,
            &[("+33612345678", "+33612345678")],
        ),
        (
            "T: +44 20 7946 0958",
            false,
            &[("+44 20 7946 0958", "+442079460958")],
        ),
        (
            "+44 (0)20 7946 0958",
            false,
            &[("+44 (0)20 7946 0958", "+442079460958")],
        ),
        (
            "WhatsApp +55 11 96123-4567",
            false,
            &[("+55 11 96123-4567", "+5511961234567")],
        ),
        (
            "+7 (912) 345-67-89",
            false,
            &[("+7 (912) 345-67-89", "+79123456789")],
        ),
        (
            "8 (912) 345-67-89",
            false,
            &[("8 (912) 345-67-89", "+79123456789")],
        ),
        (
            "Tel. 01 23 45 67 89",
            false,
            &[("01 23 45 67 89", "+33123456789")],
        ),
        (
            "06.12.34.56.78",
            false,
            &[("06.12.34.56.78", "+33612345678")],
        ),
        ("201.555.0123", false, &[("201.555.0123", "+12015550123")]),
        (
            "1-201-555-0123",
            false,
            &[("1-201-555-0123", "+12015550123")],
        ),
        (
            "0044 20 7946 0958",
            false,
            &[("0044 20 7946 0958", "+442079460958")],
        ),
        (
            "011 44 20 7946 0958",
            false,
            &[("011 44 20 7946 0958", "+442079460958")],
        ),
        (
            "Telefon: 030/1234567",
            false,
            &[("030/1234567", "+49301234567")],
        ),
        ("(030) 1234567", false, &[("(030) 1234567", "+49301234567")]),
        ("Tel: 030 123456", false, &[("030 123456", "+4930123456")]),
        (
            "电话：13812345678",
            false,
            &[("13812345678", "+8613812345678")],
        ),
        (
            "ph: 98765 43210",
            false,
            &[("98765 43210", "+919876543210")],
        ),
        ("612 34 56 78", false, &[("612 34 56 78", "+34612345678")]),
        (
            "Móvil 612 345 678",
            false,
            &[("612 345 678", "+34612345678")],
        ),
        (
            "2025-11-04Z DEBUG [sms] verification code sent to 0342-718 2564",
            false,
            &[("0342-718 2564", "+913427182564")],
        ),
        (
            "Please update my number to 08437 886189. Thanks",
            false,
            &[("08437 886189", "+498437886189")],
        ),
        // An MSISDN written in groups: under a key only.
        (
            "57 318 029 39 11",
            true,
            &[("57 318 029 39 11", "+573180293911")],
        ),
        ("57 318 029 39 11", false, &[]),
        // Bare national digits: only with a cue or under a phone key.
        ("0612345678", false, &[]),
        (
            "call me 0612345678",
            false,
            &[("0612345678", "+62612345678")],
        ),
        ("0612345678", true, &[("0612345678", "+62612345678")]),
        ("13812345678", true, &[("13812345678", "+8613812345678")]),
        // Hard negatives in text.
        ("ts=1700000000 took 1234567 ms", false, &[]),
        ("order #1234567890 shipped", false, &[]),
        ("Order No. 4567891234", false, &[]),
        ("id 550e8400-e29b-41d4-a716-446655440000", false, &[]),
        (
            "2024-01-15 10:30:00 GET /api/v2/users/123456789",
            false,
            &[],
        ),
        ("price 1234567.89 EUR, total 12 345 678", false, &[]),
        ("ISBN 978-3-16-148410-0", false, &[]),
        ("from 192.168.100.200 build 10.0.19045.2965", false, &[]),
        ("SSN 123-45-6789", false, &[]),
        ("zip 94105-1234", false, &[]),
        // Groups of an IPv6 address after other numbers (found by the engine's proptest).
        ("0 10 2001:db8::42 ", false, &[]),
        ("seen 030 1234 2001::1", false, &[]),
        // Not a valid number anywhere, whatever the shape or key.
        ("+1 000 000 0000", false, &[]),
        ("+999 1234 5678", false, &[]),
        ("000 000 0000", true, &[]),
    ];

    #[test]
    fn lines() {
        let mut bad = Vec::new();
        for &(line, key, want) in LINES {
            let got = found(line, key);
            let want: Vec<(String, String)> = want
                .iter()
                .map(|&(a, b)| (a.to_string(), b.to_string()))
                .collect();
            if got != want {
                bad.push(format!("{line:?} key={key}: got {got:?}"));
            }
        }
        assert!(
            bad.is_empty(),
            "{} of {}:\n{}",
            bad.len(),
            LINES.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn evidence() {
        let ev = |line: &str, key: bool| {
            let mut e = None;
            find_phones(line.as_bytes(), key, |f| e = Some(f.evidence));
            e
        };
        assert_eq!(ev("+44 20 7946 0958", false), Some(Evidence::International));
        assert_eq!(ev("+44 20 7946 0958", true), Some(Evidence::Key));
        assert_eq!(ev("(201) 555-0123", false), Some(Evidence::Shape));
        assert_eq!(ev("phone: 0612345678", false), Some(Evidence::Cue));
    }

    /// (text before the number, cue expected)
    const CUES: &[(&str, bool)] = &[
        ("Tel: ", true),
        ("tel.", true),
        ("Phone number: ", true),
        ("call me at ", true),
        ("Handy ", true),
        ("Téléphone : ", true),
        ("móvil: ", true),
        ("Телефон: ", true),
        ("电话：", true),
        ("携帯電話 ", true),
        ("WhatsApp: ", true),
        ("M: ", true),
        ("\"phone\": \"", true),
        ("fax (office) ", true),
        ("no hp ", true),
        // Phrases that end right before the number.
        ("[sms] verification code sent to ", true),
        ("Please update my number to ", true),
        ("you can reach me on ", true),
        ("OTP texted to ", true),
        // Not cues.
        ("Order ", false),
        ("hotel ", false),
        ("cancelled ", false),
        ("id: ", false),
        ("\"ts\":", false),
        ("M ", false),
        ("tel 12, ", false),
        ("phone, id=", false),
        ("phone 123 id ", false),
        ("callback_id=", false),
        ("call id ", false),
        ("call duration: ", false),
        ("phone verified at ", false),
        ("sms sent ", false),
        ("code sent ", false),
        ("number to ", false),
        ("order number is ", false),
        ("payment to ", false),
        ("", false),
    ];

    #[test]
    fn cue_words() {
        for &(before, want) in CUES {
            let line = format!("{before}0612345678");
            assert_eq!(
                cue_before(line.as_bytes(), before.len()),
                want,
                "{before:?}"
            );
        }
    }

    /// A small deterministic generator (xorshift64*), so the corpus is the same on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn range(&mut self, lo: u64, hi: u64) -> u64 {
            lo + self.next() % (hi - lo + 1)
        }
        fn hex(&mut self, n: usize) -> String {
            (0..n)
                .map(|_| char::from(b"0123456789abcdef"[(self.next() % 16) as usize]))
                .collect()
        }
    }

    fn isbn13(r: &mut Rng) -> String {
        let body: Vec<u64> = [9, 7, 8]
            .into_iter()
            .chain((0..9).map(|_| r.range(0, 9)))
            .collect();
        let sum: u64 = body
            .iter()
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { *d } else { 3 * d })
            .sum();
        let check = (10 - sum % 10) % 10;
        let d: String = body.iter().map(|d| d.to_string()).collect();
        format!(
            "{}-{}-{}-{}-{check}",
            &d[..3],
            &d[3..4],
            &d[4..6],
            &d[6..12]
        )
    }

    /// Lines of every hard-negative category, in text and in JSON under non-phone keys.
    fn hard_negatives() -> Vec<(&'static str, String)> {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let mut out = Vec::new();
        for _ in 0..150 {
            let s = r.range(946_684_800, 2_000_000_000);
            let ms = s * 1000 + r.range(0, 999);
            let (y, mo, d) = (r.range(1990, 2035), r.range(1, 12), r.range(1, 28));
            let (h, mi, se) = (r.range(0, 23), r.range(0, 59), r.range(0, 59));
            let n7 = r.range(1_000_000, 99_999_999_999);
            let cents = r.range(0, 99);
            out.extend([
                ("epoch s", format!("{{\"ts\":{s},\"event\":\"login\"}}")),
                ("epoch s", format!("{s} INFO request served")),
                ("epoch ms", format!("{{\"time\":{ms},\"level\":\"info\"}}")),
                ("epoch ms", format!("t={ms} GET /index.html 200")),
                ("duration", format!("took {n7} ms")),
                ("duration", format!("{{\"duration_ms\":{n7}}}")),
                (
                    "duration",
                    format!("elapsed {h}:{mi:02}:{se:02}.{:03}", r.range(0, 999)),
                ),
                (
                    "duration",
                    format!("uptime {n7}s, {} bytes", r.range(1_000_000, 9_999_999_999)),
                ),
                (
                    "price",
                    format!(
                        "total ${},{:03}.{cents:02}",
                        r.range(1, 999),
                        r.range(0, 999)
                    ),
                ),
                (
                    "price",
                    format!(
                        "{} {:03} {:03},{cents:02} €",
                        r.range(1, 99),
                        r.range(0, 999),
                        r.range(0, 999)
                    ),
                ),
                ("price", format!("EUR {n7}.{cents:02}")),
                (
                    "price",
                    format!("{{\"amount\":\"{n7}.{cents:02}\",\"currency\":\"USD\"}}"),
                ),
                ("price", format!("{n7} USD")),
                ("order", format!("order #{n7} shipped")),
                ("order", format!("INV-{y}-{:07}", r.range(0, 9_999_999))),
                ("order", format!("{{\"order_id\":\"{n7}\"}}")),
                ("order", format!("Order No. {n7}")),
                (
                    "order",
                    format!("ORD-{y}{mo:02}{d:02}-{:04}", r.range(0, 9999)),
                ),
                (
                    "uuid",
                    format!(
                        "request {}-{}-4{}-a{}-{}",
                        r.hex(8),
                        r.hex(4),
                        r.hex(3),
                        r.hex(3),
                        r.hex(12)
                    ),
                ),
                (
                    "hex digest",
                    format!("md5 {} sha1 {}", r.hex(32), r.hex(40)),
                ),
                ("hex digest", format!("{{\"sha256\":\"{}\"}}", r.hex(64))),
                (
                    "version",
                    format!(
                        "Chrome/{}.0.{}.{}",
                        r.range(90, 130),
                        r.range(1000, 9999),
                        r.range(10, 999)
                    ),
                ),
                (
                    "version",
                    format!("os 10.0.{}.{}", r.range(10000, 22999), r.range(1, 9999)),
                ),
                (
                    "version",
                    format!("build {y}.{mo:02}.{d:02}.{}", r.range(1000, 99999)),
                ),
                ("isbn", format!("ISBN {}", isbn13(&mut r))),
                (
                    "isbn",
                    format!("ISBN-13: {}", isbn13(&mut r).replace('-', "")),
                ),
                (
                    "date",
                    format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02} INFO"),
                ),
                (
                    "date",
                    format!(
                        "{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}.{:03}Z",
                        r.range(0, 999)
                    ),
                ),
                ("date", format!("{d:02}.{mo:02}.{y} {h:02}:{mi:02}")),
                ("date", format!("{mo:02}/{d:02}/{y} {h}:{mi:02} PM")),
                ("date", format!("{d}/{mo}/{y}")),
                ("date", format!("{y}{mo:02}{d:02}{h:02}{mi:02}{se:02}")),
                (
                    "postcode",
                    format!("zip {}-{:04}", r.range(10000, 99999), r.range(0, 9999)),
                ),
                (
                    "postcode",
                    format!("CEP {:05}-{:03}", r.range(1000, 99999), r.range(0, 999)),
                ),
                (
                    "postcode",
                    format!("〒{:03}-{:04}", r.range(100, 999), r.range(0, 9999)),
                ),
                (
                    "postcode",
                    format!(
                        "{:05} Paris, {:05} Berlin",
                        r.range(75001, 75020),
                        r.range(10115, 14199)
                    ),
                ),
                (
                    "ip",
                    format!(
                        "{}.{}.{}.{}:{}",
                        r.range(1, 255),
                        r.range(0, 255),
                        r.range(0, 255),
                        r.range(0, 255),
                        r.range(1024, 65535)
                    ),
                ),
                (
                    "card",
                    format!(
                        "card {} {:04} {:04} {:04}",
                        r.range(4000, 4999),
                        r.range(0, 9999),
                        r.range(0, 9999),
                        r.range(0, 9999)
                    ),
                ),
                (
                    "id",
                    format!(
                        "{{\"user_id\":{n7},\"session\":{}}}",
                        r.range(1_000_000, 9_999_999_999)
                    ),
                ),
                // A cue word nearby, but the number is something else.
                ("cue nearby", format!("call duration {n7} ms")),
                ("cue nearby", format!("call id {n7}")),
                ("cue nearby", format!("phone verified at {s}")),
                ("cue nearby", format!("call ended {ms}")),
                ("cue nearby", format!("sms sent: {n7} messages")),
                (
                    "cue nearby",
                    format!("mobile app build {y}{mo:02}{d:02}{h:02}"),
                ),
                ("cue nearby", format!("contact us, order {n7}")),
            ]);
        }
        out
    }

    /// Real phones (the metadata's example numbers, as libphonenumber formats them) in text: with
    /// `+` bare, nationally after a cue word.
    fn positives() -> Vec<String> {
        let mut out = Vec::new();
        for line in include_str!("../../../tests/data/phone/international.tsv")
            .lines()
            .skip(1)
        {
            let c: Vec<&str> = line.split('\t').collect();
            if c[1] != "-" && c[0].contains(' ') && c[0].len() >= 9 {
                out.push(format!("Contact: {} (office)", c[0]));
            }
        }
        for line in include_str!("../../../tests/data/phone/national.tsv")
            .lines()
            .skip(1)
        {
            let c: Vec<&str> = line.split('\t').collect();
            if c[2] != "-" && c[1].contains(' ') {
                out.push(format!("Tel. {}", c[1]));
            }
        }
        out
    }

    #[test]
    fn precision_on_hard_negatives() {
        let negs = hard_negatives();
        let mut fp = Vec::new();
        for (cat, line) in &negs {
            find_phones(line.as_bytes(), false, |f| {
                fp.push(format!("{cat}: {line:?} -> {:?}", &line[f.start..f.end]));
            });
        }
        let pos = positives();
        let mut tp = 0;
        let mut missed = Vec::new();
        for line in &pos {
            let mut n = 0;
            find_phones(line.as_bytes(), false, |_| n += 1);
            if n == 1 {
                tp += 1;
            } else {
                missed.push(line.clone());
            }
        }
        let precision = tp as f64 / (tp + fp.len()) as f64;
        let recall = tp as f64 / pos.len() as f64;
        eprintln!(
            "{} hard-negative lines: {} false positives; {} positive lines: {tp} found \
             (recall {recall:.4}); precision {precision:.4}",
            negs.len(),
            fp.len(),
            pos.len()
        );
        for f in fp.iter().take(60) {
            eprintln!("false positive: {f}");
        }
        for m in missed.iter().take(10) {
            eprintln!("missed: {m:?}");
        }
        assert!(
            fp.len() * 100 <= negs.len(),
            "more than 1% of hard-negative lines flagged:\n{}",
            fp.join("\n")
        );
        assert!(precision >= 0.97, "precision {precision}");
        assert!(recall >= 0.95, "recall {recall}");
    }
}

//! Precision and recall floors on the committed labelled samples: corpora/labelled (written by
//! `gen-corpus --size 2MiB --seed 1`, its names and places from the scanner's own lists) and
//! corpora/independent (`--pools corpora/pools`: values the detectors were not built from). A
//! change that drops a detector below its floor fails here. Floors only go up: raise one when
//! the scanner beats it, never lower one to pass.

use std::path::{Path, PathBuf};

use piiscan::eval::{self, Context, Evaluation};
use piiscan::{Config, Kind, Scanner};

const SAMPLE: &str = "corpora/labelled";

fn evaluation() -> Evaluation {
    evaluate(SAMPLE)
}

fn evaluate(sample: &str) -> Evaluation {
    let labels_path = Path::new(sample).join("labels.jsonl");
    let labels = eval::read_labels(&labels_path).expect("the labelled sample is committed");
    let scanner = Scanner::new(Config {
        kinds: eval::evaluated_kinds(&labels),
        ..Config::default()
    });
    let (evaluation, stats) =
        eval::evaluate(&scanner, &[PathBuf::from(sample)], &labels_path, labels);
    assert_eq!(stats.errors, 0);
    assert_eq!(
        evaluation.unscanned_labels, 0,
        "every labelled file was scanned"
    );
    evaluation
}

/// How a finding is judged right.
#[derive(Clone, Copy, Debug)]
enum Measure {
    /// The finding's kind is the label's.
    Strict,
    /// For place names, any place kind is right for any place label (a city found as a
    /// region); the same as strict for other kinds.
    AnyPlace,
}

use Measure::{AnyPlace, Strict};

/// (kind, context, measure, precision floor, recall floor); `None` context means all
/// contexts. Floors hold on the strict figures wherever those reach them. The text floors of
/// places are held on the any-place figures: strictly, city text is at precision 0.9834 and
/// recall 0.9610, region text 0.9371 and 0.9551, country text 0.9881 and 1.0 (place names
/// that are both a city and a region); raising those to the floors is open work, and the
/// floors were not lowered to fit them.
const FLOORS: &[(Kind, Option<Context>, Measure, f64, f64)] = &[
    (Kind::Email, ALL, Strict, 0.999, 0.999),
    (Kind::Ipv4, ALL, Strict, 0.999, 0.999),
    (Kind::Ipv6, ALL, Strict, 0.999, 0.999),
    (Kind::PersonName, STRUCTURED, Strict, 0.999, 0.999),
    (Kind::City, STRUCTURED, Strict, 0.999, 0.999),
    (Kind::Region, STRUCTURED, Strict, 0.999, 0.999),
    (Kind::Country, STRUCTURED, Strict, 0.999, 0.999),
    (Kind::Coordinates, STRUCTURED, Strict, 0.999, 0.999),
    (Kind::City, TEXT, AnyPlace, 0.99, 0.99),
    (Kind::Region, TEXT, AnyPlace, 0.99, 0.99),
    (Kind::Country, TEXT, AnyPlace, 0.99, 0.99),
    (Kind::Coordinates, TEXT, Strict, 0.999, 0.999),
    (Kind::AccountId, ALL, Strict, 0.999, 0.999),
    (Kind::Device, ALL, Strict, 0.999, 0.999),
    (Kind::Referrer, ALL, Strict, 0.999, 0.999),
];
const ALL: Option<Context> = None;
const STRUCTURED: Option<Context> = Some(Context::Structured);
const TEXT: Option<Context> = Some(Context::Text);

/// Free-text person names: F1, the issue's measure there.
const PERSON_TEXT_F1: f64 = 0.99; // 0.9906

#[test]
fn every_kind_stays_above_its_floor() {
    let e = evaluation();
    let mut failures = Vec::new();
    for &(kind, context, measure, precision, recall) in FLOORS {
        let c = e.get(kind, context);
        assert!(c.labels > 0, "{kind} {context:?}: the sample labels none");
        let (p, r) = match measure {
            Strict => (c.precision(), c.recall()),
            AnyPlace => (c.precision_any_place(), c.recall_any_place()),
        };
        if p < precision || r < recall {
            failures.push(format!(
                "{kind} {context:?} {measure:?}: precision {p:.4} (floor {precision}), recall {r:.4} (floor {recall})"
            ));
        }
    }
    let names = e.get(Kind::PersonName, Some(Context::Text));
    if names.f1() < PERSON_TEXT_F1 {
        failures.push(format!(
            "person_name in text: F1 {:.4} (floor {PERSON_TEXT_F1})",
            names.f1()
        ));
    }
    assert!(
        failures.is_empty(),
        "below the floor:\n{}",
        failures.join("\n")
    );
}

/// The independent sample: `gen-corpus --size 2MiB --seed 1 --pools corpora/pools`, its names,
/// places, phones and secrets from sources the detectors were not built from.
const INDEPENDENT: &str = "corpora/independent";

/// Floors on the independent sample, each just below the figure measured when it was
/// committed (in the comment: precision, recall). Low figures are the measured state, not a
/// goal: names and places beyond the lists are issue 20's work; the new kinds' shortfalls
/// against issue 19's P >= 0.97 / R >= 0.95 are listed in corpora/README.md.
const INDEPENDENT_FLOORS: &[(Kind, Option<Context>, Measure, f64, f64)] = &[
    (Kind::Email, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Email, TEXT, Strict, 0.999, 0.999),       // 1.0000 1.0000
    (Kind::Phone, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Phone, TEXT, Strict, 0.999, 0.999),       // 1.0000 1.0000
    (Kind::Secret, STRUCTURED, Strict, 0.999, 0.992), // 1.0000 0.9938
    (Kind::Secret, TEXT, Strict, 0.999, 0.989),      // 1.0000 0.9913
    (Kind::Ipv4, STRUCTURED, Strict, 0.999, 0.999),  // 1.0000 1.0000
    // Versions in prose and app logs (`the build: it is 2.14.19.5`, `app 10.1.17.14 build
    // 7885`) were 70 false positives (precision 0.9454) before issue 20.
    (Kind::Ipv4, TEXT, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Ipv6, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Ipv6, TEXT, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::PersonName, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::PersonName, TEXT, Strict, 0.998, 0.947), // 0.9995 0.9476
    (Kind::City, STRUCTURED, Strict, 0.999, 0.998), // 1.0000 0.9988
    // A greeting or a sign-off names a person (`Best, Xiuying`, not the city), and `belongs
    // to` an owner (`Toki Afonja`): 0.9412 before. Towns that no list has before `, Country`
    // after a preposition of place (`moved to Matsamo, South Africa`): recall 0.0880 before.
    (Kind::City, TEXT, AnyPlace, 0.999, 0.390), // 1.0000 0.3920
    // Place-shaped values under region keys and Segment's `traits.address.state` (issue 20:
    // `state` is read with its object's key, and `Biel/Bienne District` and `uThungulu
    // District Municipality` have a place's shape; it was 0.9463 when `state` alone believed
    // only known regions).
    (Kind::Region, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Region, TEXT, AnyPlace, 0.999, 0.371),     // 1.0000 0.3721
    (Kind::Country, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Country, TEXT, AnyPlace, 0.999, 0.930),    // 1.0000 0.9322
    (Kind::Coordinates, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Coordinates, TEXT, Strict, 0.999, 0.999),  // 1.0000 1.0000
    (Kind::AccountId, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Device, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Device, TEXT, Strict, 0.999, 0.999),       // 1.0000 1.0000
    (Kind::Referrer, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Referrer, TEXT, Strict, 0.999, 0.999),     // 1.0000 1.0000
    (Kind::MacAddress, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::MacAddress, TEXT, Strict, 0.999, 0.999),   // 1.0000 1.0000
    (Kind::Imei, STRUCTURED, Strict, 0.999, 0.999),   // 1.0000 1.0000
    (Kind::Imei, TEXT, Strict, 0.999, 0.999),         // 1.0000 1.0000
    (Kind::CreditCard, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::CreditCard, TEXT, Strict, 0.999, 0.999),   // 1.0000 1.0000
    (Kind::Iban, STRUCTURED, Strict, 0.999, 0.999),   // 1.0000 1.0000
    (Kind::Iban, TEXT, Strict, 0.999, 0.999),         // 1.0000 1.0000
    (Kind::NationalId, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::NationalId, TEXT, Strict, 0.999, 0.999),   // 1.0000 1.0000
];

#[test]
fn every_kind_stays_above_its_floor_on_the_independent_sample() {
    let e = evaluate(INDEPENDENT);
    let mut failures = Vec::new();
    for &(kind, context, measure, precision, recall) in INDEPENDENT_FLOORS {
        let c = e.get(kind, context);
        assert!(c.labels > 0, "{kind} {context:?}: the sample labels none");
        let (p, r) = match measure {
            Strict => (c.precision(), c.recall()),
            AnyPlace => (c.precision_any_place(), c.recall_any_place()),
        };
        if p < precision || r < recall {
            failures.push(format!(
                "{kind} {context:?} {measure:?}: precision {p:.4} (floor {precision}), recall {r:.4} (floor {recall})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "below the floor on {INDEPENDENT}:\n{}",
        failures.join("\n")
    );
}

/// Issue 20's targets for person names on the independent sample, whose names come from
/// sources the detectors were not built from (Faker, faker-js, CLDR sample names, JMnedict:
/// 60 locales, 16 scripts): F1 >= 0.93 under keys and columns, >= 0.85 in free text (where the
/// tickets greet, sign, title and forward people by name), and precision >= 0.97 in both.
#[test]
fn person_names_reach_issue_20_on_the_independent_sample() {
    let e = evaluate(INDEPENDENT);
    let cases = [(STRUCTURED, 0.93), (TEXT, 0.85)];
    let mut failures = Vec::new();
    for (context, f1) in cases {
        let c = e.get(Kind::PersonName, context);
        if c.f1() < f1 || c.precision() < 0.97 {
            failures.push(format!(
                "person_name {context:?}: F1 {:.4} (floor {f1}), precision {:.4} (floor 0.97)",
                c.f1(),
                c.precision()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The vendor-shaped sample: `gen-corpus --size 512KiB --seed 1 --pools corpora/pools
/// --shapes vendors,vendorcsv` (PostHog, Snowplow, GA4 and RudderStack events, and a CSV whose
/// columns are named by their words beside four-part `app_version`s), its places from the
/// independent pools (GeoNames towns below the shipped cut, second-level divisions).
const FIELDS: &str = "corpora/fields";

/// Floors on the vendor-shaped sample, just below the figures measured when committed.
const FIELDS_FLOORS: &[(Kind, Option<Context>, Measure, f64, f64)] = &[
    (Kind::Ipv4, ALL, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Ipv6, ALL, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::City, STRUCTURED, Strict, 0.999, 0.998), // 1.0000 0.9983
    (Kind::Region, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::Country, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
    (Kind::AccountId, STRUCTURED, Strict, 0.999, 0.999), // 1.0000 1.0000
];

#[test]
fn every_kind_stays_above_its_floor_on_the_vendor_sample() {
    let e = evaluate(FIELDS);
    let mut failures = Vec::new();
    for &(kind, context, measure, precision, recall) in FIELDS_FLOORS {
        let c = e.get(kind, context);
        assert!(c.labels > 0, "{kind} {context:?}: the sample labels none");
        let (p, r) = match measure {
            Strict => (c.precision(), c.recall()),
            AnyPlace => (c.precision_any_place(), c.recall_any_place()),
        };
        if p < precision || r < recall {
            failures.push(format!(
                "{kind} {context:?} {measure:?}: precision {p:.4} (floor {precision}), recall {r:.4} (floor {recall})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "below the floor on {FIELDS}:\n{}",
        failures.join("\n")
    );
}

/// Issue 20's precision floor: no kind below 0.97, in structured files or in free text, on
/// every labelled sample. A place name found as another place kind counts as right (`Terni`
/// is a province and its city; see corpora/README.md for the strict figures).
#[test]
fn no_kind_is_below_precision_0_97_in_any_context() {
    let mut failures = Vec::new();
    for sample in [SAMPLE, INDEPENDENT, FIELDS] {
        let e = evaluate(sample);
        for (&(kind, context), c) in &e.counts {
            if c.findings > 0 && c.precision_any_place() < 0.97 {
                failures.push(format!(
                    "{sample}: {kind} {context:?}: precision {:.4} ({} of {} findings right)",
                    c.precision_any_place(),
                    c.correct_any_place,
                    c.findings
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Precision and recall floors on the committed labelled sample (corpora/labelled, written by
//! `gen-corpus --size 2MiB --seed 1`). A change that drops a detector below its floor fails
//! here. Floors only go up: raise one when the scanner beats it, never lower one to pass.

use std::path::{Path, PathBuf};

use piiscan::eval::{self, Context, Evaluation};
use piiscan::{Config, Kind, Scanner};

const SAMPLE: &str = "corpora/labelled";

fn evaluation() -> Evaluation {
    let labels_path = Path::new(SAMPLE).join("labels.jsonl");
    let labels = eval::read_labels(&labels_path).expect("the labelled sample is committed");
    let scanner = Scanner::new(Config {
        kinds: eval::evaluated_kinds(&labels),
        ..Config::default()
    });
    let (evaluation, stats) =
        eval::evaluate(&scanner, &[PathBuf::from(SAMPLE)], &labels_path, labels);
    assert_eq!(stats.errors, 0);
    assert_eq!(
        evaluation.unscanned_labels, 0,
        "every labelled file was scanned"
    );
    evaluation
}

/// (kind, context, precision floor, recall floor); `None` context means all contexts.
const FLOORS: &[(Kind, Option<Context>, f64, f64)] = &[
    (Kind::Email, None, 0.999, 0.999),
    (Kind::Ipv4, None, 0.999, 0.999),
    (Kind::Ipv6, None, 0.999, 0.999),
    (Kind::PersonName, Some(Context::Structured), 0.999, 0.999),
    (Kind::City, Some(Context::Structured), 0.999, 0.999),
    (Kind::Region, Some(Context::Structured), 0.999, 0.999),
    (Kind::Country, Some(Context::Structured), 0.999, 0.999),
    (Kind::Coordinates, Some(Context::Structured), 0.999, 0.999),
    (Kind::City, Some(Context::Text), 0.99, 0.99),
    (Kind::Region, Some(Context::Text), 0.99, 0.99),
    (Kind::Country, Some(Context::Text), 0.99, 0.99),
    (Kind::Coordinates, Some(Context::Text), 0.999, 0.999),
    (Kind::AccountId, None, 0.999, 0.999),
    (Kind::Device, None, 0.999, 0.999),
    (Kind::Referrer, None, 0.999, 0.999),
];

/// Free-text person names: F1, the measure there.
const PERSON_TEXT_F1: f64 = 0.92;

#[test]
fn every_kind_stays_above_its_floor() {
    let e = evaluation();
    let mut failures = Vec::new();
    for &(kind, context, precision, recall) in FLOORS {
        let c = e.get(kind, context);
        assert!(c.labels > 0, "{kind} {context:?}: the sample labels none");
        if c.precision() < precision || c.recall() < recall {
            failures.push(format!(
                "{kind} {context:?}: precision {:.4} (floor {precision}), recall {:.4} (floor {recall})",
                c.precision(),
                c.recall()
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

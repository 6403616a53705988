//! Errors in a rule file, each naming the rule (and the example) at fault, so that a policy
//! author can find the line to fix.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum RuleError {
    /// The TOML itself does not parse, or a table has an unknown or mistyped field.
    Toml(String),
    /// A rule is malformed: bad id, regex, keyword or option.
    Rule { rule: String, message: String },
    /// An example was not found, or found with another span.
    Example {
        rule: String,
        /// 1-based, in the order of the rule's `examples`.
        index: usize,
        message: String,
    },
    /// A negative example was found.
    NegativeExample {
        rule: String,
        /// 1-based, in the order of the rule's `negative_examples`.
        index: usize,
        message: String,
    },
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleError::Toml(m) => write!(f, "secret rules: {m}"),
            RuleError::Rule { rule, message } => write!(f, "secret rule `{rule}`: {message}"),
            RuleError::Example {
                rule,
                index,
                message,
            } => write!(f, "secret rule `{rule}`: example {index}: {message}"),
            RuleError::NegativeExample {
                rule,
                index,
                message,
            } => write!(
                f,
                "secret rule `{rule}`: negative example {index}: {message}"
            ),
        }
    }
}

impl std::error::Error for RuleError {}

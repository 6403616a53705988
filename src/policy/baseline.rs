//! Baselines: the findings a team has accepted, as keyed fingerprints, so that a gate fails
//! only on what is new.
//!
//! # Fingerprints
//!
//! A fingerprint is HMAC-SHA256, truncated to 128 bits, of a finding's path, field, kind and
//! value, in two steps: the engine hashes the normalised value (see
//! [`super::allow::normalize`]) while it still has it ([`FingerprintKey::digest`]), and the
//! gate hashes that digest with the path and field ([`FingerprintKey::fingerprint`]). Line,
//! column and offset are left out, so a reformatted file or one whose records moved keeps
//! its fingerprints; the path is the path below the folder that was scanned (or the file
//! name, for a file named on the command line), so a checkout in another place, or the whole
//! folder moved, keeps them too. Equal values under the same path, field and kind are one
//! fingerprint, and the baseline counts their occurrences: a gate accepts as many as were
//! recorded and reports any more as new.
//!
//! # The key, and what a baseline file gives away
//!
//! The key is derived from a random salt drawn when the baseline is first written and kept
//! in the file (a rewrite reuses it, so the file changes only where the findings do), mixed
//! with the secret in `PIISCAN_FINGERPRINT_KEY` when that is set. The salt alone makes the
//! fingerprints of one baseline useless against another and against precomputed tables, but
//! anyone who holds the file holds the salt: values with little entropy (an IPv4 address is
//! one of 2^32; a name is one of a few hundred thousand) can be recovered by hashing every
//! candidate. For a baseline committed to a repository that others can read, set
//! `PIISCAN_FINGERPRINT_KEY` to a secret of 32 random bytes or more (a CI secret); without
//! the secret the file reveals nothing. A shorter secret is refused wherever it is read
//! (writing a baseline, reading one, keying SARIF fingerprints): it could itself be guessed.
//! The file records whether a secret was used, and a check value of the key, so that a gate
//! run with a missing or different secret stops with an error instead of reporting every
//! finding as new.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::Path;

use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

use crate::finding::Kind;
use crate::output::{Output, OutputError, Readers};

/// The environment variable that holds the optional secret part of the key.
pub const SECRET_ENV: &str = "PIISCAN_FINGERPRINT_KEY";

/// The fewest bytes a secret may have: 32 random bytes are a key that cannot be guessed, as
/// HMAC-SHA256 wants; a shorter one (a word, a short password) can be searched for with the
/// baseline in hand, which is what the secret is there to prevent.
pub const MIN_SECRET: usize = 32;

/// The version of the baseline format and of the fingerprint scheme.
const FORMAT: u32 = 1;

type HmacSha256 = Hmac<Sha256>;

/// The key fingerprints are made with.
#[derive(Clone)]
pub struct FingerprintKey {
    /// HMAC state with the key already absorbed; cloned for each hash.
    mac: HmacSha256,
    salt: [u8; 32],
    secret: bool,
}

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FingerprintKey")
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

impl FingerprintKey {
    /// The key of a salt and an optional secret.
    pub fn derive(salt: [u8; 32], secret: Option<&[u8]>) -> FingerprintKey {
        let mut kdf = HmacSha256::new_from_slice(secret.unwrap_or_default())
            .expect("HMAC takes keys of any length");
        kdf.update(b"piiscan fingerprint key v1\0");
        kdf.update(&salt);
        let key = kdf.finalize().into_bytes();
        FingerprintKey {
            mac: HmacSha256::new_from_slice(&key).expect("HMAC takes keys of any length"),
            salt,
            secret: secret.is_some(),
        }
    }

    /// A key with a fresh random salt and the secret from the environment, if set; an error
    /// when the secret is too short.
    pub fn generate() -> Result<FingerprintKey, BaselineError> {
        let secret = env_secret()?;
        let mut salt = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        Ok(FingerprintKey::derive(salt, secret.as_deref()))
    }

    fn hash(&self, parts: &[&[u8]]) -> [u8; 16] {
        let mut mac = self.mac.clone();
        for part in parts {
            // Length-prefixed, so that no two lists of parts hash alike.
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part);
        }
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    /// The digest of a normalised value of `kind`; computed in the engine.
    pub fn digest(&self, kind: Kind, normalized: &str) -> [u8; 16] {
        self.hash(&[b"value", kind.name().as_bytes(), normalized.as_bytes()])
    }

    /// The fingerprint of a finding: its path below the scanned folder, field, kind and the
    /// digest of its value.
    pub fn fingerprint(
        &self,
        path: &str,
        field: Option<&str>,
        kind: Kind,
        digest: &[u8; 16],
    ) -> [u8; 16] {
        let field = field.map_or(&b"\0none"[..], str::as_bytes);
        self.hash(&[
            b"finding",
            path.as_bytes(),
            field,
            kind.name().as_bytes(),
            digest,
        ])
    }

    /// A value that shows whether two keys are the same without revealing either.
    fn check(&self) -> [u8; 16] {
        self.hash(&[b"key check"])
    }
}

/// The secret part of the key, from [`SECRET_ENV`]; an empty variable counts as unset, and
/// one shorter than [`MIN_SECRET`] bytes is an error, never quietly used.
pub fn env_secret() -> Result<Option<Vec<u8>>, BaselineError> {
    let secret = std::env::var_os(SECRET_ENV)
        .filter(|v| !v.is_empty())
        .map(|v| v.as_encoded_bytes().to_vec());
    check_secret(secret)
}

fn check_secret(secret: Option<Vec<u8>>) -> Result<Option<Vec<u8>>, BaselineError> {
    match secret {
        Some(s) if s.len() < MIN_SECRET => Err(BaselineError::SecretTooShort { len: s.len() }),
        secret => Ok(secret),
    }
}

/// A problem with a baseline file.
#[derive(Debug, Error)]
pub enum BaselineError {
    #[error("cannot read the baseline {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not a piiscan baseline: {message}; write one with `piiscan baseline PATH... -o {path}`")]
    Format { path: String, message: String },
    #[error("{path} was written with {SECRET_ENV} set; set the same secret to use it")]
    SecretMissing { path: String },
    #[error(
        "{path} was written without {SECRET_ENV}; unset it, or write the baseline again with it"
    )]
    SecretUnexpected { path: String },
    #[error("{path} was written with another {SECRET_ENV}; set the secret it was written with, or write the baseline again")]
    SecretMismatch { path: String },
    #[error(
        "{SECRET_ENV} holds {len} bytes, too few to key fingerprints: a short secret can be \
         guessed from a baseline; set it to {MIN_SECRET} random bytes or more (e.g. `openssl \
         rand -hex 32`), or unset it"
    )]
    SecretTooShort { len: usize },
}

/// A baseline file as stored: no value, raw or masked.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredBaseline {
    piiscan_baseline: u32,
    /// The random salt of the key, hex.
    salt: String,
    /// Whether the key mixes in a secret from `PIISCAN_FINGERPRINT_KEY`.
    secret: bool,
    /// A hash of the key, hex: tells a wrong secret apart from new findings.
    key_check: String,
    /// Findings accepted, in all.
    findings: u64,
    /// Where they are, for reviewers: path, field, kind and count (no value).
    summary: Vec<SummaryRow>,
    /// Fingerprint (hex) and the number of occurrences accepted.
    fingerprints: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryRow {
    pub path: String,
    pub field: Option<String>,
    pub kind: String,
    pub count: u64,
}

/// A baseline read for a gate: fingerprints with the occurrences still to accept.
#[derive(Debug)]
pub struct Baseline {
    pub key: FingerprintKey,
    remaining: HashMap<[u8; 16], u64>,
    pub total: u64,
}

impl Baseline {
    /// Reads a baseline and checks that the key it was written with is the one available now.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let secret = env_secret()?;
        let display = crate::source::display_path(path);
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: display.clone(),
            source,
        })?;
        Baseline::parse(&text, &display, secret.as_deref())
    }

    fn parse(text: &str, path: &str, secret: Option<&[u8]>) -> Result<Baseline, BaselineError> {
        let format = |message: String| BaselineError::Format {
            path: path.to_string(),
            message,
        };
        let stored: StoredBaseline = serde_json::from_str(text)
            .map_err(|e| format(format!("line {}: {}", e.line(), e.classify_message())))?;
        if stored.piiscan_baseline != FORMAT {
            return Err(format(format!(
                "format {} is not the format this piiscan reads ({FORMAT})",
                stored.piiscan_baseline
            )));
        }
        let salt: [u8; 32] = from_hex(&stored.salt)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| format("the salt is not 64 hex digits".into()))?;
        let path = path.to_string();
        match (stored.secret, secret) {
            (true, None) => return Err(BaselineError::SecretMissing { path }),
            (false, Some(_)) => return Err(BaselineError::SecretUnexpected { path }),
            _ => {}
        }
        let key = FingerprintKey::derive(salt, secret);
        if to_hex(&key.check()) != stored.key_check {
            return Err(BaselineError::SecretMismatch { path });
        }
        let mut remaining = HashMap::with_capacity(stored.fingerprints.len());
        for (hex, count) in stored.fingerprints {
            let fp: [u8; 16] = from_hex(&hex)
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| format("a fingerprint is not 32 hex digits".into()))?;
            remaining.insert(fp, count);
        }
        Ok(Baseline {
            key,
            remaining,
            total: stored.findings,
        })
    }

    /// True when the baseline accepts one more occurrence of this fingerprint (and counts it).
    pub fn accept(&mut self, fingerprint: &[u8; 16]) -> bool {
        match self.remaining.get_mut(fingerprint) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// Accepted occurrences that no finding used: fixed since the baseline was written.
    pub fn unused(&self) -> u64 {
        self.remaining.values().sum()
    }
}

trait ClassifyMessage {
    fn classify_message(&self) -> &'static str;
}

impl ClassifyMessage for serde_json::Error {
    /// What went wrong, without serde's text (which can quote the file).
    fn classify_message(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "cannot be read",
            serde_json::error::Category::Syntax => "not valid JSON",
            serde_json::error::Category::Data => "a key is missing, unknown or of the wrong type",
            serde_json::error::Category::Eof => "the file ends early",
        }
    }
}

/// Collects the fingerprints of a scan's findings into a baseline.
#[derive(Debug)]
pub struct Recorder {
    pub key: FingerprintKey,
    fingerprints: BTreeMap<[u8; 16], u64>,
    summary: BTreeMap<(String, Option<String>, String), u64>,
    findings: u64,
}

impl Recorder {
    /// A recorder that writes with `key`: reuse the key of the baseline being replaced, so
    /// that fingerprints that did not change stay the same.
    pub fn new(key: FingerprintKey) -> Recorder {
        Recorder {
            key,
            fingerprints: BTreeMap::new(),
            summary: BTreeMap::new(),
            findings: 0,
        }
    }

    pub fn record(&mut self, fingerprint: [u8; 16], path: &str, field: Option<&str>, kind: Kind) {
        self.findings += 1;
        *self.fingerprints.entry(fingerprint).or_default() += 1;
        *self
            .summary
            .entry((
                path.to_string(),
                field.map(str::to_string),
                kind.name().to_string(),
            ))
            .or_default() += 1;
    }

    pub fn findings(&self) -> u64 {
        self.findings
    }

    /// Writes the baseline as JSON, keys sorted, so that it diffs well.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let stored = StoredBaseline {
            piiscan_baseline: FORMAT,
            salt: to_hex(&self.key.salt),
            secret: self.key.secret,
            key_check: to_hex(&self.key.check()),
            findings: self.findings,
            summary: self
                .summary
                .iter()
                .map(|((path, field, kind), count)| SummaryRow {
                    path: path.clone(),
                    field: field.clone(),
                    kind: kind.clone(),
                    count: *count,
                })
                .collect(),
            fingerprints: self
                .fingerprints
                .iter()
                .map(|(fp, n)| (to_hex(fp), *n))
                .collect(),
        };
        serde_json::to_writer_pretty(&mut *out, &stored)?;
        out.write_all(b"\n")
    }
}

impl Recorder {
    /// Writes the baseline to `path` (or standard output for `-`), never replacing one of
    /// `inputs`: into a new file beside the destination, readable by its owner alone (or with
    /// the permissions of the baseline it replaces), renamed over it once complete, so that a
    /// failed run leaves the old one. A destination reached through a symbolic link keeps the
    /// link; its target gets the new baseline.
    pub fn write_to(&self, path: &Path, inputs: &[std::path::PathBuf]) -> Result<(), OutputError> {
        let mut out = Output::create(Some(path), inputs, Readers::OwnerOnly)?;
        let fail = |source| OutputError::Write {
            path: crate::source::display_path(path),
            source,
        };
        self.write(&mut out).map_err(fail)?;
        if let Output::File {
            destination,
            temporary,
        } = &out
        {
            keep_mode(temporary.as_file(), destination).map_err(fail)?;
        }
        out.commit()
    }
}

/// Gives a new baseline `file` the permissions of the one it replaces at `target`; a first
/// baseline keeps the owner-only ones it was created with.
fn keep_mode(file: &std::fs::File, target: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(target) {
            let mode = meta.permissions().mode() & 0o7777;
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (file, target);
    Ok(())
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(key: &FingerprintKey) -> String {
        let mut rec = Recorder::new(key.clone());
        let d = key.digest(Kind::Email, "jane@example.com");
        let fp = key.fingerprint("a.ndjson", Some("properties.$email"), Kind::Email, &d);
        rec.record(fp, "a.ndjson", Some("properties.$email"), Kind::Email);
        rec.record(fp, "a.ndjson", Some("properties.$email"), Kind::Email);
        let mut out = Vec::new();
        rec.write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fingerprints_depend_on_every_part_and_the_key() {
        let key = FingerprintKey::derive([7; 32], None);
        let d = key.digest(Kind::Email, "jane@example.com");
        let fp = key.fingerprint("a.ndjson", Some("email"), Kind::Email, &d);
        assert_eq!(
            fp,
            key.fingerprint("a.ndjson", Some("email"), Kind::Email, &d)
        );
        let others = [
            key.fingerprint("b.ndjson", Some("email"), Kind::Email, &d),
            key.fingerprint("a.ndjson", Some("mail"), Kind::Email, &d),
            key.fingerprint("a.ndjson", None, Kind::Email, &d),
            key.fingerprint("a.ndjson", Some("email"), Kind::PersonName, &d),
            key.fingerprint(
                "a.ndjson",
                Some("email"),
                Kind::Email,
                &key.digest(Kind::Email, "joe@example.com"),
            ),
            FingerprintKey::derive([8; 32], None).fingerprint(
                "a.ndjson",
                Some("email"),
                Kind::Email,
                &d,
            ),
        ];
        for other in others {
            assert_ne!(fp, other);
        }
        let secret = FingerprintKey::derive([7; 32], Some(b"s3cret"));
        assert_ne!(d, secret.digest(Kind::Email, "jane@example.com"));
    }

    #[test]
    fn a_written_baseline_reads_back_and_counts_occurrences() {
        let key = FingerprintKey::derive([1; 32], None);
        let text = recorded(&key);
        assert!(!text.contains("jane"), "{text}");
        let mut baseline = Baseline::parse(&text, "b.json", None).unwrap();
        assert_eq!(baseline.total, 2);
        let d = baseline.key.digest(Kind::Email, "jane@example.com");
        let fp = baseline
            .key
            .fingerprint("a.ndjson", Some("properties.$email"), Kind::Email, &d);
        assert!(baseline.accept(&fp));
        assert_eq!(baseline.unused(), 1);
        assert!(baseline.accept(&fp));
        assert!(!baseline.accept(&fp), "a third occurrence is new");
        assert_eq!(baseline.unused(), 0);
    }

    #[test]
    fn the_secret_must_be_the_one_the_baseline_was_written_with() {
        let with = recorded(&FingerprintKey::derive([2; 32], Some(b"right")));
        assert!(Baseline::parse(&with, "b", Some(b"right")).is_ok());
        assert!(matches!(
            Baseline::parse(&with, "b", None),
            Err(BaselineError::SecretMissing { .. })
        ));
        assert!(matches!(
            Baseline::parse(&with, "b", Some(b"wrong")),
            Err(BaselineError::SecretMismatch { .. })
        ));
        let without = recorded(&FingerprintKey::derive([2; 32], None));
        assert!(matches!(
            Baseline::parse(&without, "b", Some(b"x")),
            Err(BaselineError::SecretUnexpected { .. })
        ));
    }

    #[test]
    fn secrets_shorter_than_32_bytes_are_refused_unquoted() {
        for len in [1, 16, 31] {
            let secret = vec![b's'; len];
            let e = check_secret(Some(secret)).unwrap_err().to_string();
            assert!(
                e.contains(&format!("holds {len} bytes")) && e.contains(SECRET_ENV),
                "{e}"
            );
            assert!(!e.contains("sss"), "{e}");
        }
        assert!(check_secret(Some(vec![b's'; 32])).unwrap().is_some());
        assert!(check_secret(None).unwrap().is_none());
    }

    #[test]
    fn damaged_files_are_named_and_not_quoted() {
        let key = FingerprintKey::derive([3; 32], None);
        let text = recorded(&key).replace("\"piiscan_baseline\": 1", "\"piiscan_baseline\": 9");
        let e = Baseline::parse(&text, "b.json", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.json") && e.contains("format 9"), "{e}");
        let e = Baseline::parse("{\"oops\": \"jane@example.com\"}", "b.json", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not a piiscan baseline") && !e.contains("jane"),
            "{e}"
        );
    }
}

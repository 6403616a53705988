//! `gen-corpus`: deterministic, realistic exports with ground-truth labels.
//!
//! ```sh
//! cargo run --release --bin gen-corpus -- --out DIR --size 1GiB --seed 7
//! ```
//!
//! Writes `mixpanel.ndjson`, `amplitude.ndjson`, `segment.ndjson`, `export.csv`,
//! `access.log` and `tickets.txt` into DIR, and `labels.jsonl` beside them: one line per
//! personal-data span, `{"path","offset","length","kind"}`, with byte offsets as written. The
//! same seed gives the same bytes; each shape draws from its own generator, so adding records
//! to one shape does not shift the others. What is labelled, and why, is in corpora/README.md.
//!
//! `--pools corpora/pools` draws names and places from pools independent of the scanner's
//! lists instead, adds phones, secrets, MAC addresses, IMEIs and their hard negatives to every
//! shape, and writes an application log (`app.log`) too: the honest sample of
//! corpora/independent. Without it the output is the same, byte for byte, as before the
//! pools existed.

mod access_log;
mod amplitude;
mod app_log;
mod csv;
mod messages;
mod mixpanel;
mod pools;
mod segment;
mod tickets;
mod vendors;
mod vocab;
mod writer;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Parser;
use piiscan::eval::Label;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use vocab::Vocab;
use writer::Out;

#[derive(Parser)]
#[command(about = "Generate labelled analytics exports for piiscan's evaluation and benchmarks.")]
struct Cli {
    /// The folder to write into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Total size of the generated files, e.g. 16MiB, 1GiB, 500MB.
    #[arg(long, default_value = "16MiB")]
    size: String,
    /// Seed of the generators: the same seed writes the same bytes.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Only these shapes, comma-separated (by default all of
    /// mixpanel,amplitude,segment,csv,access,tickets, and applog with --pools).
    #[arg(long, value_delimiter = ',')]
    shapes: Vec<String>,
    /// Draw names, places and the new kinds' values from these independent pools
    /// (corpora/pools) instead of the scanner's lists.
    #[arg(long)]
    pools: Option<PathBuf>,
}

/// A shape: its name on the command line, its file, its share of the size, and the stream of
/// its generator (fixed, so that a new shape shifts no other).
struct Shape {
    name: &'static str,
    file: &'static str,
    share: u64,
    stream: u64,
    /// Only written with `--pools`.
    pools_only: bool,
}

/// In file-name order, so that labels come out sorted by path and offset.
const SHAPES: &[Shape] = &[
    Shape {
        name: "access",
        file: "access.log",
        share: 10,
        stream: 0,
        pools_only: false,
    },
    Shape {
        name: "amplitude",
        file: "amplitude.ndjson",
        share: 10,
        stream: 1,
        pools_only: false,
    },
    Shape {
        name: "applog",
        file: "app.log",
        share: 10,
        stream: 6,
        pools_only: true,
    },
    Shape {
        name: "csv",
        file: "export.csv",
        share: 10,
        stream: 2,
        pools_only: false,
    },
    // Beside the others: its share is not taken from them (see `MESSAGES_SHARE`).
    Shape {
        name: "messages",
        file: "messages.txt",
        share: 0,
        stream: 7,
        pools_only: true,
    },
    Shape {
        name: "mixpanel",
        file: "mixpanel.ndjson",
        share: 50,
        stream: 3,
        pools_only: false,
    },
    Shape {
        name: "segment",
        file: "segment.ndjson",
        share: 10,
        stream: 4,
        pools_only: false,
    },
    Shape {
        name: "vendors",
        file: "vendors.ndjson",
        share: 10,
        stream: 7,
        pools_only: true,
    },
    Shape {
        name: "vendorcsv",
        file: "vendors.csv",
        share: 10,
        stream: 8,
        pools_only: true,
    },
    Shape {
        name: "tickets",
        file: "tickets.txt",
        share: 10,
        stream: 5,
        pools_only: false,
    },
];

/// The messages' size, in the shares of the others: added beside them, so that adding the
/// shape left every other file of a sample byte for byte as it was.
const MESSAGES_SHARE: u64 = 5;
/// Shapes only written when asked for by name.
const VENDOR_SHAPES: &[&str] = &["vendors", "vendorcsv"];

fn main() -> Result<()> {
    let cli = Cli::parse();
    let total = parse_size(&cli.size)?;
    let names: Vec<String> = if cli.shapes.is_empty() {
        SHAPES
            .iter()
            .filter(|s| !s.pools_only || cli.pools.is_some())
            // The vendor shapes make a corpus of their own (`corpora/fields`), asked for by
            // name: the committed samples keep their bytes.
            .filter(|s| !VENDOR_SHAPES.contains(&s.name))
            .map(|s| s.name.to_string())
            .collect()
    } else {
        cli.shapes.clone()
    };
    for name in &names {
        if !SHAPES.iter().any(|s| s.name == name) {
            let known: Vec<&str> = SHAPES.iter().map(|s| s.name).collect();
            bail!("unknown shape '{name}'; known shapes: {}", known.join(", "));
        }
    }
    let chosen: Vec<&Shape> = SHAPES
        .iter()
        .filter(|s| names.iter().any(|n| n == s.name))
        .collect();
    if cli.pools.is_none() {
        if let Some(shape) = chosen.iter().find(|s| s.pools_only) {
            bail!("the {} shape needs --pools", shape.name);
        }
    }
    let shares: u64 = chosen.iter().map(|s| s.share).sum();
    std::fs::create_dir_all(&cli.out)
        .with_context(|| format!("cannot create {}", cli.out.display()))?;
    let mut vocab = Vocab::load();
    if let Some(dir) = &cli.pools {
        vocab.pools = Some(pools::Pools::load(dir)?);
    }
    let labels_path = cli.out.join("labels.jsonl");
    let mut labels = BufWriter::new(
        File::create(&labels_path)
            .with_context(|| format!("cannot create {}", labels_path.display()))?,
    );
    for shape in SHAPES {
        if !chosen.iter().any(|s| s.name == shape.name) {
            continue;
        }
        let share = match shape.name {
            "messages" => MESSAGES_SHARE,
            _ => shape.share,
        };
        let target = total * share / shares;
        let mut rng =
            ChaCha8Rng::seed_from_u64(cli.seed.wrapping_mul(1000).wrapping_add(shape.stream));
        let path = cli.out.join(shape.file);
        let spans = generate(&path, shape.name, target, &vocab, &mut rng)
            .with_context(|| format!("cannot write {}", path.display()))?;
        for span in spans {
            let label = Label {
                path: shape.file.to_string(),
                offset: span.offset,
                length: span.length,
                kind: span.kind,
            };
            serde_json::to_writer(&mut labels, &label)?;
            labels.write_all(b"\n")?;
        }
    }
    labels.flush()?;
    Ok(())
}

/// Writes records of one shape until the file reaches `target` bytes.
fn generate(
    path: &Path,
    shape: &str,
    target: u64,
    vocab: &Vocab,
    rng: &mut ChaCha8Rng,
) -> io::Result<Vec<writer::Span>> {
    let mut out = Out::new(BufWriter::with_capacity(1 << 20, File::create(path)?));
    if shape == "csv" {
        csv::header(&mut out, vocab)?;
    }
    if shape == "vendorcsv" {
        vendors::csv_header(&mut out)?;
    }
    while out.counted() < target {
        match shape {
            "access" => access_log::record(&mut out, vocab, rng)?,
            "amplitude" => amplitude::record(&mut out, vocab, rng)?,
            "applog" => app_log::record(&mut out, vocab, rng)?,
            "csv" => csv::record(&mut out, vocab, rng)?,
            "mixpanel" => mixpanel::record(&mut out, vocab, rng)?,
            "segment" => segment::record(&mut out, vocab, rng)?,
            "messages" => messages::record(&mut out, vocab, rng)?,
            "vendors" => vendors::record(&mut out, vocab, rng)?,
            "vendorcsv" => vendors::csv_record(&mut out, vocab, rng)?,
            _ => tickets::record(&mut out, vocab, rng)?,
        }
    }
    out.finish()
}

/// Parses `1GiB`, `16MiB`, `500MB`, `4096`.
fn parse_size(text: &str) -> Result<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .with_context(|| format!("'{text}' is not a size such as 16MiB or 1GiB"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "kib" | "k" => 1 << 10,
        "mib" | "m" => 1 << 20,
        "gib" | "g" => 1 << 30,
        other => {
            bail!("unknown size unit '{other}' in '{text}' (use B, KiB, MiB, GiB, KB, MB, GB)")
        }
    };
    Ok((number * scale as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("16MiB").unwrap(), 16 << 20);
        assert_eq!(parse_size("500MB").unwrap(), 500_000_000);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size("1.5KiB").unwrap(), 1536);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("1TB").is_err());
    }
}

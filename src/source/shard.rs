//! `--shard K/N`: a deterministic share of the inputs, so that N machines (a Kubernetes
//! Indexed Job, a Slurm array, a CI matrix) each scan one share and their partial reports
//! merge into the report of all of them.
//!
//! An input belongs to shard `1 + h mod N`, where `h` is SplitMix64's finaliser applied to
//! the 64-bit FNV-1a hash of its path below the root it was found under (the path named on
//! the command line; a file named there is known by its file name), its bytes as the file
//! system gives them, components joined by `/`. Both functions are fixed here, not
//! `std`'s `DefaultHasher`, whose algorithm may change between Rust versions: a file stays in
//! its shard whatever machine or build runs it, as long as the roots and N are the same.
//!
//! Archives are sharded whole: a member belongs to its archive's shard. Reading one member
//! of a tar or a compressed stream means decompressing everything before it, so sharding
//! members would have every shard decompress every archive; whole archives are read once.
//! Standard input has no path and cannot be sharded.

use std::path::{Path, PathBuf};

/// One of `count` shares of the inputs (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// From 0 (shard `1/N`).
    index: u64,
    count: u64,
}

impl Shard {
    /// Reads `K/N`, shards numbered from 1 to N (`--shard 1/4` .. `--shard 4/4`).
    pub fn parse(spec: &str) -> Result<Shard, String> {
        let usage = "--shard takes K/N, the shard K of N numbered from 1 (1/4 .. 4/4); with \
                     Kubernetes' 0-based JOB_COMPLETION_INDEX, give \
                     $((JOB_COMPLETION_INDEX + 1))/N";
        let Some((k, n)) = spec.split_once('/') else {
            return Err(usage.to_string());
        };
        let (Ok(k), Ok(n)) = (k.trim().parse::<u64>(), n.trim().parse::<u64>()) else {
            return Err(usage.to_string());
        };
        if n == 0 || k == 0 || k > n {
            return Err(format!("{spec} is not a shard: {usage}"));
        }
        Ok(Shard {
            index: k - 1,
            count: n,
        })
    }

    /// Whether the input at `path` (below `root`, or named itself when `named`) is in this
    /// shard.
    pub fn holds(&self, relative: &Path) -> bool {
        shard_of(relative, self.count) == self.index
    }

    /// The path by which an input is sharded: below the first of `roots` (a folder) that
    /// holds it, else its file name (a file named on the command line).
    pub fn relative(path: &Path, dirs: &[PathBuf]) -> PathBuf {
        for dir in dirs {
            if let Ok(rest) = path.strip_prefix(dir) {
                if !rest.as_os_str().is_empty() {
                    return rest.to_path_buf();
                }
            }
        }
        path.file_name()
            .map_or_else(|| path.to_path_buf(), PathBuf::from)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index + 1, self.count)
    }
}

/// The shard (from 0) of `relative` among `count`.
pub fn shard_of(relative: &Path, count: u64) -> u64 {
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = FNV_OFFSET;
    let mut byte = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    };
    for (i, component) in relative.components().enumerate() {
        if i > 0 {
            byte(b'/');
        }
        for &b in os_bytes(component.as_os_str()).iter() {
            byte(b);
        }
    }
    let mut z = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) % count.max(1)
}

#[cfg(unix)]
fn os_bytes(s: &std::ffi::OsStr) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(s.as_bytes())
}

#[cfg(not(unix))]
fn os_bytes(s: &std::ffi::OsStr) -> std::borrow::Cow<'_, [u8]> {
    match s.to_string_lossy() {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_read_from_k_of_n() {
        let cases = [
            ("1/1", Some((0, 1))),
            ("1/4", Some((0, 4))),
            ("4/4", Some((3, 4))),
            (" 2 / 3 ", Some((1, 3))),
            ("0/4", None),
            ("5/4", None),
            ("1/0", None),
            ("4", None),
            ("a/4", None),
            ("-1/4", None),
            ("", None),
        ];
        for (spec, want) in cases {
            let got = Shard::parse(spec).ok().map(|s| (s.index, s.count));
            assert_eq!(got, want, "{spec}");
        }
        let error = Shard::parse("0/4").unwrap_err();
        assert!(error.contains("JOB_COMPLETION_INDEX + 1"), "{error}");
        assert_eq!(Shard::parse("3/8").unwrap().to_string(), "3/8");
    }

    /// The hash is fixed: these values (checked against a Python transcription of FNV-1a
    /// and SplitMix64) must never change, or shards made by two builds would overlap.
    #[test]
    fn the_shard_of_a_path_is_fixed() {
        let cases = [
            ("a", 583),
            ("b", 980),
            ("eu/2025/part-00001.json.gz", 87),
            ("x/y/z.csv", 973),
            ("x//y/./z.csv", 973),
        ];
        for (path, want) in cases {
            assert_eq!(shard_of(Path::new(path), 1000), want, "{path}");
        }
    }

    /// Every path is in exactly one of N shards, and shards are near even.
    #[test]
    fn shards_partition_the_paths() {
        for n in [1u64, 2, 3, 4, 7, 16] {
            let shards: Vec<Shard> = (1..=n)
                .map(|k| Shard::parse(&format!("{k}/{n}")).unwrap())
                .collect();
            let mut sizes = vec![0u64; n as usize];
            for i in 0..4000 {
                let path = PathBuf::from(format!("exports/day-{}/part-{i:05}.ndjson", i % 30));
                let holders: Vec<usize> = (0..shards.len())
                    .filter(|&k| shards[k].holds(&path))
                    .collect();
                assert_eq!(holders.len(), 1, "{} in {holders:?} of {n}", path.display());
                sizes[holders[0]] += 1;
            }
            let even = 4000 / n;
            for size in sizes {
                assert!(size.abs_diff(even) < even / 5 + 20, "{size} of {n}");
            }
        }
    }

    #[test]
    fn inputs_are_sharded_by_their_path_below_their_root() {
        let dirs = [PathBuf::from("exports/eu"), PathBuf::from("exports")];
        let cases = [
            ("exports/eu/a.json", "a.json"),
            ("exports/us/a.json", "us/a.json"),
            ("elsewhere/b.csv", "b.csv"),
            ("c.csv", "c.csv"),
        ];
        for (path, want) in cases {
            assert_eq!(Shard::relative(Path::new(path), &dirs), Path::new(want));
        }
    }
}

//! The memory-bandwidth baseline of the throughput comparison: count the newlines of a
//! memory-mapped file with `memchr`, cut into the same newline-aligned chunks as a scan and
//! spread over the same number of threads. Nothing a scanner does can be cheaper than touching
//! every byte once, so piiscan's speed is reported as a fraction of this.
//!
//! `cargo run --release --example linecount -- FILE [THREADS]`

use std::fs::File;

use rayon::prelude::*;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: linecount FILE [THREADS]"))?;
    let threads: usize = args.next().map_or(Ok(0), |t| t.parse())?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;
    let file = File::open(&path)?;
    // SAFETY: a benchmark input nobody modifies while it is counted.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    let started = std::time::Instant::now();
    let ranges: Vec<_> = piiscan::chunk::split(&map, piiscan::chunk::DEFAULT_CHUNK_SIZE).collect();
    let lines: usize = ranges
        .into_par_iter()
        .map(|r| memchr::memchr_iter(b'\n', &map[r]).count())
        .sum();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{lines} lines, {} bytes, {secs:.3} s, {:.3} GB/s",
        map.len(),
        map.len() as f64 / secs / 1e9
    );
    Ok(())
}

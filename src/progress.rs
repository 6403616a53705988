//! A progress bar on stderr for scans that last more than a moment.
//!
//! It is a [`Sink`] in front of the one that does the work, so the engine knows nothing of
//! terminals: it counts the bytes of the chunks that pass, shows the input being read and how
//! many are done, and hands every event on. The bar stays hidden for the first second (short
//! scans print nothing extra) and is never drawn when stderr is not a terminal or with
//! `--quiet`; the caller decides that. Problems printed to stderr go through the bar so they
//! do not tear it.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::sink::{Archive, Chunk, Flow, InputEnd, InputInfo, Layout, Problem, Sink};

/// How long a scan runs before the bar appears.
const DELAY: Duration = Duration::from_secs(1);

pub struct Progress<'s> {
    inner: &'s mut dyn Sink,
    bar: ProgressBar,
    started: Instant,
    shown: bool,
    bytes: u64,
    /// Inputs done, and how many there are when that is known.
    done: u64,
    inputs: Option<u64>,
}

impl<'s> Progress<'s> {
    /// A bar over `total` bytes in `inputs` inputs, or a byte counter when the total is
    /// unknown (stdin, compressed inputs).
    pub fn new(inner: &'s mut dyn Sink, total: Option<u64>, inputs: Option<u64>) -> Self {
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden())
                .with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()).with_style(
                ProgressStyle::with_template("{spinner} {bytes} {binary_bytes_per_sec} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        Progress {
            inner,
            bar,
            started: Instant::now(),
            shown: false,
            bytes: 0,
            done: 0,
            inputs,
        }
    }

    /// Removes the bar.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }

    fn counted(&self) -> String {
        match self.inputs {
            Some(n) => format!("{}/{n}", self.done),
            None => self.done.to_string(),
        }
    }
}

impl Sink for Progress<'_> {
    fn begin(&mut self, input: &InputInfo) -> Flow {
        // The path is printable already (control and bidirectional characters escaped); it is
        // escaped again here, which changes nothing then, so that no consumer's input can
        // reach the terminal raw.
        let path = crate::source::printable(&input.path);
        let message = format!("[{} done] {path}", self.counted());
        self.bar.set_message(message);
        self.inner.begin(input)
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        self.bytes += chunk.bytes.len() as u64;
        if !self.shown && self.started.elapsed() >= DELAY {
            self.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.set_position(self.bytes);
        self.inner.chunk(chunk)
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        let inner = &mut self.inner;
        self.bar.suspend(|| inner.problem(problem))
    }

    fn end(&mut self, input: &InputInfo, end: &InputEnd) -> Flow {
        self.done += 1;
        self.inner.end(input, end)
    }

    fn layout(&mut self, input: &InputInfo, layout: &Layout<'_>) -> Flow {
        self.inner.layout(input, layout)
    }

    fn archive(&mut self, event: &Archive<'_>) -> Flow {
        self.inner.archive(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::GO_ON;

    struct Nothing;

    impl Sink for Nothing {
        fn chunk(&mut self, _chunk: &Chunk<'_>) -> Flow {
            GO_ON
        }

        fn problem(&mut self, _problem: &Problem<'_>) -> Flow {
            GO_ON
        }
    }

    fn input(path: &str) -> InputInfo {
        InputInfo {
            path: path.to_string(),
            name: path.to_string(),
            compression: None,
            encoding: None,
        }
    }

    /// The bar names the input being read, as printable as the engine made it, and the inputs
    /// done out of the total (or done alone, when the total is unknown).
    #[test]
    fn the_message_names_the_input_and_counts_the_done() {
        for (inputs, want) in [
            (Some(2), ["[0/2 done] a.ndjson", "[1/2 done] b\\u{1b}.csv"]),
            (None, ["[0 done] a.ndjson", "[1 done] b\\u{1b}.csv"]),
        ] {
            let mut inner = Nothing;
            let mut progress = Progress::new(&mut inner, Some(10), inputs);
            let end = InputEnd {
                bytes: 1,
                complete: true,
            };
            for (path, want) in ["a.ndjson", "b\x1b.csv"].into_iter().zip(want) {
                let info = input(path);
                assert!(progress.begin(&info).is_continue());
                assert_eq!(progress.bar.message(), want);
                assert!(progress.end(&info, &end).is_continue());
            }
            progress.finish();
        }
    }
}

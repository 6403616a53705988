//! A progress bar on stderr for scans that last more than a moment.
//!
//! It wraps the reporter as a [`Sink`], so the engine knows nothing of terminals. The bar stays
//! hidden for the first second (short scans print nothing extra) and is never drawn when stderr
//! is not a terminal or with `--quiet`; the caller decides that. Messages to stderr go through
//! the bar so they do not tear it.

use std::io;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::finding::Finding;
use crate::policy::gate::{Judgement, Verdict};
use crate::report::Reporter;
use crate::scan::{FileInfo, Sink, Stats};
use crate::source::SourceError;

/// How long a scan runs before the bar appears.
const DELAY: Duration = Duration::from_secs(1);

pub struct Progress<'r, 'w> {
    inner: &'r mut (dyn Reporter + 'w),
    bar: ProgressBar,
    started: Instant,
    shown: bool,
}

impl<'r, 'w> Progress<'r, 'w> {
    /// A bar over `total` bytes, or a byte counter when the total is unknown (stdin,
    /// compressed inputs).
    pub fn new(inner: &'r mut (dyn Reporter + 'w), total: Option<u64>) -> Self {
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden())
                .with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()).with_style(
                ProgressStyle::with_template("{spinner} {bytes} {binary_bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        Progress {
            inner,
            bar,
            started: Instant::now(),
            shown: false,
        }
    }

    /// Removes the bar and closes the report.
    pub fn finish(self, stats: &Stats) -> io::Result<()> {
        self.bar.finish_and_clear();
        self.inner.finish(stats)
    }
}

impl Sink for Progress<'_, '_> {
    fn finding(&mut self, file: &FileInfo, finding: &Finding) -> io::Result<()> {
        self.inner.finding(file, finding)
    }

    fn error(&mut self, error: &SourceError) {
        self.bar.suspend(|| self.inner.error(error));
    }

    fn note(&mut self, path: &str, message: &str) {
        self.bar.suspend(|| self.inner.note(path, message));
    }

    fn progress(&mut self, bytes_done: u64) {
        if !self.shown && self.started.elapsed() >= DELAY {
            self.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.set_position(bytes_done);
    }
}

/// A bar can stand where a reporter is expected (between a policy gate and its reporter).
impl Reporter for Progress<'_, '_> {
    fn judged(
        &mut self,
        file: &FileInfo,
        finding: &Finding,
        judgement: &Judgement,
    ) -> io::Result<()> {
        self.inner.judged(file, finding, judgement)
    }

    fn verdict(&mut self, verdict: &Verdict) {
        self.inner.verdict(verdict);
    }

    fn finish(&mut self, stats: &Stats) -> io::Result<()> {
        self.bar.finish_and_clear();
        self.inner.finish(stats)
    }
}

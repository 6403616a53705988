//! `--format jsonl`: one finding per line, written as it is found, so that a multi-GB scan can
//! be piped into `jq` or another tool without waiting for the end.

use std::io::{self, Write};

use super::{print_error, print_note, write_stats, Record, Reporter};
use crate::finding::Finding;
use crate::policy::gate::Judgement;
use crate::scan::{FileInfo, Sink, Stats};
use crate::source::SourceError;

pub struct JsonlReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    show_stats: bool,
}

impl<'w> JsonlReporter<'w> {
    pub fn new(out: Box<dyn Write + 'w>, show_stats: bool) -> Self {
        JsonlReporter {
            out: io::BufWriter::with_capacity(1 << 16, out),
            show_stats,
        }
    }
}

impl Sink for JsonlReporter<'_> {
    fn finding(&mut self, file: &FileInfo, finding: &Finding) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &Record::new(file, finding))?;
        self.out.write_all(b"\n")
    }

    fn error(&mut self, error: &SourceError) {
        print_error(error);
    }

    fn note(&mut self, path: &str, message: &str) {
        print_note(path, message);
    }
}

impl Reporter for JsonlReporter<'_> {
    fn judged(
        &mut self,
        file: &FileInfo,
        finding: &Finding,
        judgement: &Judgement,
    ) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &Record::judged(file, finding, judgement))?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self, stats: &Stats) -> io::Result<()> {
        self.out.flush()?;
        if self.show_stats {
            write_stats(&mut io::stderr(), stats)?;
        }
        Ok(())
    }
}

//! JSON documents: a value over many lines read as one document, in units cut where the
//! document allows, so that field paths, offsets and lines stay those of the file.

use super::*;

impl Driver<'_> {
    /// Queues the chunks of a mapped JSON document, cut where its records end (see
    /// [`super::document`]).
    pub(super) fn add_mapped_document(
        &mut self,
        file: &Arc<FileState>,
        content: &Arc<Content>,
        ranges: Vec<(std::ops::Range<usize>, Option<LongLine>)>,
    ) {
        let mut document = Document::new(self.scanner.config.chunk_size);
        let mut noted = false;
        let mut units = Vec::new();
        let push_units = |driver: &mut Self, units: &mut Vec<DocUnit>| {
            for unit in units.drain(..) {
                let range = unit.range.start as usize..unit.range.end as usize;
                let bytes = UnitBytes::Shared(Arc::clone(content), range);
                driver.push_document_unit(file, unit, bytes);
            }
        };
        for (range, long_line) in ranges {
            let (base, bytes) = (range.start as u64, &content[range]);
            match long_line {
                Some(long_line) => {
                    self.note_cut(&mut noted, &file.info, base);
                    document.piece(base, bytes, long_line, &mut units);
                }
                None => document.lines(base, bytes, &mut units),
            }
            push_units(self, &mut units);
            if self.stats.stopped {
                return;
            }
        }
        let ending = document.finish(content.len() as u64, &mut units);
        push_units(self, &mut units);
        self.end_document(file, ending);
    }

    /// Queues what a chunk of a streamed JSON document completes: its whole lines wait in
    /// `pending` until a record ends in them.
    pub(super) fn push_streamed_document(
        &mut self,
        streamed: &mut StreamedDocument,
        file: &Arc<FileState>,
        chunk: StreamChunk,
    ) {
        let mut units = Vec::new();
        match chunk.long_line {
            Some(long_line) => {
                self.note_cut(&mut streamed.noted, &file.info, chunk.base);
                let document = &mut streamed.document;
                document.piece(chunk.base, &chunk.bytes, long_line, &mut units);
                let end = chunk.base + chunk.bytes.len() as u64;
                let mut piece = Some(chunk.bytes);
                for unit in units {
                    let bytes = match unit.long_line {
                        Some(_) => piece.take().unwrap_or_default(),
                        None => streamed.pending.take(unit.range.end),
                    };
                    self.push_document_unit(file, unit, UnitBytes::Owned(bytes));
                }
                // The lines after the cut line start where it ends.
                streamed.pending.skip_to(end);
            }
            None => {
                streamed
                    .document
                    .lines(chunk.base, &chunk.bytes, &mut units);
                streamed.pending.push(chunk.base, chunk.bytes);
                for unit in units {
                    let bytes = UnitBytes::Owned(streamed.pending.take(unit.range.end));
                    self.push_document_unit(file, unit, bytes);
                }
            }
        }
    }

    /// Queues a unit of a JSON document with where its key paths pick up.
    pub(super) fn push_document_unit(
        &mut self,
        file: &Arc<FileState>,
        unit: DocUnit,
        bytes: UnitBytes,
    ) {
        let context = FileContext {
            document: true,
            judged_whole: true,
            starts_mid_line: unit.long_line.as_ref().is_some_and(|l| l.line_offset > 0),
            resume: unit.resume.map(Arc::new),
            bom: file.context.bom,
            ..FileContext::default()
        };
        let file = Arc::new(FileState {
            info: file.info.clone(),
            context,
        });
        self.push(Unit {
            file,
            base: unit.range.start,
            bytes,
            long_line: unit.long_line,
            row_group: None,
        });
    }

    /// Counts a JSON document that did not close as malformed, and notes one whose field
    /// names stop.
    pub(super) fn end_document(&mut self, file: &Arc<FileState>, ending: Ending) {
        match ending {
            Ending::Whole => {}
            Ending::Open => self.stats.malformed_json += 1,
            Ending::Lost(at) => {
                self.stats.malformed_json += 1;
                let message = format!(
                    "the JSON document stops parsing in the bytes before {at} (a bracket \
                     closed that was never opened, or nesting too deep): the field names of \
                     the findings after that may be wrong"
                );
                let path = file.info.path.clone();
                self.queue(Held::Note { path, message });
            }
        }
    }
}

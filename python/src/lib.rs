//! Python bindings of piiscan: the `piiscan._piiscan` extension module, wrapped by the
//! `piiscan` package (python/piiscan/).
//!
//! Nothing here scans, counts or renders on its own: bytes go through the library's
//! [`Scanner`] as a stream named by its path (so a `.csv` name or a sniffed header gives CSV
//! columns, as on the command line), records of (field, value) through
//! [`Scanner::scan_records`] (each value with its field name as its key hint, as a Parquet
//! column is read), and a report is the library's [`Exposure`] aggregation fed by the same
//! sink events as `piiscan report`, rendered by its renderers. The Python layer therefore
//! gives the command line's findings and counts, and the two cannot drift apart.
//!
//! The GIL is released while bytes are scanned, so Python threads (a thread pool, a Spark
//! executor's tasks) scan in parallel; converting Python objects to bytes happens before, with
//! the GIL held. Values never reach Python unmasked unless `show_values=True` asked for them,
//! and error messages name the input and the problem, never content.

use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, Mutex};

use piiscan::engine::{Config, Scanner};
use piiscan::exposure::{key_check, Exposure, Partial, PartialError, Report as Summary};
use piiscan::report::exposure as render;
use piiscan::sink::{Chunk, Flow, InputEnd, InputInfo, Problem, Sink, Stats, GO_ON};
use piiscan::source::records::Records;
use piiscan::structure::keys;
use piiscan::{Finding, KindSet};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyList, PyString, PyTuple};

create_exception!(
    piiscan,
    PiiscanError,
    PyException,
    "A piiscan call that cannot be carried out: an unknown kind, a key too short, a partial \
     report that does not fit. The message says what to do."
);
create_exception!(
    piiscan,
    ScanError,
    PiiscanError,
    "An input that could not be read whole or was not scanned (corrupt compression, binary \
     content, an archive past its limits). The message names the input and the problem."
);

/// The name an input without a path gets, as standard input does on the command line.
const NO_PATH: &str = "-";
/// The rows of records scanned at a time, with the GIL released.
const RECORD_BATCH_ROWS: usize = 4096;
/// ... or the bytes of their values, whichever comes first.
const RECORD_BATCH_BYTES: usize = 4 << 20;

/// One finding, as Python sees it: a kind and a place, the value masked.
///
/// `start` and `end` are byte offsets into the data scanned (for records, into the value);
/// `line` is 1-based (for records, the row counted from 1); `field` is the JSON key path or
/// CSV column (for records, the field name, followed by the key path when the value is JSON).
#[pyclass(frozen, module = "piiscan", name = "Finding")]
struct PyFinding {
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    detail: Option<&'static str>,
    #[pyo3(get)]
    start: u64,
    #[pyo3(get)]
    end: u64,
    #[pyo3(get)]
    line: u64,
    #[pyo3(get)]
    column: u32,
    #[pyo3(get)]
    field: Option<String>,
    #[pyo3(get)]
    mask: String,
    /// The raw value: only with `show_values=True`.
    #[pyo3(get)]
    value: Option<String>,
}

impl PyFinding {
    fn of(f: &Finding) -> PyFinding {
        PyFinding {
            kind: f.kind.name(),
            detail: f.detail.name(),
            start: f.offset,
            end: f.offset + u64::from(f.length),
            line: f.line,
            column: f.column,
            field: f.field.as_deref().map(str::to_owned),
            mask: f.masked.to_string(),
            value: f.value.as_deref().map(str::to_owned),
        }
    }
}

#[pymethods]
impl PyFinding {
    /// The finding as a dict (what `repr` shows, plus `value` when it was asked for).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", self.kind)?;
        d.set_item("detail", self.detail)?;
        d.set_item("start", self.start)?;
        d.set_item("end", self.end)?;
        d.set_item("line", self.line)?;
        d.set_item("column", self.column)?;
        d.set_item("field", self.field.as_deref())?;
        d.set_item("mask", &self.mask)?;
        d.set_item("value", self.value.as_deref())?;
        Ok(d)
    }

    /// Never the raw value, even when it was asked for: a repr ends up in logs.
    fn __repr__(&self) -> String {
        let field = self
            .field
            .as_deref()
            .map_or("None".into(), |f| format!("{f:?}"));
        format!(
            "Finding(kind={:?}, start={}, end={}, line={}, field={field}, mask={:?})",
            self.kind, self.start, self.end, self.line, self.mask
        )
    }
}

/// The kinds named, as `--kinds` reads them; `default` for `None`.
fn kinds_of(kinds: Option<Vec<String>>, default: KindSet) -> PyResult<KindSet> {
    match kinds {
        None => Ok(default),
        Some(names) if names.is_empty() => Err(PiiscanError::new_err(
            "kinds names no kind; give kind names (`email`, `ipv4`), or `direct`, `quasi` or \
             `all`, or leave it out for the default",
        )),
        Some(names) => piiscan::run::parse_kinds(&names, default)
            .map_err(|e| PiiscanError::new_err(e.to_string())),
    }
}

/// Scanners made so far, by what they were made for: building one loads the detectors'
/// tables, and `scan` is called once per value or file.
#[allow(clippy::type_complexity)]
static SCANNERS: Mutex<Vec<(KindSet, bool, Option<[u64; 2]>, Arc<Scanner>)>> =
    Mutex::new(Vec::new());
/// At most this many are kept; the oldest goes first.
const SCANNERS_KEPT: usize = 16;

fn scanner(kinds: KindSet, show_values: bool, key: Option<[u64; 2]>) -> Arc<Scanner> {
    let mut kept = SCANNERS.lock().unwrap_or_else(|e| e.into_inner());
    let same = |(k, s, f, _): &&(KindSet, bool, Option<[u64; 2]>, Arc<Scanner>)| {
        *k == kinds && *s == show_values && *f == key
    };
    if let Some((_, _, _, scanner)) = kept.iter().find(same) {
        return Arc::clone(scanner);
    }
    let scanner = Arc::new(Scanner::new(Config {
        kinds,
        show_values,
        // Counted in reports only; a report's scanner has its key, fixed or drawn.
        fingerprints: key.is_some(),
        fingerprint_key: key,
        ..Config::default()
    }));
    if kept.len() >= SCANNERS_KEPT {
        kept.remove(0);
    }
    kept.push((kinds, show_values, key, Arc::clone(&scanner)));
    scanner
}

/// Data given as `bytes`, `bytearray` or `str` (scanned as its UTF-8).
enum Data<'py> {
    Bytes(Bound<'py, PyBytes>),
    Owned(Vec<u8>),
}

impl Data<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Data::Bytes(b) => b.as_bytes(),
            Data::Owned(v) => v,
        }
    }
}

fn data_of<'py>(data: &Bound<'py, PyAny>) -> PyResult<Data<'py>> {
    if let Ok(b) = data.cast::<PyBytes>() {
        Ok(Data::Bytes(b.clone()))
    } else if let Ok(s) = data.cast::<PyString>() {
        Ok(Data::Owned(s.to_cow()?.as_bytes().to_vec()))
    } else if let Ok(b) = data.cast::<PyByteArray>() {
        Ok(Data::Owned(b.to_vec()))
    } else {
        Err(PyTypeError::new_err(format!(
            "piiscan scans bytes or str, not {}",
            data.get_type().name()?
        )))
    }
}

/// A sink that passes the events on to another (an exposure aggregation, or nothing) and
/// keeps the findings and what went wrong.
struct Collect<'a> {
    findings: Vec<Finding>,
    keep: bool,
    problems: Vec<String>,
    inner: Option<&'a mut dyn Sink>,
}

impl<'a> Collect<'a> {
    fn new(keep: bool, inner: Option<&'a mut dyn Sink>) -> Collect<'a> {
        Collect {
            findings: Vec::new(),
            keep,
            problems: Vec::new(),
            inner,
        }
    }
}

impl Sink for Collect<'_> {
    fn begin(&mut self, input: &InputInfo) -> Flow {
        self.inner.as_mut().map_or(GO_ON, |s| s.begin(input))
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        if self.keep {
            self.findings.extend_from_slice(chunk.findings);
        }
        self.inner.as_mut().map_or(GO_ON, |s| s.chunk(chunk))
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        match problem {
            Problem::Error(e) => self.problems.push(e.to_string()),
            Problem::Skipped { path, reason } if reason.fails_run() => self
                .problems
                .push(format!("{path} was not scanned: {reason}")),
            Problem::Skipped { .. } | Problem::Note { .. } => {}
        }
        self.inner.as_mut().map_or(GO_ON, |s| s.problem(problem))
    }

    fn end(&mut self, input: &InputInfo, end: &InputEnd) -> Flow {
        self.inner.as_mut().map_or(GO_ON, |s| s.end(input, end))
    }
}

/// A scan's problems as one [`ScanError`], or nothing.
fn problems_to_err(problems: Vec<String>) -> PyResult<()> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(ScanError::new_err(problems.join("; ")))
}

fn add_stats(total: &mut Stats, s: &Stats) {
    total.findings += s.findings;
    total.files += s.files;
    total.bytes += s.bytes;
    total.errors += s.errors;
    total.skipped += s.skipped;
    total.skipped_binary += s.skipped_binary;
    total.malformed_json += s.malformed_json;
    total.elapsed += s.elapsed;
}

/// Scans `data` (bytes or str) named `path` and returns its findings, values masked.
///
/// `path` names the data in findings and decides how it is read as a file's name would
/// (`x.csv` is CSV; compressed data is decompressed whatever its name). `kinds` are kind
/// names as `--kinds` takes them (default: the direct identifiers, as `piiscan scan`).
/// Raises `ScanError` when the data could not be read whole (the findings are then lost:
/// fail closed).
#[pyfunction]
#[pyo3(signature = (data, path=None, kinds=None, show_values=false))]
fn scan(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    path: Option<String>,
    kinds: Option<Vec<String>>,
    show_values: bool,
) -> PyResult<Vec<PyFinding>> {
    let kinds = kinds_of(kinds, KindSet::direct())?;
    let data = data_of(data)?;
    let path = path.unwrap_or_else(|| NO_PATH.to_owned());
    // Made (the detectors' tables loaded, the first time) without the GIL, too.
    let scanner = py.detach(|| scanner(kinds, show_values, None));
    let bytes = data.as_slice();
    let (findings, problems) = py.detach(|| {
        let mut sink = Collect::new(true, None);
        scanner.scan_reader(Path::new(&path), Cursor::new(bytes), &mut sink);
        (sink.findings, sink.problems)
    });
    problems_to_err(problems)?;
    Ok(findings.iter().map(PyFinding::of).collect())
}

/// Records read from Python: rows of (field, value), a batch at a time.
struct RecordReader {
    fields: Vec<Arc<str>>,
    /// The fields' indices and whether their names hint at a kind, by name.
    index: std::collections::HashMap<String, (usize, bool)>,
    /// The cells of the batch as (row, field, start, end) into `values`.
    cells: Vec<(u64, usize, usize, usize)>,
    values: Vec<u8>,
    rows: u64,
}

impl RecordReader {
    fn new() -> RecordReader {
        RecordReader {
            fields: Vec::new(),
            index: Default::default(),
            cells: Vec::new(),
            values: Vec::new(),
            rows: 0,
        }
    }

    /// Reads one row: a mapping of field to value, or an iterable of (field, value) pairs.
    fn read_row(&mut self, row: &Bound<'_, PyAny>, json: &Bound<'_, PyAny>) -> PyResult<()> {
        let row_number = self.rows;
        self.rows += 1;
        let pairs = if let Ok(d) = row.cast::<PyDict>() {
            d.items().into_any()
        } else if row.hasattr("items")? && !row.is_instance_of::<PyTuple>() {
            row.call_method0("items")?
        } else {
            row.clone()
        };
        for pair in pairs.try_iter()? {
            let pair = pair?;
            let (field, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
                pair.extract().map_err(|_| {
                    PyTypeError::new_err(
                        "a record is a mapping of field to value, or an iterable of (field, \
                         value) pairs",
                    )
                })?;
            let field: String = field
                .str()
                .map_err(|_| PyTypeError::new_err("a field name must be a str"))?
                .to_cow()?
                .into_owned();
            self.push(row_number, field, &value, json)?;
        }
        Ok(())
    }

    fn push(
        &mut self,
        row: u64,
        field: String,
        value: &Bound<'_, PyAny>,
        json: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (index, hinted) = match self.index.get(&field) {
            Some(&known) => known,
            None => {
                let known = (
                    self.fields.len(),
                    keys::hint_for_path(field.as_bytes()).is_some(),
                );
                self.fields.push(field.as_str().into());
                self.index.insert(field, known);
                known
            }
        };
        let start = self.values.len();
        if value.is_none() || value.is_instance_of::<PyBool>() {
            return Ok(());
        } else if let Ok(s) = value.cast::<PyString>() {
            self.values.extend_from_slice(s.to_cow()?.as_bytes());
        } else if let Ok(b) = value.cast::<PyBytes>() {
            self.values.extend_from_slice(b.as_bytes());
        } else if let Ok(b) = value.cast::<PyByteArray>() {
            self.values.extend_from_slice(&b.to_vec());
        } else if value.is_instance_of::<PyDict>() || value.is_instance_of::<PyList>() {
            // Nested values (a struct column) are read as JSON, with their key paths.
            let text = json.call1((value,))?;
            self.values
                .extend_from_slice(text.cast::<PyString>()?.to_cow()?.as_bytes());
        } else if hinted {
            // Numbers, dates, UUIDs only under a name that hints at a kind (`latitude`,
            // `user_id`), as Parquet columns are read.
            self.values
                .extend_from_slice(value.str()?.to_cow()?.as_bytes());
        } else {
            return Ok(());
        }
        if self.values.len() > start {
            self.cells.push((row, index, start, self.values.len()));
        }
        Ok(())
    }

    fn full(&self) -> bool {
        self.cells.len() >= RECORD_BATCH_ROWS * 4 || self.values.len() >= RECORD_BATCH_BYTES
    }

    /// The batch read so far, emptied.
    fn take(&mut self) -> Records {
        let mut records = Records::new(self.fields.clone());
        for &(row, field, start, end) in &self.cells {
            records.push(row, field, &self.values[start..end]);
        }
        self.cells.clear();
        self.values.clear();
        records
    }
}

/// Reads `rows` (an iterable of records) in batches, handing each to `scan` with the GIL
/// released.
fn read_records(
    py: Python<'_>,
    rows: &Bound<'_, PyAny>,
    first_row: u64,
    mut scan: impl FnMut(&Records) + Send,
) -> PyResult<u64> {
    let json = py.import("json")?.getattr("dumps")?;
    let mut reader = RecordReader::new();
    reader.rows = first_row;
    let mut batch_rows = 0;
    for row in rows.try_iter()? {
        reader.read_row(&row?, &json)?;
        batch_rows += 1;
        if batch_rows >= RECORD_BATCH_ROWS || reader.full() {
            let records = reader.take();
            py.detach(|| scan(&records));
            batch_rows = 0;
        }
    }
    let records = reader.take();
    if !records.is_empty() {
        py.detach(|| scan(&records));
    }
    Ok(reader.rows - first_row)
}

/// Scans records (rows of (field, value), or mappings of field to value) and returns their
/// findings: `line` is the row (counted from `first_row` + 1), `start` and `end` are bytes
/// within the value, `field` the field name (and the key path within a JSON value).
#[pyfunction]
#[pyo3(signature = (rows, kinds=None, show_values=false, first_row=0))]
fn scan_records(
    py: Python<'_>,
    rows: &Bound<'_, PyAny>,
    kinds: Option<Vec<String>>,
    show_values: bool,
    first_row: u64,
) -> PyResult<Vec<PyFinding>> {
    let kinds = kinds_of(kinds, KindSet::direct())?;
    // Made (the detectors' tables loaded, the first time) without the GIL, too.
    let scanner = py.detach(|| scanner(kinds, show_values, None));
    let mut findings = Vec::new();
    read_records(py, rows, first_row, |records| {
        let result = scanner.scan_records(records);
        findings.extend(result.findings.iter().map(PyFinding::of));
    })?;
    Ok(findings)
}

/// The key of distinct counts: `key` (bytes or str, at least 32 bytes), else
/// `PIISCAN_FINGERPRINT_KEY`, else none (one is drawn, and the counts do not merge with
/// another report's).
fn key_of(key: Option<&Bound<'_, PyAny>>) -> PyResult<Option<[u64; 2]>> {
    let Some(key) = key.filter(|k| !k.is_none()) else {
        return piiscan::run::distinct_key(None).map_err(|e| PiiscanError::new_err(e.to_string()));
    };
    let mut secret = data_of(key)
        .map_err(|_| PyTypeError::new_err("key must be bytes or str"))?
        .as_slice()
        .to_vec();
    let min = piiscan::policy::baseline::MIN_SECRET;
    if secret.len() < min {
        return Err(PiiscanError::new_err(format!(
            "the key is {} bytes; distinct counts need at least {min} (a shorter key can be \
             guessed): `openssl rand -hex 32`",
            secret.len()
        )));
    }
    let key = piiscan::exposure::key_from_secret(&secret);
    secret.fill(0);
    Ok(Some(key))
}

/// An exposure report built from data added piece by piece: what `piiscan report` says of
/// files, for bytes and for records (a dataframe's rows, its columns' names as key hints).
///
/// What was added is folded into a [`Partial`] (the library's mergeable state) whenever the
/// report is rendered, written out or merged; data added after goes into a new
/// [`Exposure`], folded in the same way, so rendering never closes the report.
#[pyclass(module = "piiscan", name = "Report")]
struct PyReport {
    scanner: Arc<Scanner>,
    kinds: KindSet,
    /// The key of distinct counts: given, or drawn for this report (`keyed` false).
    key: [u64; 2],
    keyed: bool,
    roots: Vec<String>,
    /// Everything folded so far.
    done: Option<Partial>,
    /// What was added since, and the scan's counters for it.
    current: Exposure,
    current_stats: Stats,
}

fn partial_err(e: PartialError) -> PyErr {
    PiiscanError::new_err(format!("cannot merge the reports: {e}"))
}

impl PyReport {
    fn with_key(py: Python<'_>, kinds: KindSet, key: Option<[u64; 2]>) -> PyReport {
        let keyed = key.is_some();
        let key = key.unwrap_or_else(|| {
            use rand::RngCore;
            let mut rng = rand::rngs::OsRng;
            [rng.next_u64(), rng.next_u64()]
        });
        PyReport {
            scanner: py.detach(|| scanner(kinds, false, Some(key))),
            kinds,
            key,
            keyed,
            roots: Vec::new(),
            done: None,
            current: Exposure::new(),
            current_stats: Stats::default(),
        }
    }

    fn note_root(&mut self, path: &str) {
        if self.roots.len() < piiscan::exposure::MAX_INPUTS && !self.roots.iter().any(|r| r == path)
        {
            self.roots.push(path.to_owned());
        }
    }

    /// Refuses data when the report came from a partial made under another key (or none):
    /// its distinct counts could not take the new data's fingerprints.
    fn check_key_fits(&self) -> PyResult<()> {
        match &self.done {
            Some(done) if done.key_check != Some(key_check(self.key)) => {
                Err(PiiscanError::new_err(
                    "this report was read from a partial made under another key of distinct \
                 counts: give Report.from_partial the same key (key= or \
                 PIISCAN_FINGERPRINT_KEY) to add data to it",
                ))
            }
            _ => Ok(()),
        }
    }

    /// Folds what was added since the last fold into `done`, and returns it.
    fn fold(&mut self) -> PyResult<&mut Partial> {
        let current = std::mem::take(&mut self.current);
        let stats = std::mem::take(&mut self.current_stats);
        let mut part = current.into_partial(&stats, Some(self.key));
        part.kinds = self.kinds.iter().collect();
        let done = match self.done.take() {
            None => part,
            Some(mut done) => {
                if let Err(e) = done.merge(part) {
                    self.done = Some(done);
                    return Err(partial_err(e));
                }
                done
            }
        };
        let done = self.done.insert(done);
        for root in &self.roots {
            if !done.roots.contains(root) {
                done.roots.push(root.clone());
            }
        }
        Ok(done)
    }

    /// A copy of everything folded so far, as the library writes it.
    fn snapshot(&mut self) -> PyResult<Partial> {
        let json = self.fold()?.to_json();
        Partial::from_json(&json).map_err(partial_err)
    }

    fn summary(&mut self) -> PyResult<Summary> {
        let mut report = self.snapshot()?.report();
        report.about.generated = piiscan::run::utc_timestamp(piiscan::run::generated_at());
        report.about.keyed = self.keyed;
        Ok(report)
    }

    fn rendered(
        &mut self,
        write: fn(&mut dyn std::io::Write, &Summary) -> std::io::Result<()>,
    ) -> PyResult<String> {
        let report = self.summary()?;
        let mut out = Vec::new();
        write(&mut out, &report).map_err(|e| PiiscanError::new_err(e.to_string()))?;
        String::from_utf8(out).map_err(|e| PiiscanError::new_err(e.to_string()))
    }
}

// The `to_*` methods fold what was added into the partial state before rendering it: a
// change of layout Python cannot see, which needs `&mut self`.
#[allow(clippy::wrong_self_convention)]
#[pymethods]
impl PyReport {
    /// `kinds`: as `--kinds` (default: all, as `piiscan report`). `key`: the secret of
    /// distinct counts (else `PIISCAN_FINGERPRINT_KEY`; without either, one is drawn, and the
    /// report merges with no other).
    #[new]
    #[pyo3(signature = (kinds=None, key=None))]
    fn new(
        py: Python<'_>,
        kinds: Option<Vec<String>>,
        key: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyReport> {
        let kinds = kinds_of(kinds, KindSet::all())?;
        Ok(PyReport::with_key(py, kinds, key_of(key)?))
    }

    /// Scans `data` (bytes or str) named `path` into the report. Raises `ScanError` when it
    /// could not be read whole; the report then lists it as `piiscan report` does.
    #[pyo3(signature = (data, path=None))]
    fn add(
        &mut self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        path: Option<String>,
    ) -> PyResult<()> {
        self.check_key_fits()?;
        let data = data_of(data)?;
        let path = path.unwrap_or_else(|| NO_PATH.to_owned());
        self.note_root(&path);
        let scanner = Arc::clone(&self.scanner);
        let exposure = &mut self.current;
        let bytes = data.as_slice();
        let (stats, problems) = py.detach(|| {
            let mut sink = Collect::new(false, Some(exposure));
            let stats = scanner.scan_reader(Path::new(&path), Cursor::new(bytes), &mut sink);
            (stats, sink.problems)
        });
        add_stats(&mut self.current_stats, &stats);
        problems_to_err(problems)
    }

    /// Scans records into the report as one input named `path`: `rows` is an iterable of
    /// rows, each a mapping of field to value or an iterable of (field, value) pairs. Each
    /// value is read with its field's name as its key (`email`, `properties.city`), and each
    /// row is a record of the report. `str` and `bytes` values are read; numbers only under a
    /// name that hints at a kind; dicts and lists as JSON. Returns the number of rows.
    #[pyo3(signature = (rows, path=None))]
    fn add_records(
        &mut self,
        py: Python<'_>,
        rows: &Bound<'_, PyAny>,
        path: Option<String>,
    ) -> PyResult<u64> {
        self.check_key_fits()?;
        let path = path.unwrap_or_else(|| "records".to_owned());
        self.note_root(&path);
        let scanner = Arc::clone(&self.scanner);
        let input = InputInfo {
            path: piiscan::source::display_path(Path::new(&path)),
            name: path,
            compression: None,
            encoding: None,
        };
        let exposure = &mut self.current;
        let _ = exposure.begin(&input);
        let mut bytes = 0u64;
        let mut findings = 0u64;
        let read = read_records(py, rows, 0, |records| {
            let result = scanner.scan_records(records);
            bytes += result.bytes;
            findings += result.findings.len() as u64;
            let _ = exposure.chunk(&Chunk {
                input: &input,
                base: 0,
                bytes: &[],
                findings: &result.findings,
                judgements: None,
            });
        });
        let end = InputEnd {
            bytes,
            complete: read.is_ok(),
        };
        let _ = self.current.end(&input, &end);
        self.current_stats.files += 1;
        self.current_stats.bytes += bytes;
        self.current_stats.findings += findings;
        if read.is_err() {
            // Counted as an input not read whole, as an unreadable file is.
            self.current_stats.errors += 1;
        }
        read
    }

    /// Adds what `other` read, as if this report had read it after its own inputs: every
    /// count as one report over both. Both must have been made under one key (`key=` or
    /// `PIISCAN_FINGERPRINT_KEY`). `other` is left as it was.
    fn merge(slf: &Bound<'_, Self>, other: &Bound<'_, PyReport>) -> PyResult<()> {
        if slf.is(other) {
            return Err(PiiscanError::new_err(
                "a report cannot be merged into itself",
            ));
        }
        let theirs = other.borrow_mut().snapshot()?;
        let mut ours = slf.borrow_mut();
        if !ours.keyed || theirs.key_check != Some(key_check(ours.key)) {
            return Err(PiiscanError::new_err(
                "cannot merge the reports: they were not made under one key of distinct \
                 counts; make both with the same key= or PIISCAN_FINGERPRINT_KEY",
            ));
        }
        let kinds = theirs.kinds.clone();
        ours.fold()?.merge(theirs).map_err(partial_err)?;
        for kind in kinds {
            ours.kinds.insert(kind);
        }
        Ok(())
    }

    /// The report's partial state (`piiscan report --partial`'s format, as UTF-8 JSON
    /// bytes): counts and keyed fingerprints, no value. Merges with partials of the command
    /// line and of other reports made under the same key.
    fn to_partial<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let keyed = self.keyed;
        let done = self.fold()?;
        let mut json = Vec::new();
        if keyed {
            done.write_json(&mut json)
        } else {
            // Made under a key drawn for this report: it merges with nothing.
            let key_check = done.key_check.take();
            let written = done.write_json(&mut json);
            done.key_check = key_check;
            written
        }
        .map_err(|e| PiiscanError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &json))
    }

    /// A report from a partial (`to_partial()`, or `piiscan report --partial`'s file), to be
    /// merged, rendered, or given more data under the same `key` (else
    /// `PIISCAN_FINGERPRINT_KEY`).
    #[staticmethod]
    #[pyo3(signature = (data, key=None))]
    fn from_partial(data: &Bound<'_, PyAny>, key: Option<&Bound<'_, PyAny>>) -> PyResult<PyReport> {
        let py = data.py();
        let data = data_of(data)?;
        let json = std::str::from_utf8(data.as_slice()).map_err(|_| {
            PiiscanError::new_err("not a piiscan partial report: it is not UTF-8 JSON")
        })?;
        let partial = Partial::from_json(json)
            .map_err(|e| PiiscanError::new_err(format!("cannot read the partial: {e}")))?;
        let mut kinds = KindSet::empty();
        for &kind in &partial.kinds {
            kinds.insert(kind);
        }
        if kinds.is_empty() {
            kinds = KindSet::all();
        }
        let key = key_of(key)?;
        let mut report = PyReport::with_key(py, kinds, key);
        report.keyed = partial.key_check.is_some() && partial.key_check == key.map(key_check);
        report.roots = partial.roots.clone();
        report.done = Some(partial);
        Ok(report)
    }

    /// The report as JSON (`piiscan report --format json`).
    fn to_json(&mut self) -> PyResult<String> {
        self.rendered(render::write_json)
    }

    /// The report as a self-contained HTML page (`--format html`).
    fn to_html(&mut self) -> PyResult<String> {
        self.rendered(render::write_html)
    }

    /// The report as the terminal table (`--format table`).
    fn to_table(&mut self) -> PyResult<String> {
        self.rendered(render::write_table)
    }

    /// Whether every input added (and merged) was read whole.
    #[getter]
    fn all_read(&self) -> bool {
        self.current_stats.all_read() && self.done.as_ref().is_none_or(|d| d.stats().all_read())
    }
}

#[pymodule]
fn _piiscan(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(scan_records, m)?)?;
    m.add_class::<PyFinding>()?;
    m.add_class::<PyReport>()?;
    m.add("PiiscanError", m.py().get_type::<PiiscanError>())?;
    m.add("ScanError", m.py().get_type::<ScanError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

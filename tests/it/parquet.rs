//! Parquet files through the built binary, written here with the `parquet` crate's writer:
//! string columns, nested groups, a list, a JSON column, untyped binary, latitude and
//! longitude doubles, several row groups, snappy and zstd, no statistics. What is found in a
//! Parquet file must be what is found in the same rows written as NDJSON (row for line, same
//! kinds, fields and masks); `report` and `gate` read it; a damaged file is an error (exit 2),
//! never skipped.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use assert_cmd::Command;
use parquet::basic::{Compression, ZstdLevel};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::{json, Value};

const SCHEMA: &str = "
message export {
  required binary email (STRING);
  optional group properties {
    optional binary city (STRING);
    optional binary note (STRING);
  }
  optional group items (LIST) {
    repeated group list {
      optional binary element (STRING);
    }
  }
  optional double latitude;
  optional double longitude;
  required int64 count;
  optional binary event_properties (JSON);
  optional binary raw;
}";

/// One row of the test table.
struct Row {
    email: &'static str,
    city: Option<&'static str>,
    note: Option<&'static str>,
    items: Option<&'static [&'static str]>,
    lat_lon: Option<(f64, f64)>,
    count: i64,
    event_properties: Option<&'static str>,
    raw: Option<&'static [u8]>,
}

const fn row(email: &'static str) -> Row {
    Row {
        email,
        city: None,
        note: None,
        items: None,
        lat_lon: None,
        count: 7,
        event_properties: None,
        raw: None,
    }
}

/// Ten rows, in row groups of four: every column type, nulls, empty and missing lists.
fn rows() -> Vec<Row> {
    vec![
        Row {
            city: Some("Paris"),
            lat_lon: Some((48.8566, 2.3522)),
            ..row("jane.doe@example.com")
        },
        Row {
            note: Some("call Jane Doe about 203.0.113.9"),
            items: Some(&["first@example.org", "no address", "second@example.org"]),
            ..row("john@example.net")
        },
        Row {
            items: Some(&[]),
            event_properties: Some(r#"{"$email":"inner@example.com","plan":"pro"}"#),
            ..row("a@example.com")
        },
        Row {
            city: Some("not a place"),
            raw: Some(b"raw 198.51.100.23 text"),
            ..row("b@example.com")
        },
        Row {
            raw: Some(b"\xff\xfe binary 198.51.100.24 \x00"),
            count: 4_000_000_000,
            ..row("c@example.com")
        },
        Row {
            lat_lon: Some((-33.8688, 151.2093)),
            city: Some("Sydney"),
            ..row("d@example.com")
        },
        row("e@example.com"),
        Row {
            note: Some("{\"user\":{\"email\":\"nested@example.com\"}}"),
            ..row("f@example.com")
        },
        row("g@example.com"),
        Row {
            city: Some("Berlin"),
            items: Some(&["last@example.org"]),
            ..row("h@example.com")
        },
    ]
}

/// The rows as NDJSON, one line each, as an export of the same events would be.
fn ndjson(rows: &[Row]) -> String {
    let mut out = String::new();
    for r in rows {
        let mut obj = json!({"email": r.email, "properties": {}});
        if let Some(city) = r.city {
            obj["properties"]["city"] = json!(city);
        }
        if let Some(note) = r.note {
            obj["properties"]["note"] = json!(note);
        }
        if let Some(items) = r.items {
            obj["items"] = json!(items);
        }
        if let Some((lat, lon)) = r.lat_lon {
            obj["latitude"] = json!(lat);
            obj["longitude"] = json!(lon);
        }
        obj["count"] = json!(r.count);
        if let Some(props) = r.event_properties {
            obj["event_properties"] = serde_json::from_str(props).unwrap();
        }
        if let Some(raw) = r.raw.and_then(|raw| std::str::from_utf8(raw).ok()) {
            obj["raw"] = json!(raw);
        }
        out.push_str(&obj.to_string());
        out.push('\n');
    }
    out
}

fn text(value: Option<&str>) -> Option<ByteArray> {
    value.map(ByteArray::from)
}

/// Writes `rows` as Parquet, `per_group` rows a row group, without statistics.
fn write_parquet(path: &Path, rows: &[Row], per_group: usize, compression: Compression) {
    let schema = Arc::new(parse_message_type(SCHEMA).unwrap());
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_statistics_enabled(EnabledStatistics::None)
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = SerializedFileWriter::new(file, schema, Arc::new(props)).unwrap();
    for group in rows.chunks(per_group) {
        let mut rg = writer.next_row_group().unwrap();
        // Each optional leaf: its values and definition levels (and repetition levels).
        let optional = |values: Vec<Option<ByteArray>>, present: i16| {
            let def: Vec<i16> = values
                .iter()
                .map(|v| if v.is_some() { present } else { present - 1 })
                .collect();
            (values.into_iter().flatten().collect::<Vec<_>>(), def)
        };
        let mut column = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            match column {
                0 => {
                    let values: Vec<ByteArray> = group.iter().map(|r| r.email.into()).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&values, None, None)
                        .unwrap();
                }
                1 | 2 => {
                    let values = group
                        .iter()
                        .map(|r| text(if column == 1 { r.city } else { r.note }))
                        .collect();
                    let (values, def) = optional(values, 2);
                    col.typed::<ByteArrayType>()
                        .write_batch(&values, Some(&def), None)
                        .unwrap();
                }
                3 => {
                    let (mut values, mut def, mut rep) = (Vec::new(), Vec::new(), Vec::new());
                    for r in group {
                        match r.items {
                            None => {
                                def.push(0);
                                rep.push(0);
                            }
                            Some([]) => {
                                def.push(1);
                                rep.push(0);
                            }
                            Some(items) => {
                                for (i, item) in items.iter().enumerate() {
                                    values.push(ByteArray::from(*item));
                                    def.push(3);
                                    rep.push(i16::from(i > 0));
                                }
                            }
                        }
                    }
                    col.typed::<ByteArrayType>()
                        .write_batch(&values, Some(&def), Some(&rep))
                        .unwrap();
                }
                4 | 5 => {
                    let pick = |(lat, lon): (f64, f64)| if column == 4 { lat } else { lon };
                    let values: Vec<f64> =
                        group.iter().filter_map(|r| r.lat_lon.map(pick)).collect();
                    let def: Vec<i16> = group.iter().map(|r| r.lat_lon.is_some() as i16).collect();
                    col.typed::<DoubleType>()
                        .write_batch(&values, Some(&def), None)
                        .unwrap();
                }
                6 => {
                    let values: Vec<i64> = group.iter().map(|r| r.count).collect();
                    col.typed::<Int64Type>()
                        .write_batch(&values, None, None)
                        .unwrap();
                }
                7 | 8 => {
                    let values = group
                        .iter()
                        .map(|r| match column {
                            7 => text(r.event_properties),
                            _ => r.raw.map(|raw| ByteArray::from(raw.to_vec())),
                        })
                        .collect();
                    let (values, def) = optional(values, 1);
                    col.typed::<ByteArrayType>()
                        .write_batch(&values, Some(&def), None)
                        .unwrap();
                }
                _ => unreachable!("nine columns"),
            }
            col.close().unwrap();
            column += 1;
        }
        rg.close().unwrap();
    }
    writer.close().unwrap();
}

fn zstd() -> Compression {
    Compression::ZSTD(ZstdLevel::try_new(3).unwrap())
}

fn piiscan(args: &[&str], paths: &[&Path]) -> Output {
    Command::cargo_bin("piiscan")
        .unwrap()
        .args(args)
        .args(paths)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

fn jsonl(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// (line, kind, field, masked) of each finding, in output order.
fn places(found: &[Value]) -> Vec<(u64, String, String, String)> {
    found
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().to_string(),
                f["field"].as_str().unwrap_or("(none)").to_string(),
                f["masked"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_parquet_file_gives_what_the_same_rows_give_as_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    let rows = rows();
    let json = dir.path().join("export.ndjson");
    std::fs::write(&json, ndjson(&rows)).unwrap();
    let mut want = places(&jsonl(&piiscan(
        &["scan", "--format", "jsonl", "--kinds", "all"],
        &[&json],
    )));
    // A text column whose value is JSON is read as JSON; the same text as a JSON string is
    // not parsed, so its key path stops at the string's key.
    for w in want
        .iter_mut()
        .filter(|w| w.0 == 8 && w.2 == "properties.note")
    {
        w.2 = "properties.note.user.email".into();
    }
    // Within a row, NDJSON's keys and Parquet's columns come in different orders.
    want.sort();
    // Everything the table holds, to be sure the comparison compares something.
    for (line, kind, field) in [
        (1, "email", "email"),
        (1, "city", "properties.city"),
        (1, "coordinates", "latitude"),
        (1, "coordinates", "longitude"),
        (2, "email", "items[]"),
        (2, "person_name", "properties.note"),
        (2, "ipv4", "properties.note"),
        (3, "email", "event_properties.$email"),
        (4, "ipv4", "raw"),
        (6, "coordinates", "longitude"),
        (8, "email", "properties.note.user.email"),
        (10, "email", "items[]"),
    ] {
        assert!(
            want.iter()
                .any(|w| (w.0, w.1.as_str(), w.2.as_str()) == (line, kind, field)),
            "{line} {kind} {field} in {want:#?}"
        );
    }
    for (name, compression, per_group) in [
        ("snappy.parquet", Compression::SNAPPY, 4),
        ("zstd.parquet", zstd(), 3),
        ("gzip.bin", Compression::GZIP(Default::default()), 10),
        ("lz4.parquet", Compression::LZ4_RAW, 1),
        ("plain.parquet", Compression::UNCOMPRESSED, 4),
    ] {
        let path = dir.path().join(name);
        write_parquet(&path, &rows, per_group, compression);
        for threads in ["1", "2"] {
            let out = piiscan(
                &[
                    "scan",
                    "--format",
                    "jsonl",
                    "--kinds",
                    "all",
                    "--threads",
                    threads,
                ],
                &[&path],
            );
            assert_eq!(out.status.code(), Some(1), "{name}: {out:?}");
            let found = jsonl(&out);
            let mut got = places(&found);
            let rows: Vec<u64> = got.iter().map(|g| g.0).collect();
            assert!(rows.is_sorted(), "{name}: findings in row order");
            got.sort();
            assert_eq!(got, want, "{name}, {threads} threads");
            // Column and offset count bytes within the value.
            for f in &found {
                assert_eq!(
                    f["offset"].as_u64().unwrap() + 1,
                    f["column"].as_u64().unwrap()
                );
            }
            let inner = found
                .iter()
                .find(|f| f["field"] == "event_properties.$email")
                .unwrap();
            assert_eq!(inner["column"], 12, "{name}");
        }
    }
}

#[test]
fn without_parquet_reading_a_zstd_file_would_show_nothing() {
    // The premise of the issue: compressed pages and no statistics leave nothing to see in
    // the bytes, so only decoding finds anything.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.parquet");
    // Enough distinct addresses for zstd to code its literals: none is left as it was.
    let emails: Vec<&'static str> = (0..3000)
        .map(|i| &*format!("user.{i}@example.com").leak())
        .collect();
    let many: Vec<Row> = emails.iter().map(|e| row(e)).collect();
    write_parquet(&path, &many, 1000, zstd());
    let bytes = std::fs::read(&path).unwrap();
    assert!(memchr::memmem::find(&bytes, b"@example.").is_none());
    // Small batches (the chunk size sets them) and several threads cut a row group into
    // rounds of batches scanned side by side: the findings come out the same, in row order.
    for (threads, chunk) in [("1", "524288"), ("3", "524288"), ("3", "1"), ("1", "1")] {
        let args = [
            "scan",
            "--format",
            "jsonl",
            "--threads",
            threads,
            "--chunk-size",
            chunk,
        ];
        let out = piiscan(&args, &[&path]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let found = jsonl(&out);
        assert_eq!(found.len(), 3000);
        for (i, f) in found.iter().enumerate() {
            assert_eq!((&f["kind"], &f["line"]), (&json!("email"), &json!(i + 1)));
        }
    }
    // All ten rows of the table, besides.
    let table = dir.path().join("table.parquet");
    write_parquet(&table, &rows(), 4, zstd());
    let out = piiscan(&["scan", "--format", "jsonl"], &[&table]);
    let emails = jsonl(&out).iter().filter(|f| f["kind"] == "email").count();
    assert_eq!(emails, 15);
}

#[test]
fn gate_fails_and_report_counts_a_parquet_export() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.parquet");
    write_parquet(&path, &rows(), 4, zstd());
    let out = piiscan(&["gate", "--format", "jsonl"], &[&path]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let verdict = String::from_utf8_lossy(&out.stderr);
    assert!(verdict.contains("FAIL"), "{verdict}");
    assert!(jsonl(&out).iter().any(|f| f["field"] == "properties.city"));
    crate::report::assert_report_matches_findings(&[path.to_str().unwrap()]);
}

#[test]
fn a_damaged_parquet_file_is_an_error_for_scan_and_gate() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    write_parquet(&good, &rows(), 4, zstd());
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("truncated.parquet");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    // No extension: known by its magic at the start alone.
    let headless = dir.path().join("export.bin");
    std::fs::write(&headless, &bytes[..bytes.len() - 9]).unwrap();
    // The footer is whole, a page is not: the first row group reads, the damage is named.
    let corrupt = dir.path().join("corrupt.parquet");
    let mut damaged = bytes.clone();
    damaged[4..64].fill(0xff);
    std::fs::write(&corrupt, damaged).unwrap();
    let not_parquet = dir.path().join("notes.parquet");
    std::fs::write(&not_parquet, b"just text, named like parquet\n").unwrap();
    for (path, says) in [
        (&truncated, "PAR1 magic is missing"),
        (&headless, "PAR1 magic is missing"),
        (&corrupt, "row group 0"),
        (&not_parquet, "PAR1 magic is missing"),
    ] {
        for job in ["scan", "gate"] {
            let out = piiscan(&[job, "--format", "jsonl"], &[path, &good]);
            assert_eq!(out.status.code(), Some(2), "{job} {path:?}: {out:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(
                stderr.contains(&format!("{name}: cannot read")) && stderr.contains(says),
                "{job}: {stderr}"
            );
            // The good file is still scanned.
            assert!(jsonl(&out)
                .iter()
                .any(|f| f["path"].as_str().unwrap().ends_with("good.parquet")));
        }
    }
}

/// A Parquet file that comes as a stream is read like the file: on standard input, zstd'd,
/// as a member of a ZIP (stored or deflated) or of a tar.gz (its footer is at its end, so it
/// is first copied to a temporary file). A damaged one is an error naming the member, and a
/// gate over it exits 2.
#[test]
fn parquet_from_standard_input_compressed_or_in_an_archive_is_read() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.parquet");
    write_parquet(&path, &rows(), 4, Compression::SNAPPY);
    let bytes = std::fs::read(&path).unwrap();
    let scan = ["scan", "--format", "jsonl", "--kinds", "all"];
    let want = places(&jsonl(&piiscan(&scan, &[&path])));
    assert!(want.len() > 10, "{want:?}");

    let out = Command::cargo_bin("piiscan")
        .unwrap()
        .args(scan)
        .arg("-")
        .write_stdin(bytes.clone())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(places(&jsonl(&out)), want, "stdin");

    let zst = dir.path().join("export.parquet.zst");
    std::fs::write(&zst, zstd::encode_all(&bytes[..], 3).unwrap()).unwrap();
    let out = piiscan(&scan, &[&zst]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let found = jsonl(&out);
    assert_eq!(places(&found), want, "zstd");
    assert_eq!(found[0]["compressed"], "zstd");

    let damaged = &bytes[..bytes.len() - 100];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, method) in [
        (
            "a/stored.parquet",
            &bytes[..],
            zip::CompressionMethod::Stored,
        ),
        (
            "a/deflated.parquet",
            &bytes[..],
            zip::CompressionMethod::Deflated,
        ),
        ("a/cut.parquet", damaged, zip::CompressionMethod::Stored),
    ] {
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        zip.start_file(name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    let zip_path = dir.path().join("export.zip");
    std::fs::write(&zip_path, zip.finish().unwrap().into_inner()).unwrap();
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    tar.append_data(&mut header, "day/export.parquet", &bytes[..])
        .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    let tgz = dir.path().join("export.tar.gz");
    std::fs::write(&tgz, gz.finish().unwrap()).unwrap();

    let out = piiscan(&scan, &[&zip_path, &tgz]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("export.zip!a/cut.parquet: cannot read it as Parquet"),
        "{stderr}"
    );
    let found = jsonl(&out);
    for member in [
        "export.zip!a/stored.parquet",
        "export.zip!a/deflated.parquet",
        "export.tar.gz!day/export.parquet",
    ] {
        let of: Vec<Value> = found
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(member))
            .cloned()
            .collect();
        assert_eq!(places(&of), want, "{member}");
    }
    let out = piiscan(&["gate"], &[&zip_path]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("the gate cannot vouch for it"));
}

/// Writes a large export as Parquet (snappy, row groups of DuckDB's 122,880 rows, and one
/// row group) and as NDJSON, into `$PIISCAN_PARQUET_OUT`, to time and weigh the release
/// binary on them by hand (figures in BENCHMARKS.md):
/// `PIISCAN_PARQUET_OUT=/tmp/pq cargo test --test it write_a_large_parquet_export -- --ignored`
#[test]
#[ignore]
fn write_a_large_parquet_export() {
    let Some(out) = std::env::var_os("PIISCAN_PARQUET_OUT") else {
        return;
    };
    let out = Path::new(&out);
    std::fs::create_dir_all(out).unwrap();
    const CITIES: [&str; 6] = ["Paris", "Lyon", "Berlin", "Sydney", "Osaka", "Leeds"];
    const NOTES: [&str; 4] = [
        "clicked the pricing page",
        "support call with Jane Doe",
        "login from 203.0.113.9",
        "nothing to see here at all",
    ];
    let rows: Vec<Row> = (0..1_000_000usize)
        .map(|i| Row {
            city: Some(CITIES[i % CITIES.len()]),
            note: Some(NOTES[i % NOTES.len()]),
            items: (i % 5 == 0).then_some(&["first@example.org", "second@example.org"][..]),
            lat_lon: (i % 3 == 0).then(|| (48.0 + (i % 1000) as f64 / 1000.0, 2.3522)),
            event_properties: (i % 4 == 0).then_some(
                r#"{"plan":"pro","$browser":"Chrome","referrer":"https://example.com/a"}"#,
            ),
            ..row(format!("user.{i}@example.com").leak())
        })
        .collect();
    std::fs::write(out.join("big.ndjson"), ndjson(&rows)).unwrap();
    write_parquet(
        &out.join("big.parquet"),
        &rows,
        122_880,
        Compression::SNAPPY,
    );
    write_parquet(&out.join("one-group.parquet"), &rows, rows.len(), zstd());
}

//! Compressed inputs: gzip (multi-member too), zstd, xz and bzip2 (concatenated streams too, as
//! `xz -d` and `bzip2 -d` read them), recognised by their magic bytes rather than their
//! extension, and streamed through the same chunk engine as any other stream.
//!
//! A decompressed stream is guarded: its output is compared with the compressed bytes read so
//! far, and a ratio beyond the cap (a decompression bomb, or a file that is not what it seems)
//! stops that input with an error naming the offsets. Corrupt and truncated streams also end
//! with an error that says where, in compressed and decompressed bytes; what was decompressed
//! before that point has been scanned.
//!
//! NUL bytes after the last gzip member are padding (tape and block tools round files up to a
//! block), which `gzip -d` skips with a warning: they hold no data, so they are skipped here
//! without an error. Anything else after the last member is still an error.

use std::fmt;
use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The default cap on decompressed bytes per compressed byte. Text exports compress 5-20×
/// with gzip and rarely beyond 100×; bombs reach thousands.
pub const DEFAULT_MAX_RATIO: u64 = 1000;

/// Output below this many bytes is never judged by its ratio (tiny files of zeros are fine).
pub const RATIO_GRACE: u64 = 16 << 20;

/// A compression format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
    Xz,
    Bzip2,
}

impl Compression {
    /// Recognises a format from the first bytes of an input.
    pub fn sniff(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Compression::Xz)
        } else if is_bzip2(head) {
            Some(Compression::Bzip2)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Xz => "xz",
            Compression::Bzip2 => "bzip2",
        }
    }

    /// Wraps a compressed stream into a guarded decompressed one.
    pub fn decoder<'r>(
        self,
        raw: impl Read + Send + 'r,
        max_ratio: u64,
    ) -> io::Result<Box<dyn Read + Send + 'r>> {
        let read = Arc::new(AtomicU64::new(0));
        let counted = Counted {
            inner: raw,
            read: Arc::clone(&read),
        };
        let inner: Box<dyn Read + Send + 'r> = match self {
            Compression::Gzip => Box::new(GzipMembers::new(io::BufReader::with_capacity(
                1 << 16,
                counted,
            ))),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(counted)?),
            Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(
                io::BufReader::with_capacity(1 << 16, counted),
            )),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(counted)),
        };
        Ok(Box::new(Guarded {
            inner,
            format: self,
            compressed: read,
            written: 0,
            max_ratio: max_ratio.max(1),
        }))
    }
}

/// `BZh`, a block size from 1 to 9 (hundreds of KiB), then the magic of a first block (the
/// digits of pi) or of the end of an empty stream (those of the square root of pi): three
/// letters alone would take text that starts with "BZh1" for a compressed file.
fn is_bzip2(head: &[u8]) -> bool {
    const BLOCK: [u8; 6] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
    const END: [u8; 6] = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
    head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && (head[4..10] == BLOCK || head[4..10] == END)
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The members of a gzip file one after the other, like `flate2`'s `MultiGzDecoder`, except
/// that NUL padding after the last member ends the stream instead of failing as a bad header.
struct GzipMembers<R: BufRead> {
    /// The member being read; `None` once the stream is over.
    member: Option<flate2::bufread::GzDecoder<R>>,
}

impl<R: BufRead> GzipMembers<R> {
    fn new(raw: R) -> GzipMembers<R> {
        GzipMembers {
            member: Some(flate2::bufread::GzDecoder::new(raw)),
        }
    }
}

impl<R: BufRead> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(member) = &mut self.member else {
                return Ok(0);
            };
            let n = member.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // The member is over (its trailer checked); what follows it?
            let Some(mut rest) = self.member.take().map(|m| m.into_inner()) else {
                return Ok(0);
            };
            match rest.fill_buf()?.first() {
                None => return Ok(0),
                Some(0) => {
                    skip_padding(&mut rest)?;
                    return Ok(0);
                }
                Some(_) => self.member = Some(flate2::bufread::GzDecoder::new(rest)),
            }
        }
    }
}

/// Reads NUL bytes to the end of the stream; fails at the first other byte.
fn skip_padding(rest: &mut impl BufRead) -> io::Result<()> {
    loop {
        let bytes = rest.fill_buf()?;
        if bytes.is_empty() {
            return Ok(());
        }
        if bytes.iter().any(|&b| b != 0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "data after the NUL padding that follows the last member",
            ));
        }
        let n = bytes.len();
        rest.consume(n);
    }
}

/// Counts the compressed bytes read.
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Enforces the ratio cap and puts offsets into decompression errors.
struct Guarded<'r> {
    inner: Box<dyn Read + Send + 'r>,
    format: Compression,
    compressed: Arc<AtomicU64>,
    written: u64,
    max_ratio: u64,
}

impl Read for Guarded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                // A checksum is checked at the end of what it covers: damaged data has been
                // decompressed, and scanned, before the error can be seen.
                let (what, caveat) = if e.kind() == io::ErrorKind::UnexpectedEof {
                    ("ends early: the file is truncated".to_string(), "")
                } else {
                    (
                        format!("is corrupt ({e})"),
                        "; findings from it before that point may come from the damaged data",
                    )
                };
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{} stream {what}, at decompressed byte {} ({} compressed bytes read){caveat}",
                        self.format,
                        self.written,
                        self.compressed.load(Ordering::Relaxed),
                    ),
                ));
            }
        };
        self.written += n as u64;
        let compressed = self.compressed.load(Ordering::Relaxed).max(1);
        if self.written > RATIO_GRACE && self.written / compressed > self.max_ratio {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} stream expands more than {}:1 ({} bytes from {} compressed bytes); \
                     stopped as a possible decompression bomb (raise --max-ratio to scan it)",
                    self.format, self.max_ratio, self.written, compressed
                ),
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn decode(format: Compression, data: &[u8], max_ratio: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        format.decoder(data, max_ratio)?.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(Compression::sniff(&gzip(b"x")), Some(Compression::Gzip));
        let z = zstd::encode_all(&b"x"[..], 3).unwrap();
        assert_eq!(Compression::sniff(&z), Some(Compression::Zstd));
        assert_eq!(Compression::sniff(b"{\"a\":1}"), None);
        assert_eq!(Compression::sniff(b""), None);
    }

    #[test]
    fn multi_member_gzip_is_read_whole() {
        let mut data = gzip(b"first\n");
        data.extend(gzip(b"second\n"));
        assert_eq!(
            decode(Compression::Gzip, &data, 1000).unwrap(),
            b"first\nsecond\n"
        );
    }

    #[test]
    fn nul_padding_after_the_last_gzip_member_is_skipped() {
        let two = [gzip(b"first\n"), gzip(b"second\n")].concat();
        // (what follows the members, the error expected or None)
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"", None),
            (&[0], None),
            (&[0; 512], None),
            (&[0; 200_000], None),
            (b"\0\0garbage", Some("data after the NUL padding")),
            (b"garbage, not a gzip member", Some("invalid gzip header")),
        ];
        for (i, &(tail, error)) in cases.iter().enumerate() {
            for data in [gzip(b"first\nsecond\n"), two.clone()] {
                let data = [&data[..], tail].concat();
                match (decode(Compression::Gzip, &data, 1000), error) {
                    (Ok(out), None) => assert_eq!(out, b"first\nsecond\n", "case {i}"),
                    (Err(e), Some(want)) => {
                        assert!(e.to_string().contains(want), "case {i}: {e}");
                        assert!(e.to_string().starts_with("gzip stream is corrupt"), "{e}");
                    }
                    (got, want) => panic!("case {i}: got {got:?}, want error {want:?}"),
                }
            }
        }
    }

    fn xz(data: &[u8]) -> Vec<u8> {
        let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 6);
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn bzip2(data: &[u8]) -> Vec<u8> {
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// Every format, its encoder: each round-trips, reads concatenated streams whole, and says
    /// where a truncated one ends.
    #[test]
    fn every_format_round_trips_and_reports_truncation() {
        type Encode = fn(&[u8]) -> Vec<u8>;
        let encoders: [(Compression, Encode); 4] = [
            (Compression::Gzip, gzip),
            (Compression::Zstd, |d| zstd::encode_all(d, 3).unwrap()),
            (Compression::Xz, xz),
            (Compression::Bzip2, bzip2),
        ];
        let text = b"line one jane@example.com\nline two 203.0.113.9\n".repeat(5000);
        for (format, encode) in encoders {
            let data = encode(&text);
            assert_eq!(Compression::sniff(&data), Some(format), "{format}");
            assert_eq!(decode(format, &data, 1000).unwrap(), text, "{format}");
            let two = [encode(b"first\n"), encode(b"second\n")].concat();
            assert_eq!(
                decode(format, &two, 1000).unwrap(),
                b"first\nsecond\n",
                "{format}: concatenated streams"
            );
            let err = decode(format, &data[..data.len() / 2], 1000).unwrap_err();
            let message = err.to_string();
            assert!(message.starts_with(format.name()), "{format}: {message}");
            assert!(
                message.contains("compressed bytes read"),
                "{format}: {message}"
            );
            assert!(message.contains("truncated"), "{format}: {message}");
        }
    }

    /// Magic bytes decide, and only whole ones: text that starts like bzip2's three letters
    /// is text.
    #[test]
    fn xz_and_bzip2_magic_bytes() {
        let cases: &[(&[u8], Option<Compression>)] = &[
            (b"\xfd7zXZ\x00\x00\x04", Some(Compression::Xz)),
            (b"\xfd7zXZ", None),
            (b"BZh91AY&SY....", Some(Compression::Bzip2)),
            (
                b"BZh9\x17\x72\x45\x38\x50\x90\0\0\0\0",
                Some(Compression::Bzip2),
            ),
            (b"BZh1 is a model number\n", None),
            (b"BZh0" as &[u8], None),
            (b"BZh", None),
        ];
        for &(head, want) in cases {
            assert_eq!(Compression::sniff(head), want, "{head:?}");
        }
    }

    #[test]
    fn zstd_round_trips() {
        let z = zstd::encode_all(&b"line one\nline two\n"[..], 3).unwrap();
        assert_eq!(
            decode(Compression::Zstd, &z, 1000).unwrap(),
            b"line one\nline two\n"
        );
    }

    #[test]
    fn truncated_and_corrupt_streams_say_where() {
        let data = gzip(&b"some text that compresses\n".repeat(1000));
        let err = decode(Compression::Gzip, &data[..data.len() / 2], 1000).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(err.to_string().contains("compressed byte"), "{err}");
        let mut bad = data.clone();
        for b in &mut bad[20..40] {
            *b ^= 0x55;
        }
        let err = decode(Compression::Gzip, &bad, 1000).unwrap_err();
        assert!(err.to_string().starts_with("gzip"), "{err}");
    }

    #[test]
    fn bombs_are_stopped() {
        let zeros = vec![0u8; 64 << 20];
        let data = gzip(&zeros);
        let err = decode(Compression::Gzip, &data, 100).unwrap_err();
        assert!(err.to_string().contains("decompression bomb"), "{err}");
        assert_eq!(
            decode(Compression::Gzip, &data, 10_000).unwrap().len(),
            64 << 20
        );
    }
}

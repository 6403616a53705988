//! UTF-16 text, recognised by its byte-order mark and decoded to UTF-8 before it is chunked.
//!
//! Windows writes UTF-16 more often than one would think: PowerShell's `>` redirection and
//! `Out-File` write UTF-16LE with a BOM (`FF FE`), and so does Notepad's "Unicode". Every other
//! byte of ASCII text in UTF-16 is a NUL, so without decoding such an export is skipped as
//! binary, and scanned with `--binary` its addresses are cut apart by NULs and not found: a gate
//! would pass it whatever it holds. ripgrep decodes it the same way (`encoding_rs_io` with BOM
//! sniffing); so does this module, after decompression, so a gzip'd UTF-16 file is read too.
//!
//! Only a BOM decides. UTF-16 without one cannot be told from binary data by its first bytes, so it
//! is still skipped as binary; and a Latin-1 file that happens to start with `ÿþ` is read as
//! UTF-16LE, as ripgrep reads it: rare, against a common Windows export. A UTF-8 BOM is left alone:
//! that file is read in place like any other UTF-8 file, its offsets those of the bytes on disk. A
//! decoded file is streamed (not scanned in place), and its offsets, lines and columns count in the
//! UTF-8 text, as those of a decompressed stream count in the decompressed bytes. Invalid UTF-16
//! (an odd trailing byte, a lone surrogate) becomes U+FFFD; it never stops the scan. Files without
//! a UTF-16 BOM pay only the look at their first two bytes.

use std::fmt;
use std::io::Read;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// The byte order of a UTF-16 input, as its BOM says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf16 {
    Le,
    Be,
}

impl Utf16 {
    /// Recognises UTF-16 from the BOM at the start of an input (`FF FE` or `FE FF`).
    pub fn sniff(head: &[u8]) -> Option<Utf16> {
        match Encoding::for_bom(head) {
            Some((encoding, _)) if encoding == UTF_16LE => Some(Utf16::Le),
            Some((encoding, _)) if encoding == UTF_16BE => Some(Utf16::Be),
            _ => None,
        }
    }

    /// The WHATWG name of the encoding: `UTF-16LE` or `UTF-16BE`.
    pub fn name(self) -> &'static str {
        self.encoding().name()
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            Utf16::Le => UTF_16LE,
            Utf16::Be => UTF_16BE,
        }
    }

    /// Wraps a UTF-16 stream (BOM included) into its UTF-8 text, without the BOM.
    pub fn decoder<'r>(self, raw: impl Read + Send + 'r) -> Box<dyn Read + Send + 'r> {
        // The encoding is given, not sniffed again: the decoder drops the BOM that matches it.
        // A 64 KiB buffer, as for the decompressors: the default 8 KiB costs more calls.
        let decoder = DecodeReaderBytesBuilder::new()
            .encoding(Some(self.encoding()))
            .build_with_buffer(raw, vec![0; 1 << 16])
            .expect("a 64 KiB buffer is large enough");
        Box::new(decoder)
    }
}

impl fmt::Display for Utf16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "mail jane@example.com\nip 203.0.113.9, café 王芳 😀\n";

    fn utf16le(text: &str) -> Vec<u8> {
        let mut out = vec![0xff, 0xfe];
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    fn utf16be(text: &str) -> Vec<u8> {
        let mut out = vec![0xfe, 0xff];
        out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        out
    }

    fn decode(format: Utf16, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        format.decoder(data).read_to_end(&mut out).unwrap();
        out
    }

    /// A reader that hands out one byte at a time: code units and surrogate pairs are cut.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn sniffs_only_utf16_boms() {
        assert_eq!(Utf16::sniff(&utf16le("x")), Some(Utf16::Le));
        assert_eq!(Utf16::sniff(&utf16be("x")), Some(Utf16::Be));
        assert_eq!(Utf16::sniff(&[0xff, 0xfe]), Some(Utf16::Le));
        let cases: &[&[u8]] = &[
            b"",
            &[0xff],
            &[0xfe],
            b"\xef\xbb\xbfUTF-8 with a BOM",
            b"{\"a\":1}",
            // UTF-16LE without a BOM: binary, as before.
            b"a\0b\0",
            &[0x1f, 0x8b, 8, 0],
        ];
        for case in cases {
            assert_eq!(Utf16::sniff(case), None, "{case:?}");
        }
        assert_eq!(Utf16::Le.name(), "UTF-16LE");
        assert_eq!(Utf16::Be.to_string(), "UTF-16BE");
    }

    #[test]
    fn both_byte_orders_decode_to_the_utf8_text_without_the_bom() {
        for (format, data) in [(Utf16::Le, utf16le(TEXT)), (Utf16::Be, utf16be(TEXT))] {
            assert_eq!(decode(format, &data), TEXT.as_bytes(), "{format}");
            let mut out = Vec::new();
            format
                .decoder(Trickle(&data))
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, TEXT.as_bytes(), "{format}, a byte at a time");
        }
    }

    #[test]
    fn text_longer_than_the_buffer_decodes_whole() {
        let text = TEXT.repeat(20_000);
        assert!(text.len() * 2 > 1 << 20);
        assert_eq!(decode(Utf16::Le, &utf16le(&text)), text.as_bytes());
    }

    /// Bad UTF-16 is replaced, never a panic or an error.
    #[test]
    fn invalid_utf16_becomes_replacement_characters() {
        // (the bytes after a UTF-16LE BOM, the text expected)
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"a\0b", "a\u{fffd}"),
            (b"a", "\u{fffd}"),
            // A lone high surrogate, then 'x'.
            (b"\x00\xd8x\0", "\u{fffd}x"),
            // A lone low surrogate, at the end.
            (b"y\0\x00\xdc", "y\u{fffd}"),
            // A high surrogate cut by the end of the stream.
            (b"z\0\x3d\xd8", "z\u{fffd}"),
            // A NUL character stays a NUL byte: such a file is still found binary.
            (b"\0\0", "\0"),
        ];
        for &(body, want) in cases {
            let data = [&[0xff, 0xfe][..], body].concat();
            assert_eq!(
                String::from_utf8(decode(Utf16::Le, &data)).unwrap(),
                want,
                "{body:?}"
            );
        }
    }
}

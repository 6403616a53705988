//! Archives written again member by member: a ZIP or tar input becomes a ZIP or tar of the
//! same members, in the same order, with the same names and modes, each member redacted and
//! compressed as it was (a `.json.gz` member stays gzip'd), the archive compressed as it was
//! (a `.tar.gz` stays a `.tar.gz`).
//!
//! The scan tells each archive's begin and end and, between them, its members as inputs of
//! their own ([`crate::sink::Archive`]): a member's redacted bytes go to an anonymous
//! temporary file, since a tar header holds the member's size and a replacement changes it,
//! then are appended to the archive being written. Memory holds no member and no archive:
//! the disk holds the member being written (one per level of nesting) and, for a ZIP, the
//! archive itself until it is copied into place (a ZIP writer seeks back into what it wrote).
//!
//! Fail closed. A member piiscan does not read (binary, encrypted, compressed with a method
//! it cannot read, nested too deep) could hold what a copy is meant not to: passing it through
//! unread would ship it, and dropping it would ship an archive that is silently not the
//! input's. So the whole archive gets no copy, and the run fails (exit 2) naming the member.
//! The same holds for a member that could not be read to its end, a Parquet member (its
//! chunks are not its bytes) and a symbolic link in a ZIP (its target is data the scan does
//! not hand over).
//!
//! What is not kept: a tar's pax records other than the path and size (extended attributes,
//! sub-second times) and GNU long link names; a ZIP's comments and extra fields. A ZIP member
//! is written with the method it had (stored, deflate, zstd), at the default level.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use crate::source::archive::{Container, Entry, EntryHeader};

use super::Encoded;

/// Where bytes of a copy go: the copy of an input, or a temporary file that becomes a member.
pub(super) enum Target {
    Output(crate::output::Output),
    Temp(File),
}

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Target::Output(o) => o.write(buf),
            Target::Temp(f) => f.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Target::Output(o) => o.write_all(buf),
            Target::Temp(f) => f.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Target::Output(o) => o.flush(),
            Target::Temp(f) => f.flush(),
        }
    }
}

/// An archive being written.
enum Writer {
    Tar(tar::Builder<Encoded<Target>>),
    /// A ZIP is written to a temporary file (its writer seeks), then copied to `out`.
    Zip {
        zip: Box<zip::ZipWriter<File>>,
        out: Encoded<Target>,
    },
}

/// An archive being written, and where it goes.
pub(super) struct Open {
    /// `None` once something failed: nothing more is written, and no copy is made.
    writer: Option<Writer>,
    /// Its entry in the archive it is a member of.
    entry: Option<Entry>,
    /// The path as printed, and where the copy goes (top level only).
    pub path: String,
    pub destination: Option<PathBuf>,
}

impl Open {
    /// Starts writing an archive into `target`, compressed as `compression` says.
    pub fn new(
        container: Container,
        target: Target,
        compression: Option<crate::source::decompress::Compression>,
        entry: Option<Entry>,
        path: String,
        destination: Option<PathBuf>,
    ) -> Result<Open, String> {
        let out = Encoded::new(target, compression).map_err(|e| e.to_string())?;
        let writer = match container {
            Container::Tar => Writer::Tar(tar::Builder::new(out)),
            Container::Zip => Writer::Zip {
                zip: Box::new(zip::ZipWriter::new(
                    tempfile::tempfile().map_err(|e| e.to_string())?,
                )),
                out,
            },
            Container::Unsupported(what) => return Err(format!("{what} is not written")),
        };
        Ok(Open {
            writer: Some(writer),
            entry,
            path,
            destination,
        })
    }

    /// An archive of which no copy will be made, from its begin.
    pub fn failed_at(path: String) -> Open {
        Open {
            writer: None,
            entry: None,
            path,
            destination: None,
        }
    }

    pub fn failed(&self) -> bool {
        self.writer.is_none()
    }

    /// No copy of this archive will be made.
    pub fn fail(&mut self) {
        self.writer = None;
    }

    /// Appends a member whose redacted bytes are in `data` (read from its start).
    pub fn append(&mut self, entry: &Entry, data: File) -> Result<(), String> {
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let written = append(writer, entry, data);
        if written.is_err() {
            self.fail();
        }
        written
    }

    /// Appends a member that has no data (a directory, a link).
    pub fn other(&mut self, entry: &Entry) -> Result<(), String> {
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let written = match (writer, &entry.header) {
            (Writer::Tar(tar), EntryHeader::Tar { block, long_name }) => {
                let mut header = tar::Header::from_byte_slice(&block[..]).clone();
                header.set_size(0);
                tar_append(tar, header, *long_name, &entry.name, io::empty())
            }
            (Writer::Zip { zip, .. }, EntryHeader::Zip { symlink: false, .. }) => {
                let name = String::from_utf8_lossy(&entry.name).into_owned();
                zip.add_directory(name, zip_options(&entry.header, 0))
                    .map_err(|e| e.to_string())
            }
            (Writer::Zip { .. }, EntryHeader::Zip { symlink: true, .. }) => {
                Err("a symbolic link in a ZIP is not copied (its target is not read)".into())
            }
            _ => Err("a member's header is not of its archive's format".into()),
        };
        if written.is_err() {
            self.fail();
        }
        written
    }

    /// Finishes the archive: where it went, and its entry in its parent.
    pub fn finish(self) -> Result<(Target, Option<Entry>), String> {
        let Some(writer) = self.writer else {
            return Err("a member could not be redacted".into());
        };
        let out = match writer {
            Writer::Tar(tar) => tar.into_inner().map_err(|e| e.to_string())?,
            Writer::Zip { zip, mut out } => {
                let mut file = zip.finish().map_err(|e| e.to_string())?;
                file.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
                io::copy(&mut file, &mut out).map_err(|e| e.to_string())?;
                out
            }
        };
        let target = out.finish().map_err(|e| e.to_string())?;
        Ok((target, self.entry))
    }
}

fn append(writer: &mut Writer, entry: &Entry, mut data: File) -> Result<(), String> {
    let size = data.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
    data.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    match (writer, &entry.header) {
        (Writer::Tar(tar), EntryHeader::Tar { block, long_name }) => {
            let mut header = tar::Header::from_byte_slice(&block[..]).clone();
            header.set_size(size);
            tar_append(tar, header, *long_name, &entry.name, data)
        }
        (Writer::Zip { zip, .. }, header @ EntryHeader::Zip { .. }) => {
            let options = zip_options(header, size).name(&entry.name);
            zip.start_file_with_options(options)
                .map_err(|e| e.to_string())?;
            io::copy(&mut data, zip)
                .map(drop)
                .map_err(|e| e.to_string())
        }
        _ => Err("a member's header is not of its archive's format".into()),
    }
}

/// Appends a tar member: its own header block with the new size, the name it holds kept
/// byte for byte; a long name is written as a GNU long name entry before it.
fn tar_append<W: Write, R: Read>(
    tar: &mut tar::Builder<W>,
    mut header: tar::Header,
    long_name: bool,
    name: &[u8],
    data: R,
) -> Result<(), String> {
    if long_name {
        #[cfg(unix)]
        let path = {
            use std::os::unix::ffi::OsStrExt;
            std::path::Path::new(std::ffi::OsStr::from_bytes(name))
        };
        #[cfg(not(unix))]
        let owned = String::from_utf8_lossy(name).into_owned();
        #[cfg(not(unix))]
        let path = std::path::Path::new(&owned);
        return tar
            .append_data(&mut header, path, data)
            .map_err(|e| e.to_string());
    }
    header.set_cksum();
    tar.append(&header, data).map_err(|e| e.to_string())
}

fn zip_options(header: &EntryHeader, size: u64) -> zip::write::SimpleFileOptions {
    let mut options = zip::write::SimpleFileOptions::default().large_file(size > u32::MAX as u64);
    if let EntryHeader::Zip {
        method,
        unix_mode,
        modified,
        ..
    } = header
    {
        options = options.compression_method(*method);
        if let Some(mode) = unix_mode {
            options = options.unix_permissions(*mode);
        }
        if let Some(modified) = modified {
            options = options.last_modified_time(*modified);
        }
    }
    options
}

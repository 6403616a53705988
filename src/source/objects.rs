//! Object storage as a source: `s3://`, `gs://`, `az://` (and `abfs://`, `azure://`),
//! `http(s)://` for one object, and `file://`, read with the `object_store` crate.
//!
//! An object-storage URL is what a folder is on disk: its prefix is listed (`prefix/`, never
//! `prefix-2/`), the objects are sorted by their names below it component by component, as a
//! walk of the same files on disk sorts them, and each object is one input named by its URL.
//! So `--shard K/N` hashes an object's name below the prefix exactly as a file's path below
//! its folder ([`Object::relative`]), and a report of the bucket lists, counts and merges as
//! one of the same files on disk. A URL whose prefix holds nothing is tried as one object, a
//! file named: known by its last name. `http(s)://` names one object (HTTP cannot list).
//!
//! Objects are streams, never mapped: each is one GET whose body is read as it arrives (the
//! crate resumes a body cut short with a ranged GET of the rest, checking the ETag), so
//! memory holds a network buffer, not the object; then it goes through the same decoding,
//! sniffing and archive reading as standard input does ([`super::Input::Stream`]). A ZIP or a
//! Parquet file, whose directory is at its end, is spooled to an anonymous temporary file by
//! the driver as any stream is.
//!
//! The crate is async; piiscan is not. One tokio runtime with one worker thread, made the
//! first time a URL is named and only then, drives every request; the reading threads block
//! on it. Nothing outside this module sees tokio. Credentials come from the environment as
//! each provider's tools read them (`AWS_*`, `GOOGLE_*`, `AZURE_*`: the crate's `from_env`
//! builders; `AWS_ENDPOINT_URL` and `AWS_ALLOW_HTTP` point it at another S3 server). A
//! listing that fails is an error naming the URL, so the run fails closed as for a folder that
//! cannot be read; no message shows a credential or a signed URL's query string
//! ([`crate::scrub::url_secrets`]).

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use futures_util::stream::{BoxStream, StreamExt};
use object_store::path::Path as Key;
use object_store::{GetResultPayload, ObjectMeta, ObjectStore, ObjectStoreExt};
use url::Url;

use super::walk::Walked;
use super::{SkipReason, SourceError, Target};
use crate::scrub::url_secrets;

/// The schemes read as object storage.
const SCHEMES: [&str; 9] = [
    "s3", "s3a", "gs", "az", "azure", "abfs", "abfss", "file", "http",
];

/// Whether `path`, as named, is a URL of object storage (or `https://`).
pub fn is_url(path: &Path) -> bool {
    let Some(text) = path.to_str() else {
        return false;
    };
    text.split_once("://")
        .is_some_and(|(scheme, _)| SCHEMES.contains(&scheme) || scheme == "https")
}

/// Whether `path` is a URL that names a prefix, listed like a folder (every scheme but
/// `http(s)`, which names one object).
pub fn is_prefix(path: &Path) -> bool {
    is_url(path) && !path.to_str().is_some_and(is_http)
}

fn is_http(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://")
}

/// One object to read.
pub struct Object {
    store: Arc<dyn ObjectStore>,
    key: Key,
    /// Its size as listed (`None` for `http(s)`, which is not listed).
    size: Option<u64>,
    /// Its name below the prefix named, `/`-separated (its last name when the URL named the
    /// object itself): what it is sharded by, as a file by its path below its folder.
    pub relative: String,
    /// The file a `file://` object is, so that the run's own output is not read and no
    /// output replaces an input.
    pub local: Option<PathBuf>,
}

impl Object {
    /// Whether it is known to hold nothing (listed with size 0).
    pub fn is_empty(&self) -> bool {
        self.size == Some(0)
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        self.key == other.key && self.relative == other.relative
    }
}

impl Eq for Object {}

/// Without the store, whose configuration may hold credentials.
impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("key", &self.key.as_ref())
            .field("size", &self.size)
            .field("relative", &self.relative)
            .finish()
    }
}

/// The runtime every request runs on: one worker thread, made on first use.
fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            // reqwest is built without a TLS provider of its own: rustls over ring, lighter
            // to build than aws-lc-rs (a C library) and enough for reading objects; rustls
            // deprecates it only for want of post-quantum key exchange.
            #[allow(deprecated)]
            let _ = rustls::crypto::ring::default_provider().install_default();
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("piiscan-objects")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the object storage client: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// An object store's error as a message that names no secret.
fn message(e: &object_store::Error) -> String {
    let text = match e {
        object_store::Error::NotFound { .. } => "no such object".to_string(),
        e => e.to_string(),
    };
    // Its first line, without the body a server answered with (S3's XML can name the access
    // key and echo what was signed).
    let line = text.lines().next().unwrap_or_default();
    let line = line.split(": <").next().unwrap_or(line);
    url_secrets(line).into_owned()
}

/// The URL named, as it is shown: without its query string, fragment or password, so that
/// a signed URL's object is known by its name (`export.csv`, read as CSV by it).
pub fn shown(path: &Path) -> String {
    let text = url_secrets(&path.to_string_lossy()).into_owned();
    match text.find(['?', '#']) {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// A store as built, or why not.
fn built<S: ObjectStore>(store: object_store::Result<S>) -> Result<Arc<dyn ObjectStore>, String> {
    match store {
        Ok(store) => Ok(Arc::new(store)),
        Err(e) => Err(message(&e)),
    }
}

/// A store for `url` with credentials from the environment, and the key (or prefix) the URL
/// names in it.
fn store_of(url: &Url) -> Result<(Arc<dyn ObjectStore>, Key), String> {
    use object_store::aws::AmazonS3Builder;
    use object_store::azure::MicrosoftAzureBuilder;
    use object_store::gcp::GoogleCloudStorageBuilder;
    use object_store::http::HttpBuilder;
    use object_store::local::LocalFileSystem;
    use object_store::ClientConfigKey;

    let text = url.as_str();
    let key = |path: &str| Key::from_url_path(path).map_err(|e| e.to_string());
    Ok(match url.scheme() {
        "s3" | "s3a" => (
            built(AmazonS3Builder::from_env().with_url(text).build())?,
            key(url.path())?,
        ),
        "gs" => (
            built(GoogleCloudStorageBuilder::from_env().with_url(text).build())?,
            key(url.path())?,
        ),
        "az" | "azure" | "abfs" | "abfss" => (
            built(MicrosoftAzureBuilder::from_env().with_url(text).build())?,
            key(url.path())?,
        ),
        "file" => {
            let local = url
                .to_file_path()
                .map_err(|()| "not a local path".to_string())?;
            let key = Key::from_absolute_path(&local).map_err(|e| e.to_string())?;
            (
                Arc::new(LocalFileSystem::new()) as Arc<dyn ObjectStore>,
                key,
            )
        }
        "http" | "https" => {
            // The store is the URL's folder, its query kept (a signed URL's signature goes
            // with every request); the object is its last name.
            let mut base = url.clone();
            let name = base
                .path_segments()
                .and_then(|mut s| s.next_back().map(str::to_string))
                .filter(|name| !name.is_empty())
                .ok_or_else(|| {
                    "an http(s) URL names one object, and this one ends in `/`: name an \
                     object, or list the bucket with s3://, gs:// or az://"
                        .to_string()
                })?;
            base.path_segments_mut()
                .map_err(|()| "not an object's URL".to_string())?
                .pop();
            let store = HttpBuilder::new()
                .with_url(base.as_str())
                .with_config(ClientConfigKey::AllowHttp, "true");
            (built(store.build())?, key(&name)?)
        }
        other => return Err(format!("{other}:// is not a storage piiscan reads")),
    })
}

/// The inputs of the URL named as `path`, in the walk's order: the objects below its prefix,
/// else the object it names; an error, in its place, for what cannot be listed. A `file://`
/// tree keeps the walk's rules (the crate's listing follows every link and reads `.git`): a
/// `.git` folder is left out, and a link out of the tree is skipped unless `follow`.
pub fn walk(path: &Path, follow: bool) -> Vec<Walked> {
    let shown = shown(path);
    let error = |message: String| {
        vec![Walked::Error(SourceError::other(
            Path::new(&shown),
            message,
        ))]
    };
    let url = match path.to_str().map(Url::parse) {
        Some(Ok(url)) => url,
        Some(Err(e)) => return error(format!("not a URL: {e}")),
        None => return error("not a URL: not UTF-8".to_string()),
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(e) => return error(e),
    };
    // Building a store reads no network, but the crate wants its runtime around.
    let _entered = runtime.enter();
    let (store, key) = match store_of(&url) {
        Ok(store) => store,
        Err(e) => return error(e),
    };
    let local = |key: &Key| (url.scheme() == "file").then(|| PathBuf::from(format!("/{key}")));
    let named = |size: Option<u64>| {
        Walked::Target(Target {
            path: PathBuf::from(&shown),
            explicit: true,
            object: Some(Arc::new(Object {
                store: Arc::clone(&store),
                relative: last_name(&key),
                local: local(&key),
                key: key.clone(),
                size,
            })),
        })
    };
    if url.scheme().starts_with("http") {
        return vec![named(None)];
    }
    let (mut listed, failed) = runtime.block_on(list(store.as_ref(), &key));
    // In the walk's order: by name below the prefix, component by component.
    listed.sort_by(|a, b| a.location.parts().cmp(b.location.parts()));
    let base = shown.trim_end_matches('/');
    let tree = local(&key).and_then(|root| std::fs::canonicalize(root).ok());
    let mut walked: Vec<Walked> = listed
        .into_iter()
        .filter_map(|meta| {
            let relative = below(&meta.location, &key)?;
            let shown = format!("{base}/{relative}");
            if let Some(tree) = &tree {
                if relative.split('/').any(|part| part == ".git") {
                    return None;
                }
                let real = local(&meta.location).and_then(|f| std::fs::canonicalize(f).ok());
                if let Some(real) = real.filter(|real| !follow && !real.starts_with(tree)) {
                    return Some(Walked::Skipped {
                        path: shown,
                        reason: SkipReason::LinkOutside(super::display_path(&real)),
                    });
                }
            }
            Some(Walked::Target(Target {
                path: PathBuf::from(shown),
                explicit: false,
                object: Some(Arc::new(Object {
                    store: Arc::clone(&store),
                    local: local(&meta.location),
                    size: Some(meta.size),
                    key: meta.location,
                    relative,
                })),
            }))
        })
        .collect();
    if let Some(e) = failed {
        walked.extend(error(format!("cannot list the objects: {}", message(&e))));
    } else if walked.is_empty() {
        // No object below: the URL may name one.
        match runtime.block_on(store.head(&key)) {
            Ok(meta) => walked.push(named(Some(meta.size))),
            Err(object_store::Error::NotFound { .. }) => {
                return error("no object there, nor below it as a prefix".to_string())
            }
            Err(e) => return error(format!("cannot list the objects: {}", message(&e))),
        }
    }
    walked
}

/// Lists the objects below `prefix`: those listed, and the error that stopped the listing.
async fn list(
    store: &dyn ObjectStore,
    prefix: &Key,
) -> (Vec<ObjectMeta>, Option<object_store::Error>) {
    let prefix = (!prefix.as_ref().is_empty()).then_some(prefix);
    let mut stream = store.list(prefix);
    let mut listed = Vec::new();
    while let Some(next) = stream.next().await {
        match next {
            Ok(meta) => listed.push(meta),
            Err(e) => return (listed, Some(e)),
        }
    }
    (listed, None)
}

/// The name of `key` below `prefix`, `/`-separated; `None` for the prefix itself.
fn below(key: &Key, prefix: &Key) -> Option<String> {
    let parts: Vec<String> = key
        .prefix_match(prefix)?
        .map(|part| part.as_ref().to_string())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn last_name(key: &Key) -> String {
    key.filename().unwrap_or(key.as_ref()).to_string()
}

/// Opens an object as a stream: one GET, its body read as it comes.
pub fn open(object: &Object, shown: &Path) -> Result<Box<dyn Read + Send>, SourceError> {
    let error = |message: String| SourceError::other(shown, message);
    let runtime = runtime().map_err(error)?;
    let got = runtime
        .block_on(object.store.get(&object.key))
        .map_err(|e| error(format!("cannot read the object: {}", message(&e))))?;
    Ok(match got.payload {
        // A local file (`file://`) is read as a file.
        GetResultPayload::File(file, _) => Box::new(file),
        GetResultPayload::Stream(stream) => Box::new(Body {
            stream,
            runtime,
            bytes: bytes::Bytes::new(),
        }),
    })
}

/// An object's body as it arrives, as a [`Read`].
struct Body {
    stream: BoxStream<'static, object_store::Result<bytes::Bytes>>,
    runtime: &'static tokio::runtime::Runtime,
    bytes: bytes::Bytes,
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.bytes.is_empty() {
            match self.runtime.block_on(self.stream.next()) {
                None => return Ok(0),
                Some(Ok(bytes)) => self.bytes = bytes,
                Some(Err(e)) => {
                    return Err(io::Error::other(format!(
                        "the object stopped being read: {}",
                        message(&e)
                    )))
                }
            }
        }
        let n = buf.len().min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes.split_to(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        for url in [
            "s3://b/p/",
            "s3a://b/p",
            "gs://b",
            "az://c/p",
            "abfss://c@a.dfs.core.windows.net/p",
            "https://h/x.csv?sig=1",
            "file:///tmp/x",
        ] {
            assert!(is_url(Path::new(url)), "{url}");
        }
        for path in [
            "exports/a.csv",
            "-",
            "s3:/b",
            "./s3://b",
            "ftp://h/x",
            "C:\\x",
        ] {
            assert!(!is_url(Path::new(path)), "{path}");
        }
        assert!(is_prefix(Path::new("s3://b/p")));
        assert!(!is_prefix(Path::new("https://h/x.csv")));
    }

    /// A `file://` tree is listed as a walk of the same folder is: sorted by name component
    /// by component (`a/x` before `a-b`), each object known by its path below the prefix,
    /// `.git` left out, a link out of the tree skipped.
    #[cfg(unix)]
    #[test]
    fn a_prefix_lists_in_the_walks_order() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().canonicalize().unwrap();
        let root = dir.join("export");
        for name in ["a-b.csv", "a/x.ndjson", "b.log", "a/y/z.gz", ".git/config"] {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x\n").unwrap();
        }
        std::fs::write(dir.join("secret"), "s\n").unwrap();
        std::os::unix::fs::symlink(dir.join("secret"), root.join("c-out")).unwrap();
        let url = Url::from_directory_path(&root).unwrap();
        let entry = |w: Walked, base: &str| match w {
            Walked::Target(t) => {
                let below = t.path.to_str().unwrap().strip_prefix(base).unwrap();
                (below.trim_start_matches('/').to_string(), "file")
            }
            Walked::Skipped { path, .. } => {
                let below = path.strip_prefix(base).unwrap();
                (below.trim_start_matches('/').to_string(), "skipped")
            }
            other => panic!("{other:?}"),
        };
        let base = url.as_str();
        let listed: Vec<_> = walk(Path::new(base), false)
            .into_iter()
            .map(|w| entry(w, base))
            .collect();
        let shown = root.to_str().unwrap();
        let on_disk: Vec<_> = super::super::walk::walk(std::slice::from_ref(&root), false)
            .map(|w| entry(w, shown))
            .collect();
        assert_eq!(listed, on_disk);
        let names: Vec<&str> = listed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["a/x.ndjson", "a/y/z.gz", "a-b.csv", "b.log", "c-out"]
        );
        assert_eq!(listed[4].1, "skipped");
        let followed = walk(Path::new(base), true);
        assert!(matches!(&followed[4], Walked::Target(_)));
        // Named itself, an object is known by its name; a URL with nothing there is an error.
        let one = Url::from_file_path(root.join("a/x.ndjson")).unwrap();
        match &walk(Path::new(one.as_str()), false)[..] {
            [Walked::Target(t)] => {
                assert_eq!(t.object.as_ref().unwrap().relative, "x.ndjson");
                assert_eq!(t.path, Path::new(one.as_str()));
            }
            other => panic!("{other:?}"),
        }
        let none = Url::from_file_path(root.join("missing")).unwrap();
        match &walk(Path::new(none.as_str()), false)[..] {
            [Walked::Error(e)] => assert!(e.to_string().contains("no object there"), "{e}"),
            other => panic!("{other:?}"),
        }
    }
}

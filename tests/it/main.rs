//! The integration tests, as one test binary: each module runs the built `piiscan` (or the
//! library) on inputs it writes or on the committed corpora. One binary links once, where five
//! linked five times: most of a fresh clone's `cargo test` was compiling and linking.

mod architecture;
mod archives;
mod cli;
mod csv;
mod documents;
mod fields;
mod floors;
mod gate;
mod ids;
mod inputs;
mod merge;
mod objects;
mod options;
mod parquet;
mod redact;
mod report;
mod safety;
mod secrets;

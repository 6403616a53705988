#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each). Not part of CI's default run.
#   scripts/fuzz.sh [SECONDS]
# Needs cargo-fuzz (installed here if missing). cargo-fuzz wants a nightly compiler for its
# sanitizer flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in detectors json_paths csv_columns; do
    echo "== fuzz $target for ${seconds}s"
    cargo fuzz run -O "$target" -- -max_total_time="$seconds"
done

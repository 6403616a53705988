"""Fixtures of the Python test suite: the command line to compare with, a shared key, and a
local Spark session.

The suite compares the bindings with the `piiscan` binary of the same checkout: set
PIISCAN_BIN to it, or build it first (`cargo build`, as `cargo test` does); a missing binary
fails the tests that need it, never skips them.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
#: A secret of distinct counts for the tests (32 bytes or more, as piiscan requires).
KEY = "piiscan python tests: a fixed key of distinct counts"


@pytest.fixture(scope="session")
def repo() -> pathlib.Path:
    return REPO


@pytest.fixture(scope="session")
def piiscan_bin() -> str:
    path = os.environ.get("PIISCAN_BIN") or str(REPO / "target" / "debug" / "piiscan")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no piiscan binary at {path}: run `cargo build`, or set PIISCAN_BIN")
    return path


@pytest.fixture
def cli_report(piiscan_bin):
    """`piiscan report --format json` over paths, under KEY, parsed."""

    def run(*paths, kinds=None) -> dict:
        args = [piiscan_bin, "report", "--format", "json", "--quiet"]
        if kinds:
            args += ["--kinds", ",".join(kinds)]
        env = dict(os.environ, PIISCAN_FINGERPRINT_KEY=KEY)
        done = subprocess.run(
            args + [str(p) for p in paths], env=env, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return json.loads(done.stdout)

    return run


def counts(report: dict) -> dict:
    """A report's figures: all but `about` (when and how it was made), inputs in path order
    (partitions merge in no particular order)."""
    figures = {k: v for k, v in report.items() if k != "about"}
    figures["inputs"] = sorted(figures.get("inputs", []), key=lambda i: i["path"])
    return figures


def split_corpus(source: pathlib.Path, into: pathlib.Path, parts: int) -> list:
    """Copies each file of `source` into `into` as `parts` files of consecutive lines (a CSV
    file's header repeated in each), so that a corpus becomes many inputs. Returns them."""
    into.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.iterdir()):
        if not path.is_file() or path.name in ("labels.jsonl", "README.md"):
            continue
        lines = path.read_bytes().splitlines(keepends=True)
        header = [lines.pop(0)] if path.suffix == ".csv" and lines else []
        size = max(1, -(-len(lines) // parts))
        for i in range(parts):
            piece = lines[i * size : (i + 1) * size]
            if not piece:
                continue
            out = into / f"{path.stem}.{i}{path.suffix}"
            out.write_bytes(b"".join(header + piece))
            written.append(out)
    return written

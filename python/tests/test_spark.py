"""piiscan.spark in local mode (local[2]): findings as a DataFrame, and the merged report of
partitions equal to `piiscan report` on the same files."""

from __future__ import annotations

import json
import os
import sys

import pytest
from pyspark.sql import SparkSession

import piiscan
import piiscan.spark
from conftest import KEY, counts, split_corpus


@pytest.fixture(scope="module")
def spark():
    # The workers run this interpreter, which has piiscan installed (in a venv, the `python3`
    # on PATH may not).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("piiscan-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        # Small partitions, so that the files of a folder spread over several.
        .config("spark.sql.files.maxPartitionBytes", str(256 * 1024))
        .config("spark.sql.files.openCostInBytes", str(64 * 1024))
        .getOrCreate()
    )
    yield session
    session.stop()


def test_the_report_of_partitions_equals_the_command_lines(spark, repo, tmp_path, cli_report):
    folder = tmp_path / "labelled"
    files = split_corpus(repo / "corpora/labelled", folder, 4)
    assert spark.read.format("binaryFile").load(str(folder)).rdd.getNumPartitions() > 1
    report = piiscan.spark.report(spark, str(folder), key=KEY)
    got = json.loads(report.to_json())
    want = cli_report(folder)
    assert counts(got) == counts(want)
    assert got["files"] == len(files) and report.all_read


def test_findings_of_files_are_the_scans(spark, repo, tmp_path):
    folder = tmp_path / "samples"
    files = split_corpus(repo / "corpora/samples", folder, 2)
    rows = piiscan.spark.findings(spark, [str(folder)]).collect()
    got = sorted((r.path, r.row, r.offset, r.kind, r.field, r.mask) for r in rows)
    want = sorted(
        (str(p), f.line, f.start, f.kind, f.field, f.mask)
        for p in files
        for f in piiscan.scan(p.read_bytes(), path=str(p))
    )
    assert got == want and len(got) > 10
    assert all(r.partition is None and r.id is None for r in rows)


def test_findings_of_a_dataframe_use_column_names(spark):
    df = spark.createDataFrame(
        [
            ("u1", "jane@example.com", "Paris", "Paris"),
            ("u2", "nobody", "Lyon", None),
            ("u3", "john@example.org", None, "no city here"),
        ],
        "user STRING, contact STRING, city STRING, note STRING",
    ).repartition(2)
    rows = piiscan.spark.findings(spark, df, kinds=["email", "city"], id_column="user").collect()
    got = sorted((r.id, r.kind, r.field, r.mask, r.offset) for r in rows)
    assert got == [
        ("u1", "city", "city", "P***", 0),
        ("u1", "email", "contact", "j***@e***.com", 0),
        ("u2", "city", "city", "L***", 0),
        ("u3", "email", "contact", "j***@e***.org", 0),
    ]
    assert all(r.path is None and r.partition is not None and r.row >= 0 for r in rows)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s: piiscan.spark.report(s, "/nonexistent", key="short"), "at least 32"),
        (lambda s: piiscan.spark.report(s, [], key=KEY), "no path"),
        (lambda s: piiscan.spark.findings(s, "/x", id_column="user"), "DataFrame"),
    ],
)
def test_mistakes_fail_on_the_driver(spark, call, message):
    with pytest.raises(piiscan.PiiscanError, match=message):
        call(spark)


def test_a_report_needs_a_key(spark, monkeypatch):
    monkeypatch.delenv("PIISCAN_FINGERPRINT_KEY", raising=False)
    with pytest.raises(piiscan.PiiscanError, match="PIISCAN_FINGERPRINT_KEY"):
        piiscan.spark.report(spark, "/tmp")

"""piiscan over Spark: findings as a DataFrame, and one exposure report over many files.

Executors import :mod:`piiscan` (install the wheel on every node: on Databricks as a cluster
library, on EMR in a bootstrap action; in local mode the driver's Python is theirs). Each
partition is scanned by piiscan's Rust engine inside the Python worker, with the GIL
released; nothing but masks and counts leaves a partition.

* :func:`findings` -- a DataFrame of findings of files (read with Spark's ``binaryFile``
  source, so any path Spark reads: local, HDFS, S3, ABFS) or of a DataFrame's rows (each
  column's name is the key hint of its values, as a JSON key's would be);
* :func:`report` -- the exposure report over files: each partition builds a partial report,
  and the driver merges them into the report one ``piiscan report`` over all the files gives
  (every count equal). Distinct counts merge only under one key, shared by all partitions:
  ``key=`` or ``PIISCAN_FINGERPRINT_KEY`` on the driver.
"""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Sequence, Union

from . import PiiscanError, Report, ScanError, scan, scan_records

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["FINDINGS_SCHEMA", "findings", "report"]

#: The columns of :func:`findings`. For files: ``path``, ``row`` (the 1-based line) and
#: ``offset`` (bytes from the start of the file); ``partition`` is null. For a DataFrame:
#: ``path`` is null, ``partition`` and ``row`` (0-based within the partition) name the row,
#: and ``offset`` counts bytes within the value; ``id`` holds the ``id_column`` value when one
#: is named. ``field`` is the JSON key path, CSV column or DataFrame column; ``mask`` the
#: value masked (never the value itself).
FINDINGS_SCHEMA = (
    "path STRING, partition INT, row LONG, offset LONG, kind STRING, detail STRING, "
    "field STRING, mask STRING, id STRING"
)

#: Rows of a DataFrame scanned per call into the engine.
_ROWS_PER_BATCH = 4096


def _local_path(path: str) -> str:
    """A local file's path without Spark's ``file:`` scheme, so that reports name it as
    ``piiscan report`` does; other URIs (``s3://...``) as they are."""
    if path.startswith("file://"):
        return path[len("file://") :]
    if path.startswith("file:"):
        return path[len("file:") :]
    return path


def _files(spark: "SparkSession", paths: Union[str, Sequence[str]]) -> "DataFrame":
    """The files under ``paths`` (files or folders, walked), as (path, content) rows."""
    if isinstance(paths, str):
        paths = [paths]
    if not paths:
        raise PiiscanError("no path given: name files or folders to scan")
    reader = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
    return reader.load(list(paths)).select("path", "content")


def _is_dataframe(obj: object) -> bool:
    return hasattr(obj, "rdd") and hasattr(obj, "columns") and hasattr(obj, "schema")


def findings(
    spark: "SparkSession",
    paths_or_df: Union[str, Sequence[str], "DataFrame"],
    kinds: Optional[Sequence[str]] = None,
    id_column: Optional[str] = None,
) -> "DataFrame":
    """The findings of files (a path, or a list of paths: files or folders) or of a
    DataFrame's rows, as a DataFrame of :data:`FINDINGS_SCHEMA`.

    ``kinds`` are kind names as ``--kinds`` takes them (default: the direct identifiers, as
    ``piiscan scan``). ``id_column`` (DataFrames only) names a column whose value is carried
    into each finding's ``id``, to find the row again. An input that cannot be read fails
    the job with :class:`piiscan.ScanError` (fail closed).
    """
    kinds = list(kinds) if kinds is not None else None
    if _is_dataframe(paths_or_df):
        df = paths_or_df
        columns = list(df.columns)
        if id_column is not None and id_column not in columns:
            raise PiiscanError(
                f"id_column {id_column!r} is not a column of the DataFrame; its columns: "
                + ", ".join(columns)
            )

        def scan_partition(index: int, rows: Iterator) -> Iterator[tuple]:
            first = 0
            while True:
                batch = list(itertools.islice(rows, _ROWS_PER_BATCH))
                if not batch:
                    return
                records = [row.asDict(recursive=True) for row in batch]
                for f in scan_records(records, kinds=kinds, first_row=first):
                    at = f.line - 1
                    ident = None
                    if id_column is not None:
                        value = records[at - first].get(id_column)
                        ident = None if value is None else str(value)
                    yield (None, index, at, f.start, f.kind, f.detail, f.field, f.mask, ident)
                first += len(batch)

        rdd = df.rdd.mapPartitionsWithIndex(scan_partition)
        return spark.createDataFrame(rdd, FINDINGS_SCHEMA)

    if id_column is not None:
        raise PiiscanError("id_column names a column of a DataFrame; files have none")

    def scan_files(rows: Iterator) -> Iterator[tuple]:
        for row in rows:
            path = _local_path(row.path)
            for f in scan(bytes(row.content), path=path, kinds=kinds):
                yield (path, None, f.line, f.start, f.kind, f.detail, f.field, f.mask, None)

    rdd = _files(spark, paths_or_df).rdd.mapPartitions(scan_files)
    return spark.createDataFrame(rdd, FINDINGS_SCHEMA)


def report(
    spark: "SparkSession",
    paths: Union[str, Sequence[str]],
    kinds: Optional[Sequence[str]] = None,
    key: Optional[Union[str, bytes]] = None,
) -> Report:
    """The exposure report over the files under ``paths``: each partition's files go into a
    partial report, and the partials are merged on the driver. Every count equals
    ``piiscan report``'s over the same files with the same key; render it with
    ``to_json()``, ``to_html()`` or ``to_table()``.

    ``key`` is the secret of distinct counts (at least 32 bytes), else
    ``PIISCAN_FINGERPRINT_KEY`` on the driver; one is needed, so that all partitions hash
    values alike. It travels to the executors inside the task, as any closure's value does:
    prefer a Spark secret or the environment of a trusted cluster. Files that cannot be read
    are listed in the report as unread (``all_read`` is then False), as on the command line.
    """
    secret = key if key is not None else os.environ.get("PIISCAN_FINGERPRINT_KEY")
    if not secret:
        raise PiiscanError(
            "a report merged from partitions needs one key of distinct counts for all of "
            "them: pass key=, or set PIISCAN_FINGERPRINT_KEY (at least 32 bytes: "
            "`openssl rand -hex 32`)"
        )
    kinds = list(kinds) if kinds is not None else None
    # Checked on the driver, before a job starts: a bad kind or a short key fails here.
    Report(kinds=kinds, key=secret)

    def partial(rows: Iterator) -> Iterable[bytes]:
        part = Report(kinds=kinds, key=secret)
        for row in rows:
            try:
                part.add(bytes(row.content), path=_local_path(row.path))
            except ScanError:
                pass  # listed in the partial as unread, as `piiscan report` lists it
        yield part.to_partial()

    parts: List[bytes] = _files(spark, paths).rdd.mapPartitions(partial).collect()
    merged = Report(kinds=kinds, key=secret)
    for part in parts:
        merged.merge(Report.from_partial(part, key=secret))
    return merged

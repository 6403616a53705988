"""Spark's local overhead: the wall time of piiscan.spark.report over a folder of files
against `piiscan report` on the same files (BENCHMARKS.md, "Spark").

    PIISCAN_FINGERPRINT_KEY=... python spark_overhead.py PIISCAN_BIN FOLDER [MASTER]

Both are given the same key, and their counts are checked equal before any time is printed:
a faster run that counted something else is no result. Prints one line per run, with the
load average before it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def figures(report: dict) -> dict:
    figures = {k: v for k, v in report.items() if k != "about"}
    figures["inputs"] = sorted(figures["inputs"], key=lambda i: i["path"])
    return figures


def main() -> None:
    binary, folder = sys.argv[1], Path(sys.argv[2]).resolve()
    master = sys.argv[3] if len(sys.argv) > 3 else "local[2]"
    size = sum(p.stat().st_size for p in folder.iterdir())
    gib = size / (1 << 30)
    print(f"{len(list(folder.iterdir()))} files, {size} bytes ({gib:.3f} GiB)")

    print(f"load {load()}: piiscan report")
    started = time.perf_counter()
    done = subprocess.run(
        [binary, "report", "--format", "json", "--quiet", str(folder)],
        capture_output=True,
        check=True,
    )
    cli_wall = time.perf_counter() - started
    cli = json.loads(done.stdout)
    print(f"  piiscan report: {cli_wall:.1f} s")

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    import piiscan.spark

    print(f"load {load()}: Spark session ({master})")
    started = time.perf_counter()
    spark = (
        SparkSession.builder.master(master)
        .appName("piiscan-overhead")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "3g")
        .getOrCreate()
    )
    spark.range(1).count()
    session = time.perf_counter() - started
    print(f"  session start: {session:.1f} s")

    print(f"load {load()}: piiscan.spark.report")
    started = time.perf_counter()
    report = piiscan.spark.report(spark, str(folder))
    spark_wall = time.perf_counter() - started
    got = json.loads(report.to_json())
    spark.stop()
    assert figures(got) == figures(cli), "Spark's report differs from piiscan report's"
    print(f"  piiscan.spark.report: {spark_wall:.1f} s (counts equal to piiscan report's)")
    print(
        f"overhead: {spark_wall - cli_wall:.1f} s over {gib:.3f} GiB = "
        f"{(spark_wall - cli_wall) / gib:.1f} s/GiB; ratio {spark_wall / cli_wall:.2f}; "
        f"load {load()}"
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Throughput of the jobs users run, against the memory-bandwidth baseline and ripgrep.

Generates an NDJSON export (default 1 GiB) with gen-corpus, then times, alternating and in the
same run, several repetitions of:
  baseline   counting newlines of the mapped file with memchr (examples/linecount.rs)
  rg         ripgrep printing every match of an email | IPv4 | IPv6 alternation (rg -o -b)
  report     piiscan report --format json (the exposure report; every kind, as by default)
  gate       piiscan gate (the default policy: direct identifiers fail; run where no
             piiscan.toml is)
  summary    piiscan scan --format summary (the default kinds: direct identifiers)
  summary-all piiscan scan --format summary --kinds all (what `report` scans)
  jsonl      piiscan scan --format jsonl (the default kinds)
  net        piiscan scan --format summary --kinds email,ipv4,ipv6
  redact     piiscan redact -o - (the redacted copy to standard output; PIISCAN_REDACT_KEY set)
  plain      piiscan scan --format summary --plain (no JSON structure: prices structure-awareness)
at each thread count, warming the page cache right before each run (this machine evicts it
quickly). Prints the median GB/s of each, its ratio to the baseline and to ripgrep, report
against summary-all, two threads against one, and peak RssAnon (anonymous memory, not the
file's mapped pages) of the piiscan runs. `--jobs` picks some of them.

With --gzip, also compresses the export (gzip -6, like Mixpanel's raw export) and times
`zcat FILE > /dev/null` against `piiscan scan --format jsonl` on the .gz file, alternating.

usage: scripts/compare.py [--size 1GiB] [--reps 3] [--threads 1,2] [--dir DIR] [--keep]
                          [--jobs report,gate,...] [--gzip]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
IPV4 = r"\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\b"
IPV6 = r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}|::(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}"
ALTERNATION = f"{EMAIL}|{IPV4}|{IPV6}"


def sh(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kw)


def build():
    sh(["cargo", "build", "--release", "--bin", "piiscan", "--bin", "gen-corpus", "--example", "linecount"], cwd=ROOT)
    if shutil.which("rg") is None:
        sh(["cargo", "install", "ripgrep", "--locked"])


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def run_timed(cmd, **kw):
    """Runs cmd with stdout to /dev/null; returns (seconds, peak RssAnon in KiB, exit code)."""
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=null, **kw)
        peak = 0
        while proc.poll() is None:
            try:
                with open(f"/proc/{proc.pid}/status") as st:
                    for line in st:
                        if line.startswith("RssAnon:"):
                            peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.02)
        secs = time.perf_counter() - start
    return secs, peak, proc.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1GiB")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--dir", default=os.path.join(ROOT, "target", "compare"))
    ap.add_argument("--keep", action="store_true", help="reuse an existing generated file")
    ap.add_argument("--jobs", default="report,gate,summary,summary-all,jsonl,net,redact,plain",
                    help="comma-separated jobs to time besides the baseline and rg")
    ap.add_argument("--gzip", action="store_true", help="also compare with zcat on a .gz copy")
    args = ap.parse_args()

    build()
    path = os.path.join(args.dir, "mixpanel.ndjson")
    if not (args.keep and os.path.exists(path)):
        sh([os.path.join(RELEASE, "gen-corpus"), "--out", args.dir, "--size", args.size,
            "--seed", "7", "--shapes", "mixpanel"])
    size = os.path.getsize(path)
    piiscan = os.path.join(RELEASE, "piiscan")
    threads = [int(t) for t in args.threads.split(",")]

    def commands(t):
        scan = [piiscan, "scan", "--threads", str(t)]
        return {
            "baseline": [os.path.join(RELEASE, "examples", "linecount"), path, str(t)],
            "rg": ["rg", "-o", "-b", "--no-filename", "-j", str(t), ALTERNATION, path],
            "report": [piiscan, "report", "--format", "json", "--threads", str(t), path],
            "gate": [piiscan, "gate", "--threads", str(t), path],
            "summary": scan + ["--format", "summary", path],
            "summary-all": scan + ["--format", "summary", "--kinds", "all", path],
            "jsonl": scan + ["--format", "jsonl", path],
            "net": scan + ["--format", "summary", "--kinds", "email,ipv4,ipv6", path],
            "redact": [piiscan, "redact", "--threads", str(t), "-o", "-", path],
            "plain": scan + ["--format", "summary", "--plain", path],
        }

    wanted = ["baseline", "rg"] + [j for j in args.jobs.split(",") if j not in ("baseline", "rg")]
    unknown = [j for j in wanted if j not in commands(1)]
    if unknown:
        sys.exit(f"unknown jobs: {', '.join(unknown)}")
    # The gate reads piiscan.toml in its working directory: an empty one keeps the default policy.
    cwd = os.path.join(args.dir, "cwd")
    os.makedirs(cwd, exist_ok=True)
    env = dict(os.environ, PIISCAN_REDACT_KEY=os.environ.get("PIISCAN_REDACT_KEY", "compare-" + "k" * 32))

    times = {}
    peaks = {}
    for rep in range(args.reps):
        for t in threads:
            for name in wanted:
                warm(path)
                secs, peak, code = run_timed(commands(t)[name], cwd=cwd, env=env)
                if code not in (0, 1):
                    sys.exit(f"{name} exited {code}")
                times.setdefault((name, t), []).append(secs)
                peaks[(name, t)] = max(peaks.get((name, t), 0), peak)
                print(f"rep {rep + 1} threads {t} {name:8} {secs:8.3f} s {size / secs / 1e9:7.3f} GB/s",
                      file=sys.stderr)

    gbps = {k: size / statistics.median(v) / 1e9 for k, v in times.items()}
    print(f"\ninput: {path}, {size} bytes; median of {args.reps} runs; GB/s = 10^9 bytes/s\n")
    print("| job | threads | GB/s | of baseline | x ripgrep | peak RssAnon (MiB) |")
    print("|---|---|---|---|---|---|")
    for name in wanted:
        for t in threads:
            g, b, r = gbps[(name, t)], gbps[("baseline", t)], gbps[("rg", t)]
            rss = f"{peaks[(name, t)] / 1024:.0f}" if name not in ("baseline", "rg") else ""
            print(f"| {name} | {t} | {g:.3f} | {g / b:.1%} | {g / r:.2f} | {rss} |")
    print()
    for t in threads:
        if "report" in wanted and "summary-all" in wanted:
            print(f"report / summary-all at {t} thread(s): "
                  f"{gbps[('report', t)] / gbps[('summary-all', t)]:.0%}")
        if "redact" in wanted and "summary" in wanted:
            print(f"redact / summary at {t} thread(s): {gbps[('redact', t)] / gbps[('summary', t)]:.0%}")
        if "plain" in wanted and "summary" in wanted:
            print(f"structure-aware / --plain at {t} thread(s): "
                  f"{gbps[('summary', t)] / gbps[('plain', t)]:.0%} of the plain scan's GB/s")
    if len(threads) > 1:
        lo, hi = min(threads), max(threads)
        print("two threads / one: " + ", ".join(
            f"{name} {gbps[(name, hi)] / gbps[(name, lo)]:.2f}x" for name in wanted))
    if args.gzip:
        compare_gzip(path, size, piiscan, args.reps)


def compare_gzip(path, size, piiscan, reps):
    gz = path + ".gz"
    if not os.path.exists(gz):
        with open(gz, "wb") as out:
            sh(["gzip", "-6", "-c", path], stdout=out)
    cmds = {
        "zcat": ["zcat", gz],
        "piiscan": [piiscan, "scan", "--format", "jsonl", gz],
    }
    times = {}
    peaks = {}
    for rep in range(reps):
        for name, cmd in cmds.items():
            warm(gz)
            secs, peak, code = run_timed(cmd)
            if code not in (0, 1):
                sys.exit(f"{name} exited {code}")
            times.setdefault(name, []).append(secs)
            peaks[name] = max(peaks.get(name, 0), peak)
            print(f"rep {rep + 1} gzip {name:8} {secs:8.3f} s {size / secs / 1e9:7.3f} GB/s",
                  file=sys.stderr)
    z, p = (size / statistics.median(times[n]) / 1e9 for n in ("zcat", "piiscan"))
    print(f"\ngzip: {gz}, {os.path.getsize(gz)} bytes compressed, {size} decompressed; "
          f"median of {reps}; GB/s of decompressed bytes")
    print("| zcat > /dev/null GB/s | piiscan scan --format jsonl (.gz) GB/s | piiscan/zcat | peak RssAnon piiscan (MiB) |")
    print("|---|---|---|---|")
    print(f"| {z:.3f} | {p:.3f} | {p / z:.0%} | {peaks['piiscan'] / 1024:.0f} |")


if __name__ == "__main__":
    main()

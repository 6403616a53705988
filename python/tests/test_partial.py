"""Report.merge, to_partial and from_partial: reports of parts merge into the report of all."""

from __future__ import annotations

import json

import pytest

import piiscan
from conftest import KEY, counts, split_corpus

OTHER_KEY = "another key of distinct counts, long enough: 0123456789"


def report_of(files, key=KEY):
    report = piiscan.Report(key=key)
    for path in files:
        report.add(path.read_bytes(), path=str(path))
    return report


@pytest.mark.parametrize("parts", [2, 3, 5])
def test_merged_parts_equal_one_report_and_the_command_line(repo, tmp_path, cli_report, parts):
    files = split_corpus(repo / "corpora/labelled", tmp_path / "split", 3)
    whole = json.loads(report_of(files).to_json())
    # parts of the files, in order, merged in memory and through their partials
    shares = [files[i::parts] for i in range(parts)]
    merged = report_of(shares[0])
    through_json = piiscan.Report.from_partial(report_of(shares[0]).to_partial(), key=KEY)
    for share in shares[1:]:
        merged.merge(report_of(share))
        through_json.merge(piiscan.Report.from_partial(report_of(share).to_partial(), key=KEY))
    want = cli_report(tmp_path / "split")
    assert counts(json.loads(merged.to_json())) == counts(whole) == counts(want)
    assert counts(json.loads(through_json.to_json())) == counts(want)


def test_rendering_does_not_close_a_report(repo):
    files = sorted((repo / "corpora/samples").iterdir())
    report = report_of(files[:1])
    first = json.loads(report.to_json())
    for path in files[1:]:
        report.add(path.read_bytes(), path=str(path))
    assert counts(json.loads(report.to_json())) == counts(json.loads(report_of(files).to_json()))
    assert first["files"] == 1


def test_a_partial_holds_no_value():
    report = piiscan.Report(key=KEY)
    report.add(b'{"email":"jane.doe@example.com","city":"Paris"}\n', path="a.ndjson")
    partial = report.to_partial()
    assert json.loads(partial)["format"] == "piiscan-partial"
    for text in (b"jane", b"j***", b"Paris", b"P***"):
        assert text not in partial


def test_data_goes_on_after_from_partial_under_the_same_key():
    a = piiscan.Report(key=KEY)
    a.add(b'{"email":"jane@example.com"}\n', path="a")
    b = piiscan.Report.from_partial(a.to_partial(), key=KEY)
    b.add(b'{"email":"jane@example.com"}\n{"email":"john@example.com"}\n', path="b")
    got = json.loads(b.to_json())
    assert (got["direct"][0]["occurrences"], got["distinct_emails"]["value"]) == (3, 2)
    assert got["about"]["roots"] == ["a", "b"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: piiscan.Report(key=KEY).merge(piiscan.Report(key=OTHER_KEY)), "one key"),
        (lambda: piiscan.Report().merge(piiscan.Report()), "one key"),
        (lambda: piiscan.Report(key=KEY).merge(piiscan.Report.from_partial(piiscan.Report(key=OTHER_KEY).to_partial(), key=OTHER_KEY)), "one key"),
        (lambda: piiscan.Report.from_partial(piiscan.Report(key=OTHER_KEY).to_partial(), key=KEY).add(b"x"), "another key"),
        (lambda: piiscan.Report.from_partial(b'{"format":"something else"}'), "not a piiscan partial"),
        (lambda: piiscan.Report.from_partial(b'{"format":"piiscan-partial","version":99}'), "version 99"),
        (lambda: piiscan.Report.from_partial(b"\xff\xfe"), "not UTF-8"),
    ],
)
def test_what_cannot_merge_is_refused(call, message):
    with pytest.raises(piiscan.PiiscanError) as raised:
        call()
    assert message in str(raised.value)


def test_a_report_does_not_merge_into_itself():
    report = piiscan.Report(key=KEY)
    with pytest.raises(piiscan.PiiscanError, match="itself"):
        report.merge(report)


def test_an_unkeyed_partial_merges_with_nothing():
    partial = piiscan.Report().to_partial()
    assert json.loads(partial)["key_check"] is None
    merged = piiscan.Report(key=KEY)
    with pytest.raises(piiscan.PiiscanError):
        merged.merge(piiscan.Report.from_partial(partial, key=KEY))


def test_partials_cross_between_python_and_the_command_line(repo, tmp_path, piiscan_bin, cli_report):
    """A partial of `piiscan report --partial` merges into a Python report, and Python's
    partial into `piiscan merge`: both give the report of one run over all the files."""
    import os
    import subprocess

    files = split_corpus(repo / "corpora/labelled", tmp_path / "split", 2)
    half = len(files) // 2
    env = dict(os.environ, PIISCAN_FINGERPRINT_KEY=KEY)
    cli_part = tmp_path / "cli.json"
    subprocess.run(
        [piiscan_bin, "report", "--partial", "--quiet", "-o", str(cli_part)] + [str(p) for p in files[:half]],
        env=env,
        check=True,
    )
    py_part = tmp_path / "py.json"
    py_part.write_bytes(report_of(files[half:]).to_partial())
    want = counts(cli_report(*files))

    merged = piiscan.Report.from_partial(cli_part.read_bytes(), key=KEY)
    merged.merge(piiscan.Report.from_partial(py_part.read_bytes(), key=KEY))
    assert counts(json.loads(merged.to_json())) == want

    done = subprocess.run(
        [piiscan_bin, "merge", "--format", "json", str(cli_part), str(py_part)],
        env=env,
        capture_output=True,
        check=True,
    )
    assert counts(json.loads(done.stdout)) == want

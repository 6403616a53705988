"""piiscan.Report: the exposure report of `piiscan report`, built from Python."""

from __future__ import annotations

import json

import pytest

import piiscan
from conftest import KEY, counts


@pytest.mark.parametrize("corpus", ["corpora/samples", "corpora/labelled"])
def test_report_of_files_equals_the_command_lines(repo, cli_report, corpus):
    files = sorted(p for p in (repo / corpus).iterdir() if p.name != "labels.jsonl")
    report = piiscan.Report(key=KEY)
    for path in files:
        report.add(path.read_bytes(), path=str(path))
    assert report.all_read
    got = json.loads(report.to_json())
    want = cli_report(*files)
    assert counts(got) == counts(want)
    assert got["about"]["keyed"] and got["about"]["roots"] == [str(p) for p in files]


def test_the_key_comes_from_the_environment(repo, cli_report, monkeypatch):
    path = repo / "corpora/samples/mixpanel-export.ndjson"
    monkeypatch.setenv("PIISCAN_FINGERPRINT_KEY", KEY)
    report = piiscan.Report()
    report.add(path.read_bytes(), path=str(path))
    got = json.loads(report.to_json())
    assert got["about"]["keyed"]
    assert counts(got) == counts(cli_report(path))


def test_a_short_key_in_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("PIISCAN_FINGERPRINT_KEY", "short")
    with pytest.raises(piiscan.PiiscanError, match="PIISCAN_FINGERPRINT_KEY|32"):
        piiscan.Report()


def test_records_count_as_rows_with_column_names_as_hints():
    report = piiscan.Report(key=KEY)
    rows = [
        {"email": "jane@example.com", "city": "Paris", "note": "Paris"},
        {"email": "jane@example.com", "city": "Lyon"},
        {"email": "john@example.org"},
    ]
    assert report.add_records(rows, path="users") == 3
    got = json.loads(report.to_json())
    fields = {(r["kind"], r["field"]): r for r in got["fields"]}
    assert set(fields) == {("email", "email"), ("city", "city")}
    assert (fields["email", "email"]["occurrences"], fields["email", "email"]["distinct"]["value"]) == (3, 2)
    assert fields["city", "city"]["records"] == 2
    # rows with an e-mail address and a city are profiles
    assert got["profiles"] == 2
    assert got["inputs"] == [
        {"path": "users", "bytes": got["bytes"], "occurrences": 5, "records": 3, "kinds": [["email", 3], ["city", 2]]}
    ]


def test_an_unreadable_input_raises_and_is_listed():
    report = piiscan.Report(key=KEY)
    report.add(b'{"email":"jane@example.com"}\n', path="good.ndjson")
    with pytest.raises(piiscan.ScanError, match="bad.bin"):
        report.add(b"\x00" * 100, path="bad.bin")
    assert not report.all_read
    got = json.loads(report.to_json())
    assert [s["path"] for s in got["skipped"]] == ["bad.bin"]
    assert got["direct"][0]["occurrences"] == 1


@pytest.mark.parametrize(
    "render, marker",
    [
        (piiscan.Report.to_json, '"direct"'),
        (piiscan.Report.to_html, "<!DOCTYPE html>"),
        (piiscan.Report.to_table, "email"),
    ],
)
def test_renderings_hold_masks_only(render, marker):
    report = piiscan.Report(key=KEY)
    report.add(b'{"email":"jane.doe@example.com"}\n', path="a.ndjson")
    text = render(report)
    assert marker in text
    assert "jane.doe" not in text

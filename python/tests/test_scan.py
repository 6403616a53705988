"""piiscan.scan and piiscan.scan_records: the engine's findings, masked, from Python."""

from __future__ import annotations

import gzip
import threading
import time

import pytest

import piiscan

LINE = b'{"properties":{"$email":"jane.doe@example.com","ip":"203.0.113.7"}}\n'


@pytest.mark.parametrize(
    "data, path, kinds, want",
    [
        # bytes, str and bytearray are the same data
        (LINE, None, None, [("email", "properties.$email", "j***@e***.com"), ("ipv4", "properties.ip", "203.0.*.*")]),
        (LINE.decode(), None, None, [("email", "properties.$email", "j***@e***.com"), ("ipv4", "properties.ip", "203.0.*.*")]),
        (bytearray(LINE), None, None, [("email", "properties.$email", "j***@e***.com"), ("ipv4", "properties.ip", "203.0.*.*")]),
        # kinds as --kinds takes them
        (LINE, None, ["ipv4"], [("ipv4", "properties.ip", "203.0.*.*")]),
        # a CSV file by its name: the column is the field
        (b"name,contact\nJane,jane@example.com\n", "users.csv", ["email"], [("email", "contact", "j***@e***.com")]),
        # compressed data is decompressed whatever its name
        (gzip.compress(LINE), "x.bin", ["email"], [("email", "properties.$email", "j***@e***.com")]),
        # nothing to find
        (b"nothing here\n", None, None, []),
        (b"", None, None, []),
    ],
)
def test_scan_finds_kinds_fields_and_masks(data, path, kinds, want):
    got = piiscan.scan(data, path=path, kinds=kinds)
    assert [(f.kind, f.field, f.mask) for f in got] == want
    for f in got:
        assert f.value is None


def test_places_point_into_the_data():
    data = b"first line\n" + LINE
    (email, ip) = piiscan.scan(data)
    assert data[email.start : email.end] == b"jane.doe@example.com"
    assert (email.line, email.column) == (2, data.index(b"jane") - data.index(b"{") + 1)
    assert data[ip.start : ip.end] == b"203.0.113.7"


def test_values_only_when_asked_and_never_in_repr():
    (f,) = piiscan.scan(LINE, kinds=["email"], show_values=True)
    assert f.value == "jane.doe@example.com"
    assert f.to_dict()["value"] == "jane.doe@example.com"
    assert "jane.doe" not in repr(f)
    (f,) = piiscan.scan(LINE, kinds=["email"])
    assert f.value is None and f.to_dict()["value"] is None
    assert "jane.doe" not in repr(f) and "j***@e***.com" in repr(f)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: piiscan.scan(LINE, kinds=["emails"]), piiscan.PiiscanError, "unknown kind 'emails'"),
        (lambda: piiscan.scan(LINE, kinds=[]), piiscan.PiiscanError, "names no kind"),
        (lambda: piiscan.scan(42), TypeError, "bytes or str, not int"),
        (lambda: piiscan.scan(b"\x00" * 64 + LINE, path="blob"), piiscan.ScanError, "blob was not scanned: binary"),
        (lambda: piiscan.scan(gzip.compress(LINE * 100)[:60], path="cut.gz"), piiscan.ScanError, "cut.gz"),
        (lambda: piiscan.scan_records([("email",)]), TypeError, "(field, value) pairs"),
        (lambda: piiscan.Report(key="short"), piiscan.PiiscanError, "at least 32"),
        (lambda: piiscan.Report(key=12), TypeError, "key must be bytes or str"),
    ],
)
def test_errors_are_exceptions_with_clear_messages(call, error, message):
    with pytest.raises(error, match=None) as raised:
        call()
    assert message in str(raised.value)
    assert "jane.doe" not in str(raised.value)


def test_scan_errors_are_piiscan_errors():
    assert issubclass(piiscan.ScanError, piiscan.PiiscanError)


@pytest.mark.parametrize(
    "rows, want",
    [
        # the field's name is the value's key hint: a city under `city`, not under `note`
        ([{"city": "Paris", "note": "Paris"}], [(0, "city", "city", "P***")]),
        # rows as (field, value) pairs, numbers only under hinting names
        ([[("latitude", 48.8566), ("longitude", 2.3522), ("count", 48.8566)]], [(0, "coordinates", "latitude", None), (0, "coordinates", "longitude", None)]),
        # rows count from 0; bytes values; None and booleans are no value
        ([{"email": None}, {"email": b"jane@example.com", "ok": True}], [(1, "email", "email", "j***@e***.com")]),
        # a nested value is read as JSON, with its key path
        ([{"props": {"user": {"email": "jane@example.com"}}}], [(0, "email", "props.user.email", "j***@e***.com")]),
    ],
)
def test_records_are_scanned_with_their_field_names(rows, want):
    got = piiscan.scan_records(rows, kinds=["all"])
    assert [(f.line - 1, f.kind, f.field, f.mask if w[3] else None) for f, w in zip(got, want)] == want
    assert len(got) == len(want)


def test_records_rows_count_from_first_row():
    (f,) = piiscan.scan_records([{"email": "jane@example.com"}], first_row=41)
    assert f.line == 42 and f.start == 0 and f.end == len("jane@example.com")


def test_the_gil_is_released_while_scanning():
    """A scan on one thread leaves the interpreter to the others: the main thread keeps
    running while a long scan goes on (with the GIL held it would stall for the whole scan)."""
    # 15 MB with few findings: the scan is the time, not making the findings' objects.
    data = (b"no personal data on this line, only words and numbers 12345\n" * 1000 + LINE) * 250
    took = []

    def work():
        started = time.perf_counter()
        piiscan.scan(data)
        took.append(time.perf_counter() - started)

    worker = threading.Thread(target=work)
    longest_stall = 0.0
    last = time.perf_counter()
    worker.start()
    while worker.is_alive():
        now = time.perf_counter()
        longest_stall = max(longest_stall, now - last)
        last = now
        time.sleep(0.001)
    worker.join()
    assert took and took[0] > 0.05, "the scan was too quick to tell"
    assert longest_stall < took[0] / 2, (longest_stall, took[0])

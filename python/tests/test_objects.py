"""`s3://` inputs over the real S3 protocol: moto's server on 127.0.0.1 holds a bucket of the
labelled corpus (NDJSON, gzip'd NDJSON, CSV, text, in nested prefixes), and `piiscan report`
over s3://bucket/prefix/, and four `report --partial --shard K/4` merged, equal `piiscan report`
over the same files on disk. piiscan's S3 client finds the server through AWS_ENDPOINT_URL and
AWS_ALLOW_HTTP, its credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as in production.
"""

from __future__ import annotations

import gzip
import json
import os
import pathlib
import subprocess

import boto3
import pytest
from moto.server import ThreadedMotoServer

from conftest import KEY

BUCKET = "exports"
#: Fake credentials of moto's server; never a real account's.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def lay_out(repo: pathlib.Path, into: pathlib.Path) -> None:
    """The corpus as an export: folders, a gzip'd NDJSON, a CSV, and `day-2.log`, which sorts
    after the folder `day/` as a walk sorts it, not before as the keys' bytes do."""
    corpus = repo / "corpora/labelled"
    layout = {
        "day/export.csv": (corpus / "export.csv").read_bytes(),
        "day/mixpanel.ndjson.gz": gzip.compress((corpus / "mixpanel.ndjson").read_bytes()),
        "day/sub/segment.ndjson": (corpus / "segment.ndjson").read_bytes(),
        "day-2.log": (corpus / "access.log").read_bytes(),
        "tickets.txt": (corpus / "tickets.txt").read_bytes(),
        "amplitude.ndjson": (corpus / "amplitude.ndjson").read_bytes(),
    }
    for name, data in layout.items():
        path = into / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def upload(endpoint: str, root: pathlib.Path, prefix: str) -> None:
    s3 = client(endpoint)
    s3.create_bucket(Bucket=BUCKET)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{path.relative_to(root)}", Body=path.read_bytes())
    # Beside the prefix, not below it: never read.
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}-other/x.ndjson", Body=b'{"email":"x.y@corp.io"}\n')


def upload_one(endpoint: str, path: pathlib.Path, key: str) -> None:
    client(endpoint).put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes())


def piiscan(bin_: str, env: dict, *args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([bin_, *args], env=env, cwd=cwd, capture_output=True, check=False)


def test_a_bucket_prefix_reports_shards_and_merges_as_the_files(piiscan_bin, repo, tmp_path, s3_endpoint):
    local = tmp_path / "export"
    lay_out(repo, local)
    upload(s3_endpoint, local, "2025/export")
    env = dict(os.environ, PIISCAN_FINGERPRINT_KEY=KEY, SOURCE_DATE_EPOCH="1700000000")
    env.update(CREDENTIALS, AWS_ENDPOINT_URL=s3_endpoint, AWS_ALLOW_HTTP="true", AWS_REGION="us-east-1")
    url = f"s3://{BUCKET}/2025/export/"

    on_disk = piiscan(piiscan_bin, env, "report", "-q", "--format", "json", "export/", cwd=tmp_path)
    assert on_disk.returncode == 0, on_disk.stderr.decode(errors="replace")
    whole = piiscan(piiscan_bin, env, "report", "-q", "--format", "json", url, cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr.decode(errors="replace")
    as_on_disk = whole.stdout.decode().replace(url, "export/")
    assert as_on_disk == on_disk.stdout.decode()
    inputs = [i["path"] for i in json.loads(whole.stdout)["inputs"]]
    assert inputs == [
        url + name
        for name in [
            "amplitude.ndjson",
            "day/export.csv",
            "day/mixpanel.ndjson.gz",
            "day/sub/segment.ndjson",
            "day-2.log",
            "tickets.txt",
        ]
    ]

    parts = []
    for k in range(1, 5):
        part = tmp_path / f"part-{k}.json"
        done = piiscan(piiscan_bin, env, "report", "-q", "--partial", "--shard", f"{k}/4", "-o", str(part), url)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        assert "testing-secret" not in part.read_text()
        parts.append(str(part))
    merged = piiscan(piiscan_bin, env, "merge", "--format", "json", *parts, cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr.decode(errors="replace")
    assert merged.stdout.decode().replace(url, "export/") == on_disk.stdout.decode()

    # Fingerprints hold an object's name below the prefix, as a file's below its folder: a
    # baseline of the files on disk accepts the same findings in the bucket.
    baseline = piiscan(piiscan_bin, env, "baseline", "-q", "export/", "-o", "b.json", cwd=tmp_path)
    assert baseline.returncode == 0, baseline.stderr.decode(errors="replace")
    (local / "day" / "new.ndjson").write_bytes(b'{"email":"new.person@corp.io"}\n')
    upload_one(s3_endpoint, local / "day" / "new.ndjson", "2025/export/day/new.ndjson")
    gates = [
        piiscan(piiscan_bin, env, "gate", "-q", "--baseline", "b.json", root, cwd=tmp_path)
        for root in ("export/", url)
    ]
    assert [g.returncode for g in gates] == [1, 1], gates[1].stderr.decode(errors="replace")
    verdicts = [g.stdout.decode().replace(url, "export/") for g in gates]
    assert verdicts[0] == verdicts[1]
    assert "email: 1 new finding" in verdicts[0] and "in the baseline" in verdicts[0], verdicts[0]


def test_what_cannot_be_listed_fails_the_gate(piiscan_bin, tmp_path, s3_endpoint):
    env = dict(os.environ, PIISCAN_FINGERPRINT_KEY=KEY)
    env.update(CREDENTIALS, AWS_ENDPOINT_URL=s3_endpoint, AWS_ALLOW_HTTP="true", AWS_REGION="us-east-1")
    for url, why in [
        ("s3://no-such-bucket/x/", "cannot list the objects"),
        (f"s3://{BUCKET}/no/such/prefix/", "no object there"),
    ]:
        done = piiscan(piiscan_bin, env, "gate", "-q", url)
        assert done.returncode == 2, done.stderr.decode(errors="replace")
        err = done.stderr.decode(errors="replace")
        assert url in err and why in err, err
        assert "testing-secret" not in err + done.stdout.decode(errors="replace")


def test_one_object_over_http_by_a_signed_url(piiscan_bin, tmp_path):
    """`https://...?signature` names one object: read as its name says (a CSV by `.csv`), the
    query sent with the request and never shown."""
    import functools
    import http.server
    import threading

    (tmp_path / "export.csv").write_bytes(b"id,email,city\n1,jane.doe@corp.io,Paris\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        signed = f"{base}/export.csv?X-Amz-Signature=5ecret&X-Amz-Credential=AKIATEST"
        done = piiscan(piiscan_bin, dict(os.environ), "scan", "-q", "--format", "jsonl", signed)
        assert done.returncode == 1, done.stderr.decode(errors="replace")
        findings = [json.loads(line) for line in done.stdout.splitlines()]
        assert [(f["path"], f["field"], f["kind"]) for f in findings] == [
            (f"{base}/export.csv", "email", "email"),
            (f"{base}/export.csv", "city", "city"),
        ]
        missing = piiscan(piiscan_bin, dict(os.environ), "gate", "-q", f"{base}/gone.csv?sig=5ecret")
        assert missing.returncode == 2
        shown = (done.stdout + done.stderr + missing.stdout + missing.stderr).decode(errors="replace")
        assert "5ecret" not in shown and "AKIATEST" not in shown, shown
        assert f"{base}/gone.csv: cannot read the object: no such object" in shown, shown
    finally:
        server.shutdown()

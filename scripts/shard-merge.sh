#!/bin/sh
# Fan-out and merge on one machine, as a Kubernetes Indexed Job or a CI matrix does on many:
# N shards each write a partial report, then one merge gives the report (and with a policy the
# verdict) of all the inputs. The README's manifests run the same two commands.
#
#   PIISCAN_FINGERPRINT_KEY=... scripts/shard-merge.sh N OUTDIR [--policy FILE] PATH...
#
# Writes OUTDIR/part-K.json (K = 1..N) and OUTDIR/report.json; exits as `piiscan merge` does
# (with --policy: 0 pass, 1 fail, 2 error). PIISCAN names the binary (default: piiscan).
set -eu
piiscan=${PIISCAN:-piiscan}
n=$1
out=$2
shift 2
policy=
if [ "${1:-}" = "--policy" ]; then
    policy=$2
    shift 2
fi
mkdir -p "$out"
pids=
k=1
while [ "$k" -le "$n" ]; do
    # One process per shard, as one pod or one matrix job would run it.
    if [ -n "$policy" ]; then
        "$piiscan" report --quiet --partial --policy "$policy" --shard "$k/$n" -o "$out/part-$k.json" "$@" &
    else
        "$piiscan" report --quiet --partial --shard "$k/$n" -o "$out/part-$k.json" "$@" &
    fi
    pids="$pids $!"
    k=$((k + 1))
done
for pid in $pids; do
    # A shard with an unreadable input exits 2 but writes its part, which the merge counts
    # (and exits 2 for); a shard that wrote nothing stops the merge below.
    wait "$pid" || true
done
k=1
while [ "$k" -le "$n" ]; do
    if [ ! -f "$out/part-$k.json" ]; then
        echo "shard-merge: shard $k/$n wrote no partial report; see its error above" >&2
        exit 2
    fi
    k=$((k + 1))
done
if [ -n "$policy" ]; then
    exec "$piiscan" merge --format json -o "$out/report.json" --policy "$policy" "$out"/part-*.json
fi
exec "$piiscan" merge --format json -o "$out/report.json" "$out"/part-*.json

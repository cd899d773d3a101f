#!/usr/bin/env bash
# Ingestion benchmark: starts the hub in-process, ingests a generated corpus (BENCH_DOCS documents, default
# 2000) and prints end-to-end chunks/s next to the raw embedding model's chunks/s measured in the same run.
# Not part of ./scripts/test.sh. Takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

docs="${BENCH_DOCS:-2000}"
log=target/surefire-reports/io.caravan.bench.IngestBenchmark-output.txt
mkdir -p target/bench && rm -f target/bench/ingest.txt
echo "Ingesting ${docs} generated documents (the hub's log goes to ${log}) ..."
if ! mvn -B -q -Pbench test -Dbench.docs="${docs}" "$@"; then
  echo "The benchmark failed; the end of its log:" >&2
  tail -n 60 "${log}" >&2 || true
  exit 1
fi
cat target/bench/ingest.txt

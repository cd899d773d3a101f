#!/usr/bin/env bash
# Query benchmark on Chroma: ingests BENCH_TENANTS (10) tenants x BENCH_CHUNKS (2000) chunks through the hub into a
# Chroma server, then, after a warm-up (at least BENCH_QUERY_WARMUP, 6000, queries, and until the JIT is quiet), times BENCH_QUERIES (1000) queries through the hub (POST /api/v1/query, extractive answers,
# every question new) against a direct Chroma query with the same embedding: p50/p99 side by side and the ratio.
# Uses CARAVAN_TEST_CHROMA_URL when set, otherwise starts Chroma through scripts/services.sh on a free port.
# Not part of ./scripts/test.sh. Loading takes several minutes on 2 cores. Extra arguments go to Maven (e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/.."

log=target/surefire-reports/io.caravan.bench.ChromaQueryBench-output.txt
mkdir -p target/bench && rm -f target/bench/query.txt
echo "Loading ${BENCH_TENANTS:-10} tenants x ${BENCH_CHUNKS:-2000} chunks into Chroma, then timing queries (the hub's log goes to ${log}) ..."
if ! mvn -B -q -P bench-query test "$@"; then
  echo "The benchmark failed; the end of its log:" >&2
  tail -n 60 "${log}" >&2 || true
  exit 1
fi
cat target/bench/query.txt

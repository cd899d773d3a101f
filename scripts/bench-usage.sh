#!/usr/bin/env bash
# Benchmarks the usage ledger: loads 10 million usage events (about 50 tenants x several models x 90 days) into
# a temporary H2 file database built by the hub's migrations, then times the weekly per-model report of one
# tenant from the daily rollups against the naive aggregation over the events (p50/p99 and their ratio).
# Sizes: BENCH_EVENTS (10000000), BENCH_TENANTS (50), BENCH_DAYS (90), BENCH_RUNS (200). Extra arguments go to
# Maven (e.g. -o). Needs about 2 GB of free disk in the temp directory and a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

exec mvn -B -P bench-usage test \
  -Dbench.events="${BENCH_EVENTS:-10000000}" -Dbench.tenants="${BENCH_TENANTS:-50}" \
  -Dbench.days="${BENCH_DAYS:-90}" -Dbench.runs="${BENCH_RUNS:-200}" "$@"

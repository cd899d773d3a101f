#!/usr/bin/env bash
# Runs Caravan's whole test suite: unit, route and integration tests against the real parts (Camel context,
# H2, PostgreSQL, Chroma, the embedding model, real HTTP); then the contract suite again in the production mode
# (PostgreSQL, Chroma, a Kafka broker inside the test JVM); then the packaged hub as a user runs it, following the
# README. Starts what the tests need on loopback (scripts/services.sh) and stops what it started when it ends.
#   CARAVAN_CHROMA_PORT   port of the tests' Chroma server (default: 8765, or the next free port above it)
set -euo pipefail
cd "$(dirname "$0")/.."

# Is anything listening on this loopback port?
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -z "${CARAVAN_CHROMA_PORT:-}" ]; then
  CARAVAN_CHROMA_PORT=8765
  while listening "$CARAVAN_CHROMA_PORT"; do
    CARAVAN_CHROMA_PORT=$((CARAVAN_CHROMA_PORT + 1))
  done
fi
export CARAVAN_CHROMA_PORT
# one Chroma server for every test JVM (io.caravan.support.ChromaTestServer uses it), its data thrown away after
CARAVAN_CHROMA_DATA=$(mktemp -d "${TMPDIR:-/tmp}/caravan-test-chroma.XXXXXX")
export CARAVAN_CHROMA_DATA
export CARAVAN_TEST_CHROMA_URL="http://127.0.0.1:$CARAVAN_CHROMA_PORT"

stop_services() {
  scripts/services.sh down chroma postgres || true
  rm -rf "$CARAVAN_CHROMA_DATA"
}
trap stop_services EXIT

scripts/services.sh up postgres chroma

mvn -B verify "$@"

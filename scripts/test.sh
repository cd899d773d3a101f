#!/usr/bin/env bash
# Runs Caravan's whole test suite: unit, route and integration tests against the real parts (Camel context,
# H2, PostgreSQL, the embedding model, real HTTP), then the packaged hub as a user runs it, following the README.
# Starts what the tests need on loopback (scripts/services.sh) and stops it again if it was not running before.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh up postgres
trap 'scripts/services.sh down postgres' EXIT

mvn -B verify "$@"

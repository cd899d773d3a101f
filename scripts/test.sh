#!/usr/bin/env bash
# Runs Caravan's whole test suite: unit, route and integration tests against the real parts (Camel context,
# H2, the embedding model, real HTTP), then the packaged hub as a user runs it, following the README.
# Starts what the tests need on loopback and stops it again.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B verify "$@"

#!/usr/bin/env bash
# Runs the Caravan hub on its embedded default (H2 file database, per-tenant vector store, seda queues,
# in-process embedding model, extractive answers): no external service. Builds the jar first when the
# sources are newer than it. Extra arguments are passed to the hub (e.g. --server.port=9090).
set -euo pipefail
cd "$(dirname "$0")/.."

jar=target/caravan.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src/main routes connectors -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "Building $jar ..." >&2
  mvn -B -q -DskipTests package >&2
fi
exec java ${CARAVAN_JAVA_OPTS:-} -jar "$jar" "$@"

#!/usr/bin/env bash
# Starts or stops the services of the production mode on loopback: ./scripts/services.sh up|down [chroma|kafka|postgres|all]
# (default all). Each service's functions live in scripts/lib/<service>.sh; state, data and logs in .services/.
set -euo pipefail
cd "$(dirname "$0")/.."

for lib in scripts/lib/*.sh; do
  # shellcheck source=/dev/null
  source "$lib"
done

action="${1:-}"
service="${2:-all}"
case "$action" in
  up | down) ;;
  *)
    echo "usage: $0 up|down [chroma|kafka|postgres|all]" >&2
    exit 2
    ;;
esac

run() {
  local fn="$1_$action"
  if declare -F "$fn" >/dev/null; then
    "$fn"
  else
    echo "no '$1' service in scripts/lib/ (skipped)" >&2
  fi
}

case "$service" in
  all)
    for s in postgres chroma kafka; do run "$s"; done
    ;;
  chroma | kafka | postgres) run "$service" ;;
  *)
    echo "unknown service '$service': chroma, kafka, postgres or all" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Starts and stops the services of Caravan's production mode on loopback, for the tests and for running the
# production profile by hand:
#   scripts/services.sh up|down|status [postgres|chroma|kafka ...]   (no name: every service below)
# "up" uses a service that is already running and starts it otherwise; "down" stops only what "up" started
# (a marker under $CARAVAN_SERVICES_DIR, default .services). Each service is three functions,
# <name>_up, <name>_down and <name>_status; add one by defining them and listing it in SERVICES.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVICES=(postgres chroma kafka)
STATE_DIR=${CARAVAN_SERVICES_DIR:-.services}
PG_HOST=${CARAVAN_PG_HOST:-127.0.0.1}
PG_PORT=${CARAVAN_PG_PORT:-5432}
PG_SUPERUSER=${CARAVAN_PG_SUPERUSER:-postgres}

log() { echo "services: $*" >&2; }

# Chroma (npm) and Kafka (KRaft, jars from Maven Central) live in scripts/lib/<name>.sh
for lib in scripts/lib/*.sh; do
  # shellcheck source=/dev/null
  source "$lib"
done
chroma_status() { chroma_heartbeat "${CARAVAN_CHROMA_PORT:-8000}"; }
kafka_status() { kafka_answers "${CARAVAN_KAFKA_PORT:-9092}"; }

# --- PostgreSQL: the Debian cluster of this machine (trust authentication over loopback) --------------------

postgres_status() {
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
}

postgres_up() {
  if postgres_status; then
    log "postgres already running on $PG_HOST:$PG_PORT"
  else
    local version
    version=$(ls /etc/postgresql | sort -V | tail -1)
    log "starting postgres $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 60); do
      postgres_status && break
      sleep 0.5
    done
    postgres_status || { log "postgres did not become ready"; return 1; }
    mkdir -p "$STATE_DIR" && echo "$version" > "$STATE_DIR/postgres.started"
  fi
  postgres_roles
}

# The hub's two roles and a database for running the production profile by hand (tests make their own):
# caravan_owner runs the migrations and owns the tables, caravan_app is what the hub connects as (no BYPASSRLS,
# not the owner, so row-level security binds it). Idempotent.
postgres_roles() {
  psql -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caravan_owner') THEN
    CREATE ROLE caravan_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caravan_app') THEN
    CREATE ROLE caravan_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
SELECT 'CREATE DATABASE caravan OWNER caravan_owner'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'caravan') \gexec
SQL
}

postgres_down() {
  if [ -f "$STATE_DIR/postgres.started" ]; then
    local version
    version=$(cat "$STATE_DIR/postgres.started")
    log "stopping postgres $version/main (started by services.sh up)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main stop
    rm -f "$STATE_DIR/postgres.started"
  else
    log "postgres was not started by services.sh: left running"
  fi
}

# --- dispatch ------------------------------------------------------------------------------------------------

usage() {
  echo "usage: $0 up|down|status [${SERVICES[*]// /|}]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
action=$1
shift
case "$action" in up|down|status) ;; *) usage ;; esac
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${SERVICES[@]}")
for name in "${names[@]}"; do
  declare -F "${name}_${action}" >/dev/null || { log "unknown service: $name"; usage; }
done
status=0
for name in "${names[@]}"; do
  if [ "$action" = status ]; then
    if "${name}_status"; then echo "$name: up"; else echo "$name: down"; status=1; fi
  else
    "${name}_${action}"
  fi
done
exit $status

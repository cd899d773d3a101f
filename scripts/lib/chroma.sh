# Chroma 1.0 server from the npm registry (STACK.md: newer bindings need glibc 2.38+). Sourced by
# scripts/services.sh from the repository root. Settings: CARAVAN_CHROMA_PORT (8000), CARAVAN_CHROMA_DATA
# (.services/chroma/data). One pid file and log per port, so a test server on another port never touches it.

CHROMA_HOME=.services/chroma
CHROMA_PACKAGES="chromadb@3.0.0 chromadb-js-bindings-linux-x64-gnu@0.1.3"

chroma_heartbeat() {
  curl -sf --max-time 2 "http://127.0.0.1:$1/api/v2/heartbeat" >/dev/null 2>&1
}

chroma_install() {
  if [ ! -x "$CHROMA_HOME/node_modules/.bin/chroma" ]; then
    echo "Installing $CHROMA_PACKAGES into $CHROMA_HOME ..." >&2
    mkdir -p "$CHROMA_HOME"
    [ -f "$CHROMA_HOME/package.json" ] || echo '{"name":"caravan-chroma","private":true}' > "$CHROMA_HOME/package.json"
    (cd "$CHROMA_HOME" && npm install --no-audit --no-fund --loglevel=error $CHROMA_PACKAGES >&2)
  fi
}

chroma_up() {
  local port="${CARAVAN_CHROMA_PORT:-8000}"
  local data="${CARAVAN_CHROMA_DATA:-$CHROMA_HOME/data}"
  local pidfile="$CHROMA_HOME/chroma-$port.pid" log="$CHROMA_HOME/chroma-$port.log"
  if chroma_heartbeat "$port"; then
    echo "Chroma already answers on 127.0.0.1:$port"
    return 0
  fi
  chroma_install
  mkdir -p "$data"
  data="$(cd "$data" && pwd)"
  # its own session (process group), so chroma_down stops the server and nothing else
  (cd "$CHROMA_HOME" && exec setsid node_modules/.bin/chroma run --host 127.0.0.1 --port "$port" --path "$data" \
      >"chroma-$port.log" 2>&1 </dev/null) &
  echo $! > "$pidfile"
  local waited=0
  until chroma_heartbeat "$port"; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null || [ "$waited" -ge 120 ]; then
      echo "Chroma did not start on 127.0.0.1:$port; the end of $log:" >&2
      tail -n 20 "$log" >&2 || true
      chroma_down_port "$port"
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  echo "Chroma: http://127.0.0.1:$port (data $data, log $log)"
}

chroma_down_port() {
  stop_pidfile "$CHROMA_HOME/chroma-$1.pid" "Chroma on port $1" 10
}

chroma_down() {
  chroma_down_port "${CARAVAN_CHROMA_PORT:-8000}"
}

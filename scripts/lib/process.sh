# Stopping a background service started by scripts/services.sh: its pid file names the process (group).
# Sourced by scripts/services.sh from the repository root.

# stop_pidfile <pid file> <name> <seconds to wait before SIGKILL>
stop_pidfile() {
  local pidfile="$1" name="$2" wait_s="$3"
  if [ ! -f "$pidfile" ]; then
    echo "$name was not started by this script"
    return 0
  fi
  local pid
  pid="$(cat "$pidfile")"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((wait_s * 4))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
  echo "$name stopped"
}

#!/usr/bin/env bash
# Stop what scripts/stack/up.sh started: PgBouncer always (it is ours), PostgreSQL and
# Redis only if up.sh started them (recorded in .stack/started). Idempotent; never prompts.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_DIR/.stack"
STARTED_FILE="$STATE_DIR/started"

log() { printf '[stack] %s\n' "$*"; }

stop_pid() { # stop_pid PID NAME: SIGTERM, bounded wait, then SIGKILL
  local pid="$1" name="$2" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  log "$name (pid $pid) did not exit after SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

is_pgbouncer() { [[ "$(cat "/proc/$1/comm" 2>/dev/null)" == pgbouncer ]]; }

# ---- PgBouncer: by pid file (.stack/pgbouncer.pid, possibly a link), else the pid
# recorded in .stack/started. Only a process that really is pgbouncer is signalled.
stopped_bouncer=0
pids=()
if [[ -s $STATE_DIR/pgbouncer.pid ]]; then pids+=("$(cat "$STATE_DIR/pgbouncer.pid" 2>/dev/null || true)"); fi
if [[ -f $STARTED_FILE ]]; then
  while read -r name pid _; do
    if [[ $name == pgbouncer ]]; then pids+=("$pid"); fi
  done <"$STARTED_FILE"
fi
for pid in "${pids[@]+"${pids[@]}"}"; do
  [[ $pid =~ ^[0-9]+$ ]] || continue
  if is_pgbouncer "$pid"; then
    log "stopping PgBouncer (pid $pid)"
    stop_pid "$pid" PgBouncer
    stopped_bouncer=1
  fi
done
((stopped_bouncer)) || log "PgBouncer not running"
rm -f "$STATE_DIR/pgbouncer.pid"

# ---- PostgreSQL / Redis: only what up.sh recorded as started by it.
if [[ -f $STARTED_FILE ]]; then
  while read -r name a b _; do
    case "$name" in
      postgresql)
        log "stopping PostgreSQL $a/$b (started by up.sh)"
        pg_ctlcluster --skip-systemctl-redirect "$a" "$b" stop </dev/null || log "PostgreSQL $a/$b was not running"
        ;;
      redis)
        if [[ "$(redis-cli -h "$a" -p "$b" ping 2>/dev/null)" == PONG ]]; then
          log "stopping Redis on $a:$b (started by up.sh)"
          redis-cli -h "$a" -p "$b" shutdown nosave >/dev/null 2>&1 || true
        else
          log "Redis on $a:$b was not running"
        fi
        ;;
    esac
  done <"$STARTED_FILE"
  rm -f "$STARTED_FILE"
fi
log "stopped (services that up.sh did not start were left running)"

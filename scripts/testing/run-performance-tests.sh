#!/usr/bin/env bash
# Runs the load-test profiles end to end: brings up the stack (PostgreSQL, PgBouncer, Redis),
# seeds the demo data set (idempotent), builds and starts the API, runs each profile with
# tools/load/run.ts, stops the API, and lists the reports. Exits non-zero if any profile
# failed a threshold.
#
# Usage: scripts/testing/run-performance-tests.sh [PROFILE...] [-- RUNNER FLAGS]
#   PROFILE: smoke | baseline (default) | stress | spike | soak | open
#   e.g.     scripts/testing/run-performance-tests.sh stress -- --duration 60s
#            LOAD_TIME_SCALE=0.1 scripts/testing/run-performance-tests.sh baseline spike
# Environment: LOAD_PORT (default 3100), LOAD_BASE_URL (test an already running API instead;
# nothing is started), LOAD_TIME_SCALE, DB_POOL_MAX, LOG_LEVEL (default warn).
set -euo pipefail
cd "$(dirname "$0")/../.."

profiles=()
while (($#)); do
  if [[ $1 == -- ]]; then
    shift
    break
  fi
  profiles+=("$1")
  shift
done
((${#profiles[@]})) || profiles=(baseline)
runner_flags=("$@")

log() { printf '[perf] %s\n' "$*"; }

# 1,000 VUs (spike) need more descriptors than the usual 1024 on both sides of the loopback.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true

server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    log "stopping the API (pid $server_pid)"
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

if [[ -z ${LOAD_BASE_URL:-} ]]; then
  bash scripts/stack/up.sh
  # shellcheck source=scripts/stack/env.sh disable=SC1091
  source scripts/stack/env.sh
  export JWT_SECRET="${JWT_SECRET:-perf-test-secret-perf-test-secret-0123456789}"
  log "seeding (idempotent)"
  npx tsx scripts/seed.ts >tests/load/results/seed.log 2>&1 || { cat tests/load/results/seed.log >&2; exit 2; }
  head -1 tests/load/results/seed.log
  log "building"
  npm run build --silent
  port="${LOAD_PORT:-3100}"
  LOG_LEVEL="${LOG_LEVEL:-warn}" PORT="$port" HOST=127.0.0.1 node dist/server.js >"tests/load/results/server-$port.log" 2>&1 &
  server_pid=$!
  export LOAD_BASE_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do
    if curl -fsS "$LOAD_BASE_URL/health/ready" >/dev/null 2>&1; then break; fi
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "tests/load/results/server-$port.log" >&2; exit 2; }
    sleep 0.25
  done
  curl -fsS "$LOAD_BASE_URL/health/ready" >/dev/null || { log "API did not become ready"; exit 2; }
  log "API up on $LOAD_BASE_URL (pid $server_pid, log tests/load/results/server-$port.log)"
fi

failed=()
for p in "${profiles[@]}"; do
  log "profile $p"
  if ! npx tsx tools/load/run.ts "$p" --base-url "$LOAD_BASE_URL" "${runner_flags[@]+"${runner_flags[@]}"}"; then
    failed+=("$p")
  fi
done

log "reports in tests/load/results/:"
find tests/load/results -name '*.html' -newer tests/load/results/.gitkeep -mmin -600 -printf '  %p\n' 2>/dev/null | sort | tail -n "${#profiles[@]}"
if ((${#failed[@]})); then
  log "thresholds failed in: ${failed[*]}"
  exit 1
fi
log "all profiles passed their thresholds"

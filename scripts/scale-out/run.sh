#!/usr/bin/env bash
# Scale-out on this machine: nginx (Debian package, installed when missing) round-robin in front
# of 1, 2 and 3 API replicas sharing PgBouncer and Redis. Brings up the local stack
# (scripts/stack/up.sh), builds the app, then runs tools/scale-out/run.ts, which measures the
# load-test mix (tools/load) per replica count, the cross-replica invalidation delay, and a replica
# killed mid-load. Everything it starts it stops; its database is dropped at the end.
#
# Usage: scripts/scale-out/run.sh [--short] [--replicas 1,2,3] [--seconds 20] [--warmup 5]
#                                 [--vus 48] [--samples 100] [--json FILE] [--report FILE]
#   --short   2 replicas, a few seconds, correctness only (what the test suite runs)
#   full run: scripts/scale-out/run.sh --report docs/perf/SCALE-OUT.md
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf '[scale-out] %s\n' "$*" >&2; }
die() { printf '[scale-out] ERROR: %s\n' "$*" >&2; exit 1; }

bash scripts/stack/up.sh >&2
# shellcheck source=scripts/stack/env.sh disable=SC1091
source scripts/stack/env.sh

if ! command -v nginx >/dev/null; then
  [[ $(id -u) -eq 0 ]] || die "nginx missing: install it (sudo apt-get install -y nginx-light or nginx) or run as root"
  command -v apt-get >/dev/null || die "nginx missing and no apt-get on this machine"
  mkdir -p .stack
  # The package would start its own nginx on :80: forbid service starts during the install.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  trap 'if ((created_policy)); then rm -f "$policy"; fi' EXIT
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get install -y nginx (output in .stack/apt.log)"
  apt-get -o DPkg::Lock::Timeout=600 update -qq </dev/null >>.stack/apt.log 2>&1 || die "apt-get update failed (see .stack/apt.log)"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends nginx </dev/null >>.stack/apt.log 2>&1 \
    || { tail -n 20 .stack/apt.log >&2; die "apt-get install nginx failed"; }
fi
log "$(nginx -v 2>&1)"

# Replicas, nginx and the load generator hold many sockets each.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true

log "building (dist/)"
npm run build --silent
exec npx tsx tools/scale-out/run.ts "$@"

#!/usr/bin/env bash
# Tools for the test suite: Prometheus and promtool (Debian package `prometheus`) for the
# observability tests, Chromium (package `chromium`) for the load report's rendering test.
# Idempotent, never prompts, works without stdin; installs only as root. Called by
# scripts/stack/up.sh and by tests/integration/observability.test.ts when a tool is missing.
set -euo pipefail

log() { printf '[tools] %s\n' "$*"; }
die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }

need=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || need+=(prometheus)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null \
  || need+=(chromium)
((${#need[@]})) || exit 0
[[ $(id -u) -eq 0 ]] || die "${need[*]} missing: install (sudo apt-get install -y ${need[*]}) or run as root"
command -v apt-get >/dev/null || die "${need[*]} missing and no apt-get on this machine"

STATE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.stack"
mkdir -p "$STATE_DIR"
# The package's maintainer scripts would start a Prometheus service on :9090; forbid it
# (policy-rc.d exit 101 = "action forbidden"); the tests run their own server.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  created_policy=1
fi
trap 'if ((created_policy)); then rm -f "$policy"; fi' EXIT
export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get -o DPkg::Lock::Timeout=600 update -qq </dev/null >>"$STATE_DIR/apt.log" 2>&1 || die "apt-get update failed (see $STATE_DIR/apt.log)"
log "apt-get install -y ${need[*]} (output in $STATE_DIR/apt.log)"
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" </dev/null >>"$STATE_DIR/apt.log" 2>&1 \
  || { tail -n 20 "$STATE_DIR/apt.log" >&2; die "apt-get install ${need[*]} failed"; }
command -v prometheus >/dev/null && command -v promtool >/dev/null || die "prometheus installed but prometheus/promtool not on PATH"
log "installed $(prometheus --version 2>&1 | head -1)"

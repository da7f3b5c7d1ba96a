#!/usr/bin/env bash
# Deploys an overlay in the order the app needs: configuration (and the dev database), then the
# migration Job, waiting for it to complete, then everything else (the API rolls out on the
# migrated schema; its pods run with MIGRATE=false). Uses the current kubectl context.
#
# Usage: deploy/kubernetes/deploy.sh dev|prod [--timeout 600s]
# Under Argo CD, apply the overlay as usual instead: the Job's PreSync hook gives the same order.
set -euo pipefail

overlay="${1:?usage: deploy.sh dev|prod}"
timeout="600s"
if [[ ${2:-} == --timeout ]]; then timeout="${3:?--timeout needs a value}"; fi
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/overlays/$overlay"
[[ -f $dir/kustomization.yaml ]] || { echo "no overlay $overlay in $(dirname "$dir")" >&2; exit 2; }
ns="$(kubectl kustomize "$dir" | awk '/^kind: Namespace$/{ns=1} ns && /^  name:/{print $2; exit}')"
[[ -n $ns ]] || { echo "overlay $overlay declares no Namespace" >&2; exit 2; }

log() { printf '[deploy %s] %s\n' "$overlay" "$*"; }

# 1. Namespace, ConfigMaps, the dev Secret, the dev database (labels set in the manifests).
log "configuration and database"
kubectl apply -k "$dir" -l 'app.kubernetes.io/component in (config,database)'
if kubectl -n "$ns" get statefulset postgres >/dev/null 2>&1; then
  kubectl -n "$ns" rollout status statefulset/postgres --timeout="$timeout"
fi
kubectl -n "$ns" get secret iac-dharma-secrets >/dev/null \
  || { echo "secret iac-dharma-secrets missing in namespace $ns (docs/guides/kubernetes.md)" >&2; exit 1; }

# 2. The migration Job: its pod template is immutable, so the previous run is deleted first.
log "migration"
kubectl -n "$ns" delete job iac-dharma-migrate --ignore-not-found --wait=true
kubectl apply -k "$dir" -l app.kubernetes.io/component=migration
if ! kubectl -n "$ns" wait --for=condition=complete job/iac-dharma-migrate --timeout="$timeout"; then
  kubectl -n "$ns" logs job/iac-dharma-migrate --tail=50 >&2 || true
  echo "migration did not complete; the running API was left as it was" >&2
  exit 1
fi
kubectl -n "$ns" logs job/iac-dharma-migrate --tail=5

# 3. Everything else; wait for the API's rollout.
log "rollout"
kubectl apply -k "$dir"
kubectl -n "$ns" rollout status deployment/pgbouncer --timeout="$timeout"
kubectl -n "$ns" rollout status deployment/redis --timeout="$timeout"
kubectl -n "$ns" rollout status deployment/iac-dharma-api --timeout="$timeout"
log "done"

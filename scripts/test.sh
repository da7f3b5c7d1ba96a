#!/usr/bin/env bash
# The whole test suite: brings up the local stack (PostgreSQL, PgBouncer, Redis), then runs
# every test file with Node's test runner. Used by `npm test` and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/stack/up.sh
# shellcheck source=stack/env.sh
source scripts/stack/env.sh

mapfile -t files < <(find tests -name '*.test.ts' -not -path '*/node_modules/*' | sort)
echo "running ${#files[@]} test files"
# One file at a time: integration files share PgBouncer and Redis, and the machine has 2 cores.
exec node --import tsx --test --test-concurrency=1 "${files[@]}"

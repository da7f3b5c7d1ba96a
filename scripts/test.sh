#!/usr/bin/env bash
# The whole test suite: static checks (types, lint, format), then the local stack (PostgreSQL,
# PgBouncer, Redis via scripts/stack/up.sh), then every test file with Node's test runner.
# Used by `npm test` and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "static checks: typecheck, lint, format"
npm run -s check

bash scripts/stack/up.sh
# shellcheck source=stack/env.sh
source scripts/stack/env.sh

mapfile -t files < <(find tests -name '*.test.ts' -not -path '*/node_modules/*' | sort)
echo "running ${#files[@]} test files"
# One file at a time: integration files share PgBouncer and Redis, and the machine has 2 cores.
exec node --import tsx --test --test-concurrency=1 "${files[@]}"

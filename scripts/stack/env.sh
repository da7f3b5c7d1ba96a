# shellcheck shell=bash
# Environment for the local stack started by scripts/stack/up.sh.
# Usage:  source scripts/stack/env.sh     (bash or zsh; sets nothing but these exports)

# The app's pool goes through PgBouncer (transaction pooling).
export DATABASE_URL="postgres://dharma_admin:dharma_pass_dev@127.0.0.1:6432/iac_dharma"
# Migrations need a direct (non-PgBouncer) connection.
export MIGRATIONS_DATABASE_URL="postgres://dharma_admin:dharma_pass_dev@127.0.0.1:5432/iac_dharma"
# PgBouncer admin console (SHOW POOLS / SHOW STATS / SHOW CLIENTS); simple query protocol only.
export PGBOUNCER_ADMIN_URL="postgres://dharma_admin@127.0.0.1:6432/pgbouncer"
# L2 cache and invalidation bus.
export REDIS_URL="redis://127.0.0.1:6379"

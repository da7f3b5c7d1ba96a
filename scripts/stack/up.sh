#!/usr/bin/env bash
# Bring up the IAC Dharma local stack: PostgreSQL (127.0.0.1:5432), PgBouncer
# (127.0.0.1:6432, transaction pooling) and Redis (127.0.0.1:6379).
#
# Idempotent: services that already answer are left alone; PgBouncer started by a
# previous run with the same configuration is kept. Installs missing Debian packages
# when run as root. Never prompts; works without stdin (CI).
#
# Runtime state lives in <repo>/.stack/ (gitignored); .stack/started records what this
# script started, so scripts/stack/down.sh stops only that.
#
# Usage: scripts/stack/up.sh        then: source scripts/stack/env.sh
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_DIR/.stack"
TEMPLATE="$REPO_DIR/deploy/pgbouncer/pgbouncer.ini"
USERLIST_SRC="$REPO_DIR/deploy/pgbouncer/userlist.txt"
STARTED_FILE="$STATE_DIR/started"

PG_HOST=127.0.0.1
PG_PORT=5432
PG_CLUSTER=main # Debian cluster name, started with pg_ctlcluster when PostgreSQL is down
BOUNCER_HOST=127.0.0.1
BOUNCER_PORT=6432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
APP_USER=dharma_admin
APP_PASSWORD=dharma_pass_dev
APP_DB=iac_dharma
WAIT_SECONDS="${STACK_WAIT_SECONDS:-30}"

export PGCONNECT_TIMEOUT=3
# psql must never wait for a password on a terminal.
unset PGPASSWORD PGSERVICE PGDATABASE PGUSER || true

log() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

IS_ROOT=0
[[ $(id -u) -eq 0 ]] && IS_ROOT=1

# ---------------------------------------------------------------- helpers ----------
mark_started() { # mark_started NAME  (set semantics: one line per service)
  touch "$STARTED_FILE"
  grep -qx "$1" "$STARTED_FILE" || printf '%s\n' "$1" >>"$STARTED_FILE"
}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; }
redis_up() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }
psql_super() { psql -X -w -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres "$@"; }

wait_for() { # wait_for DESCRIPTION COMMAND...
  local what="$1"; shift
  local i
  log "waiting for $what (up to ${WAIT_SECONDS}s)"
  for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
    if "$@"; then return 0; fi
    sleep 0.5
  done
  return 1
}

APT_UPDATED=0
apt_install() { # apt_install PKG...  (only the packages that are not installed)
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  if ((!IS_ROOT)); then
    die "missing packages: ${missing[*]} - install them (e.g. sudo apt-get install -y ${missing[*]}) or run this script as root"
  fi
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get on this machine"
  # Keep package maintainer scripts from auto-starting services (the Debian pgbouncer
  # service would grab port 6432): policy-rc.d exit 101 = "action forbidden".
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ((!APT_UPDATED)); then
    log "apt-get update"
    apt-get update -qq </dev/null >>"$STATE_DIR/apt.log" 2>&1 || { ((created_policy)) && rm -f "$policy"; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  log "apt-get install -y ${missing[*]} (output in $STATE_DIR/apt.log)"
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >>"$STATE_DIR/apt.log" 2>&1; then
    ((created_policy)) && rm -f "$policy"
    tail -n 20 "$STATE_DIR/apt.log" >&2 || true
    die "apt-get install ${missing[*]} failed"
  fi
  ((created_policy)) && rm -f "$policy"
  return 0
}

mkdir -p "$STATE_DIR"

# -------------------------------------------------------- client tools -------------
need_pkgs=()
command -v psql >/dev/null && command -v pg_isready >/dev/null || need_pkgs+=(postgresql-client)
command -v redis-cli >/dev/null || need_pkgs+=(redis-tools)
command -v pgbouncer >/dev/null || need_pkgs+=(pgbouncer)
if ((${#need_pkgs[@]})); then apt_install "${need_pkgs[@]}"; fi

# ------------------------------------------- observability tools (Prometheus) -------
# prometheus + promtool for tests/integration/observability.test.ts; see scripts/stack/tools.sh.
if ((IS_ROOT)); then
  bash "$SCRIPT_DIR/tools.sh"
elif ! command -v promtool >/dev/null; then
  log "prometheus/promtool missing (the observability test needs them): run scripts/stack/tools.sh as root"
fi

# ------------------------------------------------------------ PostgreSQL -----------
if pg_up; then
  log "PostgreSQL already accepting connections on $PG_HOST:$PG_PORT"
else
  if ! command -v pg_ctlcluster >/dev/null || [[ -z "$(ls /etc/postgresql 2>/dev/null)" ]]; then
    apt_install postgresql
  fi
  # shellcheck disable=SC2012  # version directories have plain numeric names
  PG_VERSION="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  if [[ -z $PG_VERSION || ! -d /etc/postgresql/$PG_VERSION/$PG_CLUSTER ]]; then
    # shellcheck disable=SC2012
    PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    ((IS_ROOT)) || die "no PostgreSQL cluster found; run as root to create one"
    log "creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER on port $PG_PORT"
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" >/dev/null
  fi
  ((IS_ROOT)) || die "PostgreSQL is not running on $PG_HOST:$PG_PORT; start it (pg_ctlcluster $PG_VERSION $PG_CLUSTER start) or run as root"
  log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start </dev/null
  wait_for "PostgreSQL" pg_up || die "PostgreSQL $PG_VERSION/$PG_CLUSTER did not accept connections on $PG_HOST:$PG_PORT within ${WAIT_SECONDS}s (see /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log)"
  mark_started "postgresql $PG_VERSION $PG_CLUSTER"
fi

# Superuser access over TCP. A fresh Debian cluster uses scram-sha-256 for 127.0.0.1;
# only in that case (connecting fails) add trust lines for loopback and reload.
if ! psql_super -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  ((IS_ROOT)) || die "cannot connect to PostgreSQL as postgres on $PG_HOST:$PG_PORT without a password; allow trust for 127.0.0.1/32 in pg_hba.conf or run as root"
  command -v runuser >/dev/null || die "cannot connect as postgres over TCP and runuser is missing"
  HBA_FILE="$(runuser -u postgres -- psql -X -w -p "$PG_PORT" -Atc 'show hba_file' 2>/dev/null)" \
    || die "cannot connect to PostgreSQL as postgres (neither over TCP nor over the local socket)"
  log "pg_hba: adding trust for 127.0.0.1/32 and ::1/128 to $HBA_FILE (local dev cluster)"
  HBA_TMP="$(mktemp)"
  {
    echo "# added by IAC Dharma scripts/stack/up.sh (local development only)"
    echo "host    all    all    127.0.0.1/32    trust"
    echo "host    all    all    ::1/128         trust"
    cat "$HBA_FILE"
  } >"$HBA_TMP"
  cat "$HBA_TMP" >"$HBA_FILE" # keep owner and mode of the original file
  rm -f "$HBA_TMP"
  runuser -u postgres -- psql -X -w -p "$PG_PORT" -qAtc 'select pg_reload_conf()' >/dev/null
  sleep 1
  psql_super -d postgres -Atc 'select 1' >/dev/null \
    || die "still cannot connect to PostgreSQL as postgres on $PG_HOST:$PG_PORT after editing $HBA_FILE"
fi

# Role and database (idempotent; the password is re-applied every run).
log "ensuring role $APP_USER and database $APP_DB"
psql_super -d postgres <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$APP_USER') THEN
    CREATE ROLE $APP_USER LOGIN CREATEDB PASSWORD '$APP_PASSWORD';
  ELSE
    ALTER ROLE $APP_USER LOGIN CREATEDB PASSWORD '$APP_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $APP_DB OWNER $APP_USER'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$APP_DB') \gexec
SQL

# ----------------------------------------------------------------- Redis -----------
if redis_up; then
  log "Redis already answering on $REDIS_HOST:$REDIS_PORT"
else
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting Redis on $REDIS_HOST:$REDIS_PORT"
  (cd / && redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no </dev/null >/dev/null)
  wait_for "Redis" redis_up || die "Redis did not answer PING on $REDIS_HOST:$REDIS_PORT within ${WAIT_SECONDS}s"
  mark_started "redis $REDIS_HOST $REDIS_PORT"
fi

# -------------------------------------------------------------- PgBouncer ----------
# PgBouncer refuses to run as root: pick an unprivileged user.
RUN_AS=""
if ((IS_ROOT)); then
  if id -u postgres >/dev/null 2>&1; then
    RUN_AS=postgres
  else
    if ! id -u pgbouncer >/dev/null 2>&1; then
      log "creating system user pgbouncer"
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pgbouncer
    fi
    RUN_AS=pgbouncer
  fi
fi
as_runner() { if [[ -n $RUN_AS ]]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi; }

# PgBouncer's files live in .stack/ - unless the unprivileged user cannot reach the
# repo (a parent directory without o+x), then in a private dir under /tmp, linked
# from .stack/ so the paths below still work.
if [[ -n $RUN_AS ]]; then
  chown "$RUN_AS" "$STATE_DIR"
  chmod 0755 "$STATE_DIR"
fi
RUN_DIR="$STATE_DIR"
if ! as_runner test -w "$STATE_DIR" 2>/dev/null; then
  RUN_DIR="/tmp/iac-dharma-stack-$(printf '%s' "$REPO_DIR" | cksum | cut -d' ' -f1)"
  mkdir -p "$RUN_DIR"
  [[ -n $RUN_AS ]] && chown "$RUN_AS" "$RUN_DIR"
  chmod 0700 "$RUN_DIR"
  log "$RUN_AS cannot write $STATE_DIR; PgBouncer runtime files go to $RUN_DIR"
fi

# Render the template and the auth file.
RENDERED="$(sed \
  -e "s|@STATE_DIR@|$RUN_DIR|g" \
  -e "s|@LISTEN_ADDR@|$BOUNCER_HOST|g" \
  -e "s|@LISTEN_PORT@|$BOUNCER_PORT|g" \
  -e "s|@PG_HOST@|$PG_HOST|g" \
  -e "s|@PG_PORT@|$PG_PORT|g" \
  "$TEMPLATE")"
grep -q '@[A-Z_]*@' <<<"$RENDERED" && die "unreplaced placeholder in $TEMPLATE"

PIDFILE="$RUN_DIR/pgbouncer.pid"
LOGFILE="$RUN_DIR/pgbouncer.log"
INI="$RUN_DIR/pgbouncer.ini"
USERLIST="$RUN_DIR/userlist.txt"

bouncer_pid() { # prints the pid of our PgBouncer if it is alive
  local pid
  [[ -s $PIDFILE ]] || return 1
  pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == pgbouncer ]] || return 1
  printf '%s\n' "$pid"
}
bouncer_answers() {
  psql -X -w -q -h "$BOUNCER_HOST" -p "$BOUNCER_PORT" -U "$APP_USER" -d pgbouncer -c 'SHOW POOLS' >/dev/null 2>&1
}
bouncer_compatible() { # the listener is a PgBouncer with this stack's pooling settings
  local cfg
  cfg="$(psql -X -w -At -F= -h "$BOUNCER_HOST" -p "$BOUNCER_PORT" -U "$APP_USER" -d pgbouncer -c 'SHOW CONFIG' 2>/dev/null)" || return 1
  grep -q '^pool_mode=transaction=' <<<"$cfg" && grep -q '^max_client_conn=1000=' <<<"$cfg" &&
    grep -q '^default_pool_size=25=' <<<"$cfg" && grep -q '^max_db_connections=100=' <<<"$cfg"
}
port_listener() { # prints "pid comm" of whatever listens on the PgBouncer port
  local line
  command -v ss >/dev/null || return 1
  line="$(ss -Hltnp "sport = :$BOUNCER_PORT" 2>/dev/null | head -1)" || true
  [[ -n $line ]] || return 1
  printf '%s\n' "$line"
}
stop_bouncer() { # stop_bouncer PID
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 20; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
}

NEW_USERLIST="$(cat "$USERLIST_SRC")"
KEEP=0
REUSED=0
if pid="$(bouncer_pid)"; then
  if [[ -f $INI && "$(cat "$INI")" == "$RENDERED" && -f $USERLIST && "$(cat "$USERLIST")" == "$NEW_USERLIST" ]] && bouncer_answers; then
    log "PgBouncer already running (pid $pid) with this configuration on $BOUNCER_HOST:$BOUNCER_PORT"
    KEEP=1
  else
    log "configuration changed or PgBouncer not answering: restarting PgBouncer (pid $pid)"
    stop_bouncer "$pid"
  fi
fi

if ((!KEEP)); then
  # Something else on the port? The Debian package's own service is stopped (it
  # would otherwise collide); anything else is an error we do not paper over.
  if listener="$(port_listener)"; then
    if [[ $listener == *pgbouncer* ]] && ((IS_ROOT)) && [[ -s /run/postgresql/pgbouncer.pid || -s /var/run/postgresql/pgbouncer.pid ]]; then
      log "stopping the Debian pgbouncer service that holds port $BOUNCER_PORT"
      if [[ -x /etc/init.d/pgbouncer ]]; then /etc/init.d/pgbouncer stop </dev/null >/dev/null 2>&1 || true; fi
      for f in /run/postgresql/pgbouncer.pid /var/run/postgresql/pgbouncer.pid; do
        if [[ -s $f ]]; then stop_bouncer "$(cat "$f")"; fi
      done
      sleep 0.5
    fi
    if listener="$(port_listener)"; then
      if [[ $listener == *pgbouncer* ]] && bouncer_compatible; then
        # Another checkout's stack (e.g. CI next to a developer's tree): same pooler, same
        # settings, so use it; this checkout's down.sh will leave it alone.
        log "reusing the PgBouncer already on $BOUNCER_HOST:$BOUNCER_PORT (same pooling settings; not ours to stop)"
        REUSED=1
      else
        die "port $BOUNCER_HOST:$BOUNCER_PORT is already in use by another process: $listener"
      fi
    fi
  fi
fi

if ((!KEEP && !REUSED)); then

  printf '%s\n' "$RENDERED" >"$INI"
  printf '%s\n' "$NEW_USERLIST" >"$USERLIST"
  chmod 0600 "$USERLIST"
  chmod 0644 "$INI"
  if [[ -n $RUN_AS ]]; then
    chown "$RUN_AS" "$INI" "$USERLIST"
    [[ -e $LOGFILE ]] && chown "$RUN_AS" "$LOGFILE"
  fi
  rm -f "$PIDFILE"

  log "starting PgBouncer $(pgbouncer --version 2>/dev/null | head -1 | awk '{print $NF}') on $BOUNCER_HOST:$BOUNCER_PORT${RUN_AS:+ as user $RUN_AS}"
  # max_client_conn=1000 needs more file descriptors than the common soft limit of
  # 1024; raise the soft limit (up to 8192, within the hard limit) in the user's own
  # shell, since runuser's PAM session resets limits.
  # shellcheck disable=SC2016  # expanded by the inner sh
  if ! as_runner sh -c '
      h=$(ulimit -Hn); case $h in unlimited) h=8192;; esac
      [ "$h" -gt 8192 ] && h=8192
      ulimit -Sn "$h" 2>/dev/null || true
      exec pgbouncer -d "$1"' pgbouncer-start "$INI" </dev/null >>"$STATE_DIR/pgbouncer.start.log" 2>&1; then
    tail -n 20 "$STATE_DIR/pgbouncer.start.log" "$LOGFILE" 2>/dev/null >&2 || true
    die "pgbouncer failed to start (output above)"
  fi
  if ! wait_for "PgBouncer" bouncer_answers; then
    {
      echo "---- last lines of $LOGFILE ----"
      tail -n 30 "$LOGFILE" 2>/dev/null || echo "(no log)"
    } >&2
    die "PgBouncer did not answer 'SHOW POOLS' on $BOUNCER_HOST:$BOUNCER_PORT within ${WAIT_SECONDS}s"
  fi
  pid="$(bouncer_pid)" || die "PgBouncer answers but $PIDFILE does not name a running pgbouncer"
fi

# Links so .stack/ always holds the runtime files, wherever they live.
if ((!REUSED)) && [[ $RUN_DIR != "$STATE_DIR" ]]; then
  for f in pgbouncer.pid pgbouncer.log pgbouncer.ini; do ln -sfn "$RUN_DIR/$f" "$STATE_DIR/$f"; done
fi

# Record it (down.sh stops PgBouncer in any case, using the pid file).
if ((!REUSED)); then
  touch "$STARTED_FILE"
  grep -v '^pgbouncer ' "$STARTED_FILE" >"$STARTED_FILE.tmp" || true
  printf 'pgbouncer %s %s\n' "$pid" "$PIDFILE" >>"$STARTED_FILE.tmp"
  mv "$STARTED_FILE.tmp" "$STARTED_FILE"
fi

# Final end-to-end check through the pooler.
PGPASSWORD="$APP_PASSWORD" psql -X -w -q -h "$BOUNCER_HOST" -p "$BOUNCER_PORT" -U "$APP_USER" -d "$APP_DB" -Atc 'select 1' >/dev/null \
  || die "cannot run a query on $APP_DB through PgBouncer (see $LOGFILE)"

cat <<EOF
[stack] ready (PgBouncer pid $pid${RUN_AS:+, user $RUN_AS}; state in $STATE_DIR)
  DATABASE_URL=postgres://$APP_USER:$APP_PASSWORD@$BOUNCER_HOST:$BOUNCER_PORT/$APP_DB
  MIGRATIONS_DATABASE_URL=postgres://$APP_USER:$APP_PASSWORD@$PG_HOST:$PG_PORT/$APP_DB
  PGBOUNCER_ADMIN_URL=postgres://$APP_USER@$BOUNCER_HOST:$BOUNCER_PORT/pgbouncer
  REDIS_URL=redis://$REDIS_HOST:$REDIS_PORT
  export them with:  source scripts/stack/env.sh      stop with:  scripts/stack/down.sh
EOF

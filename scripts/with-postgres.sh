#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server, then remove the server.
#
#   bash scripts/with-postgres.sh make test
#   bash scripts/with-postgres.sh .venv/bin/python -m pytest tests/services
#
# The server lives in a temporary folder, listens on 127.0.0.1 on a free port, trusts every
# connection from this machine (it holds nothing worth protecting) and runs with fsync off.
# The command gets CRM_TEST_DATABASE_URL (and PGHOST, PGPORT, PGUSER, PGDATABASE for psql);
# its exit status is the script's. The server is stopped and its folder removed however the
# command ends. As root, the server runs as the `postgres` user (PostgreSQL refuses root).
#
# Settings: CRM_PG_BIN (folder with initdb and pg_ctl; default: Debian's newest under
# /usr/lib/postgresql), CRM_PG_DATABASE (default crm_test), CRM_PG_KEEP_LOG=1 to print the
# server log at the end.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG…]" >&2
  exit 2
fi

find_bin() {
  if [ -n "${CRM_PG_BIN:-}" ]; then
    echo "$CRM_PG_BIN"
    return
  fi
  # Debian's packages first (newest version), then whatever is on PATH.
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null \
    | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
  elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
  fi
}

PG_BIN=$(find_bin)
if [ -z "$PG_BIN" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing PostgreSQL (apt-get install postgresql)…" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(find_bin)
fi
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
  echo "PostgreSQL server binaries not found. Install them with:  sudo apt-get install postgresql" >&2
  exit 1
fi

DATABASE=${CRM_PG_DATABASE:-crm_test}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/crm-postgres.XXXXXX")
DATA="$WORK/data"
LOG="$WORK/server.log"

# PostgreSQL will not run as root: as root, run the server commands as `postgres`.
as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    (cd "$WORK" && runuser -u postgres -- "$@")
  else
    (cd "$WORK" && "$@")
  fi
}
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "Running as root, but there is no 'postgres' user to run the server as." >&2
    rm -rf "$WORK"
    exit 1
  fi
  chown postgres: "$WORK"
fi

started=0
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$started" = 1 ]; then
    as_server_user "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ "${CRM_PG_KEEP_LOG:-0}" = 1 ] && [ -f "$LOG" ]; then
    echo "--- PostgreSQL server log ---" >&2
    cat "$LOG" >&2
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

as_server_user "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --no-locale \
  --no-sync >"$WORK/initdb.log" 2>&1 || {
  cat "$WORK/initdb.log" >&2
  exit 1
}

# A port found free can be taken before the server binds it: try a few.
for attempt in 1 2 3 4 5; do
  PORT=$(free_port)
  options="-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$WORK"
  options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  options+=" -c max_connections=100"
  if as_server_user "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -o "$options" -w -t 60 start \
    >/dev/null; then
    started=1
    break
  fi
  echo "PostgreSQL did not start on port $PORT (attempt $attempt)." >&2
  tail -n 20 "$LOG" >&2 || true
done
if [ "$started" != 1 ]; then
  echo "Could not start a PostgreSQL server." >&2
  exit 1
fi

"$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
  -c "CREATE DATABASE \"$DATABASE\"" >/dev/null

export CRM_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DATABASE"
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=$DATABASE
echo "$("$PG_BIN/postgres" -V) on 127.0.0.1:$PORT:" \
  "CRM_TEST_DATABASE_URL=$CRM_TEST_DATABASE_URL" >&2

# Not exec: the trap above must run after the command to stop the server.
"$@"

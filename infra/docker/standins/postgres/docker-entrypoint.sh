#!/usr/bin/env bash
# The postgres stand-in's entrypoint, written for it (not the official script), honouring the contract
# the official image documents (https://hub.docker.com/_/postgres):
#   - a first argument starting with '-' is an option of postgres: `postgres` is put before it;
#   - started as root: the data and socket directories are given to the postgres user, then this
#     script runs again as that user (setpriv);
#   - on an empty data directory ($PGDATA, no PG_VERSION): initdb with POSTGRES_USER (default postgres),
#     POSTGRES_PASSWORD and POSTGRES_INITDB_ARGS (POSTGRES_INITDB_WALDIR too); pg_hba.conf gets
#     `host all all all <POSTGRES_HOST_AUTH_METHOD>` (default: password_encryption, scram-sha-256);
#     a temporary server on the unix socket only creates POSTGRES_DB (default: the user) and runs
#     /docker-entrypoint-initdb.d/* in name order (*.sh executed if executable, else sourced; *.sql,
#     *.sql.gz, *.sql.xz, *.sql.zst through psql as POSTGRES_USER into POSTGRES_DB), then stops;
#   - VAR_FILE for POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, POSTGRES_INITDB_ARGS (Docker secrets);
#   - then the real server is exec'd with the arguments given (listen_addresses='*' from the config).
# Not honoured: running under an arbitrary --user uid without a passwd entry (the official uses nss_wrapper).
set -Eeo pipefail

note () { printf '%s\n' "$*"; }
fail () { printf 'error: %s\n' "$*" >&2; exit 1; }

# VAR from the environment, or from the file VAR_FILE names, or a default.
env_or_file () {
  local name=$1 default=${2:-} file_name="${1}_FILE"
  local value=${!name:-} file=${!file_name:-}
  if [ -n "$value" ] && [ -n "$file" ]; then fail "both $name and $file_name are set; use one"; fi
  if [ -n "$file" ]; then value=$(< "$file"); fi
  export "$name"="${value:-$default}"
  unset "$file_name"
}

# True when the arguments only ask postgres for information (no server runs, nothing to initialise).
asks_for_help () {
  local arg
  for arg; do
    case "$arg" in
      -'?'|--help|--describe-config|-V|--version|-C|-C*) return 0 ;;
    esac
  done
  return 1
}

# psql as the superuser on the socket, into $POSTGRES_DB unless told otherwise; stops at the first error.
docker_process_sql () {
  local db=$POSTGRES_DB
  if [ "${1:-}" = '--dbname' ]; then db=$2; shift 2; fi
  PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname "$db" "$@"
}

run_init_files () {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then note "$0: running $f"; "$f"
        else note "$0: sourcing $f"; . "$f"
        fi ;;
      *.sql) note "$0: running $f"; docker_process_sql -f "$f" ;;
      *.sql.gz) note "$0: running $f"; gunzip -c "$f" | docker_process_sql ;;
      *.sql.xz) note "$0: running $f"; xzcat "$f" | docker_process_sql ;;
      *.sql.zst) note "$0: running $f"; zstd -dc "$f" | docker_process_sql ;;
      *) note "$0: ignoring $f" ;;
    esac
    note
  done
}

initialise () {
  # $@: the server's arguments after `postgres` (they apply to the temporary server as well).
  if [ -z "$POSTGRES_PASSWORD" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != 'trust' ]; then
    cat >&2 <<'EOM'
error: the database is uninitialised and no superuser password is given.
  Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value, or
  POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without a password (not recommended).
EOM
    exit 1
  fi
  if [ "${POSTGRES_HOST_AUTH_METHOD:-}" = 'trust' ]; then
    note "warning: POSTGRES_HOST_AUTH_METHOD=trust: anyone who reaches this server connects without a password"
  fi

  local initdb_args=(--username="$POSTGRES_USER")
  local pwfile=''
  if [ -n "$POSTGRES_PASSWORD" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb_args+=(--pwfile="$pwfile")
  fi
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then initdb_args+=(--waldir="$POSTGRES_INITDB_WALDIR"); fi
  # POSTGRES_INITDB_ARGS is split as a shell would (quotes allowed), as the official image does.
  eval 'initdb "${initdb_args[@]}" '"$POSTGRES_INITDB_ARGS"
  [ -z "$pwfile" ] || rm -f "$pwfile"

  # Connections from elsewhere: POSTGRES_HOST_AUTH_METHOD, else the password_encryption in force
  # (scram-sha-256 unless the arguments or POSTGRES_INITDB_ARGS say otherwise). The socket and the
  # loopback keep initdb's `trust`, as in the official image.
  local auth=${POSTGRES_HOST_AUTH_METHOD:-}
  [ -n "$auth" ] || auth=$(postgres -C password_encryption "$@")
  printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"

  # The temporary server: the unix socket only, so nothing outside sees a half-initialised database.
  local port=${PGPORT:-5432}
  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -w start \
    -o "$(printf '%q ' "$@" -c listen_addresses= -p "$port")"

  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    local exists
    exists=$(docker_process_sql --dbname postgres -tA --set db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")
    if [ -z "$exists" ]; then
      docker_process_sql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db"'
      note "created database $POSTGRES_DB"
    fi
  fi
  note
  run_init_files

  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  note
  note 'PostgreSQL init process complete; ready for start up.'
  note
}

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" = 'postgres' ] && ! asks_for_help "$@"; then
  : "${PGDATA:=/var/lib/postgresql/data}"
  export PGDATA

  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 0700 "$PGDATA" 2>/dev/null || :
  chmod 3775 /var/run/postgresql 2>/dev/null || :
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then mkdir -p "$POSTGRES_INITDB_WALDIR"; fi

  if [ "$(id -u)" = '0' ]; then
    # Root: hand the directories to postgres (only what it does not own yet), then step down.
    find "$PGDATA" /var/run/postgresql ${POSTGRES_INITDB_WALDIR:+"$POSTGRES_INITDB_WALDIR"} \! -user postgres -exec chown postgres:postgres '{}' +
    [ -z "${POSTGRES_INITDB_WALDIR:-}" ] || chmod 0700 "$POSTGRES_INITDB_WALDIR"
    export HOME=/var/lib/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
  fi

  env_or_file POSTGRES_PASSWORD
  env_or_file POSTGRES_USER postgres
  env_or_file POSTGRES_DB "$POSTGRES_USER"
  env_or_file POSTGRES_INITDB_ARGS

  if [ -s "$PGDATA/PG_VERSION" ]; then
    note
    note 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
    note
  else
    initialise "${@:2}"
  fi
fi

exec "$@"

# shellcheck shell=bash
# Shared bootstrap for tools/test, tools/demo and tools/bench: installs what is missing and runs a private
# PostgreSQL cluster for this checkout. Source it, then call `pg_bootstrap DBNAME [fresh]`; it exports
# DATABASE_URL. With DATABASE_URL already set, that database is used as it is and nothing is started.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_STARTED_HERE=0

say() { printf '\033[1m[promoledger]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[promoledger] error:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $* (install it by hand, or set DATABASE_URL to an existing database)"; fi
}

# Installs postgresql and liblz4-dev when they are absent; a no-op on a machine that has them.
ensure_packages() {
    local missing=()
    [ -n "$(pg_bin_dir)" ] || missing+=(postgresql)
    dpkg -s liblz4-dev >/dev/null 2>&1 || missing+=(liblz4-dev)
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get here: install them, or set DATABASE_URL"
    say "installing ${missing[*]} (apt-get)"
    as_root apt-get update -qq >/dev/null || die "apt-get update failed; check the package mirror"
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
}

pg_bin_dir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
    command -v initdb >/dev/null 2>&1 && dirname "$(readlink -f "$(command -v initdb)")"
}

# PostgreSQL refuses to run as root, so root runs the cluster as the `postgres` user. That user may not be
# able to enter this checkout (CI clones into root-only directories), so the data then lives under /var/tmp.
pg_layout() {
    local key
    key=$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
    PG_SOCKET_DIR="/tmp/promoledger-$key"
    PG_RUN_AS=""
    PG_DATA="$ROOT/.data/pg"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || as_root useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
        PG_RUN_AS=postgres
        mkdir -p "$ROOT/.data"
        if ! runuser -u postgres -- test -x "$ROOT/.data" 2>/dev/null; then
            PG_DATA="/var/tmp/promoledger-$key/pg"
        fi
    fi
    export PG_DATA PG_SOCKET_DIR
}

pg_as() {
    if [ -n "$PG_RUN_AS" ]; then runuser -u "$PG_RUN_AS" -- "$@"; else "$@"; fi
}

pg_stop() {
    if [ "$PG_STARTED_HERE" = 1 ]; then
        say "stopping the private PostgreSQL cluster"
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
        PG_STARTED_HERE=0
    fi
}

# pg_bootstrap DBNAME [fresh]: exports DATABASE_URL for DBNAME; `fresh` drops and recreates it first.
pg_bootstrap() {
    local db=$1 fresh=${2:-}
    if [ -n "${DATABASE_URL:-}" ]; then
        say "using DATABASE_URL from the environment"
        return 0
    fi
    ensure_packages
    PG_BIN=$(pg_bin_dir)
    [ -n "$PG_BIN" ] || die "PostgreSQL binaries not found after install"
    pg_layout
    mkdir -p "$(dirname "$PG_DATA")" "$PG_SOCKET_DIR"
    [ -n "$PG_RUN_AS" ] && chown "$PG_RUN_AS" "$(dirname "$PG_DATA")" "$PG_SOCKET_DIR"
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        say "creating a private PostgreSQL cluster in $PG_DATA"
        pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U promo -A trust -E UTF8 --locale=C >"$ROOT/.data/initdb.log" 2>&1 \
            || die "initdb failed; see .data/initdb.log"
    fi
    if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        say "starting PostgreSQL (socket in $PG_SOCKET_DIR)"
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -t 60 -l "$PG_DATA/../postgres.log" \
            -o "-c listen_addresses='' -c unix_socket_directories='$PG_SOCKET_DIR' -c max_connections=300 -c shared_buffers=256MB" \
            start >/dev/null || die "PostgreSQL did not start; see $(dirname "$PG_DATA")/postgres.log"
        PG_STARTED_HERE=1
        trap pg_stop EXIT
    fi
    local psql=("$PG_BIN/psql" -h "$PG_SOCKET_DIR" -U promo -d postgres -v ON_ERROR_STOP=1 -qAt)
    if [ "$fresh" = fresh ]; then
        "${psql[@]}" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    fi
    if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
        "${psql[@]}" -c "CREATE DATABASE $db" >/dev/null
    fi
    export DATABASE_URL="postgres://promo@localhost:5432/$db?host=$PG_SOCKET_DIR"
}

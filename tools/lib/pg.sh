# shellcheck shell=bash
# Shared bootstrap for tools/test, tools/demo and tools/bench: installs what is missing and runs a private
# PostgreSQL cluster for this checkout. Source it, then call `pg_bootstrap DBNAME [fresh|temp]`; it exports
# DATABASE_URL. With DATABASE_URL already set, that database is used as it is and nothing is started.
#
# Several runs on one checkout share the cluster. Each run registers itself (a file users/PID beside the
# cluster's data, written under `flock cluster.lock`): the first one starts the cluster, and the last one out
# stops it. A `temp` database and a restore cluster (pg_start_restore_cluster) belong to the run that made
# them and are removed when it exits, also on SIGINT, SIGTERM or SIGHUP. What a run killed with SIGKILL leaves
# behind is removed by the next run that takes the lock.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_EXTERNAL=0      # 1: DATABASE_URL came from the environment, nothing was started
PG_REGISTERED=0    # 1: this run is registered as a user of the shared cluster
PG_TEMP_DB=""      # the database this run drops at exit
PG_RESTORE_DIR=""  # this run's restore cluster (data, socket, logs), removed at exit
PG_CHILD=""        # the command pg_run is waiting for

say() { printf '\033[1m[promoledger]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[promoledger] error:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $* (install it by hand, or set DATABASE_URL to an existing database)"; fi
}

# apt_install PACKAGE…: installs Debian packages, or dies saying what is missing.
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "missing $* and no apt-get here: install them, or set DATABASE_URL"
    say "installing $* (apt-get)"
    as_root apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null || die "apt-get update failed; check the package mirror"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}

# Installs postgresql and liblz4-dev when they are absent; a no-op on a machine that has them.
ensure_packages() {
    local missing=()
    [ -n "$(pg_bin_dir)" ] || missing+=(postgresql)
    dpkg -s liblz4-dev >/dev/null 2>&1 || missing+=(liblz4-dev)
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

pg_bin_dir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
    command -v initdb >/dev/null 2>&1 && dirname "$(readlink -f "$(command -v initdb)")"
}

# PostgreSQL refuses to run as root, so root runs the cluster as the `postgres` user. That user may not be
# able to enter this checkout (CI clones into root-only directories), so the data then lives under /var/tmp.
# PG_STATE is the folder holding the data, the log, the lock and the registered users.
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
    PG_STATE="$(dirname "$PG_DATA")"
    export PG_DATA PG_SOCKET_DIR
}

pg_as() {
    if [ -n "$PG_RUN_AS" ]; then runuser -u "$PG_RUN_AS" -- "$@"; else "$@"; fi
}

pg_psql() { PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -h "$PG_SOCKET_DIR" -U promo -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
pg_running() { pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

# The lock serialises starting, stopping and (un)registering. Fd 9 is closed for every server started while it
# is held, so a postmaster never keeps the lock.
pg_lock() { exec 9>>"$PG_STATE/cluster.lock" && flock 9; }
pg_unlock() { exec 9>&-; }

# pg_proc_start PID: the process's start time in clock ticks since boot (tells a live run from a reused PID).
pg_proc_start() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    # shellcheck disable=SC2086 # split into fields on purpose
    set -- $stat
    echo "${20}"
}

# Registers this run as a user of the cluster (under the lock). pg_note adds what the run must remove at exit.
pg_register() {
    mkdir -p "$PG_STATE/users"
    printf 'start=%s\n' "$(pg_proc_start $$)" >"$PG_STATE/users/$$"
    PG_REGISTERED=1
}
pg_note() { printf '%s\n' "$1" >>"$PG_STATE/users/$$"; }

# Removes the registrations of runs that are gone, with their databases and restore clusters (under the lock).
pg_prune_stale() {
    local file pid start key value
    for file in "$PG_STATE"/users/*; do
        [ -f "$file" ] || continue
        pid=${file##*/}
        [ "$pid" = "$$" ] && continue
        start=$(sed -n 's/^start=//p' "$file")
        if [ -n "$start" ]; then
            [ "$(pg_proc_start "$pid")" = "$start" ] && continue
        elif kill -0 "$pid" 2>/dev/null; then
            continue
        fi
        say "cleaning up after an earlier run (pid $pid) that did not exit"
        while IFS='=' read -r key value; do
            case $key in
                db) pg_psql -c "DROP DATABASE IF EXISTS \"$value\" WITH (FORCE)" >/dev/null 2>&1 || true ;;
                restore) pg_remove_restore_cluster "$value" ;;
            esac
        done <"$file"
        rm -f "$file"
    done
}

pg_user_count() {
    local file n=0
    for file in "$PG_STATE"/users/*; do [ -f "$file" ] && n=$((n + 1)); done
    echo "$n"
}

# Drops this run's temp database and unregisters it; the last user out stops the cluster.
pg_release() {
    [ "$PG_REGISTERED" = 1 ] || return 0
    pg_lock
    if [ -n "$PG_TEMP_DB" ]; then
        pg_psql -c "DROP DATABASE IF EXISTS \"$PG_TEMP_DB\" WITH (FORCE)" >/dev/null 2>&1 \
            || say "could not drop database $PG_TEMP_DB"
        PG_TEMP_DB=""
    fi
    rm -f "$PG_STATE/users/$$"
    PG_REGISTERED=0
    pg_prune_stale
    if [ "$(pg_user_count)" -eq 0 ] && pg_running; then
        say "stopping the private PostgreSQL cluster (no other run is using it)"
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
    pg_unlock
}

# Kept for callers of the old interface: releasing is what stops the cluster now.
pg_stop() { pg_release; }

# pg_run COMMAND…: runs a long command (build, tests, server) in a process group of its own and waits for it,
# so that a SIGTERM or SIGINT to this script is handled at once: the command's group is terminated and the
# run cleans up, instead of waiting for the command to finish.
pg_run() {
    local status=0
    if command -v setsid >/dev/null 2>&1; then setsid "$@" & else "$@" & fi
    PG_CHILD=$!
    wait "$PG_CHILD" || status=$?
    PG_CHILD=""
    return "$status"
}

pg_kill_child() {
    [ -n "$PG_CHILD" ] || return 0
    kill -TERM -- "-$PG_CHILD" 2>/dev/null || kill -TERM "$PG_CHILD" 2>/dev/null || true
    local i
    for i in $(seq 50); do
        kill -0 "$PG_CHILD" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$PG_CHILD" 2>/dev/null || kill -KILL "$PG_CHILD" 2>/dev/null || true
    wait "$PG_CHILD" 2>/dev/null || true
    PG_CHILD=""
}

# The EXIT trap: everything this run made goes, in reverse order. Safe to run twice.
pg_cleanup() {
    trap '' INT TERM HUP
    pg_kill_child
    pg_stop_restore_cluster
    pg_release
}

pg_on_signal() {
    trap '' INT TERM HUP
    say "interrupted: cleaning up"
    exit "$1"
}

pg_install_traps() {
    trap pg_cleanup EXIT
    trap 'pg_on_signal 130' INT
    trap 'pg_on_signal 143' TERM
    trap 'pg_on_signal 129' HUP
}

# pg_bootstrap DBNAME [fresh|temp]: exports DATABASE_URL for DBNAME. `fresh` drops and recreates it first;
# `temp` does too, and drops it when this run exits (give each run its own name, e.g. with its PID).
pg_bootstrap() {
    local db=$1 mode=${2:-}
    # liblz4 is linked into promoctl (archives and backups): needed for the build, whatever the database.
    dpkg -s liblz4-dev >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1 || apt_install liblz4-dev
    if [ -n "${DATABASE_URL:-}" ]; then
        PG_EXTERNAL=1
        say "using DATABASE_URL from the environment"
        return 0
    fi
    ensure_packages
    PG_BIN=$(pg_bin_dir)
    [ -n "$PG_BIN" ] || die "PostgreSQL binaries not found after install"
    pg_layout
    mkdir -p "$PG_STATE" "$PG_SOCKET_DIR"
    [ -n "$PG_RUN_AS" ] && chown "$PG_RUN_AS" "$PG_STATE" "$PG_SOCKET_DIR"
    pg_install_traps
    pg_lock
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        say "creating a private PostgreSQL cluster in $PG_DATA"
        pg_as "$PG_BIN/initdb" -D "$PG_DATA" -U promo -A trust -E UTF8 --locale=C >"$ROOT/.data/initdb.log" 2>&1 \
            || die "initdb failed; see .data/initdb.log"
    fi
    if pg_running; then
        say "using the running private PostgreSQL (socket in $PG_SOCKET_DIR)"
    else
        say "starting PostgreSQL (socket in $PG_SOCKET_DIR)"
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -t 60 -l "$PG_STATE/postgres.log" \
            -o "-c listen_addresses='' -c unix_socket_directories='$PG_SOCKET_DIR' -c max_connections=300 -c shared_buffers=256MB" \
            start >/dev/null 9>&- || die "PostgreSQL did not start; see $PG_STATE/postgres.log"
    fi
    pg_register
    pg_prune_stale
    pg_unlock
    if [ "$mode" = temp ]; then
        pg_note "db=$db"
        PG_TEMP_DB=$db
    fi
    if [ "$mode" = fresh ] || [ "$mode" = temp ]; then
        pg_psql -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
    fi
    if [ -z "$(pg_psql -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
        pg_psql -c "CREATE DATABASE \"$db\"" >/dev/null
    fi
    export DATABASE_URL="postgres://promo@localhost:5432/$db?host=$PG_SOCKET_DIR"
}

# A second private cluster, new for this run, for tests that restore dumps into fresh databases: its own
# initdb and socket directory, cheap settings (it holds nothing worth keeping), stopped and removed at exit.
# Exports PROMO_RESTORE_ADMIN_URL (its `postgres` database) and PROMO_PG_BIN (pg_dump, pg_restore, psql and
# pgbench of the same version). Call it after pg_bootstrap; with DATABASE_URL from the environment it does
# nothing and leaves both variables as they are.
pg_start_restore_cluster() {
    [ "$PG_EXTERNAL" = 1 ] && return 0
    [ "$PG_REGISTERED" = 1 ] || die "pg_start_restore_cluster needs pg_bootstrap first"
    PG_RESTORE_DIR=$(mktemp -d /var/tmp/promoledger-restore.XXXXXX) || die "cannot create a folder in /var/tmp"
    pg_note "restore=$PG_RESTORE_DIR"
    mkdir "$PG_RESTORE_DIR/socket"
    [ -n "$PG_RUN_AS" ] && chown -R "$PG_RUN_AS" "$PG_RESTORE_DIR"
    say "starting a second, throwaway PostgreSQL for restore tests (socket in $PG_RESTORE_DIR/socket)"
    pg_as "$PG_BIN/initdb" -N -D "$PG_RESTORE_DIR/data" -U promo -A trust -E UTF8 --locale=C \
        >"$PG_RESTORE_DIR/initdb.log" 2>&1 || die "initdb of the restore cluster failed; see $PG_RESTORE_DIR/initdb.log"
    pg_as "$PG_BIN/pg_ctl" -D "$PG_RESTORE_DIR/data" -w -t 60 -l "$PG_RESTORE_DIR/postgres.log" \
        -o "-c listen_addresses='' -c unix_socket_directories='$PG_RESTORE_DIR/socket' -c max_connections=30 -c shared_buffers=16MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null 9>&- || die "the restore cluster did not start; see $PG_RESTORE_DIR/postgres.log"
    export PROMO_RESTORE_ADMIN_URL="postgres://promo@localhost:5432/postgres?host=$PG_RESTORE_DIR/socket"
    export PROMO_PG_BIN="$PG_BIN"
}

pg_stop_restore_cluster() {
    [ -n "$PG_RESTORE_DIR" ] || return 0
    pg_remove_restore_cluster "$PG_RESTORE_DIR"
    PG_RESTORE_DIR=""
}

# pg_remove_restore_cluster DIR: stops the cluster in DIR and deletes DIR (only a folder this file made).
pg_remove_restore_cluster() {
    local dir=$1
    case $dir in /var/tmp/promoledger-restore.?*) ;; *) return 0 ;; esac
    [ -d "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf -- "$dir"
}

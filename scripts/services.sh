#!/usr/bin/env bash
# Provision the portal's backing services on loopback, for tests and demos:
# PostgreSQL (own cluster), Redis (Celery broker), Elasticsearch 8.19 and
# Keycloak 26 (the OIDC provider of the tests, with a checked-in realm).
#
# Usage:
#   scripts/services.sh [start]      install what is missing, start what is
#                                    down, wait until all answer, then print
#                                    the PORTAL_* variables on stdout
#   scripts/services.sh env          print the PORTAL_* variables only
#   scripts/services.sh status       show what runs; exit 1 if anything is down
#   scripts/services.sh stop         stop all three (data is kept)
#   scripts/services.sh createdb NAME
#                                    create database NAME owned by "portal"
#                                    (idempotent) and print its URL
#
# A Makefile uses it as:  set -a; eval "$$(scripts/services.sh start)"; set +a
# so stdout carries ONLY the KEY=value lines; every progress or error message
# goes to stderr.
#
# Environment:
#   PORTAL_PG_PORT (25432)  PORTAL_REDIS_PORT (26379)  PORTAL_ES_PORT (29200;
#   transport = +100)  PORTAL_ES_VERSION  PORTAL_ES_HEAP (1g)
#   PORTAL_SERVICES_DIR (state: data, logs, pid files, downloads; default
#   ${XDG_CACHE_HOME:-$HOME/.cache}/open-data-portal/services)
#   PORTAL_ES_START_TIMEOUT (120 s)  ES_JAVA_HOME (default: the `java` on PATH)
#   PORTAL_ES_SHIM (1; 0 = do not install the shim plugin described below)
#   PORTAL_KC_PORT (28180)  PORTAL_KC_MANAGEMENT_PORT (28190)  PORTAL_KC_VERSION
#   PORTAL_KC_START_TIMEOUT (240 s)  KC_JAVA_HOME (default: a JDK 21+ found under /usr/lib/jvm)
#
# Elasticsearch comes from Maven Central as the "integ-test-zip", the only
# full server Elastic publishes there. It is a bare server: its modules are
# only apm, transport-netty4, x-pack-core and x-pack-security. Missing are
# analysis-common (english analyzer, asciifolding, edge_ngram, stemmers...),
# rest-root (GET / and HEAD /, i.e. clients' info() and ping()), reindex
# (_reindex, _update_by_query, _delete_by_query), lang-painless (scripts),
# mapper-extras (search_as_you_type, scaled_float, rank_feature...) and
# ingest-common. So this script compiles and installs a small plugin, the
# "portal test shim" (Java source below, built with javac against the
# server's own jars), that adds GET/HEAD / and, under Elasticsearch's own
# names and settings, the analysis components the portal uses, straight from
# the Lucene classes analysis-common wraps. Mappings written against it work
# unchanged on a full Elasticsearch.
#
# Everything binds to 127.0.0.1 only and PostgreSQL trusts loopback: these
# are throw-away test services, never expose them.
set -euo pipefail

readonly SCRIPT_NAME=${0##*/}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly REPO_ROOT

# ---------------------------------------------------------------- settings --
# The one place that pins the Elasticsearch version (newest 8.19 on Maven
# Central when this was written).
readonly ES_DEFAULT_VERSION=8.19.21
ES_VERSION=${PORTAL_ES_VERSION:-$ES_DEFAULT_VERSION}
# Pinned so the download does not depend on whatever old default Maven picks.
readonly MVN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1

PG_PORT=${PORTAL_PG_PORT:-25432}
REDIS_PORT=${PORTAL_REDIS_PORT:-26379}
ES_PORT=${PORTAL_ES_PORT:-29200}
readonly HOST=127.0.0.1

# CI may run with a minimal environment; fall back to the passwd entry.
HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
STATE_DIR=${PORTAL_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/open-data-portal/services}
# Absolute from here on: service commands run from / (see as_user).
STATE_DIR=$(realpath -m "$STATE_DIR")

PG_TIMEOUT=60
REDIS_TIMEOUT=30
ES_TIMEOUT=${PORTAL_ES_START_TIMEOUT:-120}
ES_HEAP=${PORTAL_ES_HEAP:-1g}
ES_SHIM=${PORTAL_ES_SHIM:-1}

# ----------------------------------------------------------------- helpers --
log() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# Seconds since the epoch with a fraction, for the phase timings in the log.
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

# Show the end of a log file on stderr: in CI that is the only place a
# failing service's reason becomes visible.
show_log_tail() {
    local file=$1
    if [[ -r $file ]]; then
        printf -- '----- last lines of %s -----\n' "$file" >&2
        tail -n 30 "$file" >&2 || true
        printf -- '-----\n' >&2
    fi
}

validate_port() {
    local name=$1 value=$2
    if [[ ! $value =~ ^[0-9]+$ ]] || ((value < 1024 || value > 65535)); then
        die "$name must be a port number between 1024 and 65535 (got '$value')"
    fi
}

# True when FILE names a process that is alive.
pid_file_alive() {
    [[ -r $1 ]] && kill -0 "$(<"$1")" 2>/dev/null
}

# Refuse to start a service on a port some other process already listens on,
# naming that process, instead of leaving the service to die on its bind.
# (The default ports are all below 32768, outside Linux's ephemeral range
# 32768-60999: a port there can be taken at any moment as the local end of an
# outgoing connection: the likeliest reason CI once saw Keycloak's old
# default 58180 "already bound".)
ensure_port_free() {
    local name=$1 port=$2 holder
    command -v ss >/dev/null 2>&1 || return 0
    holder=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1)
    [[ -z $holder ]] && return 0
    die "port $port ($name) is already taken: $(tr -s ' ' <<<"$holder"); stop that process or choose another port"
}

# Run a command as another OS user when we are root; as ourselves otherwise.
# The `cd /` avoids "could not change directory to /root" noise: the service
# users cannot read root's home.
as_user() {
    local user=$1
    shift
    if is_root && [[ $user != root ]]; then
        (cd / && runuser -u "$user" -- "$@")
    else
        "$@"
    fi
}

# The service users (postgres, portal-es) must be able to walk down to their
# directories; as root the state dir normally lives under /root, which is
# mode 700. Grant only search (x) permission, top-down, where it is missing:
# with an ACL if setfacl exists, else with o+x.
grant_traverse() {
    local user=$1 target=$2 dir="" part
    local -a parts
    IFS=/ read -r -a parts <<<"${target#/}"
    for part in "${parts[@]}"; do
        [[ -n $part ]] || continue
        dir+=/$part
        if ! runuser -u "$user" -- test -x "$dir" 2>/dev/null; then
            if command -v setfacl >/dev/null 2>&1; then
                log "granting '$user' search permission on $dir (ACL u:$user:x)"
                setfacl -m "u:$user:x" "$dir"
            else
                log "granting search permission on $dir (chmod o+x) so '$user' can reach $target"
                chmod o+x "$dir"
            fi
        fi
    done
}

# --------------------------------------------------------------- apt-get --
APT_UPDATED=0
apt_update() {
    log "apt-get update"
    apt-get -o DPkg::Lock::Timeout=300 update >&2
    APT_UPDATED=1
}

apt_install() {
    if ! is_root; then
        die "missing system packages: $*; install them (apt-get install $*) or run $SCRIPT_NAME as root"
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing system packages: $*, and apt-get is not available to install them"
    local pkg
    # Only refresh the package lists when apt does not know a package yet
    # (fresh machines and containers ship with empty lists).
    if ((!APT_UPDATED)); then
        for pkg in "$@"; do
            if ! apt-cache show "$pkg" >/dev/null 2>&1; then
                apt_update
                break
            fi
        done
    fi
    log "apt-get install $*"
    if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
        install -y --no-install-recommends "$@" </dev/null >&2 9>&-; then
        # Stale lists give 404s: refresh once and retry.
        ((APT_UPDATED)) && die "apt-get install $* failed"
        apt_update
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
            install -y --no-install-recommends "$@" </dev/null >&2 9>&- ||
            die "apt-get install $* failed"
    fi
}

need_command() {
    local cmd=$1 pkg=$2
    command -v "$cmd" >/dev/null 2>&1 || apt_install "$pkg"
}

# --------------------------------------------------------------- locking --
# Several helpers may run `start` or `createdb` at the same moment; one lock
# serialises installs, initdb, downloads and starts.
# Every command that may leave a daemon behind (pg_ctl, redis-server,
# elasticsearch, apt-get starting system services) runs with fd 9 closed:
# a daemon inheriting it would hold the lock for as long as it lives.
take_lock() {
    mkdir -p "$STATE_DIR"
    exec 9>"$STATE_DIR/services.lock"
    if ! flock -n 9; then
        log "waiting for another $SCRIPT_NAME run (lock $STATE_DIR/services.lock)"
        flock -w 1800 9 || die "gave up waiting for the lock $STATE_DIR/services.lock"
    fi
}

# ============================================================ PostgreSQL ==
PG_BIN=""
PG_USER=""
PG_DIR=$STATE_DIR/postgres
PG_DATA=$PG_DIR/data
PG_SOCKET_DIR=$PG_DIR/run
PG_LOG=$PG_DIR/postgres.log

# Pick the server binaries: the major version the data dir was made with if
# it exists, else the newest installed. Returns 1 when none is installed.
find_pg_bin() {
    local dir want=""
    [[ -r $PG_DATA/PG_VERSION ]] && want=$(<"$PG_DATA/PG_VERSION")
    if [[ -n $want ]]; then
        dir=/usr/lib/postgresql/$want/bin
        if [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]]; then
            PG_BIN=$dir
            return 0
        fi
        die "$PG_DATA was created by PostgreSQL $want, whose binaries are not installed in $dir; install postgresql-$want or remove $PG_DIR"
    fi
    PG_BIN=""
    while IFS= read -r dir; do
        if [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]]; then
            PG_BIN=$dir
        fi
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V)
    [[ -n $PG_BIN ]]
}

pg_psql() {
    # The bootstrap superuser is "postgres" (initdb --username) and loopback is
    # trusted, so any OS user may connect as it.
    "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$HOST" -p "$PG_PORT" -U postgres "$@"
}

pg_running() {
    [[ -n $PG_BIN && -r $PG_DATA/PG_VERSION ]] || return 1
    # -U postgres: otherwise the server logs "role root does not exist".
    "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -t 2 >/dev/null 2>&1
}

install_postgres() {
    if ! find_pg_bin; then
        apt_install postgresql
        find_pg_bin || die "PostgreSQL is installed but no initdb/pg_ctl/postgres were found under /usr/lib/postgresql/*/bin"
    fi
    if is_root; then
        # PostgreSQL refuses to run as root: use the conventional "postgres"
        # account (the Debian package creates it; a machine with only the
        # binaries may not have it).
        PG_USER=postgres
        if ! id -u "$PG_USER" >/dev/null 2>&1; then
            log "creating system user $PG_USER"
            useradd --system --user-group --home-dir /var/lib/postgresql \
                --no-create-home --shell /bin/bash "$PG_USER"
        fi
    else
        PG_USER=$(id -un)
    fi
}

write_pg_config() {
    # Rewritten on every start so a changed PORTAL_PG_PORT takes effect.
    # Durability is switched off on purpose: test data only, speed matters.
    as_user "$PG_USER" tee "$PG_DATA/portal.conf" >/dev/null <<EOF
# Written by scripts/services.sh on every start; edits are lost.
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    # Trust loopback only (no ::1, no LAN): throw-away test cluster.
    as_user "$PG_USER" tee "$PG_DATA/pg_hba.conf" >/dev/null <<EOF
# Written by scripts/services.sh: trust local socket and 127.0.0.1 only.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   trust
local   replication  all                  trust
host    replication  all   127.0.0.1/32   trust
EOF
}

init_postgres() {
    mkdir -p "$PG_DIR"
    if is_root; then
        chown "$PG_USER:" "$PG_DIR"
        grant_traverse "$PG_USER" "$PG_DIR"
    fi
    as_user "$PG_USER" mkdir -p "$PG_SOCKET_DIR"
    # A unix socket path is limited to 107 bytes; fail clearly, not cryptically.
    local sock=$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT
    ((${#sock} <= 100)) || die "PostgreSQL socket path $sock is too long; set PORTAL_SERVICES_DIR to a shorter path"

    if [[ ! -s $PG_DATA/PG_VERSION ]]; then
        # A half-made data dir (interrupted initdb) is useless: start over.
        rm -rf "$PG_DATA"
        log "postgres: initdb $PG_DATA (as $PG_USER, $PG_BIN)"
        local t0
        t0=$(now)
        if ! as_user "$PG_USER" "$PG_BIN/initdb" -D "$PG_DATA" --username=postgres \
            --auth=trust --encoding=UTF8 --locale=C.UTF-8 >>"$PG_DIR/initdb.log" 2>&1; then
            rm -rf "$PG_DATA"
            show_log_tail "$PG_DIR/initdb.log"
            die "postgres: initdb failed; see $PG_DIR/initdb.log"
        fi
        # Our settings live in portal.conf so postgresql.conf stays stock.
        printf "\ninclude_if_exists = 'portal.conf'\n" |
            as_user "$PG_USER" tee -a "$PG_DATA/postgresql.conf" >/dev/null
        log "postgres: initdb done in $(elapsed "$t0")"
    fi
    write_pg_config
}

start_postgres() {
    install_postgres
    if pg_running; then
        log "postgres: already running on $HOST:$PG_PORT"
    else
        ensure_port_free PORTAL_PG_PORT "$PG_PORT"
        init_postgres
        log "postgres: starting on $HOST:$PG_PORT (log $PG_LOG)"
        local t0
        t0=$(now)
        # pg_ctl -w waits until the server accepts connections; it also copes
        # with a stale postmaster.pid left by a crash or a reboot.
        if ! as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" \
            -w -t "$PG_TIMEOUT" start >/dev/null 2>>"$PG_DIR/pg_ctl.log" 9>&-; then
            show_log_tail "$PG_LOG"
            die "postgres failed to start on $HOST:$PG_PORT (or took over ${PG_TIMEOUT}s); see $PG_LOG"
        fi
        pg_running || {
            show_log_tail "$PG_LOG"
            die "postgres started but does not answer on $HOST:$PG_PORT (port taken by something else?); see $PG_LOG"
        }
        log "postgres: up in $(elapsed "$t0")"
    fi
    ensure_portal_role
    ensure_database portal
}

ensure_portal_role() {
    # SUPERUSER because pytest-django creates and drops test databases (and
    # extensions); the password is for clients that insist on sending one.
    pg_psql -d postgres <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal') THEN
        CREATE ROLE portal LOGIN SUPERUSER PASSWORD 'portal';
    ELSE
        ALTER ROLE portal LOGIN SUPERUSER PASSWORD 'portal';
    END IF;
END
$$;
SQL
}

validate_db_name() {
    # Plain identifiers only: the name is spliced into SQL.
    [[ $1 =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
        die "database name '$1' must match [a-z_][a-z0-9_]* (max 63 chars)"
}

ensure_database() {
    local name=$1
    validate_db_name "$name"
    if [[ -z $(pg_psql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$name'") ]]; then
        log "postgres: creating database $name owned by portal"
        pg_psql -d postgres -c "CREATE DATABASE \"$name\" OWNER portal"
    fi
}

stop_postgres() {
    if ! find_pg_bin || [[ ! -s $PG_DATA/PG_VERSION ]]; then
        log "postgres: not set up"
        return 0
    fi
    if is_root; then PG_USER=postgres; else PG_USER=$(id -un); fi
    if as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        log "postgres: stopping"
        as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null ||
            die "postgres: pg_ctl stop failed; see $PG_LOG"
    else
        log "postgres: not running"
    fi
}

status_postgres() {
    find_pg_bin >/dev/null 2>&1 || true
    if pg_running; then
        local pid="?"
        [[ -r $PG_DATA/postmaster.pid ]] && pid=$(head -n 1 "$PG_DATA/postmaster.pid")
        printf '%-14s up    %s:%s  pid %s  data %s\n' postgres "$HOST" "$PG_PORT" "$pid" "$PG_DATA"
    else
        printf '%-14s DOWN  %s:%s  log %s\n' postgres "$HOST" "$PG_PORT" "$PG_LOG"
        return 1
    fi
}

# ================================================================= Redis ==
REDIS_DIR=$STATE_DIR/redis
REDIS_PID=$REDIS_DIR/redis.pid
REDIS_LOG=$REDIS_DIR/redis.log

redis_running() {
    command -v redis-cli >/dev/null 2>&1 || return 1
    [[ $(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

start_redis() {
    # redis-tools (redis-cli) comes with redis-server.
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        apt_install redis-server
    fi
    if redis_running; then
        log "redis: already running on $HOST:$REDIS_PORT"
        return 0
    fi
    ensure_port_free PORTAL_REDIS_PORT "$REDIS_PORT"
    mkdir -p "$REDIS_DIR"
    log "redis: starting on $HOST:$REDIS_PORT (log $REDIS_LOG)"
    local t0 i
    t0=$(now)
    # Broker for tests: no persistence at all, so nothing lingers between runs.
    redis-server --bind "$HOST" --port "$REDIS_PORT" --daemonize yes \
        --dir "$REDIS_DIR" --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" \
        --save "" --appendonly no </dev/null >&2 9>&- ||
        die "redis: redis-server failed to start; see $REDIS_LOG"
    for ((i = 0; i < REDIS_TIMEOUT * 5; i++)); do
        redis_running && break
        sleep 0.2
    done
    redis_running || {
        show_log_tail "$REDIS_LOG"
        die "redis did not answer PING on $HOST:$REDIS_PORT within ${REDIS_TIMEOUT}s; see $REDIS_LOG"
    }
    log "redis: up in $(elapsed "$t0")"
}

stop_redis() {
    # Go by our pid file, not by the port: another state dir (or the system
    # redis) may serve that port, and it is not ours to stop.
    local pid="" i
    [[ -r $REDIS_PID ]] && pid=$(<"$REDIS_PID")
    if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then
        if redis_running; then
            log "redis: $HOST:$REDIS_PORT answers but $REDIS_PID names no live process of ours; leaving it alone"
        else
            log "redis: not running"
        fi
        return 0
    fi
    log "redis: stopping pid $pid"
    # SIGTERM = SHUTDOWN; with --save "" nothing is written.
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    die "redis pid $pid did not stop; see $REDIS_LOG"
}

status_redis() {
    if redis_running; then
        local pid="?"
        [[ -r $REDIS_PID ]] && pid=$(<"$REDIS_PID")
        printf '%-14s up    %s:%s  pid %s\n' redis "$HOST" "$REDIS_PORT" "$pid"
    else
        printf '%-14s DOWN  %s:%s  log %s\n' redis "$HOST" "$REDIS_PORT" "$REDIS_LOG"
        return 1
    fi
}

# ========================================================= Elasticsearch ==
ES_USER=""
ES_HOME=$STATE_DIR/elasticsearch-$ES_VERSION   # unpacked distribution, read-only
ES_DIR=$STATE_DIR/elasticsearch                # everything ES writes
ES_CONF=$ES_DIR/config
ES_DATA=$ES_DIR/data
ES_LOGS=$ES_DIR/logs
ES_TMP=$ES_DIR/tmp
ES_PID=$ES_DIR/elasticsearch.pid
ES_STARTUP_LOG=$ES_LOGS/startup.log
ES_LOG=$ES_LOGS/portal-test.log               # <cluster.name>.log
ES_ZIP=$STATE_DIR/downloads/elasticsearch-$ES_VERSION.zip
readonly ES_ARTIFACT=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip

es_url() { printf 'http://%s:%s' "$HOST" "$ES_PORT"; }

es_running() {
    # The integ-test-zip has no handler for GET / (that is the rest-root
    # module), so probe the cluster health API instead.
    curl -sf -m 5 "$(es_url)/_cluster/health" 2>/dev/null | grep -q '"cluster_name":"portal-test"'
}

es_pid_alive() { pid_file_alive "$ES_PID"; }

download_es() {
    [[ -s $ES_ZIP ]] && return 0
    need_command mvn maven
    local dl=$STATE_DIR/downloads t0 tmp sha_file want got
    # make prod keeps its state apart but shares the zip with make test's services: on a
    # fresh machine the zip's directory may not exist yet.
    mkdir -p "$dl" "$(dirname "$ES_ZIP")"
    tmp=$(mktemp -d "$dl/.mvn.XXXXXX")
    log "elasticsearch: downloading $ES_ARTIFACT from Maven Central"
    t0=$(now)
    # Run from a scratch dir so no pom.xml is picked up; a private local repo
    # under downloads/ keeps everything out of the repo and of ~/.m2; -C makes
    # a checksum mismatch fatal instead of a warning.
    if ! (cd "$tmp" && mvn -B -C -Dmaven.repo.local="$dl/m2" \
        "$MVN_DEPENDENCY_PLUGIN:copy" -Dartifact="$ES_ARTIFACT" \
        -DoutputDirectory="$tmp" </dev/null >"$dl/mvn.log" 2>&1); then
        rm -rf "$tmp"
        show_log_tail "$dl/mvn.log"
        die "elasticsearch: Maven could not fetch $ES_ARTIFACT (no such version on Maven Central? no network?); see $dl/mvn.log"
    fi
    # Belt and braces: compare against the .sha1 published next to the zip.
    sha_file=$dl/m2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip.sha1
    got=$(sha1sum "$tmp/elasticsearch-$ES_VERSION.zip" | cut -d' ' -f1)
    if [[ -r $sha_file ]]; then
        want=$(head -c 40 "$sha_file")
        [[ $want == "$got" ]] || {
            rm -rf "$tmp"
            die "elasticsearch: SHA-1 mismatch for the download ($got, expected $want)"
        }
    fi
    unzip -tq "$tmp/elasticsearch-$ES_VERSION.zip" >/dev/null || {
        rm -rf "$tmp"
        die "elasticsearch: downloaded zip is corrupt"
    }
    printf '%s  elasticsearch-%s.zip\n' "$got" "$ES_VERSION" >"$ES_ZIP.sha1"
    mv "$tmp/elasticsearch-$ES_VERSION.zip" "$ES_ZIP"
    rm -rf "$tmp"
    # Drop Maven's own copy of the 100 MB zip (the plugins it fetched stay,
    # so a later download of another version is quicker).
    rm -f "$dl/m2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
    log "elasticsearch: downloaded $(du -h "$ES_ZIP" | cut -f1) in $(elapsed "$t0")"
}

install_es() {
    need_command curl curl
    need_command unzip unzip
    need_command java openjdk-17-jre-headless
    if [[ -z ${ES_JAVA_HOME:-} ]]; then
        ES_JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    fi
    [[ -x $ES_JAVA_HOME/bin/java ]] || die "ES_JAVA_HOME=$ES_JAVA_HOME has no bin/java"
    export ES_JAVA_HOME

    if [[ ! -x $ES_HOME/bin/elasticsearch ]]; then
        download_es
        local t0 tmp
        t0=$(now)
        tmp=$(mktemp -d "$STATE_DIR/.unzip.XXXXXX")
        unzip -q "$ES_ZIP" -d "$tmp" || die "elasticsearch: could not unzip $ES_ZIP"
        [[ -x $tmp/elasticsearch-$ES_VERSION/bin/elasticsearch ]] ||
            die "elasticsearch: $ES_ZIP does not contain elasticsearch-$ES_VERSION/bin/elasticsearch"
        rm -rf "$ES_HOME"
        # Rename last so an interrupted unzip never looks installed.
        mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
        rm -rf "$tmp"
        log "elasticsearch: unpacked into $ES_HOME in $(elapsed "$t0")"
    fi

    if is_root; then
        # Elasticsearch refuses to run as root.
        ES_USER=portal-es
        if ! id -u "$ES_USER" >/dev/null 2>&1; then
            log "creating system user $ES_USER"
            useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$ES_USER"
        fi
    else
        ES_USER=$(id -un)
    fi
}

write_es_config() {
    mkdir -p "$ES_CONF" "$ES_DATA" "$ES_LOGS" "$ES_TMP"
    # The config dir is our own copy (ES_PATH_CONF), refreshed when the
    # version changes, so the unpacked distribution stays pristine and
    # root-owned; ES writes its keystore into the config dir.
    if [[ ! -r $ES_CONF/.portal-es-version || $(<"$ES_CONF/.portal-es-version") != "$ES_VERSION" ]]; then
        cp -R "$ES_HOME/config/." "$ES_CONF/"
        rm -f "$ES_CONF/elasticsearch.keystore"
        printf '%s\n' "$ES_VERSION" >"$ES_CONF/.portal-es-version"
    fi
    # Only mention settings of modules the distribution has: ES refuses to
    # start on unknown settings.
    local extra=""
    if [[ -d $ES_HOME/modules/x-pack-security ]]; then
        # The integ-test-zip DOES ship x-pack-security; left on, it
        # auto-configures TLS and passwords on first start. Plain HTTP here.
        extra+=$'xpack.security.enabled: false\n'
    fi
    if [[ -d $ES_HOME/modules/x-pack-ml ]]; then
        extra+=$'xpack.ml.enabled: false\n'
    fi
    if [[ -d $ES_HOME/modules/ingest-geoip ]]; then
        # No network besides the package registries: do not try to download.
        extra+=$'ingest.geoip.downloader.enabled: false\n'
    fi
    cat >"$ES_CONF/elasticsearch.yml" <<EOF
# Written by scripts/services.sh on every start; edits are lost.
cluster.name: portal-test
node.name: portal-1
discovery.type: single-node
network.host: $HOST
http.port: $ES_PORT
transport.port: $((ES_PORT + 100))
path.data: $ES_DATA
path.logs: $ES_LOGS
# Tests delete indices by wildcard.
action.destructive_requires_name: false
# Developer disks may be nearly full; never go read-only on the watermark.
cluster.routing.allocation.disk.threshold_enabled: false
${extra}
EOF
    if is_root; then
        chown -R "$ES_USER:" "$ES_DIR"
        grant_traverse "$ES_USER" "$ES_DIR"
        grant_traverse "$ES_USER" "$ES_HOME"
    fi
}

# ------------------------------------------------ the portal test shim --
readonly ES_SHIM_NAME=portal-test-shim

write_es_shim_source() {
    # The plugin's source lives beside this script (scripts/es-test-shim/).
    cat "$REPO_ROOT/scripts/es-test-shim/PortalTestShimPlugin.java"
}

# Build the shim against this very distribution's jars and drop it into its
# plugins/ dir. Rebuilt only when the source or the version changes (a hash
# of both is kept next to it); it takes effect when Elasticsearch (re)starts.
install_es_shim() {
    local plugin_dir=$ES_HOME/plugins/$ES_SHIM_NAME
    if [[ $ES_SHIM == 0 ]]; then
        if [[ -d $plugin_dir ]]; then
            log "elasticsearch: PORTAL_ES_SHIM=0, removing the $ES_SHIM_NAME plugin"
            rm -rf "$plugin_dir"
        fi
        return 0
    fi
    # A distribution that has the real modules needs no stand-ins (and the
    # duplicate names would stop Elasticsearch from starting).
    if [[ -d $ES_HOME/modules/analysis-common || -d $ES_HOME/modules/rest-root ]]; then
        rm -rf "$plugin_dir"
        return 0
    fi
    local hash
    hash=$({ write_es_shim_source; printf '%s\n' "$ES_VERSION"; } | sha1sum | cut -d' ' -f1)
    if [[ -r $plugin_dir/.source-sha1 && $(<"$plugin_dir/.source-sha1") == "$hash" ]]; then
        return 0
    fi
    local javac=$ES_JAVA_HOME/bin/javac
    if [[ ! -x $javac ]]; then
        need_command javac openjdk-17-jdk-headless
        javac=$(command -v javac)
    fi
    # jar sits next to javac in any JDK.
    local jar t0 build
    jar=$(dirname "$(readlink -f "$javac")")/jar
    t0=$(now)
    build=$(mktemp -d "$STATE_DIR/.shim.XXXXXX")
    mkdir -p "$build/src" "$build/classes"
    write_es_shim_source >"$build/src/PortalTestShimPlugin.java"
    if ! "$javac" -proc:none --release 17 -nowarn -cp "$ES_HOME/lib/*" -d "$build/classes" \
        "$build/src/PortalTestShimPlugin.java" >"$build/javac.log" 2>&1; then
        show_log_tail "$build/javac.log"
        die "elasticsearch: could not compile the $ES_SHIM_NAME plugin for $ES_VERSION (see above; PORTAL_ES_SHIM=0 skips it)"
    fi
    mkdir -p "$build/plugin"
    (cd "$build/classes" && "$jar" cf "$build/plugin/$ES_SHIM_NAME.jar" .) ||
        die "elasticsearch: could not package the $ES_SHIM_NAME plugin"
    cat >"$build/plugin/plugin-descriptor.properties" <<EOF
description=Test-only stand-ins for rest-root and analysis-common (scripts/services.sh)
version=$ES_VERSION
name=$ES_SHIM_NAME
classname=org.opendataportal.estestshim.PortalTestShimPlugin
java.version=17
elasticsearch.version=$ES_VERSION
EOF
    printf '%s\n' "$hash" >"$build/plugin/.source-sha1"
    chmod -R a+rX "$build/plugin"
    rm -rf "$plugin_dir"
    mv "$build/plugin" "$plugin_dir"
    rm -rf "$build"
    log "elasticsearch: built and installed the $ES_SHIM_NAME plugin in $(elapsed "$t0")"
}

start_es() {
    install_es
    if es_running; then
        log "elasticsearch: already running on $(es_url)"
        return 0
    fi
    local t0 rc=0
    t0=$(now)
    if es_pid_alive; then
        # Started by an earlier run and still booting: just wait for it.
        log "elasticsearch: pid $(<"$ES_PID") is alive but not answering yet; waiting"
    else
        rm -f "$ES_PID"
        ensure_port_free PORTAL_ES_PORT "$ES_PORT"
        ensure_port_free PORTAL_ES_PORT "$((ES_PORT + 100))"
        install_es_shim
        write_es_config
        log "elasticsearch $ES_VERSION: starting on $(es_url) as $ES_USER (heap $ES_HEAP, log $ES_LOG)"
        # -d makes the launcher return once the node has started (or failed);
        # setsid detaches it from our process group so a Ctrl-C on make
        # does not take ES down. The launcher echoes the node's log until it
        # daemonises: keep that in startup.log, never on stdout. `timeout`
        # bounds the launcher's own wait.
        as_user "$ES_USER" timeout --kill-after=10 "$ES_TIMEOUT" setsid -w env \
            ES_JAVA_HOME="$ES_JAVA_HOME" ES_PATH_CONF="$ES_CONF" ES_TMPDIR="$ES_TMP" \
            ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
            "$ES_HOME/bin/elasticsearch" -d -p "$ES_PID" \
            </dev/null >"$ES_STARTUP_LOG" 2>&1 9>&- || rc=$?
        if ((rc == 124 || rc == 137)); then
            show_log_tail "$ES_LOG"
            die "elasticsearch did not start within ${ES_TIMEOUT}s (PORTAL_ES_START_TIMEOUT); see $ES_LOG and $ES_STARTUP_LOG"
        elif ((rc != 0)); then
            show_log_tail "$ES_STARTUP_LOG"
            die "elasticsearch failed to start (exit $rc); see $ES_STARTUP_LOG and $ES_LOG"
        fi
    fi
    local deadline=$((SECONDS + ES_TIMEOUT))
    until curl -sf -m 10 "$(es_url)/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1 &&
        es_running; do
        if ((SECONDS >= deadline)); then
            show_log_tail "$ES_LOG"
            die "elasticsearch did not become ready (yellow) on $(es_url) within ${ES_TIMEOUT}s; see $ES_LOG and $ES_STARTUP_LOG"
        fi
        if ! es_pid_alive; then
            show_log_tail "$ES_LOG"
            die "elasticsearch exited during start-up; see $ES_LOG and $ES_STARTUP_LOG"
        fi
        sleep 1
    done
    log "elasticsearch: up in $(elapsed "$t0")"
}

stop_es() {
    if ! es_pid_alive; then
        if es_running; then
            die "elasticsearch answers on $(es_url) but $ES_PID does not name a live process; stop it by hand"
        fi
        log "elasticsearch: not running"
        rm -f "$ES_PID"
        return 0
    fi
    local pid i
    pid=$(<"$ES_PID")
    log "elasticsearch: stopping pid $pid"
    # SIGTERM makes ES close its shards cleanly.
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 60 * 5; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "elasticsearch: pid $pid ignored SIGTERM for 60s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$ES_PID"
}

status_es() {
    if es_running; then
        local pid="?"
        [[ -r $ES_PID ]] && pid=$(<"$ES_PID")
        local health plugins
        health=$(curl -sf -m 5 "$(es_url)/_cluster/health" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')
        plugins=$(curl -sf -m 5 "$(es_url)/_cat/plugins?h=component" | sort -u | paste -sd, -)
        printf '%-14s up    %s:%s  pid %s  version %s  health %s  plugins %s\n' elasticsearch "$HOST" "$ES_PORT" \
            "$pid" "$ES_VERSION" "${health:-?}" "${plugins:-none}"
    else
        printf '%-14s DOWN  %s:%s  log %s\n' elasticsearch "$HOST" "$ES_PORT" "$ES_LOG"
        return 1
    fi
}

# ============================================================== Keycloak ==
# The OIDC provider of the tests (issue 11): Keycloak from Maven Central
# (org.keycloak:keycloak-quarkus-dist), in dev mode (embedded H2) with the
# checked-in realm tests/data/keycloak/portal-test-realm.json. Keycloak 26
# wants Java 21+: KC_JAVA_HOME, else the first JDK 21+ under /usr/lib/jvm,
# else the `java` on PATH if it is 21+.
readonly KC_DEFAULT_VERSION=26.5.6
KC_VERSION=${PORTAL_KC_VERSION:-$KC_DEFAULT_VERSION}
KC_PORT=${PORTAL_KC_PORT:-28180}
KC_MGMT_PORT=${PORTAL_KC_MANAGEMENT_PORT:-28190}
KC_TIMEOUT=${PORTAL_KC_START_TIMEOUT:-240}
KC_REALM_FILE=$REPO_ROOT/tests/data/keycloak/portal-test-realm.json
KC_REALM=portal-test
KC_HOME=$STATE_DIR/keycloak-$KC_VERSION
KC_ZIP=$STATE_DIR/downloads/keycloak-quarkus-dist-$KC_VERSION.zip
KC_PID=$STATE_DIR/keycloak/keycloak.pid
KC_LOG=$STATE_DIR/keycloak/keycloak.log
readonly KC_ARTIFACT=org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip

kc_url() { printf 'http://%s:%s' "$HOST" "$KC_PORT"; }

kc_running() {
    curl -sf -m 5 "$(kc_url)/realms/$KC_REALM/.well-known/openid-configuration" 2>/dev/null |
        grep -q "\"issuer\":\"$(kc_url)/realms/$KC_REALM\""
}

kc_pid_alive() { pid_file_alive "$KC_PID"; }

java_major() {
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

find_kc_java() {
    local dir major
    for dir in ${KC_JAVA_HOME:-} /usr/lib/jvm/*; do
        [[ -n $dir && -x $dir/bin/java ]] || continue
        major=$(java_major "$dir")
        if [[ -n $major ]] && ((major >= 21)); then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    if command -v java >/dev/null 2>&1; then
        dir=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
        major=$(java_major "$dir")
        if [[ -n $major ]] && ((major >= 21)); then
            printf '%s\n' "$dir"
            return 0
        fi
    fi
    return 1
}

download_kc() {
    [[ -s $KC_ZIP ]] && return 0
    need_command mvn maven
    local dl=$STATE_DIR/downloads t0 tmp
    mkdir -p "$dl"
    tmp=$(mktemp -d "$dl/.mvn.XXXXXX")
    log "keycloak: downloading $KC_ARTIFACT from Maven Central (~165 MB)"
    t0=$(now)
    if ! (cd "$tmp" && mvn -B -C -Dmaven.repo.local="$dl/m2" \
        "$MVN_DEPENDENCY_PLUGIN:copy" -Dartifact="$KC_ARTIFACT" \
        -DoutputDirectory="$tmp" </dev/null >"$dl/mvn-keycloak.log" 2>&1); then
        rm -rf "$tmp"
        show_log_tail "$dl/mvn-keycloak.log"
        die "keycloak: Maven could not fetch $KC_ARTIFACT; see $dl/mvn-keycloak.log"
    fi
    unzip -tq "$tmp/keycloak-quarkus-dist-$KC_VERSION.zip" >/dev/null || {
        rm -rf "$tmp"
        die "keycloak: downloaded zip is corrupt"
    }
    mv "$tmp/keycloak-quarkus-dist-$KC_VERSION.zip" "$KC_ZIP"
    rm -rf "$tmp"
    # Maven's -C already checked the published SHA-1; drop its second copy.
    rm -f "$dl/m2/org/keycloak/keycloak-quarkus-dist/$KC_VERSION/keycloak-quarkus-dist-$KC_VERSION.zip"
    log "keycloak: downloaded $(du -h "$KC_ZIP" | cut -f1) in $(elapsed "$t0")"
}

install_kc() {
    need_command curl curl
    need_command unzip unzip
    [[ -x $KC_HOME/bin/kc.sh ]] && return 0
    download_kc
    local tmp
    tmp=$(mktemp -d "$STATE_DIR/.kc-unzip.XXXXXX")
    unzip -q "$KC_ZIP" -d "$tmp"
    rm -rf "$KC_HOME"
    mv "$tmp/keycloak-$KC_VERSION" "$KC_HOME"
    rm -rf "$tmp"
    log "keycloak: unpacked into $KC_HOME"
}

start_kc() {
    if kc_running; then
        log "keycloak: already running on $(kc_url) (realm $KC_REALM)"
        return 0
    fi
    install_kc
    local java_home
    java_home=$(find_kc_java) ||
        die "keycloak $KC_VERSION needs Java 21 or newer; install one (e.g. a Temurin 25 JDK) or set KC_JAVA_HOME"
    mkdir -p "$(dirname "$KC_PID")"
    local t0 sum
    t0=$(now)
    if kc_pid_alive; then
        log "keycloak: pid $(<"$KC_PID") is alive but not answering yet; waiting"
    else
        ensure_port_free PORTAL_KC_PORT "$KC_PORT"
        ensure_port_free PORTAL_KC_MANAGEMENT_PORT "$KC_MGMT_PORT"
        # The realm is imported only into an empty database (IGNORE_EXISTING):
        # a changed realm file means a fresh H2 database.
        sum=$(sha1sum "$KC_REALM_FILE" | cut -d' ' -f1)
        if [[ $(cat "$KC_HOME/data/.realm-sha1" 2>/dev/null) != "$sum" ]]; then
            rm -rf "$KC_HOME/data/h2" "$KC_HOME/data/import"
            mkdir -p "$KC_HOME/data/import"
            cp "$KC_REALM_FILE" "$KC_HOME/data/import/$KC_REALM-realm.json"
            printf '%s\n' "$sum" >"$KC_HOME/data/.realm-sha1"
        fi
        log "keycloak $KC_VERSION: starting on $(kc_url) (Java $(java_major "$java_home"), log $KC_LOG)"
        # setsid: a Ctrl-C on make does not take Keycloak down; fd 9 (the
        # lock) closed so the daemon does not hold it.
        JAVA_HOME=$java_home KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
            setsid "$KC_HOME/bin/kc.sh" start-dev --import-realm \
            --http-host="$HOST" --http-port="$KC_PORT" \
            --http-management-port="$KC_MGMT_PORT" --health-enabled=true \
            </dev/null >"$KC_LOG" 2>&1 9>&- &
        echo $! >"$KC_PID"
    fi
    # Keycloak is started last: let other runs (createdb) go on while it boots.
    flock -u 9 2>/dev/null || true
    local deadline=$((SECONDS + KC_TIMEOUT)) next=$((SECONDS + 15))
    until kc_running; do
        if ((SECONDS >= deadline)); then
            show_log_tail "$KC_LOG"
            die "keycloak did not serve realm $KC_REALM on $(kc_url) within ${KC_TIMEOUT}s; see $KC_LOG"
        fi
        if ! kc_pid_alive; then
            show_log_tail "$KC_LOG"
            die "keycloak exited during start-up; see $KC_LOG"
        fi
        if ((SECONDS >= next)); then
            log "keycloak: still starting ($(elapsed "$t0")): $(grep -o 'Keycloak [^ ]* on JVM.*\|Importing from.*\|Realm .* imported\|started in [0-9.]*s' "$KC_LOG" | tail -n 1)"
            next=$((SECONDS + 15))
        fi
        sleep 1
    done
    log "keycloak: up in $(elapsed "$t0")"
}

stop_kc() {
    if ! kc_pid_alive; then
        log "keycloak: not running"
        rm -f "$KC_PID"
        return 0
    fi
    local pid i
    pid=$(<"$KC_PID")
    log "keycloak: stopping pid $pid"
    # kc.sh execs java in the same process group (setsid made it the leader).
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 30 * 5; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
    rm -f "$KC_PID"
}

status_kc() {
    if kc_running; then
        printf '%-14s up    %s:%s  pid %s  version %s  realm %s\n' keycloak "$HOST" "$KC_PORT" \
            "$(cat "$KC_PID" 2>/dev/null || echo '?')" "$KC_VERSION" "$KC_REALM"
    else
        printf '%-14s DOWN  %s:%s  log %s\n' keycloak "$HOST" "$KC_PORT" "$KC_LOG"
        return 1
    fi
}

# ============================================================== commands ==
print_env() {
    printf 'PORTAL_DATABASE_URL=postgres://portal:portal@%s:%s/portal\n' "$HOST" "$PG_PORT"
    printf 'PORTAL_BROKER_URL=redis://%s:%s/0\n' "$HOST" "$REDIS_PORT"
    printf 'PORTAL_ELASTICSEARCH_URL=http://%s:%s\n' "$HOST" "$ES_PORT"
    # The tests' OIDC provider (tests/portal/test_oidc_keycloak.py); the portal itself is
    # configured with PORTAL_OIDC_* (README "Log-in and roles").
    printf 'PORTAL_TEST_KEYCLOAK_URL=http://%s:%s/realms/%s\n' "$HOST" "$KC_PORT" "$KC_REALM"
}

check_state_dir() {
    # Downloads and data must never land in the work tree.
    [[ $STATE_DIR != "$REPO_ROOT" && $STATE_DIR != "$REPO_ROOT"/* ]] ||
        die "the state dir $STATE_DIR is inside the repository; set PORTAL_SERVICES_DIR to a path outside it"
}

usage() {
    cat >&2 <<EOF
usage: $SCRIPT_NAME [start|stop|status|env|createdb NAME]
  start          install/start PostgreSQL, Redis, Elasticsearch, Keycloak on $HOST,
                 then print the PORTAL_* variables (default)
  stop           stop them all; data is kept in $STATE_DIR
  status         show what runs; exit 1 if anything is down
  env            print the PORTAL_* variables without starting anything
  createdb NAME  create database NAME owned by "portal" (idempotent); prints its URL
EOF
}

main() {
    local cmd=${1:-start}
    validate_port PORTAL_PG_PORT "$PG_PORT"
    validate_port PORTAL_REDIS_PORT "$REDIS_PORT"
    validate_port PORTAL_ES_PORT "$ES_PORT"
    validate_port PORTAL_KC_PORT "$KC_PORT"
    validate_port PORTAL_KC_MANAGEMENT_PORT "$KC_MGMT_PORT"
    ((ES_PORT + 100 <= 65535)) || die "PORTAL_ES_PORT + 100 (transport port) must stay below 65536"
    check_state_dir

    case $cmd in
    start)
        [[ $# -le 1 ]] || { usage; exit 2; }
        take_lock
        local t0
        t0=$(now)
        start_postgres
        start_redis
        start_es
        start_kc
        log "all services up in $(elapsed "$t0") (state in $STATE_DIR)"
        print_env
        ;;
    env)
        print_env
        ;;
    status)
        local rc=0
        status_postgres || rc=1
        status_redis || rc=1
        status_es || rc=1
        status_kc || rc=1
        return "$rc"
        ;;
    stop)
        take_lock
        stop_kc
        stop_es
        stop_redis
        stop_postgres
        ;;
    createdb)
        [[ $# -eq 2 ]] || { usage; exit 2; }
        validate_db_name "$2"
        take_lock
        start_postgres
        ensure_database "$2"
        printf 'postgres://portal:portal@%s:%s/%s\n' "$HOST" "$PG_PORT" "$2"
        ;;
    -h | --help | help)
        usage
        ;;
    *)
        usage
        exit 2
        ;;
    esac
}

# Sourced by scripts/prod.sh for its functions; run as a command otherwise.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi

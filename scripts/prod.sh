#!/usr/bin/env bash
# The production stack on loopback, in one command (make prod / make prod-stop):
# PostgreSQL, Redis, an Elasticsearch cluster of PORTAL_ES_NODES nodes, gunicorn,
# one Celery worker per queue, Celery beat and nginx in front, all from Debian,
# PyPI and Maven Central packages, configured with the files in deploy/.
#
# Usage:
#   scripts/prod.sh start     start what is down (reusing data), load the demo
#                             catalogue once, wait until /readyz answers 200; print
#                             the PORTAL_* lines, the URL, gunicorn's address and
#                             one "PID <name> <pid>" line per process
#   scripts/prod.sh stop      stop everything (exit 0 even if processes are gone)
#   scripts/prod.sh status    one line per process; exit 1 if one is down
#   scripts/prod.sh env       the PORTAL_* lines (for manage.py against the stack)
#   scripts/prod.sh restart NAME
#                             restart one process (es-2, gunicorn, celery-oai, ...);
#                             prints its new PID line
#   scripts/prod.sh es-cluster start|stop DIR NODES HTTP_BASE TRANSPORT_BASE
#                             a bare Elasticsearch cluster for the failure drills
#                             (node i: http HTTP_BASE+i, transport TRANSPORT_BASE+i);
#                             prints "PID es-<i> <pid>" lines
#   scripts/prod.sh backup [FILE]
#                             pg_dump of the portal's database (default:
#                             $PORTAL_PROD_DIR/backups/portal-<time>.dump)
#   scripts/prod.sh restore FILE
#                             restore it, then rebuild search and OAI-PMH renderings
#   scripts/prod.sh drill-services start|stop|restart all|postgres|redis DIR PG_PORT REDIS_PORT
#                             PostgreSQL and Redis as in production, for the drills
#
# Environment (defaults):
#   PORT (8080, nginx)  PORTAL_ES_NODES (3)  PORTAL_PROD_DIR
#   (${XDG_CACHE_HOME:-$HOME/.cache}/open-data-portal/prod)  PORTAL_PROD_PG_PORT (28432)
#   PORTAL_PROD_REDIS_PORT (28479)  PORTAL_PROD_ES_HTTP_BASE (28500: nodes 28501...)
#   PORTAL_PROD_ES_TRANSPORT_BASE (28600)  PORTAL_PROD_ES_HEAP (512m per node)
#   PORTAL_GUNICORN_BIND (127.0.0.1:28080)  PORTAL_GUNICORN_WORKERS (2 x cores + 1)
#   PORTAL_GUNICORN_THREADS (4)  PORTAL_CELERY_CONCURRENCY (1 per queue)
#
# Unlike scripts/services.sh (throw-away test services), this stack is durable
# (fsync on, Redis append-only file), PostgreSQL and Redis ask for passwords
# (generated once into $PORTAL_PROD_DIR/secrets.env), and the portal runs with
# PORTAL_MODE=production. It listens on 127.0.0.1 only, over plain HTTP
# (PORTAL_TLS=0, which production mode allows for a loopback address only):
# a real deployment puts TLS in nginx (see deploy/nginx.conf).
set -euo pipefail

PROD_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
# The Elasticsearch distribution (and its shim plugin) is shared with services.sh.
SHARED_SERVICES_DIR=$(realpath -m "${PORTAL_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/open-data-portal/services}")
PROD_DIR=$(realpath -m "${PORTAL_PROD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/open-data-portal/prod}")

# services.sh reads these when sourced: its PostgreSQL functions then manage our cluster.
export PORTAL_SERVICES_DIR=$PROD_DIR
export PORTAL_PG_PORT=${PORTAL_PROD_PG_PORT:-28432}
export PORTAL_REDIS_PORT=${PORTAL_PROD_REDIS_PORT:-28479}
# shellcheck source=scripts/services.sh
source "$PROD_REPO_ROOT/scripts/services.sh"
ES_HOME=$SHARED_SERVICES_DIR/elasticsearch-$ES_VERSION
ES_ZIP=$SHARED_SERVICES_DIR/downloads/elasticsearch-$ES_VERSION.zip

WEB_PORT=${PORT:-8080}
ES_NODES=${PORTAL_ES_NODES:-3}
ES_HTTP_BASE=${PORTAL_PROD_ES_HTTP_BASE:-28500}
ES_TRANSPORT_BASE=${PORTAL_PROD_ES_TRANSPORT_BASE:-28600}
PROD_ES_HEAP=${PORTAL_PROD_ES_HEAP:-512m}
GUNICORN_BIND=${PORTAL_GUNICORN_BIND:-127.0.0.1:28080}
CELERY_CONCURRENCY=${PORTAL_CELERY_CONCURRENCY:-1}
READY_TIMEOUT=${PORTAL_PROD_READY_TIMEOUT:-600}
QUEUES=(indexing oai doi mail stats portal)

RUN_DIR=$PROD_DIR/run
LOG_DIR=$PROD_DIR/logs
VENV_BIN=$PROD_REPO_ROOT/.venv/bin
SECRETS=$PROD_DIR/secrets.env
PORTAL_ENV=$PROD_DIR/portal.env
STORAGE=$PROD_DIR/storage
STATIC=$PROD_DIR/static
NGINX_DIR=$PROD_DIR/nginx
ACCEL_PREFIX=/_protected_files

# ------------------------------------------------------------- secrets --
random_secret() { head -c 64 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | head -c "$1"; }

load_secrets() {
    mkdir -p "$PROD_DIR"
    if [[ ! -s $SECRETS ]]; then
        umask 077
        {
            printf 'SECRET_KEY=%s\n' "$(random_secret 64)"
            printf 'PG_PASSWORD=%s\n' "$(random_secret 24)"
            printf 'REDIS_PASSWORD=%s\n' "$(random_secret 24)"
        } >"$SECRETS"
        umask 022
    fi
    # shellcheck disable=SC1090
    source "$SECRETS"
}

# ---------------------------------------------------------- PostgreSQL --
# Durable settings and password authentication over TCP (services.sh's test cluster trusts
# loopback and turns fsync off). Administration goes through the Unix socket as postgres.
write_pg_config() {
    as_user "$PG_USER" tee "$PG_DATA/portal.conf" >/dev/null <<EOT
# Written by scripts/prod.sh on every start; edits are lost.
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 200
shared_buffers = 256MB
password_encryption = scram-sha-256
# Per-statement call counts and times (the pg_stat_statements view in the portal database):
# what an operator reads first when the database's CPU grows. It costs well under 1 % here.
# Planning is tracked too: for the portal's many-join lookups it is often more than execution.
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 5000
pg_stat_statements.track_planning = on
EOT
    as_user "$PG_USER" tee "$PG_DATA/pg_hba.conf" >/dev/null <<EOT
# Written by scripts/prod.sh: peer-trusted socket for administration, passwords over TCP.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   scram-sha-256
EOT
}

pg_psql() {
    "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres "$@"
}

ensure_portal_role() {
    # The application role owns its database and nothing else (no superuser here).
    pg_psql -d postgres -v pw="$PG_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE portal LOGIN PASSWORD %L', :'pw')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal') \gexec
SELECT format('ALTER ROLE portal LOGIN NOSUPERUSER PASSWORD %L', :'pw') \gexec
SQL
}

pg_pid() { [[ -r $PG_DATA/postmaster.pid ]] && head -n 1 "$PG_DATA/postmaster.pid"; }

start_prod_postgres() {
    start_postgres
    # A server left running from before pg_stat_statements was configured (start_postgres
    # keeps a running one) loads it only at its next start: restart it now, once.
    if [[ $(pg_psql -d postgres -c 'SHOW shared_preload_libraries') != *pg_stat_statements* ]]; then
        log "postgres: restarting to load pg_stat_statements"
        write_pg_config
        as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -m fast -w -t "$PG_TIMEOUT" \
            restart >/dev/null 2>>"$PG_DIR/pg_ctl.log" 9>&- || die "postgres: restart failed; see $PG_LOG"
    fi
    pg_psql -d portal -c 'SET client_min_messages TO warning' \
        -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
}

# --------------------------------------------------------------- Redis --
PROD_REDIS_DIR=$PROD_DIR/redis
PROD_REDIS_PID=$PROD_REDIS_DIR/redis.pid

prod_redis_running() {
    [[ $(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

start_prod_redis() {
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        apt_install redis-server
    fi
    prod_redis_running && return 0
    mkdir -p "$PROD_REDIS_DIR"
    log "redis: starting on $HOST:$REDIS_PORT (append-only file in $PROD_REDIS_DIR)"
    # The password goes in through a config file, not the command line (ps shows that).
    umask 077
    cat >"$PROD_REDIS_DIR/redis.conf" <<EOT
bind $HOST
port $REDIS_PORT
daemonize yes
dir $PROD_REDIS_DIR
pidfile $PROD_REDIS_PID
logfile $PROD_REDIS_DIR/redis.log
appendonly yes
appendfsync everysec
requirepass $REDIS_PASSWORD
EOT
    umask 022
    redis-server "$PROD_REDIS_DIR/redis.conf" </dev/null >&2 9>&- || die "redis failed to start"
    local i
    for ((i = 0; i < 150; i++)); do
        prod_redis_running && return 0
        sleep 0.2
    done
    show_log_tail "$PROD_REDIS_DIR/redis.log"
    die "redis did not answer on $HOST:$REDIS_PORT"
}

stop_pidfile() {
    # Stop the process named in a pid file (TERM, then KILL after $3 seconds); never fails.
    local name=$1 file=$2 grace=${3:-30} pid i
    [[ -r $file ]] || return 0
    pid=$(<"$file")
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        log "$name: stopping pid $pid"
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < grace * 5; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "$name: pid $pid ignored TERM for ${grace}s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$file"
}

# ------------------------------------------------------- Elasticsearch --
# One cluster of N nodes; node i keeps everything below DIR/es-i.
es_node_yml() {
    local dir=$1 n=$2 http_base=$3 transport_base=$4 i=$5 seeds="" masters="" j
    for ((j = 1; j <= n; j++)); do
        seeds+="${seeds:+, }\"$HOST:$((transport_base + j))\""
        masters+="${masters:+, }\"es-$j\""
    done
    printf '# Written by scripts/prod.sh on every start; edits are lost.\n'
    printf 'cluster.name: %s\nnode.name: es-%s\n' "$(basename "$dir")" "$i"
    printf 'network.host: %s\nhttp.port: %s\ntransport.port: %s\n' "$HOST" \
        "$((http_base + i))" "$((transport_base + i))"
    printf 'path.data: %s/es-%s/data\npath.logs: %s/es-%s/logs\n' "$dir" "$i" "$dir" "$i"
    if ((n == 1)); then
        printf 'discovery.type: single-node\n'
    else
        printf 'discovery.seed_hosts: [%s]\n' "$seeds"
        # Read only when the cluster forms for the first time (empty data paths).
        printf 'cluster.initial_master_nodes: [%s]\n' "$masters"
    fi
    printf 'action.destructive_requires_name: false\n'
    printf 'cluster.routing.allocation.disk.threshold_enabled: false\n'
    printf 'xpack.security.enabled: false\n'
    [[ -d $ES_HOME/modules/x-pack-ml ]] && printf 'xpack.ml.enabled: false\n'
    [[ -d $ES_HOME/modules/ingest-geoip ]] && printf 'ingest.geoip.downloader.enabled: false\n'
    return 0
}

es_node_start() {
    local dir=$1 n=$2 http_base=$3 transport_base=$4 i=$5 heap=${6:-$PROD_ES_HEAP}
    local node=$dir/es-$i pid_file=$dir/es-$i/es.pid rc=0
    if pid_file_alive "$pid_file"; then
        return 0
    fi
    mkdir -p "$node/config" "$node/data" "$node/logs" "$node/tmp"
    if [[ ! -r $node/config/.portal-es-version || $(<"$node/config/.portal-es-version") != "$ES_VERSION" ]]; then
        cp -R "$ES_HOME/config/." "$node/config/"
        rm -f "$node/config/elasticsearch.keystore"
        printf '%s\n' "$ES_VERSION" >"$node/config/.portal-es-version"
    fi
    es_node_yml "$dir" "$n" "$http_base" "$transport_base" "$i" >"$node/config/elasticsearch.yml"
    if is_root; then
        chown -R "$ES_USER:" "$node"
        grant_traverse "$ES_USER" "$node"
        grant_traverse "$ES_USER" "$ES_HOME"
    fi
    rm -f "$pid_file"
    ensure_port_free "elasticsearch es-$i, http" "$((http_base + i))"
    ensure_port_free "elasticsearch es-$i, transport" "$((transport_base + i))"
    log "elasticsearch es-$i: starting on $HOST:$((http_base + i)) (heap $heap, log $node/logs)"
    as_user "$ES_USER" timeout --kill-after=10 "$ES_TIMEOUT" setsid -w env \
        ES_JAVA_HOME="$ES_JAVA_HOME" ES_PATH_CONF="$node/config" ES_TMPDIR="$node/tmp" \
        ES_JAVA_OPTS="-Xms$heap -Xmx$heap" \
        "$ES_HOME/bin/elasticsearch" -d -p "$pid_file" \
        </dev/null >"$node/logs/startup.log" 2>&1 9>&- || rc=$?
    if ((rc != 0)); then
        show_log_tail "$node/logs/startup.log"
        die "elasticsearch es-$i failed to start (exit $rc); see $node/logs"
    fi
}

es_cluster_url() {
    local n=$1 http_base=$2 url="" i
    for ((i = 1; i <= n; i++)); do url+="${url:+,}http://$HOST:$((http_base + i))"; done
    printf '%s' "$url"
}

es_cluster_start() {
    local dir=$1 n=$2 http_base=$3 transport_base=$4 heap=${5:-$PROD_ES_HEAP} i
    install_es
    install_es_shim
    mkdir -p "$dir"
    local pids=()
    for ((i = 1; i <= n; i++)); do
        es_node_start "$dir" "$n" "$http_base" "$transport_base" "$i" "$heap" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || die "an Elasticsearch node did not start"; done
    local deadline=$((SECONDS + ES_TIMEOUT))
    until curl -sf -m 10 "http://$HOST:$((http_base + 1))/_cluster/health?wait_for_status=yellow&wait_for_nodes=$n&timeout=5s" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "the Elasticsearch cluster in $dir did not form ($n nodes) within ${ES_TIMEOUT}s"
        sleep 1
    done
    log "elasticsearch: cluster of $n node(s) up at $(es_cluster_url "$n" "$http_base")"
}

es_cluster_pids() {
    local dir=$1 n=$2 i
    for ((i = 1; i <= n; i++)); do
        [[ -r $dir/es-$i/es.pid ]] && printf 'PID es-%s %s\n' "$i" "$(<"$dir/es-$i/es.pid")"
    done
    return 0
}

es_cluster_stop() {
    local dir=$1 i
    for i in "$dir"/es-*/es.pid; do
        [[ -e $i ]] || continue
        stop_pidfile "es-$(basename "$(dirname "$i")" | cut -d- -f2)" "$i" 60 &
    done
    wait
}

# --------------------------------------------------- the portal itself --
write_portal_env() {
    cat >"$PORTAL_ENV" <<EOT
PORTAL_MODE=production
PORTAL_SECRET_KEY=$SECRET_KEY
PORTAL_DATABASE_URL=postgres://portal:$PG_PASSWORD@$HOST:$PG_PORT/portal
PORTAL_BROKER_URL=redis://:$REDIS_PASSWORD@$HOST:$REDIS_PORT/0
PORTAL_CACHE_URL=redis://:$REDIS_PASSWORD@$HOST:$REDIS_PORT/1
PORTAL_ELASTICSEARCH_URL=$(es_cluster_url "$ES_NODES" "$ES_HTTP_BASE")
PORTAL_BASE_URL=http://127.0.0.1:$WEB_PORT
PORTAL_TLS=0
PORTAL_STORAGE_ROOT=$STORAGE
PORTAL_STATIC_ROOT=$STATIC
PORTAL_FILES_X_ACCEL_PREFIX=$ACCEL_PREFIX
PORTAL_ACCOUNT_EMAIL_VERIFICATION=optional
PORTAL_SEARCH_PUBLIC_COUNTS_CACHE_SECONDS=${PORTAL_SEARCH_PUBLIC_COUNTS_CACHE_SECONDS:-30}
PORTAL_RECORD_PARTS_CACHE_SECONDS=${PORTAL_RECORD_PARTS_CACHE_SECONDS:-86400}
PORTAL_OAI_LIST_SIZE_CACHE_SECONDS=${PORTAL_OAI_LIST_SIZE_CACHE_SECONDS:-60}
PORTAL_SEARCH_INDEX_COALESCE_SECONDS=${PORTAL_SEARCH_INDEX_COALESCE_SECONDS:-2}
PORTAL_ELASTICSEARCH_REFRESH_INTERVAL=${PORTAL_ELASTICSEARCH_REFRESH_INTERVAL:-5s}
EOT
    # The facility's trusted clients are never throttled (portal.throttling): on this stack the
    # demo's beamline ingestor account, which benchmarks/load.py's API clients use; passed
    # through when set (an empty value exempts nobody).
    printf 'PORTAL_THROTTLE_EXEMPT_USERS=%s\n' "${PORTAL_THROTTLE_EXEMPT_USERS-ingestor}" >>"$PORTAL_ENV"
    [[ -n ${PORTAL_THROTTLE_EXEMPT_NETWORKS:-} ]] \
        && printf 'PORTAL_THROTTLE_EXEMPT_NETWORKS=%s\n' "$PORTAL_THROTTLE_EXEMPT_NETWORKS" >>"$PORTAL_ENV"
    # DataCite: passed through when configured; without an account (this loopback stack's
    # default) DOIs are reserved locally under the embedded demo prefix, said plainly, since
    # production otherwise refuses to publish DOIs that would not resolve (README "DOIs").
    if [[ -n ${PORTAL_DATACITE_REPOSITORY_ID:-} ]]; then
        local name
        for name in PORTAL_DATACITE_URL PORTAL_DATACITE_REPOSITORY_ID PORTAL_DATACITE_PASSWORD \
            PORTAL_DATACITE_PREFIX PORTAL_DATACITE_ENABLED; do
            [[ -n ${!name:-} ]] && printf '%s=%s\n' "$name" "${!name}" >>"$PORTAL_ENV"
        done
    else
        printf 'PORTAL_DATACITE_ENABLED=false\nPORTAL_DATACITE_PREFIX=%s\n' \
            "${PORTAL_DATACITE_PREFIX:-10.99999}" >>"$PORTAL_ENV"
    fi
    chmod 600 "$PORTAL_ENV"
}

# The PORTAL_* lines as arguments of env(1).
portal_env_args() { grep -v '^#' "$PORTAL_ENV"; }

manage() {
    local -a vars
    mapfile -t vars < <(portal_env_args)
    env "${vars[@]}" "$VENV_BIN/python" "$PROD_REPO_ROOT/manage.py" "$@" 9>&-
}

# Start a long-running process in its own session; its pid goes to RUN_DIR/<name>.pid.
# env, setsid (not a group leader here, so it does not fork) and nohup all exec, so $! is
# the process itself; fd 9 (our lock) is closed so the daemon never holds it.
spawn() {
    local name=$1
    shift
    local pid_file=$RUN_DIR/$name.pid
    if pid_file_alive "$pid_file"; then
        return 0
    fi
    local -a vars
    mapfile -t vars < <(portal_env_args)
    log "$name: starting (log $LOG_DIR/$name.log)"
    cd "$PROD_REPO_ROOT"
    env "${vars[@]}" PROMETHEUS_MULTIPROC_DIR="$RUN_DIR/prometheus" \
        setsid nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null 9>&- &
    echo $! >"$pid_file"
    cd - >/dev/null
}

start_gunicorn() {
    pid_file_alive "$RUN_DIR/gunicorn.pid" ||
        ensure_port_free PORTAL_GUNICORN_BIND "${GUNICORN_BIND##*:}"
    spawn gunicorn env PORTAL_GUNICORN_BIND="$GUNICORN_BIND" "$VENV_BIN/gunicorn" \
        -c "$PROD_REPO_ROOT/deploy/gunicorn.conf.py" portal.wsgi:application
}

start_worker() {
    local queue=$1
    spawn "celery-$queue" "$VENV_BIN/celery" -A portal worker -Q "$queue" -n "$queue@%h" \
        --concurrency "$CELERY_CONCURRENCY" --without-gossip --without-mingle -l INFO
}

start_beat() {
    spawn celery-beat "$VENV_BIN/celery" -A portal beat -l INFO \
        --schedule "$RUN_DIR/celerybeat-schedule" --pidfile=
}

render_nginx_conf() {
    mkdir -p "$NGINX_DIR/logs" "$NGINX_DIR/tmp"
    local user_line=""
    if is_root; then
        id -u www-data >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin www-data
        user_line="user www-data;"
        grant_traverse www-data "$STORAGE"
        grant_traverse www-data "$STATIC"
    fi
    sed -e "s|@LISTEN@|$HOST:$WEB_PORT|" -e "s|@UPSTREAM@|$GUNICORN_BIND|" \
        -e "s|@STATIC_ROOT@|$STATIC|" -e "s|@STORAGE_ROOT@|$STORAGE|" \
        -e "s|@ACCEL_PREFIX@|$ACCEL_PREFIX|" -e "s|@PROXY_PARAMS@|$PROD_REPO_ROOT/deploy/proxy_params|" \
        "$PROD_REPO_ROOT/deploy/nginx.conf" >"$NGINX_DIR/portal.conf"
    cat >"$NGINX_DIR/nginx.conf" <<EOT
# Written by scripts/prod.sh: Debian's nginx with the portal's server block (deploy/nginx.conf).
$user_line
worker_processes auto;
pid $RUN_DIR/nginx.pid;
error_log $LOG_DIR/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $LOG_DIR/nginx-access.log;
    client_body_temp_path $NGINX_DIR/tmp/body;
    proxy_temp_path $NGINX_DIR/tmp/proxy;
    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
    scgi_temp_path $NGINX_DIR/tmp/scgi;
    include $NGINX_DIR/portal.conf;
}
EOT
}

start_nginx() {
    need_command nginx nginx
    render_nginx_conf
    if pid_file_alive "$RUN_DIR/nginx.pid"; then
        nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -s reload 9>&-
        return 0
    fi
    nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -t -q 2>&1 >&2 || die "nginx: configuration test failed"
    log "nginx: starting on $HOST:$WEB_PORT"
    nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" 9>&- </dev/null >&2 || die "nginx failed to start; see $LOG_DIR/nginx-error.log"
}

wait_ready() {
    local url="http://$HOST:$WEB_PORT/readyz" deadline=$((SECONDS + READY_TIMEOUT)) body last=""
    log "waiting for $url to answer 200 (queues filled by the demo load must drain)"
    until curl -sf -m 10 -o /dev/null "$url"; do
        if ((SECONDS >= deadline)); then
            curl -s -m 10 "$url" >&2 || true
            die "the portal was not ready within ${READY_TIMEOUT}s; logs in $LOG_DIR"
        fi
        body=$(curl -s -m 10 "$url" 2>/dev/null | tr -d '\n' | head -c 300 || true)
        if [[ $body != "$last" ]]; then
            log "not ready yet: ${body:-no answer}"
            last=$body
        fi
        sleep 2
    done
}

print_pids() {
    es_cluster_pids "$PROD_DIR/elasticsearch" "$ES_NODES"
    printf 'PID postgres %s\n' "$(pg_pid)"
    printf 'PID redis %s\n' "$(cat "$PROD_REDIS_PID")"
    printf 'PID gunicorn %s\n' "$(cat "$RUN_DIR/gunicorn.pid")"
    printf 'PID nginx %s\n' "$(cat "$RUN_DIR/nginx.pid")"
    local q
    for q in "${QUEUES[@]}"; do printf 'PID celery-%s %s\n' "$q" "$(cat "$RUN_DIR/celery-$q.pid")"; done
    printf 'PID celery-beat %s\n' "$(cat "$RUN_DIR/celery-beat.pid")"
}

prod_start() {
    [[ -x $VENV_BIN/gunicorn && -x $VENV_BIN/celery ]] || die "no virtualenv: run make install first"
    ((ES_NODES >= 1)) || die "PORTAL_ES_NODES must be at least 1"
    take_lock
    load_secrets
    mkdir -p "$RUN_DIR" "$LOG_DIR" "$STORAGE" "$STATIC" "$RUN_DIR/prometheus"
    local t0
    t0=$(now)
    start_prod_postgres
    start_prod_redis
    es_cluster_start "$PROD_DIR/elasticsearch" "$ES_NODES" "$ES_HTTP_BASE" "$ES_TRANSPORT_BASE"
    write_portal_env
    log "migrate, collectstatic"
    manage migrate --noinput >>"$LOG_DIR/manage.log"
    manage collectstatic --noinput >>"$LOG_DIR/manage.log"
    # Workers first: the demo load queues index and OAI rendering tasks.
    local q
    for q in "${QUEUES[@]}"; do start_worker "$q"; done
    start_beat
    if [[ ! -e $PROD_DIR/.demo-loaded ]]; then
        log "loading the demo catalogue (once; a later start reuses it)"
        manage load_demo --demo-users --no-progress >&2
        touch "$PROD_DIR/.demo-loaded"
    fi
    if ! curl -sf -m 10 -o /dev/null "$(es_cluster_url 1 "$ES_HTTP_BASE")/_alias/portal-datasets"; then
        log "building the search index"
        manage reindex --no-progress >&2
    else
        # An index made before: give it today's refresh interval (no rebuild).
        manage reindex --settings-only >>"$LOG_DIR/manage.log"
    fi
    start_gunicorn
    start_nginx
    wait_ready
    log "production stack up in $(elapsed "$t0") (state in $PROD_DIR)"
    [[ -n ${PORTAL_DATACITE_REPOSITORY_ID:-} ]] \
        || log "DataCite is not configured: DOIs are reserved locally and do not resolve (set PORTAL_DATACITE_* to register them)"
    grep -v '^#' "$PORTAL_ENV"
    printf 'URL http://%s:%s/\n' "$HOST" "$WEB_PORT"
    printf 'GUNICORN http://%s/\n' "$GUNICORN_BIND"
    print_pids
}

prod_stop() {
    take_lock
    load_secrets
    stop_pidfile nginx "$RUN_DIR/nginx.pid" 10
    stop_pidfile gunicorn "$RUN_DIR/gunicorn.pid" 30
    local f
    for f in "$RUN_DIR"/celery-*.pid; do
        [[ -e $f ]] || continue
        stop_pidfile "$(basename "$f" .pid)" "$f" 30 &
    done
    wait
    es_cluster_stop "$PROD_DIR/elasticsearch"
    if prod_redis_running; then
        REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h "$HOST" -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    fi
    stop_pidfile redis "$PROD_REDIS_PID" 10
    stop_postgres || true
    log "production stack stopped (data kept in $PROD_DIR)"
    return 0
}

prod_status() {
    local rc=0 name file
    for file in "$PROD_DIR"/elasticsearch/es-*/es.pid "$PROD_REDIS_PID" "$RUN_DIR"/*.pid; do
        [[ -e $file ]] || continue
        case $file in */es.pid) name=$(basename "$(dirname "$file")") ;; *) name=$(basename "$file" .pid) ;; esac
        if kill -0 "$(<"$file")" 2>/dev/null; then
            printf '%-16s up    pid %s\n' "$name" "$(<"$file")"
        else
            printf '%-16s DOWN\n' "$name"
            rc=1
        fi
    done
    find_pg_bin >/dev/null 2>&1 || true
    if pg_running; then printf '%-16s up    pid %s\n' postgres "$(pg_pid)"; else printf '%-16s DOWN\n' postgres; rc=1; fi
    return $rc
}

prod_restart() {
    local name=$1
    load_secrets
    case $name in
    es-*)
        install_es
        stop_pidfile "$name" "$PROD_DIR/elasticsearch/$name/es.pid" 60
        es_node_start "$PROD_DIR/elasticsearch" "$ES_NODES" "$ES_HTTP_BASE" "$ES_TRANSPORT_BASE" "${name#es-}"
        printf 'PID %s %s\n' "$name" "$(<"$PROD_DIR/elasticsearch/$name/es.pid")"
        ;;
    gunicorn) stop_pidfile gunicorn "$RUN_DIR/gunicorn.pid"; start_gunicorn; printf 'PID gunicorn %s\n' "$(<"$RUN_DIR/gunicorn.pid")" ;;
    celery-beat) stop_pidfile celery-beat "$RUN_DIR/celery-beat.pid"; start_beat; printf 'PID celery-beat %s\n' "$(<"$RUN_DIR/celery-beat.pid")" ;;
    celery-*) stop_pidfile "$name" "$RUN_DIR/$name.pid"; start_worker "${name#celery-}"; printf 'PID %s %s\n' "$name" "$(<"$RUN_DIR/$name.pid")" ;;
    redis) stop_pidfile redis "$PROD_REDIS_PID" 10; start_prod_redis; printf 'PID redis %s\n' "$(<"$PROD_REDIS_PID")" ;;
    postgres) stop_postgres; start_prod_postgres; printf 'PID postgres %s\n' "$(pg_pid)" ;;
    nginx) stop_pidfile nginx "$RUN_DIR/nginx.pid" 10; start_nginx; printf 'PID nginx %s\n' "$(<"$RUN_DIR/nginx.pid")" ;;
    *) die "unknown process '$name'" ;;
    esac
}

# ---------------------------------------------------------------- backups --
# Everything of record is in PostgreSQL (and the dataset files, which are the facility's
# storage): a custom-format pg_dump is the backup. Search indices and OAI-PMH renderings are
# derived and rebuilt after a restore (manage.py reindex, oai_render).
prod_backup() {
    local file=${1:-$PROD_DIR/backups/portal-$(date -u +%Y%m%dT%H%M%SZ).dump}
    find_pg_bin || die "PostgreSQL is not installed"
    pg_running || die "PostgreSQL does not answer on $HOST:$PG_PORT"
    mkdir -p "$(dirname "$file")"
    log "backup: pg_dump of database portal into $file"
    "$PG_BIN/pg_dump" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -Fc -d portal -f "$file.part"
    mv "$file.part" "$file"
    printf 'BACKUP %s\n' "$file"
}

prod_restore() {
    local file=$1
    [[ -r $file ]] || die "no backup at $file"
    find_pg_bin || die "PostgreSQL is not installed"
    pg_running || die "PostgreSQL does not answer on $HOST:$PG_PORT"
    log "restore: $file into database portal (objects owned by portal)"
    "$PG_BIN/pg_restore" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres --clean --if-exists \
        --no-owner --role=portal --single-transaction -d portal "$file"
    if [[ -r $PORTAL_ENV ]]; then  # the make prod stack: its own PORTAL_* lines
        log "restore: rebuilding the derived state (search index, OAI-PMH renderings)"
        manage reindex --no-progress >&2
        manage oai_render >&2
    fi
    printf 'RESTORED %s\n' "$file"
}

# PostgreSQL and Redis of a failure drill (tests/drills), configured as in production, in DIR.
drill_services() {
    local action=$1 what=$2 dir=$3
    PG_PORT=$4
    REDIS_PORT=$5
    load_secrets
    mkdir -p "$dir"
    STATE_DIR=$dir
    PG_DIR=$dir/postgres PG_DATA=$dir/postgres/data PG_SOCKET_DIR=$dir/postgres/run
    PG_LOG=$dir/postgres/postgres.log
    PROD_REDIS_DIR=$dir/redis PROD_REDIS_PID=$dir/redis/redis.pid
    take_lock
    case $action in
    start)
        [[ $what == redis ]] || start_postgres
        [[ $what == postgres ]] || start_prod_redis
        printf 'PORTAL_DATABASE_URL=postgres://portal:%s@%s:%s/portal\n' "$PG_PASSWORD" "$HOST" "$PG_PORT"
        printf 'PORTAL_BROKER_URL=redis://:%s@%s:%s/0\n' "$REDIS_PASSWORD" "$HOST" "$REDIS_PORT"
        ;;
    stop)
        [[ $what == postgres ]] || stop_pidfile redis "$PROD_REDIS_PID" 10
        [[ $what == redis ]] || stop_postgres || true
        ;;
    restart)
        case $what in
        postgres) stop_postgres; start_postgres; printf 'PID postgres %s\n' "$(pg_pid)" ;;
        redis) stop_pidfile redis "$PROD_REDIS_PID" 10; start_prod_redis; printf 'PID redis %s\n' "$(<"$PROD_REDIS_PID")" ;;
        *) die "drill-services restart postgres|redis" ;;
        esac
        ;;
    *) die "drill-services start|stop|restart" ;;
    esac
}

prod_main() {
    local cmd=${1:-start}
    case $cmd in
    start) prod_start ;;
    stop) prod_stop ;;
    status) prod_status ;;
    env) load_secrets; write_portal_env; grep -v '^#' "$PORTAL_ENV" ;;
    restart) [[ $# -eq 2 ]] || die "usage: prod.sh restart NAME"; prod_restart "$2" ;;
    es-cluster)
        [[ $# -eq 6 ]] || die "usage: prod.sh es-cluster start|stop DIR NODES HTTP_BASE TRANSPORT_BASE"
        local dir
        dir=$(realpath -m "$3")
        case $2 in
        start) es_cluster_start "$dir" "$4" "$5" "$6" "${PORTAL_DRILL_ES_HEAP:-384m}"; es_cluster_pids "$dir" "$4" ;;
        stop) es_cluster_stop "$dir" ;;
        *) die "es-cluster start|stop" ;;
        esac
        ;;
    backup) load_secrets; prod_backup "${2:-}" ;;
    restore) [[ $# -eq 2 ]] || die "usage: prod.sh restore FILE"; load_secrets; prod_restore "$2" ;;
    drill-services)
        [[ $# -eq 6 ]] || die "usage: prod.sh drill-services start|stop|restart all|postgres|redis DIR PG_PORT REDIS_PORT"
        drill_services "$2" "$3" "$(realpath -m "$4")" "$5" "$6"
        ;;
    -h | --help | help) sed -n '2,30p' "${BASH_SOURCE[0]}" ;;
    *) die "unknown command '$cmd' (start, stop, status, env, restart NAME, es-cluster)" ;;
    esac
}

prod_main "$@"

"""Database: PostgreSQL in production and tests, SQLite under var/ in the embedded mode."""

from .environment import PRODUCTION, VAR_DIR, env

_default_sqlite = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
DATABASE_URL = env.str("PORTAL_DATABASE_URL", default=_default_sqlite)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the demo server read while a command writes; IMMEDIATE avoids
    # "database is locked" on concurrent writers (Django 5.1+ sqlite options).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int(
        "PORTAL_DB_CONN_MAX_AGE", default=60 if PRODUCTION else 0
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, with a health check that asks the socket instead of sending a
        # SELECT 1 before each request's first query (portal/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "portal.postgresql"
        # PostgreSQL plans a query's joins exhaustively up to join_collapse_limit relations (8).
        # A record's page loads it with eight LEFT JOINs (catalogue/snapshot.py), and planning
        # them cost more than running them: 4 keeps the joins in the order the ORM writes them
        # beyond four relations, which cut PostgreSQL's CPU for that lookup from 4.4 to 2.7 ms
        # on 100,000 datasets (docs/performance.md). Answers are the same at any value.
        collapse = env.int("PORTAL_DB_JOIN_COLLAPSE_LIMIT", default=4)
        server_options = [f"-c join_collapse_limit={collapse}"] if collapse > 0 else []
        # PostgreSQL compiles a query with LLVM when its estimated cost passes jit_above_cost,
        # which the catalogue's counts over 100,000 rows do: the home page's facility counts
        # spent 343 of their 602 ms compiling, for every run, since nothing keeps the code.
        # Short web queries never win that back (PostgreSQL's docs suggest it for long
        # analytical ones), so the portal's sessions switch it off; true leaves the server's.
        if not env.bool("PORTAL_DB_JIT", default=False):
            server_options.append("-c jit=off")
        options = DATABASES["default"].setdefault("OPTIONS", {})
        if server_options:
            options["options"] = " ".join([options.get("options", ""), *server_options]).strip()
        # Prepared statements. Django sends each query as text with its values in it (client-
        # side binding), so PostgreSQL plans every statement anew: under the load mix it spent
        # more time planning than executing (23 against 12 s). So a connection sends values
        # separately (Django's server_side_binding) and psycopg prepares a query once it has
        # run it PORTAL_DB_PREPARE_THRESHOLD times on that connection; PostgreSQL then reuses a
        # generic plan where it costs no more than a custom one. Set
        # PORTAL_DB_PREPARED_STATEMENTS=false behind a pooler in transaction mode (PgBouncer
        # before 1.21), which loses prepared statements between transactions.
        if env.bool("PORTAL_DB_PREPARED_STATEMENTS", default=True):
            options["server_side_binding"] = True
            options["prepare_threshold"] = env.int("PORTAL_DB_PREPARE_THRESHOLD", default=2)
    # A database that is down or restarting fails a request in seconds (a 503), never hangs it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("PORTAL_DB_CONNECT_TIMEOUT", default=3)
    )

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
        if collapse > 0:
            options = DATABASES["default"].setdefault("OPTIONS", {})
            options["options"] = (
                options.get("options", "") + f" -c join_collapse_limit={collapse}"
            ).strip()
    # A database that is down or restarting fails a request in seconds (a 503), never hangs it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("PORTAL_DB_CONNECT_TIMEOUT", default=3)
    )

"""Operations: metrics access, proxies, readiness, logs, file delivery (portal/ops/)."""

from .environment import PRODUCTION, env

# Who may read /metrics (Prometheus' scraper): loopback unless told otherwise.
METRICS_ALLOWED_NETWORKS = env.list(
    "PORTAL_METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"]
)
# Proxies whose X-Real-IP names the client (nginx in front of gunicorn).
TRUSTED_PROXY_NETWORKS = env.list(
    "PORTAL_TRUSTED_PROXY_NETWORKS", default=["127.0.0.0/8", "::1/128"]
)
# /readyz fails while a Celery queue's oldest message waits longer than this (seconds).
READY_MAX_QUEUE_LAG = env.float("PORTAL_READY_MAX_QUEUE_LAG", default=60.0)

# File downloads: with a prefix set (production behind nginx), the portal checks access and
# answers X-Accel-Redirect to "<prefix>/<storage path>"; nginx serves the bytes (ranges,
# sendfile) from an `internal` location aliased to PORTAL_STORAGE_ROOT. Empty: Python streams.
FILES_X_ACCEL_PREFIX = env.str("PORTAL_FILES_X_ACCEL_PREFIX", default="").rstrip("/")

# The h5grove endpoints and the search API skip the middleware they do not need
# (portal/lean.py). Off only to measure what that saves (PORTAL_LEAN_PATH=0).
LEAN_PATH_ENABLED = env.bool("PORTAL_LEAN_PATH", default=True)

# One JSON object per log line in production (log shippers parse it); plain text elsewhere.
LOG_FORMAT = env.str("PORTAL_LOG_FORMAT", default="json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.ops.requestlog.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "portal.ops.requestlog.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("PORTAL_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

"""Celery: Redis broker when PORTAL_BROKER_URL is set, eager in-process tasks otherwise.

Production runs one worker per queue (``make prod``, deploy/), so a burst of reindexing never
delays a DOI registration or a mail. Tasks land in a queue by the prefix of their name; new
tasks of an app inherit its queue without touching this file.
"""

from celery.schedules import crontab

from .curation import CURATION_BEAT_SCHEDULE
from .datacite import DOI_BEAT_SCHEDULE
from .environment import env
from .scicat import SCICAT_BEAT_SCHEDULE
from .stats import STATS_BEAT_SCHEDULE

BROKER_URL = env.str("PORTAL_BROKER_URL", default="")
CELERY_BROKER_URL = BROKER_URL or "memory://"
# Results only matter for check_services (its ping task asks for one); the broker keeps them
# for an hour. No other task stores its return value: a result is a Redis write per task.
CELERY_RESULT_BACKEND = BROKER_URL or None
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_IGNORE_RESULT = True
# Database connections in workers live as in gunicorn: CONN_MAX_AGE, and closed when unusable
# (portal/celery.py). Celery's own fixup would close them before and after every task: a new
# PostgreSQL backend, password exchange and cold catalogue caches for every page view's usage
# event and every index update (a third of the stats worker's time under load). A value this
# large switches that off; 0 puts Celery's behaviour back.
CELERY_DB_REUSE_MAX = env.int("PORTAL_CELERY_DB_REUSE_MAX", default=1_000_000_000)
CELERY_TASK_ALWAYS_EAGER = env.bool("PORTAL_TASKS_EAGER", default=not BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it has finished, not when a worker took it: a worker killed in
# the middle leaves the message unacknowledged, and the broker hands it to another worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "portal"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The queues of a production deployment, one worker (pool) each.
CELERY_QUEUE_NAMES = ("indexing", "oai", "doi", "mail", "stats", "portal")
# Task name patterns (glob, first match wins) -> queue. Other helpers' apps (doi.*, stats.*,
# mail) are routed by their names, so a new task needs no entry here.
CELERY_TASK_ROUTES = [
    {
        "catalogue.index_*": {"queue": "indexing"},
        "catalogue.reindex*": {"queue": "indexing"},
        "oaipmh.*": {"queue": "oai"},
        "doi.*": {"queue": "doi"},
        "mail.*": {"queue": "mail"},
        "*.send_*mail*": {"queue": "mail"},
        "*.mail_*": {"queue": "mail"},
        "stats.*": {"queue": "stats"},
    }
]

# Redis has no real acknowledgements: an unacknowledged message goes back to the queue once
# its visibility timeout expires. Kept short so a task of a killed worker runs again within a
# minute (the restore check runs every few seconds); every task is idempotent, and none runs
# longer than this (batches are bounded), so a redelivery of a task still running is harmless.
CELERY_VISIBILITY_TIMEOUT = env.int("PORTAL_CELERY_VISIBILITY_TIMEOUT", default=40)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Scan for expired unacknowledged messages every 5 s (kombu's default: every 100 s).
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
    # Fail fast when Redis is down: a page that queues a task must not hang on the broker.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "retry_on_timeout": False,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing retries briefly, then gives up (the caller logs it; `reindex` repairs search).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_WORKER_SEND_TASK_EVENTS = False
# Periodic tasks (celery beat): stale and failed DOI registrations, embargo release; other
# apps add entries from their own settings.
CELERY_BEAT_SCHEDULE: dict = {
    **DOI_BEAT_SCHEDULE,
    **CURATION_BEAT_SCHEDULE,
    **SCICAT_BEAT_SCHEDULE,
    **STATS_BEAT_SCHEDULE,
    # Shortly after midnight (TIME_ZONE): datasets whose embargo ended that day.
    "catalogue.release_embargoes": {
        "task": "catalogue.release_embargoes",
        "schedule": crontab(hour=0, minute=15),
    },
}

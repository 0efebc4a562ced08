"""Celery: Redis broker when PORTAL_BROKER_URL is set, eager in-process tasks otherwise."""

from celery.schedules import crontab

from .datacite import DOI_BEAT_SCHEDULE
from .environment import env

BROKER_URL = env.str("PORTAL_BROKER_URL", default="")
CELERY_BROKER_URL = BROKER_URL or "memory://"
# Results only matter for check_services; the broker keeps them for an hour.
CELERY_RESULT_BACKEND = BROKER_URL or None
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ALWAYS_EAGER = env.bool("PORTAL_TASKS_EAGER", default=not BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "portal"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Routing: every DOI task runs on its own queue (workers: -Q portal,doi), so a DataCite
# outage or its rate limit never holds up indexing and rendering.
CELERY_TASK_ROUTES = {"doi.*": {"queue": "doi"}}
# Periodic tasks (celery beat): stale and failed DOI registrations, embargo release.
CELERY_BEAT_SCHEDULE = {
    **DOI_BEAT_SCHEDULE,
    # Shortly after midnight (TIME_ZONE): datasets whose embargo ended that day.
    "catalogue.release_embargoes": {
        "task": "catalogue.release_embargoes",
        "schedule": crontab(hour=0, minute=15),
    },
}

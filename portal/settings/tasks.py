"""Celery: Redis broker when PORTAL_BROKER_URL is set, eager in-process tasks otherwise."""

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

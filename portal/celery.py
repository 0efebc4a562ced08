"""The Celery app. Tasks are thin: they take a primary key and call a service."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every message says when it was published, so queue lag is measurable (portal/ops/queues.py).
from portal.ops.queues import stamp_sent_at  # noqa: E402

before_task_publish.connect(stamp_sent_at, weak=False, dispatch_uid="portal-sent-at")


# Database connections across tasks, as Django keeps them across requests. With
# CELERY_DB_REUSE_MAX set (settings/tasks.py) Celery's fixup no longer closes them around every
# task; these handlers do what Django's request_started and request_finished do: close a
# connection that is older than CONN_MAX_AGE, broken (errors and no longer usable) or left
# outside autocommit, and have the next use check its socket (portal/postgresql/base.py). So a
# PostgreSQL restart costs the next task a reconnect, not an error. Eager tasks run inside a
# request or a command, whose connection is not theirs to close.
def _close_old_connections(sender=None, **kwargs) -> None:
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


task_prerun.connect(_close_old_connections, weak=False, dispatch_uid="portal-db-prerun")
task_postrun.connect(_close_old_connections, weak=False, dispatch_uid="portal-db-postrun")

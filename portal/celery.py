"""The Celery app. Tasks are thin: they take a primary key and call a service."""

import os

from celery import Celery
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every message says when it was published, so queue lag is measurable (portal/ops/queues.py).
from portal.ops.queues import stamp_sent_at  # noqa: E402

before_task_publish.connect(stamp_sent_at, weak=False, dispatch_uid="portal-sent-at")

"""Tasks through the real Redis broker, for tests marked ``broker``.

``tests/conftest.py`` runs tasks in-process for every other test. These two pieces are what
the broker tests share: sending tasks to the broker instead, and a real worker (a thread of
the test process, ``pool="solo"``) consuming the production layout's queues.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from portal.celery import app


@contextmanager
def broker_tasks(settings) -> Iterator[None]:
    """Tasks sent meanwhile go to the broker (and wait there until a worker takes them)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True


def worker(settings, queues: Iterable[str] | None = None):
    """A real worker thread consuming ``queues`` (default: every queue of production)."""
    return start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        queues=list(settings.CELERY_QUEUE_NAMES if queues is None else queues),
    )

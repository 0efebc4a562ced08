"""Celery against the real Redis broker, with a real worker thread."""

import pytest
from celery.contrib.testing.worker import start_worker

from portal.celery import app
from portal.tasks import ping


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_consumes_tasks_from_redis(settings):
    assert settings.BROKER_URL.startswith("redis://")
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            queues=list(settings.CELERY_QUEUE_NAMES),
        ):
            assert ping.apply_async().get(timeout=20) == "pong"
    finally:
        app.conf.task_always_eager = True


@pytest.mark.broker
@pytest.mark.search
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_check_services_sees_database_worker_and_elasticsearch(settings):
    import io

    from django.core.management import call_command

    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    out = io.StringIO()
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            queues=list(settings.CELERY_QUEUE_NAMES),
        ):
            call_command("check_services", stdout=out)
    finally:
        app.conf.task_always_eager = True
    report = out.getvalue()
    assert "database      ok (postgresql)" in report
    assert "worker        ok (pong" in report
    assert "elasticsearch green" in report or "elasticsearch yellow" in report

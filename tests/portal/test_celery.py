"""Celery against the real Redis broker, with a real worker thread."""

import time

import pytest

from portal.celery import app
from portal.tasks import ping
from tests.workers import broker_tasks, worker


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_consumes_tasks_from_redis(settings):
    assert settings.BROKER_URL.startswith("redis://")
    with broker_tasks(settings), worker(settings):
        assert ping.apply_async().get(timeout=20) == "pong"


@pytest.mark.broker
@pytest.mark.search
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_check_services_sees_database_worker_and_elasticsearch(settings):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    with broker_tasks(settings), worker(settings):
        call_command("check_services", stdout=out)
    report = out.getvalue()
    assert "database      ok (postgresql)" in report
    assert "worker        ok (pong" in report
    assert "elasticsearch green" in report or "elasticsearch yellow" in report


@app.task(name="tests.backend_pid", ignore_result=False)
def backend_pid(close: bool = False) -> int:
    """The PostgreSQL backend serving this worker's connection (closed after, if asked)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    if close:
        connection.close()
    return pid


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_keeps_its_database_connection_and_replaces_a_dead_one(settings):
    """Tasks reuse the worker's connection within CONN_MAX_AGE (Celery's fixup alone would
    open one per task), and a backend the server ended is replaced before the next task runs,
    which succeeds."""
    from django.db import connection, connections

    assert settings.CELERY_DB_REUSE_MAX > 1000
    db = connections.settings["default"]  # the worker thread builds its connection from this
    max_age = db["CONN_MAX_AGE"]
    db["CONN_MAX_AGE"] = 60  # production's; the tests' own connections close after each use
    try:
        with broker_tasks(settings), worker(settings):
            first = backend_pid.apply_async().get(timeout=20)
            second = backend_pid.apply_async().get(timeout=20)
            assert first == second
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [second])
                assert cursor.fetchone()[0] is True
                # pg_terminate_backend only signals: wait until the backend has ended (and so
                # sent its FATAL message and closed the socket), as after a server restart.
                # Without the wait the next task could reach the backend before it ends.
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [second])
                    if cursor.fetchone()[0] == 0:
                        break
                    time.sleep(0.05)
            third = backend_pid.apply_async().get(timeout=20)
            assert third != second
            assert backend_pid.apply_async(kwargs={"close": True}).get(timeout=20) == third
    finally:
        db["CONN_MAX_AGE"] = max_age

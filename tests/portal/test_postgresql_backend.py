"""The PostgreSQL backend (portal/postgresql/base.py): a health check that sends nothing.

Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before each request's first query on a
persistent connection. Ours asks the socket: a healthy connection is kept without a round
trip (libpq's own protocol trace shows the only statement sent is the request's), and a
connection the server has closed (as a PostgreSQL restart does) is replaced before the
request's first query, so that query succeeds instead of failing."""

import tempfile
import time

import psycopg
import pytest
from django.db import close_old_connections, connection

from portal.postgresql.base import connection_is_idle_and_open

pytestmark = [pytest.mark.postgres]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _persistent() -> None:
    """A connection as production keeps it between requests (CONN_MAX_AGE > 0)."""
    connection.ensure_connection()
    connection.close_at = None


def _next_request() -> None:
    # What Django does when a request starts (django.db.close_old_connections on
    # request_started): the health check is due again for this request's first query.
    close_old_connections()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_healthy_connection_is_kept_and_checked_without_a_round_trip():
    assert connection.vendor == "postgresql" and connection.health_check_enabled
    _persistent()
    first = _backend_pid()
    with tempfile.TemporaryFile("w+") as trace:
        connection.connection.pgconn.trace(trace.fileno())
        try:
            _next_request()
            assert _backend_pid() == first  # the same connection, still usable
        finally:
            connection.connection.pgconn.untrace()
        trace.seek(0)
        sent = [line for line in trace.read().splitlines() if "\tF\t" in line]
    assert sent, "libpq traced nothing"
    statements = [line for line in sent if "\tQuery\t" in line or "\tParse\t" in line]
    assert len(statements) == 1, statements
    assert "pg_backend_pid" in statements[0]
    assert not any("SELECT 1" in line for line in sent)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_the_server_closed_is_replaced_before_the_first_query():
    _persistent()
    first = _backend_pid()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    # Another session ends ours, as PostgreSQL does to every session when it restarts.
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])
    deadline = time.monotonic() + 10
    while connection_is_idle_and_open(connection.connection) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not connection_is_idle_and_open(connection.connection)
    _next_request()
    assert _backend_pid() != first  # reconnected, no OperationalError
    assert connection_is_idle_and_open(connection.connection)


@pytest.mark.django_db
def test_sessions_plan_without_jit_and_with_the_join_collapse_limit(settings):
    """The portal's sessions switch PostgreSQL's JIT off (compiling cost the home page's counts
    more than running them) and keep the join_collapse_limit of settings/database.py, whatever
    the server's defaults say (a facility's own PostgreSQL leaves jit on)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW join_collapse_limit")
        assert cursor.fetchone()[0] == "4"
        cursor.execute("SELECT boot_val FROM pg_settings WHERE name = 'jit'")
        assert cursor.fetchone()[0] == "on"  # the server's own default is what we override


def _options_with(env: dict) -> dict:
    """The database OPTIONS that settings/database.py builds for this environment."""
    import json
    import os

    from tests.portal.test_settings import _manage

    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    done = _manage(
        "shell", "-c", code, env={"PORTAL_DATABASE_URL": os.environ["PORTAL_DATABASE_URL"], **env}
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("flag", ["true", "false"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_prepared_statements_plan_a_repeated_query_once(flag):
    """With PORTAL_DB_PREPARED_STATEMENTS, values travel apart from the statement and a query
    run twice on a connection is prepared there (PostgreSQL plans it once); without, every
    statement is sent as text with its values in it and nothing is prepared."""
    from catalogue.models import Dataset

    options = _options_with({"PORTAL_DB_PREPARED_STATEMENTS": flag})
    assert options.get("server_side_binding", False) is (flag == "true")
    saved = dict(connection.settings_dict["OPTIONS"])
    connection.close()
    connection.settings_dict["OPTIONS"] = options
    try:
        for pk in (1, 2, 3):
            list(Dataset.objects.filter(pk=pk).values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ['%FROM "catalogue_dataset"%'],
            )
            prepared = cursor.fetchone()[0]
    finally:
        connection.close()
        connection.settings_dict["OPTIONS"] = saved
    assert prepared == (1 if flag == "true" else 0)

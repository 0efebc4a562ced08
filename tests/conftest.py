"""Test configuration shared by the whole suite.

``make test`` sets PORTAL_REQUIRE_SERVICES=1 after provisioning PostgreSQL, Redis and
Elasticsearch (scripts/services.sh): then a missing service fails the run instead of skipping,
and the database must be PostgreSQL.
"""

import os
import shutil
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"


def _reachable(url: str, default_port: int) -> bool:
    if not url:
        return False
    parts = urlsplit(url.split(",")[0].strip())  # a cluster: its first node
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def _service_problem(marker: str) -> str | None:
    engine = settings.DATABASES["default"]["ENGINE"]
    # portal.postgresql: Django's backend with the socket health check (portal/settings/database)
    postgres = ("django.db.backends.postgresql", "portal.postgresql")
    if marker == "postgres" and engine not in postgres:
        return "PORTAL_DATABASE_URL does not point to PostgreSQL"
    if marker == "search" and not _reachable(settings.ELASTICSEARCH_URL, 9200):
        return "Elasticsearch is not reachable at PORTAL_ELASTICSEARCH_URL"
    if marker == "broker" and not _reachable(settings.BROKER_URL, 6379):
        return "Redis is not reachable at PORTAL_BROKER_URL"
    if marker == "oidc" and not _reachable(os.environ.get("PORTAL_TEST_KEYCLOAK_URL", ""), 80):
        return "Keycloak is not reachable at PORTAL_TEST_KEYCLOAK_URL (scripts/services.sh start)"
    if marker == "browser" and not shutil.which(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def pytest_configure(config):
    # Password hashing at Django's production strength (PBKDF2, 10^6 rounds) costs about a
    # second per log-in on a busy 2-core runner; the tests check who may log in, not the
    # hasher, so they use a fast one. Production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_sessionstart(session):
    if REQUIRE_SERVICES:
        problem = _service_problem("postgres")
        if problem:
            pytest.exit(f"make test needs PostgreSQL: {problem}", returncode=3)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return bool(
        names & {"transactional_db", "live_server"} or (marker and marker.kwargs.get("transaction"))
    )


def _has_serialized_rollback(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return "django_db_serialized_rollback" in names or bool(
        marker and marker.kwargs.get("serialized_rollback")
    )


def pytest_runtest_setup(item):
    # A transactional test empties every table when it ends, including what migrations
    # loaded (PaNET techniques, the curators group). Serialized rollback restores it, so no
    # test depends on running before such a test.
    if _is_transactional(item) and not _has_serialized_rollback(item):
        pytest.fail(
            "transactional tests must use serialized rollback: "
            "@pytest.mark.django_db(transaction=True, serialized_rollback=True)",
            pytrace=False,
        )
    for marker in ("postgres", "search", "broker", "browser", "oidc"):
        if item.get_closest_marker(marker):
            problem = _service_problem(marker)
            if problem:
                if REQUIRE_SERVICES:
                    pytest.fail(f"required service missing: {problem}", pytrace=False)
                pytest.skip(problem)


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path):
    """Each test writes dataset files into its own storage root."""
    settings.STORAGE_ROOT = tmp_path / "storage"
    settings.STORAGE_ROOT.mkdir()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty default cache (throttle counts, the home page's cached
    summary), whatever the test before it left there."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_throttles(settings):
    """Rate limits are off except in the tests of them (tests/portal/test_hardening.py),
    so a test's burst of requests is never cut short by another test's count."""
    settings.THROTTLE_ENABLED = False


@pytest.fixture(autouse=True)
def _eager_tasks(settings, request):
    """Tasks run in-process, except in tests that exercise the real broker and worker."""
    if not request.node.get_closest_marker("broker"):
        settings.CELERY_TASK_ALWAYS_EAGER = True
        from portal.celery import app

        app.conf.task_always_eager = True
    elif _reachable(settings.BROKER_URL, 6379):
        # A broker test starts with empty queues: a message an earlier test left (for a row of
        # its own, long rolled back) must not stand before this test's task.
        from portal.celery import app

        with app.connection_for_write() as conn:
            for queue in settings.CELERY_QUEUE_NAMES:
                conn.default_channel.queue_purge(queue)
        # Nor usage events buffered by an earlier test (stats/buffer.py).
        from portal.ops.queues import broker_client
        from stats import buffer

        broker_client().delete(buffer.EVENTS_KEY, buffer.LOCK_KEY)


@pytest.fixture(scope="session", autouse=True)
def _search_index_prefix():
    """Elasticsearch indices of a test run carry their own prefix (never a demo's index) and
    are deleted at the end. Search tests add a per-test suffix (tests/catalogue/search)."""
    base = settings.ELASTICSEARCH_INDEX_PREFIX
    settings.ELASTICSEARCH_INDEX_PREFIX = f"{base}-test-{uuid.uuid4().hex[:8]}"
    yield
    if _reachable(settings.ELASTICSEARCH_URL, 9200):
        from catalogue.search.connection import get_client

        get_client().indices.delete(
            index=f"{settings.ELASTICSEARCH_INDEX_PREFIX}*", ignore_unavailable=True
        )
    settings.ELASTICSEARCH_INDEX_PREFIX = base

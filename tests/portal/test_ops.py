"""Operations endpoints and plumbing: /healthz, /readyz, /metrics, request ids, JSON logs,
Celery routing, and 503 (not 500) when a backing service is down."""

import json
import logging

import pytest

from portal.celery import app
from portal.ops.requestlog import JsonFormatter, RequestIdFilter, request_id_var


@pytest.mark.django_db
def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_each_check(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "elasticsearch", "broker", "queues"}
    assert body["checks"]["database"]["ok"] is True
    assert all("ms" in check for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_is_503_when_elasticsearch_is_unreachable(client, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # the discard port: nothing listens
    settings.ELASTICSEARCH_MAX_RETRIES = 0
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.json()["checks"]["elasticsearch"]
    assert check["ok"] is False and "error" in check
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.search
@pytest.mark.django_db
def test_readyz_sees_the_cluster_health(client, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    check = client.get("/readyz").json()["checks"]["elasticsearch"]
    assert check["ok"] is True
    assert check["status"] in {"green", "yellow"} and check["nodes"] >= 1


@pytest.mark.broker
@pytest.mark.django_db
def test_readyz_measures_queue_depth_and_lag_on_the_broker(client, settings):
    from portal.ops.queues import broker_client
    from portal.tasks import ping

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    settings.READY_MAX_QUEUE_LAG = 0.0  # any waiting message counts as lagging
    broker_client().delete("portal")
    try:
        ping.apply_async()  # no worker consumes it: it waits in the "portal" queue
        body = client.get("/readyz").json()
        queues = body["checks"]["queues"]
        assert queues["queues"]["portal"]["depth"] == 1
        assert queues["queues"]["portal"]["lag_seconds"] >= 0
        assert queues["ok"] is False and queues["lagging"] == ["portal"]
        metrics = client.get("/metrics").content.decode()
        assert 'portal_celery_queue_depth{queue="portal"} 1.0' in metrics
        assert "portal_broker_up 1.0" in metrics
    finally:
        broker_client().delete("portal")
        app.conf.task_always_eager = True


@pytest.mark.django_db
def test_metrics_time_requests_by_view_for_loopback_only(client):
    client.get("/healthz")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        'portal_http_request_duration_seconds_count{method="GET",status="200",view="healthz"}'
        in (text)
    )
    assert "portal_search_duration_seconds" in text
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403


@pytest.mark.django_db
def test_metrics_behind_nginx_use_the_real_client_address(client, settings):
    # nginx on loopback forwards everyone: its X-Real-IP names the client, and is trusted.
    outside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.7")
    assert outside.status_code == 403
    settings.METRICS_ALLOWED_NETWORKS = ["198.51.100.0/24"]
    assert client.get("/metrics", HTTP_X_REAL_IP="198.51.100.7").status_code == 200
    # A client cannot claim an address by sending the header itself.
    spoofed = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_REAL_IP="198.51.100.7")
    assert spoofed.status_code == 403


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="abc123-from-nginx")
    assert given["X-Request-ID"] == "abc123-from-nginx"
    made = client.get("/does-not-exist/", HTTP_X_REQUEST_ID="bad id with spaces")
    assert made.status_code == 404
    assert len(made["X-Request-ID"]) == 32 and " " not in made["X-Request-ID"]


def test_json_log_lines_carry_the_request_id_and_extras():
    request_id_var.set("req-42")
    record = logging.LogRecord("portal.x", logging.ERROR, __file__, 1, "boom %s", ("x",), None)
    record.status_code = 503
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "boom x"
    assert line["request_id"] == "req-42"
    assert line["level"] == "ERROR" and line["status_code"] == 503


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("catalogue.index_dataset", "indexing"),
        ("catalogue.index_dataset_batch", "indexing"),
        ("oaipmh.render_records", "oai"),
        ("doi.register_dataset", "doi"),
        ("stats.aggregate_daily", "stats"),
        ("accounts.send_verification_mail", "mail"),
        ("mail.send", "mail"),
        ("portal.ping", "portal"),
    ],
)
def test_tasks_are_routed_to_their_queue_by_name(task, queue):
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue


def test_acks_late_and_a_visibility_timeout_under_a_minute():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    options = app.conf.broker_transport_options
    # A killed worker's task runs again within 60 s: timeout + one restore scan.
    assert options["visibility_timeout"] + options["unacked_restore_interval"] < 60


@pytest.mark.search
@pytest.mark.django_db
def test_metrics_time_searches_and_elasticsearch(client, settings):
    from tests.catalogue.search.conftest import _counter

    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_INDEX_PREFIX = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-m{next(_counter)}"
    from catalogue.search.indexing import drop_index, ensure_index

    ensure_index()
    try:
        assert client.get("/api/v1/search?q=anything").status_code == 200
        text = client.get("/metrics").content.decode()
    finally:
        drop_index()
    assert 'portal_search_duration_seconds_count{backend="elasticsearch"}' in text
    assert 'portal_elasticsearch_request_duration_seconds_count{operation="msearch"}' in text
    assert "portal_elasticsearch_took_seconds_count" in text


def test_plain_http_in_production_only_on_loopback():
    from tests.portal.test_settings import _manage, _production_env

    refused = _manage("check", env=_production_env(PORTAL_TLS="0"))
    assert refused.returncode != 0
    assert "PORTAL_TLS=0 (plain HTTP) is allowed only when PORTAL_BASE_URL is on loopback" in (
        refused.stderr
    )
    loopback = _production_env(
        PORTAL_TLS="0", PORTAL_BASE_URL="http://127.0.0.1:8080", PORTAL_ALLOWED_HOSTS="127.0.0.1"
    )
    ok = _manage("diffsettings", "--all", env=loopback)
    assert ok.returncode == 0, ok.stderr
    assert "SESSION_COOKIE_SECURE = False" in ok.stdout
    assert "SECURE_SSL_REDIRECT = False" in ok.stdout

"""Prometheus metrics at ``/metrics`` (prometheus_client), for PORTAL_METRICS_ALLOWED_NETWORKS.

* ``portal_http_request_duration_seconds{view,method,status}``: every request, by URL name.
* ``portal_search_duration_seconds{backend}`` and ``portal_elasticsearch_request_duration_seconds
  {operation}`` / ``portal_elasticsearch_took_seconds``: a search as the portal sees it, the
  round trip to Elasticsearch, and Elasticsearch's own time.
* ``portal_celery_queue_depth{queue}`` / ``portal_celery_queue_lag_seconds{queue}``: read from
  the broker at scrape time. The lag of the ``doi`` queue is the DOI registration lag, that of
  ``oai`` the OAI-PMH rendering lag (``portal_doi_registration_lag_seconds``,
  ``portal_oai_render_lag_seconds``). ``portal_stats_events_waiting``: responses whose usage
  events wait for the next ``stats.flush_events`` (stats/buffer.py).

Under gunicorn each worker is its own process: with PROMETHEUS_MULTIPROC_DIR set (``make
prod`` and deploy/ do), the workers' samples are summed from that folder.
"""

import ipaddress
import os
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by view.",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
SEARCH_SECONDS = Histogram(
    "portal_search_duration_seconds",
    "One search (hits, counts and facets) as the portal runs it.",
    ["backend"],
    buckets=LATENCY_BUCKETS,
)
ES_REQUEST_SECONDS = Histogram(
    "portal_elasticsearch_request_duration_seconds",
    "Round trip of one request to Elasticsearch.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
ES_TOOK_SECONDS = Histogram(
    "portal_elasticsearch_took_seconds",
    "Elasticsearch's own time for a search ('took').",
    buckets=LATENCY_BUCKETS,
)


class QueueCollector:
    """Queue depth and lag, read from the broker when Prometheus scrapes."""

    def collect(self):
        from portal.ops.queues import queue_states

        depth = GaugeMetricFamily(
            "portal_celery_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        lag = GaugeMetricFamily(
            "portal_celery_queue_lag_seconds",
            "Age of the oldest message waiting in a Celery queue.",
            labels=["queue"],
        )
        up = GaugeMetricFamily("portal_broker_up", "1 when the Celery broker answered.")
        events = GaugeMetricFamily(
            "portal_stats_events_waiting",
            "Responses whose usage events wait in the broker for the next stats flush.",
        )
        special = {
            "doi": GaugeMetricFamily(
                "portal_doi_registration_lag_seconds",
                "Age of the oldest DOI registration waiting for a worker.",
            ),
            "oai": GaugeMetricFamily(
                "portal_oai_render_lag_seconds",
                "Age of the oldest OAI-PMH rendering waiting for a worker.",
            ),
        }
        if settings.CELERY_TASK_ALWAYS_EAGER or not settings.BROKER_URL:
            return
        try:
            from stats import buffer

            states = queue_states()
            events.add_metric([], buffer.waiting())
        except Exception:  # the broker is down: say so, do not fail the scrape
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for state in states:
            depth.add_metric([state.name], state.depth)
            lag.add_metric([state.name], state.lag_seconds)
            if state.name in special:
                special[state.name].add_metric([], state.lag_seconds)
        yield from (up, depth, lag, events, *special.values())


def client_address(request: HttpRequest) -> str:
    """The client's address: nginx's X-Real-IP when the request came through a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    real = request.META.get("HTTP_X_REAL_IP", "").strip()
    if real and _in(remote, settings.TRUSTED_PROXY_NETWORKS):
        return real
    return remote


def _in(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n.strip(), strict=False) for n in networks)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _in(client_address(request), settings.METRICS_ALLOWED_NETWORKS):
        return HttpResponse("Forbidden.\n", status=403, content_type="text/plain")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
        output = generate_latest(registry) + generate_latest(_queues_registry())
        return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)
    registry.register(QueueCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _queues_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(QueueCollector())
    return registry


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class MetricsMiddleware:
    """Times every request and labels it with its URL name (never the raw path: bounded)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unresolved"
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(view, method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response

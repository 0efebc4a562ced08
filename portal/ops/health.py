"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: every backing service).

Orchestrators restart a process whose /healthz fails and send traffic only to processes whose
/readyz is 200, so /healthz touches nothing outside the process, and /readyz checks the
database, Elasticsearch's cluster health, the broker and how far the queues lag behind.
Both answer JSON with a line per check; neither needs a session, a user or a template.
"""

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def _timed(check):
    started = time.perf_counter()
    try:
        ok, detail = check()
    except Exception as exc:  # a check that fails is the answer, not an error page
        ok, detail = False, {"error": f"{exc.__class__.__name__}: {exc}"[:300]}
    detail["ms"] = round(1000 * (time.perf_counter() - started), 1)
    return ok, {"ok": ok, **detail}


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, {"vendor": connection.vendor}


def check_elasticsearch():
    if settings.SEARCH_BACKEND != "elasticsearch":
        return True, {"backend": "database"}
    from catalogue.search.connection import get_client

    health = get_client().options(request_timeout=3).cluster.health()
    # Yellow (a replica missing, e.g. while a node is down) still answers every search.
    status = health["status"]
    return status in {"green", "yellow"}, {
        "status": status,
        "nodes": health["number_of_nodes"],
        "unassigned_shards": health["unassigned_shards"],
    }


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.BROKER_URL:
        return True, {"mode": "eager"}
    from portal.ops.queues import broker_client

    broker_client().ping()
    return True, {}


def check_queues():
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.BROKER_URL:
        return True, {"mode": "eager"}
    from portal.ops.queues import queue_states

    states = queue_states()
    limit = settings.READY_MAX_QUEUE_LAG
    late = [s.name for s in states if s.lag_seconds > limit]
    return not late, {
        "max_lag_seconds": limit,
        "queues": {
            s.name: {"depth": s.depth, "lag_seconds": round(s.lag_seconds, 1)} for s in states
        },
        **({"lagging": late} if late else {}),
    }


CHECKS = {
    "database": check_database,
    "elasticsearch": check_elasticsearch,
    "broker": check_broker,
    "queues": check_queues,
}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    results = {name: _timed(check) for name, check in CHECKS.items()}
    ready = all(ok for ok, _ in results.values())
    return JsonResponse(
        {
            "status": "ready" if ready else "unavailable",
            "checks": {name: detail for name, (_, detail) in results.items()},
        },
        status=200 if ready else 503,
    )

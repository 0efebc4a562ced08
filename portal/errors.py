"""Friendly error pages for people, JSON errors for API clients.

Django calls ``page_not_found``/``permission_denied``/``server_error`` (see ``portal.urls``);
views answer 410 for withdrawn records with :func:`render_gone`.
"""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return render(request, "403.html", status=403)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return render(request, "400.html", status=400)


def _service_outage(exc: BaseException | None) -> bool:
    """Is this error a backing service that is down (database, broker, search), not a bug?"""
    from django.db import InterfaceError, OperationalError

    from catalogue.search.connection import SearchUnavailable

    outage: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, SearchUnavailable)
    try:
        import kombu.exceptions
        import redis.exceptions

        outage += (redis.exceptions.ConnectionError, kombu.exceptions.OperationalError)
    except ImportError:  # pragma: no cover - both come with celery[redis]
        pass
    seen = 0
    while exc is not None and seen < 5:  # the outage may be the cause of what was raised
        if isinstance(exc, outage):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: a backing service is down; nothing of the user's work is lost."""
    if _wants_json(request):
        response = JsonResponse(
            {"detail": "The service is temporarily unavailable. Please retry shortly."},
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = "10"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # No RequestContext here: the error may come from a context processor or the database.
    if _service_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    if _wants_json(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def render_gone(request: HttpRequest, *, context: dict) -> HttpResponse:
    """HTTP 410 tombstone for a record that existed and was withdrawn."""
    return render(request, "410.html", context, status=410)

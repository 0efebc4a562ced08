"""Friendly error pages for people, JSON errors for API clients.

Django calls ``page_not_found``/``permission_denied``/``server_error`` (see ``portal.urls``);
views answer 410 for withdrawn records with :func:`render_gone`.
"""

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


def server_error(request: HttpRequest) -> HttpResponse:
    # No RequestContext here: the error may come from a context processor or the database.
    if _wants_json(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def render_gone(request: HttpRequest, *, context: dict) -> HttpResponse:
    """HTTP 410 tombstone for a record that existed and was withdrawn."""
    return render(request, "410.html", context, status=410)

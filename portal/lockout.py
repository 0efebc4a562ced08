"""django-axes hooks: which user name a failed log-in names, and the lockout answer."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render


def username_from_credentials(request: HttpRequest, credentials: dict | None) -> str | None:
    """allauth sends ``login`` (user name or e-mail) or ``username``/``email``; DRF's Basic
    and the admin send ``username``. All name the same account, so all count together."""
    credentials = credentials or {}
    for key in ("login", "username", "email"):
        value = credentials.get(key)
        if value:
            return str(value).strip().lower()
    if request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("username")
        return value.strip().lower() if value else None
    return None


def lockout_response(request: HttpRequest, *args, **kwargs):
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": f"Too many failed log-ins. Try again in {minutes} minutes."}, status=429
        )
    else:
        response = render(request, "account/lockout.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = retry_after
    return response

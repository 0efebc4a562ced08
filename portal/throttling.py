"""Rate limits for API clients, OAI-PMH harvesters and the search page (HTTP 429 + Retry-After).

Limits come from ``settings.THROTTLE_RATES`` at request time (PORTAL_THROTTLE_*), counted in
the default cache per client: signed-in users by account, anonymous clients by address.

A facility's own trusted clients (its harvesters and beamline ingestors, a federated portal it
runs) are exempt by account (``THROTTLE_EXEMPT_USERS``) or by network
(``THROTTLE_EXEMPT_NETWORKS``); the rate stays on for everyone else. Every throttle of the
portal (DRF's classes and the ``throttled`` decorator of OAI-PMH and the search page) asks
:func:`throttle_exempt` here, and nowhere else.
"""

from __future__ import annotations

import functools
import ipaddress
import math

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from rest_framework.throttling import SimpleRateThrottle


@functools.cache
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in spec if n.strip())


def throttle_exempt(request, ident: str) -> bool:
    """Is this client one of the facility's trusted ones (by account or by address)?"""
    users = settings.THROTTLE_EXEMPT_USERS
    if users:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.get_username() in users:
            return True
    networks = _networks(tuple(settings.THROTTLE_EXEMPT_NETWORKS))
    if networks:
        try:
            address = ipaddress.ip_address(ident)
        except ValueError:
            return False
        return any(address in network for network in networks)
    return False


class PortalRateThrottle(SimpleRateThrottle):
    """DRF's throttle, with the rate read from settings when asked (not at import)."""

    scope = "anon"

    def get_rate(self):
        return settings.THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if not settings.THROTTLE_ENABLED:
            return True
        if throttle_exempt(request, self.get_ident(request)):
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(PortalRateThrottle):
    scope = "anon"

    def allow_request(self, request, view):
        if request.user and request.user.is_authenticated:
            return True
        return super().allow_request(request, view)


class UserThrottle(PortalRateThrottle):
    scope = "user"

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return True
        return super().allow_request(request, view)


def throttled(scope: str, *, json: bool = False, status: int = 429):
    """Decorate a plain Django view with the throttle of ``scope``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            throttle = PortalRateThrottle()
            throttle.scope = scope
            if not throttle.allow_request(request, None):
                wait = max(1, math.ceil(throttle.wait() or 1))
                message = f"Too many requests; please wait {wait} seconds and try again."
                if json:
                    response = JsonResponse({"detail": message}, status=status)
                else:
                    response = HttpResponse(
                        message + "\n", status=status, content_type="text/plain; charset=utf-8"
                    )
                response["Retry-After"] = str(wait)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate

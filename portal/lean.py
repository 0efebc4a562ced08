"""A lean request path for the hottest read endpoints: the HDF5 preview's h5grove
endpoints, the search API and the PaNOSC federated search API (``/panosc/api/...``, JSON only,
anonymous, GET).

H5Web sends dozens of small requests per view (``/datasets/<pid>/h5grove/...``), and API
clients and federated portals page through ``/api/v1/search``; each is answered in a few
milliseconds, so the fixed cost of a request matters there. Those endpoints are read-only
(GET/HEAD), render no template, set no message and no cookie, never redirect to a slash and
never serve static files (their views set Content-Length themselves), so the middleware for
that is skipped on them: WhiteNoise, the language, CommonMiddleware,
CSRF, messages, allauth's account middleware and X-Frame-Options. Everything that decides
or that every response must carry stays: request ids and metrics, SecurityMiddleware
(nosniff, HSTS, referrer policy), sessions and authentication (the access gate asks who the
user is, on every request: nothing about access is cached), and any other middleware
(Content-Security-Policy, ...), which is kept unless it is on the list below.
"""

import re

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.urls import Resolver404, get_resolver

LEAN_PATH = re.compile(
    r"^/(datasets/[0-9a-fA-F-]{36}/h5grove(/[a-z]*)?|api/v1/search|panosc/api/[A-Z].*)$"
)
LEAN_URLCONF = "portal.lean_urls"
SKIPPED_ON_LEAN_PATH = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "allauth.account.middleware.AccountMiddleware",
        # JSON and HDF5 bytes: never translated (portal/i18n.py), so no language to pick.
        "portal.i18n.PortalLocaleMiddleware",
    }
)


def lean_middleware() -> list[str]:
    return [m for m in settings.MIDDLEWARE if m not in SKIPPED_ON_LEAN_PATH]


class LeanWSGIHandler(WSGIHandler):
    """Django's WSGI handler with :func:`lean_middleware` instead of ``MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler builds its chain from settings.MIDDLEWARE; swap it only while it does
        # (once, at start-up, before any request).
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = lean_middleware()
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full

    def resolve_request(self, request):
        # The lean endpoints' own patterns first (portal/lean_urls.py), not all of portal.urls.
        if not hasattr(request, "urlconf"):
            try:
                match = get_resolver(LEAN_URLCONF).resolve(request.path_info)
            except Resolver404:
                pass
            else:
                request.resolver_match = match
                return match
        return super().resolve_request(request)


class PathDispatcher:
    """WSGI application: the lean handler for LEAN_PATH, Django's for everything else."""

    def __init__(self, default: WSGIHandler, lean: WSGIHandler):
        self.default = default
        self.lean = lean

    def __call__(self, environ, start_response):
        handler = self.lean if LEAN_PATH.match(environ.get("PATH_INFO", "")) else self.default
        return handler(environ, start_response)

"""Production mode: refuse to start with an unsafe configuration, and harden HTTP.

``manage.py check --deploy`` is clean with these settings (tested in tests/portal).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .core import BASE_URL, DEBUG, DEFAULT_SECRET_KEY, SECRET_KEY
from .database import DATABASES
from .environment import PRODUCTION, env
from .search import ELASTICSEARCH_URL
from .tasks import BROKER_URL

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Plain HTTP without TLS anywhere: only for a stack on loopback (make prod). Everywhere else a
# TLS-terminating proxy sets X-Forwarded-Proto and cookies are Secure.
TLS = env.bool("PORTAL_TLS", default=True)


def production_problems() -> list[str]:
    problems = []
    if DEBUG:
        problems.append("PORTAL_DEBUG must be off")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("PORTAL_SECRET_KEY must be set to a random value of 50+ characters")
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        problems.append("PORTAL_DATABASE_URL must point to PostgreSQL, not SQLite")
    if not BROKER_URL:
        problems.append("PORTAL_BROKER_URL must point to the Redis broker")
    if not ELASTICSEARCH_URL:
        problems.append("PORTAL_ELASTICSEARCH_URL must point to Elasticsearch")
    if not TLS and urlsplit(BASE_URL).hostname not in LOOPBACK_HOSTS:
        problems.append(
            "PORTAL_TLS=0 (plain HTTP) is allowed only when PORTAL_BASE_URL is on loopback"
        )
    return problems


if PRODUCTION:
    _problems = production_problems()
    if _problems:
        raise ImproperlyConfigured(
            "PORTAL_MODE=production refuses to start: " + "; ".join(_problems) + "."
        )

    SECURE_SSL_REDIRECT = env.bool("PORTAL_SECURE_SSL_REDIRECT", default=TLS)
    # Behind a TLS-terminating proxy (nginx, Traefik) that sets X-Forwarded-Proto.
    if env.bool("PORTAL_BEHIND_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = TLS
    CSRF_COOKIE_SECURE = TLS
    SECURE_HSTS_SECONDS = env.int("PORTAL_HSTS_SECONDS", default=31_536_000 if TLS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("PORTAL_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("PORTAL_HSTS_PRELOAD", default=True)
    SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

"""Django core settings: apps, middleware, templates, static files, security."""

from urllib.parse import urlsplit

from .environment import BASE_DIR, PRODUCTION, VAR_DIR, env

# A fixed key is fine for the embedded demo on 127.0.0.1; production.py refuses it.
DEFAULT_SECRET_KEY = "embedded-mode-only-not-secret-0f3c9a1e5d7b2c8e4a6f1d3b5c7e9a0b"  # noqa: S105
SECRET_KEY = env.str("PORTAL_SECRET_KEY", default=DEFAULT_SECRET_KEY)
DEBUG = env.bool("PORTAL_DEBUG", default=False)

# Public address of the portal: absolute links in exports, OAI-PMH baseURL, DOI landing URLs.
BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
_base_host = urlsplit(BASE_URL).hostname or "127.0.0.1"
ALLOWED_HOSTS = env.list(
    "PORTAL_ALLOWED_HOSTS",
    default=sorted({"127.0.0.1", "localhost", "[::1]", "testserver", _base_host}),
)
CSRF_TRUSTED_ORIGINS = env.list("PORTAL_CSRF_TRUSTED_ORIGINS", default=[BASE_URL])

SITE_NAME = env.str("PORTAL_SITE_NAME", default="PaN Open Data Portal")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "axes",
    "csp",
    "portal",
    "catalogue",
    "landing",
    "doi",
    "oaipmh",
    "panosc",
    "scicat",
    "stats",
]

MIDDLEWARE = [
    # First: every response (errors too) is timed and carries its request id.
    "portal.ops.requestlog.RequestIdMiddleware",
    "portal.ops.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Records COUNTER usage events after the response (stats/middleware.py).
    "stats.middleware.UsageMiddleware",
    # django-csp's, with the policy of nonce-free responses built once (portal/csp.py).
    "portal.csp.CSPMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Page language from the session/cookie (the header's switcher) or Accept-Language; machine
    # paths (API, OAI-PMH, exports) always answer in LANGUAGE_CODE (portal/i18n.py).
    "portal.i18n.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Reviewer links: the session's live links become the user's grants (catalogue.reviewlinks).
    "catalogue.reviewlinks.ReviewLinkMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes wants: turns a lockout anywhere into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "portal.context_processors.labels",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages of the pages (README "Languages"). URLs are the same in every language (no
# i18n_patterns): /doi/<doi> and /oai never change. Exports, OAI-PMH, DataCite metadata and API
# JSON are never translated. A facility adds a language here and in locale/<code>/.
LANGUAGE_CODE = env.str("PORTAL_LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Page date formats per language (portal/formats/<lang>/formats.py): "1 May 2024", "1. Mai 2024".
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("PORTAL_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# Facility-configurable field labels (as SciCat's labelsLocalization), JSON:
# {"proposal": {"en": "Beamtime application", "de": "Strahlzeitantrag"}, ...}; keys in
# portal/labels.py (proposal, beamtime, instrument, facility, sample, technique, ...).
PORTAL_LABELS = env.json("PORTAL_LABELS", default={})

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic target (production); elsewhere WhiteNoise serves from the source folders.
STATIC_ROOT = (
    env.str("PORTAL_STATIC_ROOT", default=str(BASE_DIR / "staticfiles") if PRODUCTION else "")
    or None
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "portal.staticstorage.PortalStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, WhiteNoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Dataset files live below this folder; each dataset names a folder relative to it.
STORAGE_ROOT = env.path("PORTAL_STORAGE_ROOT", default=VAR_DIR / "storage")

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    # Bearer first: its WWW-Authenticate makes unauthenticated writes a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.tokens.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "portal.api_auth.OIDCBearerAuthentication",
        "portal.api_auth.LockoutAwareBasicAuthentication",
        # Last: a reviewer link's visitor stays anonymous but keeps the link's grant.
        "catalogue.reviewlinks.ReviewLinkAuthentication",
    ],
    # Reads: the access gate decides per dataset. Writes: a logged-in caller with write scope.
    "DEFAULT_PERMISSION_CLASSES": ["portal.tokens.WriteScope"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Limits from PORTAL_THROTTLE_ANON / PORTAL_THROTTLE_USER (portal/settings/security.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.throttling.AnonThrottle",
        "portal.throttling.UserThrottle",
    ],
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# OpenAPI 3 of /api/v1 (drf-spectacular); the docs page's assets come from the sidecar package.
SPECTACULAR_SETTINGS = {
    "TITLE": "Open data portal REST API",
    "DESCRIPTION": (
        "REST API v1 of the PaN open data portal: datasets, their files, search, and the "
        "facility context (facilities, instruments, techniques, proposals, beamtimes). Reads are "
        "open as the portal's pages are; writes need `Authorization: Bearer <token>` with a "
        "write token (create one on the API tokens page, /accounts/tokens/). Every error is a "
        'JSON body: `{"detail": ...}` or `{"errors": {"<json path>": [messages]}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    "PREPROCESSING_HOOKS": ["catalogue.api.schema.only_api_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "catalogue.api.schema.add_common_errors",
    ],
}

# LOGGING: see operations.py (request ids, JSON lines in production).

# REST API writes: the largest body accepted (413 above it). 10,000 files with SHA-256
# checksums are about 2.5 MB of JSON.
API_MAX_BODY_BYTES = env.int("PORTAL_API_MAX_BODY_BYTES", default=16 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# Accounts in this group may create and change proposals and beamtimes (beamline ingestors).
INGESTOR_GROUP = env.str("PORTAL_INGESTOR_GROUP", default="ingestors")
IDEMPOTENCY_KEY_DAYS = env.int("PORTAL_IDEMPOTENCY_KEY_DAYS", default=1)

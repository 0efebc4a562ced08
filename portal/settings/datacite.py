"""DataCite: where DOIs are registered (``doi/``), switched on by its own variables.

* ``PORTAL_DATACITE_URL``: the REST API, ``https://api.test.datacite.org`` (DataCite's test
  system, whose DOIs do not resolve) by default; ``https://api.datacite.org`` in production.
* ``PORTAL_DATACITE_REPOSITORY_ID`` / ``PORTAL_DATACITE_PASSWORD``: the repository account
  (Fabrica), sent as HTTP Basic auth.
* ``PORTAL_DATACITE_PREFIX``: the DOI prefix of that repository (``PORTAL_DOI_PREFIX``, its
  old name, is still read). DataCite's old test prefix 10.5072 was retired in 2019.
* ``PORTAL_DATACITE_ENABLED``: on when the account is configured. Without it (the embedded
  demo) DOIs are reserved locally and never sent; production refuses to publish without
  DataCite unless this is explicitly ``false``.
"""

from django.core.exceptions import ImproperlyConfigured

from .environment import PRODUCTION, env

DATACITE_URL = env.str("PORTAL_DATACITE_URL", default="https://api.test.datacite.org").rstrip("/")
DATACITE_REPOSITORY_ID = env.str("PORTAL_DATACITE_REPOSITORY_ID", default="")
DATACITE_PASSWORD = env.str("PORTAL_DATACITE_PASSWORD", default="")
# Embedded default: a prefix no DataCite repository holds (DOIs of the demo never leave it).
_EMBEDDED_PREFIX = "10.99999"
DATACITE_PREFIX = (
    env.str("PORTAL_DATACITE_PREFIX", default="")
    or env.str("PORTAL_DOI_PREFIX", default="")
    or ("" if PRODUCTION else _EMBEDDED_PREFIX)
).lower()
DOI_PREFIX = DATACITE_PREFIX  # the name used before DataCite registration existed
_configured = bool(DATACITE_REPOSITORY_ID and DATACITE_PASSWORD and DATACITE_PREFIX)
DATACITE_ENABLED = env.bool("PORTAL_DATACITE_ENABLED", default=_configured)
# Set explicitly to false: production may publish with locally reserved DOIs.
DATACITE_EXPLICITLY_DISABLED = env.str("PORTAL_DATACITE_ENABLED", default="").lower() in {
    "0",
    "false",
    "no",
    "off",
}
if DATACITE_ENABLED and not _configured:
    raise ImproperlyConfigured(
        "PORTAL_DATACITE_ENABLED needs PORTAL_DATACITE_REPOSITORY_ID, PORTAL_DATACITE_PASSWORD "
        "and PORTAL_DATACITE_PREFIX"
    )

# Suffixes: "{random}" is 10 random Crockford base32 characters and a check character;
# "{facility}" is the dataset's facility code (e.g. "{facility}.{random}" -> esrf.7k2qz-m4d8x3).
DOI_SUFFIX_TEMPLATE = env.str("PORTAL_DOI_SUFFIX_TEMPLATE", default="{random}")
if "{random}" not in DOI_SUFFIX_TEMPLATE:
    raise ImproperlyConfigured("PORTAL_DOI_SUFFIX_TEMPLATE must contain {random}")

# Transport and retries. Seconds; back-off is base * 2**attempt with full jitter, capped,
# and never shorter than DataCite's Retry-After.
DATACITE_TIMEOUT = env.float("PORTAL_DATACITE_TIMEOUT", default=20.0)
DATACITE_MAX_ATTEMPTS = env.int("PORTAL_DATACITE_MAX_ATTEMPTS", default=8)
DATACITE_BACKOFF_BASE = env.float("PORTAL_DATACITE_BACKOFF_BASE", default=30.0)
DATACITE_BACKOFF_MAX = env.float("PORTAL_DATACITE_BACKOFF_MAX", default=3600.0)
# DataCite's rate limit for authenticated clients: 3,000 requests per 5 minutes per IP
# (support.datacite.org/docs/rate-limit; the test system allows about 750). One token bucket
# in Redis (PORTAL_BROKER_URL) is shared by every worker.
DATACITE_RATE_LIMIT = env.int("PORTAL_DATACITE_RATE_LIMIT", default=3000)
DATACITE_RATE_WINDOW = env.float("PORTAL_DATACITE_RATE_WINDOW", default=300.0)
# A registration whose task was lost (broker restart) is picked up after this many seconds.
DATACITE_STALE_AFTER = env.int("PORTAL_DATACITE_STALE_AFTER", default=900)

DOI_BEAT_SCHEDULE = {
    "doi.sync_stale": {"task": "doi.sync_stale", "schedule": 60.0},
}

"""Hardening (issue 11 §5): log-in lockout, throttling, Content-Security-Policy, headers.

* django-axes: a user name + address is locked out for ``PORTAL_AXES_COOLOFF_MINUTES`` (15)
  after ``PORTAL_AXES_FAILURE_LIMIT`` (5) failed log-ins: the log-in page, the admin's and the
  API's HTTP Basic. The answer is 429 with a page that says when to try again. Failed federated
  callbacks are refused without being counted (portal.oidc_views).
* Throttles (portal.throttling): anonymous and signed-in API clients, OAI-PMH harvesters and
  the search page; 429 with ``Retry-After``.
* CSP (django-csp 4): scripts only from this site or with the request's nonce; no framing.
"""

import datetime
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF

from .environment import env
from .oidc import OIDC_ENABLED

# ---------------------------------------------------------------- django-axes
AXES_FAILURE_LIMIT = env.int("PORTAL_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("PORTAL_AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "portal.lockout.username_from_credentials"
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLED = env.bool("PORTAL_AXES_ENABLED", default=True)
# Behind the production proxy the client address is in X-Forwarded-For (axes >= 8 reads
# REMOTE_ADDR unless told otherwise; nginx of deploy/ sets X-Real-IP).
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_REAL_IP", "REMOTE_ADDR"]
AXES_VERBOSE = False

# ---------------------------------------------------------------- throttles (portal.throttling)
THROTTLE_ENABLED = env.bool("PORTAL_THROTTLE_ENABLED", default=True)
THROTTLE_RATES = {
    "anon": env.str("PORTAL_THROTTLE_ANON", default="120/min"),
    "user": env.str("PORTAL_THROTTLE_USER", default="600/min"),
    # A harvester pages through ListRecords one request after the other: 5 a second is
    # far above what the OAI-PMH harvesters we know send, and bounds a runaway one.
    "oai": env.str("PORTAL_THROTTLE_OAI", default="300/min"),
    "search_page": env.str("PORTAL_THROTTLE_SEARCH_PAGE", default="120/min"),
}
# The facility's trusted clients, never throttled (portal.throttling.throttle_exempt): user
# names (its harvester and ingestor accounts, authenticated by token) and client networks
# (CIDR, e.g. a harvester's host), both comma-separated. The address is the one the throttle
# counts by (X-Real-IP behind nginx). Empty: everyone is throttled.
THROTTLE_EXEMPT_USERS = env.list("PORTAL_THROTTLE_EXEMPT_USERS", default=[])
THROTTLE_EXEMPT_NETWORKS = env.list("PORTAL_THROTTLE_EXEMPT_NETWORKS", default=[])

# ---------------------------------------------------------------- headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# ---------------------------------------------------------------- Content-Security-Policy
_form_targets = [SELF]
if OIDC_ENABLED:
    # The log-out form's redirect ends the provider session (form-action covers redirects).
    _logout = env.str("PORTAL_OIDC_OP_LOGOUT_ENDPOINT", default="")
    if _logout:
        parts = urlsplit(_logout)
        _form_targets.append(f"{parts.scheme}://{parts.netloc}")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # H5Web and the admin set style attributes; styles cannot run code.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": _form_targets,
        "frame-ancestors": [NONE],
    }
}

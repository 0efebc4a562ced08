"""Federated log-in (mozilla-django-oidc), on when ``PORTAL_OIDC_RP_CLIENT_ID`` is set.

Works with any OpenID Connect provider: a facility's Keycloak, Helmholtz AAI, eduTEAMS, Umbrella.
What a facility sets is listed in the README ("Log-in and roles"). Safe defaults: PKCE (S256),
RS256 ID tokens checked against the provider's JWKS, the issuer checked when given, users matched
on ``sub`` (never on e-mail), and a time-out on every call to the provider.
"""

from django.core.exceptions import ImproperlyConfigured

from .auth import AUTHENTICATION_BACKENDS as _LOCAL_BACKENDS
from .environment import env

OIDC_ENABLED = bool(env.str("PORTAL_OIDC_RP_CLIENT_ID", default=""))
OIDC_PROVIDER_NAME = env.str("PORTAL_OIDC_PROVIDER_NAME", default="facility log-in")

# Group mapping (portal.oidc.map_groups): read at every log-in, also in tests without a provider.
# Claims that carry groups: AARC-G002/G069 entitlement URNs and plain group names (Keycloak).
OIDC_GROUPS_CLAIM = env.list(
    "PORTAL_OIDC_GROUPS_CLAIM", default=["eduperson_entitlement", "groups"]
)
# Shell-style patterns of group names that may be created on first sight (default: none).
OIDC_GROUP_PATTERNS = env.list("PORTAL_OIDC_GROUP_PATTERNS", default=[])
# Provider groups whose members are curators / reviewers in the portal.
OIDC_CURATOR_GROUPS = env.list("PORTAL_OIDC_CURATOR_GROUPS", default=[])
OIDC_REVIEWER_GROUPS = env.list("PORTAL_OIDC_REVIEWER_GROUPS", default=[])

AUTHENTICATION_BACKENDS = list(_LOCAL_BACKENDS)

if OIDC_ENABLED:
    OIDC_RP_CLIENT_ID = env.str("PORTAL_OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env.str("PORTAL_OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = env.str("PORTAL_OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("PORTAL_OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("PORTAL_OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("PORTAL_OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("PORTAL_OIDC_OP_JWKS_ENDPOINT", default="")
    # The `iss` every ID token must carry (e.g. https://login.helmholtz.de/oauth2).
    OIDC_OP_ISSUER = env.str("PORTAL_OIDC_OP_ISSUER", default="")
    # RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2), sent id_token_hint.
    OIDC_OP_LOGOUT_ENDPOINT = env.str("PORTAL_OIDC_OP_LOGOUT_ENDPOINT", default="")
    OIDC_RP_SCOPES = env.str("PORTAL_OIDC_RP_SCOPES", default="openid email profile")
    if not OIDC_RP_SIGN_ALGO.startswith(("RS", "ES", "PS")):
        raise ImproperlyConfigured(
            "PORTAL_OIDC_RP_SIGN_ALGO must be an asymmetric algorithm (RS256, ES256, PS256): "
            "a shared-secret signature (HS256) lets anyone holding the client secret forge tokens."
        )
    if not OIDC_OP_JWKS_ENDPOINT:
        raise ImproperlyConfigured(
            "PORTAL_OIDC_OP_JWKS_ENDPOINT must be set when OIDC is configured: ID tokens are "
            "checked against the provider's published keys (e.g. "
            "https://idp.example.org/realms/<realm>/protocol/openid-connect/certs)."
        )
    OIDC_USE_PKCE = True
    OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
    OIDC_USE_NONCE = True
    OIDC_STORE_ID_TOKEN = True  # kept in the session for the logout's id_token_hint
    OIDC_TIMEOUT = env.int("PORTAL_OIDC_TIMEOUT", default=10)
    OIDC_CLOCK_LEEWAY = env.int("PORTAL_OIDC_CLOCK_LEEWAY", default=30)  # seconds, exp/iat
    OIDC_CREATE_USER = True
    LOGIN_REDIRECT_URL_FAILURE = "/oidc/failed/"
    OIDC_OP_LOGOUT_URL_METHOD = "portal.oidc_views.provider_logout_url"
    AUTHENTICATION_BACKENDS.insert(1, "portal.oidc.PortalOIDCBackend")  # after django-axes

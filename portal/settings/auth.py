"""Log-in: local accounts (django-allauth), and federated OIDC when PORTAL_OIDC_* is set."""

from .environment import PRODUCTION, env

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "PORTAL_ACCOUNT_EMAIL_VERIFICATION", default="mandatory" if PRODUCTION else "optional"
)
ACCOUNT_SIGNUP_OPEN = env.bool("PORTAL_ACCOUNT_SIGNUP_OPEN", default=True)
ACCOUNT_ADAPTER = "portal.accounts.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False

# Federated login (facility SSO, Keycloak, Helmholtz AAI, Umbrella...) with mozilla-django-oidc.
OIDC_ENABLED = bool(env.str("PORTAL_OIDC_RP_CLIENT_ID", default=""))
if OIDC_ENABLED:
    OIDC_RP_CLIENT_ID = env.str("PORTAL_OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env.str("PORTAL_OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = env.str("PORTAL_OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("PORTAL_OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("PORTAL_OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("PORTAL_OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("PORTAL_OIDC_OP_JWKS_ENDPOINT", default="")
    OIDC_RP_SCOPES = env.str("PORTAL_OIDC_RP_SCOPES", default="openid email profile")
    # The claim carrying the user's groups (proposal / beamtime groups at most facilities).
    OIDC_GROUPS_CLAIM = env.str("PORTAL_OIDC_GROUPS_CLAIM", default="groups")
    OIDC_PROVIDER_NAME = env.str("PORTAL_OIDC_PROVIDER_NAME", default="facility login")
    AUTHENTICATION_BACKENDS.insert(0, "portal.oidc.PortalOIDCBackend")

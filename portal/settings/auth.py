"""Log-in: local accounts (django-allauth), and federated OIDC when PORTAL_OIDC_* is set."""

from .environment import PRODUCTION, env

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
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
# Open sign-up on a demo; closed in production unless a facility opens it.
ACCOUNT_SIGNUP_OPEN = env.bool("PORTAL_ACCOUNT_SIGNUP_OPEN", default=not PRODUCTION)
ACCOUNT_ADAPTER = "portal.accounts.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False

# Federated log-in: portal/settings/oidc.py (it adds its backend in front of these).

# Failed log-ins are counted by django-axes (portal/settings/security.py: 429 with a page that
# says when to try again, and the same count for the API's Basic auth); allauth's own counter
# would answer first, with a 200, so it is left to axes.
ACCOUNT_RATE_LIMITS = {"login_failed": None}

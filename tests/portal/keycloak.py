"""Talking to the real Keycloak of the tests (scripts/services.sh, realm in tests/data/keycloak).

Keycloak 26 marks its log-in cookies ``Secure`` (and ``SameSite=None``) even over plain HTTP.
``requests`` then never sends them back to http://127.0.0.1 and the log-in form answers 400, so
:class:`KeycloakBrowser` clears the ``secure`` flag of every cookie after each response; that is
all it changes. (Chromium treats 127.0.0.1 as a secure context and needs nothing.)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlsplit

import requests

REALM_URL = os.environ.get("PORTAL_TEST_KEYCLOAK_URL", "").rstrip("/")
CLIENT_ID = "portal"
CLIENT_SECRET = "portal-test-secret"
PASSWORDS = {"alice": "alice-pw", "carol": "carol-pw", "dave": "dave-pw", "mallory": "mallory-pw"}
TIMEOUT = 15


def endpoint(name: str) -> str:
    paths = {
        "auth": "/protocol/openid-connect/auth",
        "token": "/protocol/openid-connect/token",
        "userinfo": "/protocol/openid-connect/userinfo",
        "jwks": "/protocol/openid-connect/certs",
        "logout": "/protocol/openid-connect/logout",
    }
    return REALM_URL + paths[name]


def portal_settings(settings) -> None:
    """Point the portal at the test realm, as a facility's PORTAL_OIDC_* would."""
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = endpoint("auth")
    settings.OIDC_OP_TOKEN_ENDPOINT = endpoint("token")
    settings.OIDC_OP_USER_ENDPOINT = endpoint("userinfo")
    settings.OIDC_OP_JWKS_ENDPOINT = endpoint("jwks")
    settings.OIDC_OP_LOGOUT_ENDPOINT = endpoint("logout")
    settings.OIDC_OP_ISSUER = REALM_URL
    settings.OIDC_USE_PKCE = True
    settings.OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
    settings.OIDC_USE_NONCE = True
    settings.OIDC_STORE_ID_TOKEN = True
    settings.OIDC_TIMEOUT = 10
    settings.OIDC_CREATE_USER = True
    settings.OIDC_PROVIDER_NAME = "Helmholtz ID (test Keycloak)"
    settings.OIDC_GROUPS_CLAIM = ["eduperson_entitlement", "groups"]
    settings.OIDC_GROUP_PATTERNS = []
    settings.OIDC_CURATOR_GROUPS = []
    settings.OIDC_REVIEWER_GROUPS = []
    backends = [b for b in settings.AUTHENTICATION_BACKENDS if b != "portal.oidc.PortalOIDCBackend"]
    settings.AUTHENTICATION_BACKENDS = [backends[0], "portal.oidc.PortalOIDCBackend", *backends[1:]]


class KeycloakBrowser(requests.Session):
    """A cookie-keeping HTTP client for Keycloak's own pages (see the module docstring)."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs["allow_redirects"] = False  # every hop is checked by the test itself
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response

    def log_in(self, auth_url: str, username: str, password: str | None = None) -> str:
        """Fill in Keycloak's real log-in form; returns the redirect back to the portal."""
        page = self.get(auth_url)
        if page.status_code == 302:  # an SSO session exists already
            return page.headers["Location"]
        assert page.status_code == 200, page.text[:500]
        action = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', page.text)
        assert action, "no log-in form on Keycloak's page"
        answer = self.post(
            unescape(action.group(1)),
            data={
                "username": username,
                "password": password or PASSWORDS[username],
                "credentialId": "",
            },
        )
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]


@dataclass
class Callback:
    path: str  # path and query on the portal, for Django's test client

    @classmethod
    def from_location(cls, location: str) -> Callback:
        parts = urlsplit(location)
        assert "code" in parse_qs(parts.query), location
        return cls(path=f"{parts.path}?{parts.query}")


def log_in_through_form(client, username: str, *, next_url: str = "") -> tuple:
    """The whole code flow: portal -> Keycloak's form -> portal callback (test client)."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content[:300]
    browser = KeycloakBrowser()
    location = browser.log_in(start["Location"], username)
    callback = Callback.from_location(location)
    return client.get(callback.path), browser, callback


def password_grant(username: str, *, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET):
    """Tokens for API tests (direct access grant; the realm's clients allow it)."""
    response = requests.post(
        endpoint("token"),
        data={
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": secret,
            "username": username,
            "password": PASSWORDS[username],
            "scope": "openid",
        },
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    return response.json()


class Admin:
    """Keycloak's admin REST API (master realm's bootstrap admin), to change group membership
    between two log-ins the way a VO manager would."""

    def __init__(self):
        base = REALM_URL.rsplit("/realms/", 1)[0]
        self.base = base
        self.realm = REALM_URL.rsplit("/", 1)[1]
        token = requests.post(
            f"{base}/realms/master/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": "admin-cli", "username": "admin",
                  "password": "admin"},
            timeout=TIMEOUT,
        )  # fmt: skip
        token.raise_for_status()
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

    def _url(self, tail: str) -> str:
        return f"{self.base}/admin/realms/{self.realm}{tail}"

    def user_id(self, username: str) -> str:
        found = requests.get(
            self._url("/users"), params={"username": username, "exact": "true"},
            headers=self.headers, timeout=TIMEOUT,
        ).json()  # fmt: skip
        return found[0]["id"]

    def group_id(self, name: str) -> str:
        groups = requests.get(
            self._url("/groups"), params={"search": name}, headers=self.headers, timeout=TIMEOUT
        ).json()
        return next(g["id"] for g in groups if g["name"] == name)

    def set_membership(self, username: str, group: str, member: bool) -> None:
        method = requests.put if member else requests.delete
        response = method(
            self._url(f"/users/{self.user_id(username)}/groups/{self.group_id(group)}"),
            headers=self.headers, timeout=TIMEOUT,
        )  # fmt: skip
        assert response.status_code == 204, response.text

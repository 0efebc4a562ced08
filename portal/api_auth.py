"""REST API authentication with an OIDC access token (``Authorization: Bearer <JWT>``).

Beamline scripts and notebooks get a token from the facility's provider (for Keycloak: the
password or device grant) and call the API with it. The token is checked here against the
provider's JWKS (signature, expiry, issuer) and must have been issued to this portal's client
(``azp`` or ``aud``); the user and their groups then come from the provider's UserInfo, exactly
as at a browser log-in (portal.oidc). A checked token is remembered for at most a minute, so a
script's burst of calls costs one round trip to the provider.
"""

from __future__ import annotations

import hashlib

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    get_authorization_header,
)

from portal.oidc import PortalOIDCBackend

CACHE_SECONDS = 60


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


class OIDCBearerAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer":
            return None
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The bearer token is not ASCII.") from None
        if not _looks_like_jwt(token) or not getattr(settings, "OIDC_ENABLED", False):
            return None  # another scheme's token (portal API tokens): let the next class try
        key = "oidc-bearer:" + hashlib.sha256(token.encode()).hexdigest()
        user_id = cache.get(key)
        if user_id is not None:
            user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
            if user is not None:
                return user, token
        user = self._check(token)
        cache.set(key, user.pk, CACHE_SECONDS)
        return user, token

    def _check(self, token: str):
        backend = PortalOIDCBackend()
        try:
            key = backend.retrieve_matching_jwk(token)
            header = jwt.get_unverified_header(token)
            if header.get("alg") != backend.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation(f"The token is signed with {header.get('alg')!r}.")
            claims = jwt.decode(
                token,
                key,
                algorithms=[backend.OIDC_RP_SIGN_ALGO],
                issuer=getattr(settings, "OIDC_OP_ISSUER", "") or None,
                options={"verify_aud": False, "require": ["exp", "sub", "iss"]},
                leeway=30,
            )
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            raise exceptions.AuthenticationFailed(f"The bearer token was refused: {exc}") from exc
        except requests.RequestException as exc:
            raise exceptions.AuthenticationFailed(
                "The identity provider cannot be reached to check the token."
            ) from exc
        aud = claims.get("aud") or []
        aud = [aud] if isinstance(aud, str) else aud
        if (
            settings.OIDC_RP_CLIENT_ID not in aud
            and claims.get("azp") != settings.OIDC_RP_CLIENT_ID
        ):
            raise exceptions.AuthenticationFailed("The bearer token was issued to another client.")
        try:
            userinfo = backend.get_userinfo(token, None, None)
            if userinfo.get("sub") != claims.get("sub"):
                raise SuspiciousOperation("The provider's user info names another subject.")
            issuer = getattr(settings, "OIDC_OP_ISSUER", "") or claims["iss"]
            user = backend.user_for_claims(claims={**claims, **userinfo}, issuer=issuer)
        except requests.RequestException as exc:
            raise exceptions.AuthenticationFailed(
                "The identity provider did not accept the token."
            ) from exc
        except SuspiciousOperation as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        if user is None:
            raise exceptions.AuthenticationFailed("This account may not use the API.")
        return user

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class LockoutAwareBasicAuthentication(BasicAuthentication):
    """DRF's HTTP Basic, with django-axes' lockout reaching the response (429).

    DRF authenticates with its own request object, so the flag axes sets there is copied to
    Django's request, where axes.middleware.AxesMiddleware turns it into the lockout answer.
    """

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            django_request = getattr(request, "_request", None)
            if django_request is not None and getattr(request, "axes_locked_out", False):
                django_request.axes_locked_out = True
                django_request.axes_credentials = getattr(request, "axes_credentials", None)
            raise

"""Who calls the SciCat API: a login JWT, a portal API token, or a browser session.

``POST …/auth/login`` answers a JWT (HS256, signed with SECRET_KEY, ``exp`` set) as SciCat's
``auth.service.ts: login()`` does. Clients send it as ``Authorization: Bearer``; pyscicat also
adds ``?access_token=`` to every call, which is accepted too, and taken out of the request
before anything could log it. Portal API tokens (``portal.tokens``) work as Bearer as well
(a ``read`` token only reads: 403 on writes). A token that is given but bad is a 401 with
the reason; no token is anonymous.
"""

from __future__ import annotations

import datetime

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import timezone

AUDIENCE = "scicat-api"
ALGORITHM = "HS256"


class AuthFailed(Exception):
    """A token was given but is not valid: 401 with this reason."""


def issue_token(user) -> tuple[str, int, datetime.datetime]:
    lifetime = settings.SCICAT_TOKEN_LIFETIME_SECONDS
    now = timezone.now()
    payload = {
        "sub": str(user.pk),
        "username": user.get_username(),
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + lifetime,
    }
    return jwt.encode(payload, settings.SECRET_KEY, algorithm=ALGORITHM), lifetime, now


def _jwt_user(token: str):
    try:
        payload = jwt.decode(
            token, settings.SECRET_KEY, algorithms=[ALGORITHM], audience=AUDIENCE,
            options={"require": ["exp", "sub"]},
        )  # fmt: skip
    except jwt.ExpiredSignatureError:
        raise AuthFailed("The token has expired; log in again (POST auth/login).") from None
    except jwt.InvalidTokenError:
        return None
    user = get_user_model().objects.filter(pk=payload["sub"]).first()
    if user is None or not user.is_active:
        raise AuthFailed("The account of this token is disabled.")
    return user


def _portal_token_user(token: str):
    """(user, scopes) of a portal API token (portal.tokens), or None if it is none."""
    from portal.tokens import TokenInvalid, authenticate_bearer

    try:
        user, api_token = authenticate_bearer(token)
    except TokenInvalid as exc:
        if exc.code == "token_invalid":
            return None  # not a portal token either: "not valid" below
        raise AuthFailed(exc.reason) from None  # expired, revoked, inactive account
    return user, list(api_token.scopes)


def take_token(request) -> str | None:
    """The token of a request: Bearer header, else ``access_token`` query parameter, which
    is removed from the request (QUERY_STRING and GET) so no log or error report shows it."""
    token = None
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
    if "access_token" in request.GET:
        query = request.GET.copy()
        from_query = query.pop("access_token", [None])[0]
        token = token or from_query
        request.GET = QueryDict(query.urlencode())
        request.META["QUERY_STRING"] = query.urlencode()
    return token or None


def request_user(request):
    """The caller: a user, or the anonymous user. Raises AuthFailed for a bad token."""
    token = take_token(request)
    request.scicat_scopes = ["read", "write"]
    if token:
        user = _jwt_user(token)
        if user is None:
            found = _portal_token_user(token)
            if found is None:
                raise AuthFailed("The token is not valid.")
            user, request.scicat_scopes = found
        request.scicat_token = True
        return user
    request.scicat_token = False
    return request.user

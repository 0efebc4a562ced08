"""API tokens: creating, revoking and checking them, and DRF's ``Authorization: Bearer``.

* :func:`api_token_create` returns ``(token, secret)``; the secret exists only in that answer
  (the database keeps its SHA-256: secrets are 256 random bits, so a fast hash is enough and
  lets a request find its token with one indexed lookup).
* :func:`authenticate_bearer` is the one check, for DRF (:class:`BearerTokenAuthentication`)
  and for code outside DRF (the SciCat API): returns ``(user, token)`` or raises
  :class:`TokenInvalid` whose ``reason`` says why (unknown, expired, revoked, inactive owner).
* :class:`WriteScope` (a DRF permission): unsafe methods need an authenticated caller (401
  before any dataset is looked up) and, with a token, the ``write`` scope (403).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import connection, transaction
from django.utils import timezone
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from portal.models import ApiToken

SECRET_PREFIX = "pdp_"  # noqa: S105  (not a secret: lets scanners and people spot our tokens)
MAX_SECRET_LENGTH = 200
# last_used_at is written at most this often per token, so reads stay free of writes.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class TokenInvalid(Exception):
    """The presented token cannot be used; ``reason`` is safe to show to the client."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *, owner, name: str, scope: str = ApiToken.Scope.READ, expires_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``owner``; returns it and its secret (never stored, shown once)."""
    name = (name or "").strip()
    if not name:
        raise ValueError("A token needs a name (what it is for).")
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValueError("The name is too long (at most 100 characters).")
    if scope not in ApiToken.Scope.values:
        raise ValueError(f"scope must be one of {', '.join(ApiToken.Scope.values)}.")
    if expires_days is not None and expires_days < 1:
        raise ValueError("expires_days must be at least 1.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    expires_at = (
        timezone.now() + datetime.timedelta(days=expires_days) if expires_days is not None else None
    )
    token = ApiToken.objects.create(
        owner=owner,
        name=name,
        scope=scope,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        key_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    return token, secret


def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke a token (its owner or staff); revoking twice is fine."""
    if actor is not None and actor.pk != token.owner_id and not actor.is_staff:
        raise PermissionError("Only the owner of a token may revoke it.")
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    token.refresh_from_db()
    return token


def authenticate_bearer(secret: str) -> tuple[object, ApiToken]:
    """The user and token a secret stands for; raises :class:`TokenInvalid` with the reason."""
    secret = (secret or "").strip()
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        raise TokenInvalid("Invalid token.", "token_invalid")
    token = ApiToken.objects.select_related("owner").filter(key_hash=hash_secret(secret)).first()
    if token is None:
        raise TokenInvalid("Invalid token.", "token_invalid")
    if token.is_revoked:
        raise TokenInvalid("This token has been revoked.", "token_revoked")
    if token.is_expired:
        raise TokenInvalid("This token has expired.", "token_expired")
    if not token.owner.is_active:
        raise TokenInvalid("The account of this token is inactive.", "user_inactive")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        _token_mark_used(token, now)
    return token.owner, token


def _token_mark_used(token: ApiToken, now: datetime.datetime) -> None:
    """Write ``last_used_at``, unless another request holds the row: a write request's UPDATE
    keeps the row locked until its transaction ends, and a client's concurrent requests (an
    ingestor's 50 threads share one token) all waited for it. That request is writing the same
    minute already, so skipping loses nothing."""
    if not connection.features.has_select_for_update_skip_locked:  # SQLite: one writer anyway
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    else:
        table = connection.ops.quote_name(ApiToken._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_used_at = %s WHERE id = "  # noqa: S608 (our table)
                f"(SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
                [now, token.pk],
            )
    token.last_used_at = now


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <secret>`` (RFC 6750). No header: anonymous (other classes try)."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: use 'Bearer <token>'.", code="token_malformed"
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.", code="token_invalid") from None
        if secret.count(".") == 2:
            # A JWT (RFC 7519: three dot-separated parts) is never a portal token: an identity
            # provider's access token, which the OpenID Connect authenticator after this checks.
            return None
        try:
            return authenticate_bearer(secret)
        except TokenInvalid as exc:
            raise exceptions.AuthenticationFailed(exc.reason, code=exc.code) from None

    def authenticate_header(self, request) -> str:
        # Present, DRF answers 401 (not 403) to unauthenticated requests.
        return 'Bearer realm="api"'


def request_scopes(request) -> list[str]:
    """What the caller may do: a token's scopes, or both for a browser session / password."""
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        return token.scopes
    if request.user is not None and request.user.is_authenticated:
        return ["read", "write"]
    return []


class WriteScope(permissions.BasePermission):
    """Reads: anyone (the access gate decides). Writes: logged in (401), write scope (403).

    DRF checks permissions before the view runs, so a write without valid credentials is a
    401 whatever the dataset: nothing tells whether it exists.
    """

    message = "This token may only read: create a token with the write scope."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.user is None or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(
                "Authentication credentials were not provided: send 'Authorization: Bearer "
                "<token>' with a write token."
            )
        return "write" in request_scopes(request)

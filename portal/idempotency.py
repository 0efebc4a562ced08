"""``Idempotency-Key`` for POSTs: a retried request gets the first answer, never a twin.

Used by API views inside the request's transaction: the key row is inserted first, so a
concurrent retry waits on the unique index until the first request commits and then replays
its answer. A failed first request (4xx/5xx) rolls the row back with everything else, so the
retry runs again. Keys are kept ``IDEMPOTENCY_KEY_DAYS`` days (default 1).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from portal.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was used with a different request."
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0" + request.get_full_path().encode() + b"\0")
    digest.update(json.dumps(request.data, sort_keys=True, cls=JSONEncoder).encode())
    return digest.hexdigest()


def _replay(row: IdempotencyKey) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    if row.location:
        headers["Location"] = row.location
    return Response(row.body, status=row.status_code, headers=headers)


def idempotent(request, handler: Callable[[], Response]) -> Response:
    """Run ``handler`` once per (user, Idempotency-Key); without the header just run it."""
    key = request.headers.get(HEADER)
    if key is None or not request.user.is_authenticated:
        return handler()
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationError({HEADER: [f"Give 1 to {MAX_KEY_LENGTH} printable characters."]})
    fingerprint = _fingerprint(request)
    horizon = timezone.now() - datetime.timedelta(days=getattr(settings, "IDEMPOTENCY_KEY_DAYS", 1))
    IdempotencyKey.objects.filter(user=request.user, key=key, created_at__lt=horizon).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(user=request.user, key=key, fingerprint=fingerprint)
    except IntegrityError:
        row = IdempotencyKey.objects.get(user=request.user, key=key)
        if row.fingerprint != fingerprint:
            raise IdempotencyKeyReused from None
        return _replay(row)
    response = handler()
    if response.status_code < 400:
        row.status_code = response.status_code
        row.body = json.loads(json.dumps(response.data, cls=JSONEncoder))
        row.location = response.headers.get("Location", "")
        row.save(update_fields=["status_code", "body", "location"])
    return response

"""What every /api/v1 view shares: one transaction per write, a body size limit, clean input.

* Unsafe methods run in one transaction; an error answer (4xx/5xx) rolls back everything the
  request wrote (also its Idempotency-Key row). Side effects (search, OAI-PMH) follow after
  commit, as ``datasets_changed`` queues them.
* A body larger than ``settings.API_MAX_BODY_BYTES`` is a 413 before it is read.
* NUL characters (which PostgreSQL cannot store) in the body or the query string are a 400
  naming where they are, not a database error.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.views import APIView

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def page_size_param(request) -> int:
    """``?page_size=``: 1 to MAX_PAGE_SIZE (400 naming the parameter otherwise)."""
    raw = request.query_params.get("page_size", str(DEFAULT_PAGE_SIZE))
    try:
        size = int(raw)
    except ValueError as exc:
        raise ValidationError(
            {"page_size": [f"Must be a whole number, not {raw[:40]!r}."]}
        ) from exc
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [f"Must be between 1 and {MAX_PAGE_SIZE}."]})
    return size


FLAG_VALUES = {"1": True, "true": True, "0": False, "false": False, "": False}


def flag_param(request, name: str) -> bool:
    """A 0/1 switch such as ``?folders=1`` or ``?verify=1``: 1/true or 0/false (any case);
    absent or empty is 0. Anything else is a 400 naming the parameter (as page_size_param)."""
    raw = request.query_params.get(name, "")
    try:
        return FLAG_VALUES[raw.strip().lower()]
    except KeyError:
        raise ValidationError({name: [f"Must be 1 or 0, not {raw[:40]!r}."]}) from None


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int):
        super().__init__(f"The request body is larger than {limit:,} bytes; send it in parts.")


def find_nul(value: Any, path: str = "") -> str | None:
    """The JSON path of the first string (or key) with a NUL character, or None."""
    if isinstance(value, str):
        return path or "__all__" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return sub
            found = find_nul(item, sub)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = find_nul(item, f"{path}[{i}]")
            if found:
                return found
    return None


class PortalAPIView(APIView):
    """Base class of the catalogue's API views (others' views may use it too)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        for name, values in request.query_params.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                raise ValidationError(
                    {name.replace("\x00", ""): ["NUL characters are not allowed."]}
                )
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            limit = settings.API_MAX_BODY_BYTES
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise RequestTooLarge(limit)

    def body(self, request) -> dict:
        """The JSON object sent; anything else is a 400."""
        data = request.data
        if not isinstance(data, dict):
            raise ValidationError({"__all__": ["Send a JSON object."]})
        where = find_nul(data)
        if where:
            raise ValidationError({where: ["NUL characters are not allowed."]})
        return data

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response


class PortalCursorPagination(CursorPagination):
    """Cursor pages whose bad input is a 400 naming the parameter (DRF answers 404 / ignores)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {"cursor": ["Invalid cursor: use the next/previous links."]}
            ) from None

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Must be a whole number between 1 and {self.max_page_size}."]}
            )
        return size

"""Shared bits of the REST API (Django REST framework)."""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler


def _as_paths(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"a.b[0].c": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in ("non_field_errors", "__all__") and not prefix:
                path = "__all__"
            out.update(_as_paths(value, path))
    elif isinstance(detail, list) and any(isinstance(v, (dict, list)) for v in detail):
        for i, value in enumerate(detail):
            out.update(_as_paths(value, f"{prefix}[{i}]"))
    else:
        values = detail if isinstance(detail, list) else [detail]
        out[prefix or "__all__"] = [str(v) for v in values]
    return out


def exception_handler(exc, context):
    """DRF's handler, plus the catalogue's domain errors as JSON 4xx answers.

    ``DatasetInputError`` -> 400 ``{"detail", "errors": {json path: [messages]}}``;
    ``DatasetNotFound`` -> 404; ``DatasetGone`` -> 410 with the tombstone; ``DatasetForbidden``
    -> 403; Django's ValidationError -> 400. Never a 500 for bad input.
    """
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.http import Http404
    from rest_framework.exceptions import PermissionDenied, ValidationError

    from catalogue.access import DatasetForbidden, DatasetGone, DatasetNotFound
    from catalogue.services.errors import DatasetInputError

    if isinstance(exc, DatasetInputError):
        return Response({"detail": exc.message, "errors": exc.errors}, status=400)
    if isinstance(exc, DatasetGone):
        ds = exc.dataset
        return Response(
            {
                "detail": "This dataset has been withdrawn.",
                "pid": str(ds.pid),
                "doi": ds.doi,
                "withdrawal_reason": ds.withdrawal_reason,
                "withdrawn_at": ds.withdrawn_at,
            },
            status=410,
        )
    if isinstance(exc, DatasetNotFound):
        exc = Http404("No such dataset.")
    if isinstance(exc, DatasetForbidden):
        exc = PermissionDenied(str(exc))
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = ValidationError(detail=detail)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        # One error shape for every API: {"detail": summary, "errors": {json path: [msgs]}}.
        errors = _as_paths(exc.detail)
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        response.data = {"detail": f"Invalid input. {summary}"[:2000], "errors": errors}
    if response is not None and isinstance(exc, Http404):
        response.data = {"detail": str(exc) or "Not found."}
    return response


class MeView(APIView):
    """GET /api/v1/me: who the caller is, their groups, curator or not, and their scopes."""

    def get(self, request: Request) -> Response:
        from catalogue.access import user_is_curator
        from portal.tokens import request_scopes

        user = request.user
        if user is None or not user.is_authenticated:
            raise NotAuthenticated("Log in or send 'Authorization: Bearer <token>'.")
        return Response(
            {
                "username": user.get_username(),
                "groups": sorted(user.groups.values_list("name", flat=True)),
                "is_curator": user_is_curator(user),
                "scopes": request_scopes(request),
            }
        )

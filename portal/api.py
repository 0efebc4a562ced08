"""Shared bits of the REST API (Django REST framework)."""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler; Django's ValidationError from a service becomes a 400, never a 500."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from rest_framework.exceptions import ValidationError

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = ValidationError(detail=detail)
    return drf_exception_handler(exc, context)


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

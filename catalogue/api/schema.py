"""OpenAPI helpers: which paths the schema covers, shared error shapes and examples."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers


def only_api_v1(endpoints):
    """The schema documents /api/v1 (the SciCat API has its own, SciCat's, contract)."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]


DetailError = inline_serializer(name="DetailError", fields={"detail": serializers.CharField()})
FieldErrors = inline_serializer(
    name="FieldErrors",
    fields={
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="JSON path of the input (e.g. `creators[0].orcid`, `files[3].path`, "
            "`__all__`) -> messages.",
        )
    },
)

FIELD_ERRORS_EXAMPLE = OpenApiExample(
    "Invalid input",
    value={"errors": {"creators[0].orcid": ["Not a valid ORCID iD."]}},
    response_only=True,
    status_codes=["400"],
)


def errors(*codes: int) -> dict:
    """Error responses for the given status codes, with their JSON shapes."""
    described = {
        400: OpenApiResponse(
            FieldErrors,
            "Invalid input: each problem under its JSON path.",
            examples=[FIELD_ERRORS_EXAMPLE],
        ),
        401: OpenApiResponse(DetailError, "No, an unknown, an expired or a revoked token."),
        403: OpenApiResponse(DetailError, "A read token, or not allowed to change this."),
        404: OpenApiResponse(DetailError, "No such record, or one you may not see."),
        409: OpenApiResponse(DetailError, "Idempotency-Key reused with another request."),
        410: OpenApiResponse(DetailError, "Withdrawn: the tombstone with the reason."),
        412: OpenApiResponse(DetailError, "The record changed since you read it (If-Match)."),
        413: OpenApiResponse(DetailError, "The request body is too large."),
        415: OpenApiResponse(DetailError, "Send application/json."),
        503: OpenApiResponse(DetailError, "Search is temporarily unavailable."),
    }
    return {code: described[code] for code in codes}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer <token>``: portal API tokens (the API tokens page)."""

    target_class = "portal.tokens.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A portal API token (read or write scope), from /accounts/tokens/ "
            "or `manage.py create_api_token`.",
        }


class OIDCBearerScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer <JWT>``: an access token of the configured OpenID Connect
    provider (portal/api_auth.py)."""

    target_class = "portal.api_auth.OIDCBearerAuthentication"
    name = "oidcBearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token of the portal's OpenID Connect provider "
            "(PORTAL_OIDC_*), checked against its JWKS.",
        }


class BasicScheme(OpenApiAuthenticationExtension):
    """HTTP Basic with a local account, behind the log-in lock-out (django-axes)."""

    target_class = "portal.api_auth.LockoutAwareBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer: `detail` for people; `errors` maps JSON paths of the "
    "input (or parameter names) to messages when input was wrong.",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}
_COMMON = {
    "400": "Invalid input (a parameter or the body), named in `errors`.",
    "401": "An unknown, expired or revoked token (or none, for writes and /me).",
    "404": "Not found.",
}
_WRITES = {
    "403": "A read token, or not allowed to do this.",
    "413": "The request body is too large.",
    "415": "Send application/json.",
}


def add_common_errors(result, generator, request, public):
    """Answers every operation may give (bad parameters, bad tokens...), with one shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            extra = dict(_COMMON)
            if method in ("post", "put", "patch", "delete"):
                extra.update(_WRITES)
            for code, description in extra.items():
                responses.setdefault(code, {"description": description, "content": ref})
    return result

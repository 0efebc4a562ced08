"""OpenAPI helpers: which paths the schema covers, shared error shapes and examples."""

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

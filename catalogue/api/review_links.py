"""REST API v1 of reviewer links (issue 12 §4).

* ``GET    /api/v1/datasets/<pid>/review-links``: ``{"results": [link]}``, newest first.
* ``POST   /api/v1/datasets/<pid>/review-links`` ``{"label", "expires_in_days"?: 1..90 (30),
  "anonymous"?: false}``: 201 with the link and its ``url``, which holds the secret: it is in
  this answer only (the database keeps a hash).
* ``DELETE /api/v1/datasets/<pid>/review-links/<id>``: revoke (204, also when already revoked).

Who: the role table's ``manage_review_links`` (owners; curators who review). Who may read the
dataset but not manage its links gets 403; who may not read it 404 (nothing revealed).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.access import DatasetForbidden, DatasetGone, DatasetNotFound, access_dataset
from catalogue.api.docs import PID
from catalogue.api.schema import errors
from catalogue.curation.review_links import review_link_url
from catalogue.models import Dataset, ReviewLink
from catalogue.models.review import REVIEW_LINK_MAX_DAYS
from catalogue.services.review_links import (
    DEFAULT_DAYS,
    review_link_create,
    review_link_revoke,
    user_may_manage_review_links,
)


class ReviewLinkSessionScheme(OpenApiAuthenticationExtension):
    """The session of a browser that opened /review/<secret>/: reads that one dataset."""

    target_class = "catalogue.reviewlinks.ReviewLinkAuthentication"
    name = "reviewLinkSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The session cookie set by opening a reviewer link "
            "(/review/<secret>/): reads the link's one dataset, never writes.",
        }


class ReviewLinkOut(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    created = serializers.DateTimeField()
    created_by = serializers.CharField(allow_null=True)
    expires = serializers.DateTimeField()
    anonymous = serializers.BooleanField()
    last_used = serializers.DateTimeField(allow_null=True)
    uses = serializers.IntegerField()
    revoked = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField()


class ReviewLinkCreatedOut(ReviewLinkOut):
    url = serializers.URLField(help_text="The link with its secret: shown in this answer only.")


class ReviewLinkPageOut(serializers.Serializer):
    results = ReviewLinkOut(many=True)


class ReviewLinkIn(serializers.Serializer):
    label = serializers.CharField(max_length=200, help_text="Whom the link is for")
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=REVIEW_LINK_MAX_DAYS, required=False, default=DEFAULT_DAYS
    )
    anonymous = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Double-blind: hide creators, contributors, owners and funding",
    )


def link_json(link: ReviewLink) -> dict:
    return {
        "id": link.pk,
        "label": link.label,
        "created": link.created_at,
        "created_by": link.created_by.get_username() if link.created_by_id else None,
        "expires": link.expires_at,
        "anonymous": link.anonymous,
        "last_used": link.last_used_at,
        "uses": link.use_count,
        "revoked": link.is_revoked,
        "revoked_at": link.revoked_at,
        "active": link.is_active,
    }


def _managed(request: Request, pid) -> Dataset:
    try:
        dataset, access = access_dataset(user=request.user, pid=pid)
    except DatasetGone as exc:
        raise PermissionDenied("A withdrawn dataset has no reviewer links.") from exc
    if access.review_link is not None and not request.user.is_authenticated:
        raise NotAuthenticated("Log in to manage reviewer links.")
    if not user_may_manage_review_links(request.user, dataset):
        if not request.user.is_authenticated:
            raise NotAuthenticated("Log in to manage reviewer links.")
        raise PermissionDenied("Only the dataset's owners and curators manage its reviewer links.")
    return dataset


LINK_EXAMPLE = OpenApiExample(
    "A link for a referee",
    request_only=True,
    value={"label": "Referee 2, J. Synchrotron Rad.", "expires_in_days": 30, "anonymous": True},
)


class DatasetReviewLinks(APIView):
    @extend_schema(
        summary="A dataset's reviewer links",
        tags=["curation"],
        parameters=[PID],
        responses={200: ReviewLinkPageOut, **errors(401, 403, 404)},
    )
    def get(self, request: Request, pid) -> Response:
        dataset = _managed(request, pid)
        links = dataset.review_links.select_related("created_by")
        return Response({"results": [link_json(link) for link in links]})

    @extend_schema(
        summary="Create a reviewer link",
        description="The answer's `url` holds the secret and is never shown again.",
        tags=["curation"],
        parameters=[PID],
        request=ReviewLinkIn,
        examples=[LINK_EXAMPLE],
        responses={201: ReviewLinkCreatedOut, **errors(400, 401, 403, 404, 415)},
    )
    def post(self, request: Request, pid) -> Response:
        dataset = _managed(request, pid)
        body = request.data if isinstance(request.data, dict) else None
        if body is None:
            raise ValidationError({"__all__": ["Send a JSON object."]})
        unknown = sorted(set(body) - set(ReviewLinkIn().fields))
        if unknown:
            raise ValidationError({key: ["Unknown key."] for key in unknown})
        link, secret = review_link_create(
            dataset=dataset,
            actor=request.user,
            label=body.get("label"),
            expires_in_days=body.get("expires_in_days"),
            anonymous=body.get("anonymous", False),
        )  # DatasetInputError -> 400 with the field (portal.api.exception_handler)
        url = review_link_url(request, secret)
        answer = {**link_json(link), "url": url}
        response = Response(answer, status=201)
        response["Location"] = reverse(
            "api:dataset-review-link", kwargs={"pid": dataset.pid, "link_id": link.pk}
        )
        response["Cache-Control"] = "no-store"  # the secret must not sit in a cache
        return response


class DatasetReviewLink(APIView):
    @extend_schema(
        summary="Revoke a reviewer link",
        description="At once: the next request through the link is a 404. Idempotent.",
        tags=["curation"],
        parameters=[PID, OpenApiParameter("link_id", int, OpenApiParameter.PATH)],
        responses={
            204: OpenApiResponse(description="Revoked (or already revoked)"),
            **errors(401, 403, 404),
        },
    )
    def delete(self, request: Request, pid, link_id: int) -> Response:
        dataset = _managed(request, pid)
        link = ReviewLink.objects.filter(pk=link_id, dataset=dataset).first()
        if link is None:
            raise Http404("No such reviewer link.")
        try:
            review_link_revoke(link=link, actor=request.user)
        except (DatasetForbidden, DatasetNotFound) as exc:  # pragma: no cover - checked above
            raise PermissionDenied(str(exc)) from exc
        return Response(status=204)

"""REST API v1 of curation: the checklist, the transitions and the conversation of a dataset.

* ``GET  /api/v1/datasets/<pid>/checklist``: ``{"items": [{"id", "level", "passed",
  "message"}], "summary": {...}, "submittable": bool}``.
* ``GET  /api/v1/datasets/<pid>/transitions``: the moves the caller may make now, each
  ``{"to", "label", "comment_required"}`` (catalogue.services.lifecycle.TRANSITIONS).
* ``POST /api/v1/datasets/<pid>/transitions`` ``{"to", "comment"?, "from"?}``: make one; answers
  the dataset. 409 ``{"detail", "status"}`` when the status is no longer ``from`` (or the one
  the caller could see); 400 when a comment is required or blocking checklist items are open
  (``"checklist"`` lists them; ``"errors"`` keys the domain-schema violations by JSON path,
  ``scientific_metadata/sample/temperature/value``); 403/404 as the gate says.
* ``GET  /api/v1/datasets/<pid>/events``: the conversation, oldest first.
* ``POST /api/v1/datasets/<pid>/events`` ``{"comment"}``: add a comment (201).

Who sees the checklist and the conversation: the dataset's owners, readers and curators
(the public reads a published record, not its curation talk: 403).
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.access import (
    DatasetForbidden,
    DatasetGone,
    DatasetNotFound,
    access_dataset,
    user_is_dataset_member,
)
from catalogue.api.representation import dataset_json
from catalogue.checklist import checklist_blocking, checklist_summary, dataset_checklist
from catalogue.curation.selectors import dataset_conversation
from catalogue.models import Dataset
from catalogue.roles import user_is_curator
from catalogue.services import lifecycle
from catalogue.services.curation import dataset_comment
from catalogue.services.errors import DatasetInputError
from catalogue.snapshot import dataset_snapshot


def event_json(event) -> dict:
    return {
        "id": event.id,
        "kind": event.kind,
        "created_at": event.created_at,
        "actor": event.actor_name or None,
        "from_status": event.from_status or None,
        "to_status": event.to_status,
        "comment": event.comment,
        "changed_fields": event.changed_fields,
    }


def _curation_dataset(request: Request, pid) -> Dataset:
    """The dataset, if the caller may follow its curation (owners, readers, curators)."""
    try:
        dataset, _ = access_dataset(user=request.user, pid=pid)
    except DatasetNotFound as exc:
        raise Http404 from exc
    except DatasetGone as gone:
        if not user_is_curator(request.user):
            raise Http404 from None
        dataset = gone.dataset
    if not (user_is_curator(request.user) or user_is_dataset_member(request.user, dataset)):
        if not request.user.is_authenticated:
            raise NotAuthenticated("Log in to follow the curation of this dataset.")
        raise PermissionDenied("Only the dataset's owners, readers and curators see this.")
    return dataset


@extend_schema(responses={200: OpenApiTypes.ANY, 201: OpenApiTypes.ANY})  # shapes in the README
class DatasetChecklist(APIView):
    def get(self, request: Request, pid) -> Response:
        dataset = _curation_dataset(request, pid)
        items = dataset_checklist(dataset)
        return Response(
            {
                "items": [i.as_dict() for i in items],
                "summary": checklist_summary(items),
                "submittable": not checklist_blocking(items),
            }
        )


@extend_schema(
    request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.ANY, 201: OpenApiTypes.ANY}
)  # shapes in the README
class DatasetTransitions(APIView):
    def get(self, request: Request, pid) -> Response:
        dataset = _curation_dataset(request, pid)
        moves = lifecycle.transitions_for(dataset=dataset, user=request.user)
        return Response(
            {
                "status": dataset.status,
                "transitions": [
                    {"to": t.to, "label": t.label, "comment_required": t.comment_required}
                    for t in moves
                ],
            }
        )

    def post(self, request: Request, pid) -> Response:
        dataset = _curation_dataset(request, pid)
        body = request.data if isinstance(request.data, dict) else {}
        to, comment, seen = body.get("to"), body.get("comment", ""), body.get("from")
        if not isinstance(to, str) or not to:
            raise ValidationError({"to": "Give the status to move to."})
        if not isinstance(comment, str):
            raise ValidationError({"comment": "Must be text."})
        if seen is not None and not isinstance(seen, str):
            raise ValidationError({"from": "Must be a status."})
        if seen is None and dataset.status == to:
            # A retried request after the move was made (or somebody else made it).
            return Response(
                {"detail": f"The dataset is already {dataset.get_status_display().lower()}.",
                 "status": dataset.status},
                status=409,
            )  # fmt: skip
        try:
            dataset = lifecycle.dataset_transition(
                dataset=dataset, to=to, actor=request.user, comment=comment, expected_status=seen
            )
        except lifecycle.TransitionConflict as exc:
            return Response({"detail": str(exc), "status": exc.status}, status=409)
        except lifecycle.TransitionRefused as exc:
            raise PermissionDenied(str(exc)) from exc
        except lifecycle.ChecklistBlocked as exc:
            # Errors about values (the domain schemas) keyed by JSON path, as DatasetInputError
            # keys them: {"scientific_metadata/sample/temperature/value": ["..."]}.
            errors: dict[str, list[str]] = {}
            for item in exc.items:
                for path, messages in (item.errors or {}).items():
                    errors.setdefault(path, []).extend(messages)
            body = {"detail": str(exc), "checklist": [i.as_dict() for i in exc.items]}
            if errors:
                body["errors"] = errors
            return Response(body, status=400)
        except lifecycle.TransitionError as exc:
            return Response({"detail": str(exc), "status": dataset.status}, status=400)
        dataset, _ = access_dataset(user=request.user, pid=dataset.pid)
        return Response(dataset_json(dataset_snapshot(dataset)))


@extend_schema(
    request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.ANY, 201: OpenApiTypes.ANY}
)  # shapes in the README
class DatasetEvents(APIView):
    def get(self, request: Request, pid) -> Response:
        dataset = _curation_dataset(request, pid)
        return Response({"results": [event_json(e) for e in dataset_conversation(dataset=dataset)]})

    def post(self, request: Request, pid) -> Response:
        dataset = _curation_dataset(request, pid)
        body = request.data if isinstance(request.data, dict) else {}
        comment = body.get("comment")
        if not isinstance(comment, str):
            raise ValidationError({"comment": "Give the comment as text."})
        try:
            event = dataset_comment(dataset=dataset, actor=request.user, comment=comment)
        except DatasetForbidden as exc:
            raise PermissionDenied("Readers may not comment; owners and curators may.") from exc
        except DatasetInputError as exc:
            raise ValidationError(exc.errors) from exc
        return Response(event_json(event), status=201)

"""REST API v1: the domain-metadata schemas, so ingestors can validate before sending.

* ``GET /api/v1/schemas`` ``?active=true|false``, ``?name=``, ``?technique=<PaNET id or IRI>``
  (the schemas that apply to it: its own and its broader techniques'), ``?instrument=<code>``:
  every version, newest first per name, each with its generated JSON Schema.
* ``GET /api/v1/schemas/<id>``: one version, with its source text as well.

Readable by everyone (schemas are no secret); written in the admin or ``manage.py
load_schema`` (catalogue.services.schemas).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.api.base import PortalAPIView
from catalogue.api.schema import errors
from catalogue.domainschemas.selectors import technique_ancestors
from catalogue.models import MetadataSchema, Technique
from catalogue.panet import PANET_BASE


def schema_json(schema: MetadataSchema, *, source: bool = False) -> dict:
    out = {
        "id": schema.pk,
        "name": schema.name,
        "version": schema.version,
        "title": schema.title or None,
        "description": schema.description or None,
        "kind": schema.kind,
        "active": schema.active,
        "techniques": [{"iri": t.iri, "panet_id": t.panet_id, "label": t.label}
                       for t in schema.techniques.all()],
        "instruments": [i.code for i in schema.instruments.all()],
        "created_at": schema.created_at.isoformat(),
        "json_schema": schema.json_schema,
    }  # fmt: skip
    if source:
        out["source"] = schema.source
    return out


class SchemaTechniqueOut(serializers.Serializer):
    iri = serializers.CharField()
    panet_id = serializers.CharField()
    label = serializers.CharField()


class SchemaOut(serializers.Serializer):
    """OpenAPI shape of :func:`schema_json` (documents, does not validate)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=MetadataSchema.Kind.values)
    active = serializers.BooleanField()
    techniques = SchemaTechniqueOut(many=True)
    instruments = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    json_schema = serializers.DictField(
        help_text="JSON Schema 2020-12 the scientific metadata is checked against (for "
        "LinkML, what linkml's generator made of the source at upload)."
    )


class SchemaDetailOut(SchemaOut):
    source = serializers.CharField(help_text="The schema as uploaded (JSON or LinkML YAML).")


_BOOL = {"true": True, "1": True, "false": False, "0": False}


def _technique_ids(value: str) -> set[int]:
    value = value.strip()[:300]
    iri = value if value.startswith("http") else PANET_BASE + value
    technique = Technique.objects.filter(iri=iri).first()
    if technique is None:
        raise ValidationError({"technique": [f"Unknown PaNET technique {value!r}."]})
    return technique_ancestors([technique.pk])


@extend_schema(
    summary="Domain-metadata schemas",
    tags=["schemas"],
    parameters=[
        OpenApiParameter("active", OpenApiTypes.STR, enum=["true", "false", "1", "0"]),
        OpenApiParameter("name", OpenApiTypes.STR),
        OpenApiParameter(
            "technique",
            OpenApiTypes.STR,
            description="PaNET id or IRI: the schemas that apply to it (and broader ones)",
        ),
        OpenApiParameter("instrument", OpenApiTypes.STR, description="Instrument code"),
    ],
    responses={200: SchemaOut(many=True), **errors(400)},
)
class SchemaList(PortalAPIView):
    def get(self, request: Request) -> Response:
        qs = MetadataSchema.objects.prefetch_related("techniques", "instruments")
        params = request.query_params
        if "active" in params:
            if params["active"].lower() not in _BOOL:
                raise ValidationError({"active": ["Use true or false."]})
            qs = qs.filter(active=_BOOL[params["active"].lower()])
        if params.get("name"):
            qs = qs.filter(name=params["name"][:100])
        if params.get("technique"):
            qs = qs.filter(techniques__in=_technique_ids(params["technique"]))
        if params.get("instrument"):
            qs = qs.filter(instruments__code=params["instrument"][:80])
        qs = qs.distinct().order_by("name", "-version")
        return Response([schema_json(s) for s in qs])


@extend_schema(
    summary="A domain-metadata schema version",
    tags=["schemas"],
    parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    responses={200: SchemaDetailOut, **errors(404)},
)
class SchemaDetail(PortalAPIView):
    def get(self, request: Request, id: int) -> Response:
        schema = (
            MetadataSchema.objects.prefetch_related("techniques", "instruments")
            .filter(pk=id)
            .first()
        )
        if schema is None:
            raise Http404("No such schema.")
        return Response(schema_json(schema, source=True))

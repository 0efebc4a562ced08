"""The OpenAPI description of every /api/v1 endpoint, attached to the views in one place.

Views stay about behaviour; this module says what each answers (shapes from
``catalogue.api.serializers``, error shapes from ``catalogue.api.schema``), with examples.
Imported by ``catalogue.api.urls``; endpoints added by other features document themselves with
``extend_schema`` on their own views.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

from catalogue.api import context, search, views
from catalogue.api import serializers as shapes
from catalogue.api.schema import errors
from catalogue.search.queries import FACETS, SEARCHABLE_STATUSES, SORTS
from doi import views as doi_views
from portal.api import MeView

PID = OpenApiParameter(
    "pid", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The dataset's portal pid (a UUID)"
)
PAGE_SIZE = OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 1000")
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retrying with the same key returns the first answer instead of a twin.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read: 412 if the record changed since",
)
IF_UNMODIFIED = OpenApiParameter(
    "If-Unmodified-Since",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="HTTP date: 412 if the record changed after it",
)
CURSOR = OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next`/`previous`")
VERIFY = OpenApiParameter(
    "verify",
    OpenApiTypes.STR,
    enum=["0", "1", "true", "false"],
    description="1: check sizes against storage now, checksums later",
)

NEW_DATASET = OpenApiExample(
    "A raw dataset from a beamline",
    request_only=True,
    value={
        "title": "SAXS of lysozyme at 293 K",
        "description": "Raw detector frames of a temperature series.",
        "creators": [
            {
                "name": "Okafor, Amara",
                "orcid": "0000-0002-1825-0097",
                "affiliation": {"name": "DESY", "ror": "https://ror.org/01js2sh04"},
            }
        ],
        "techniques": ["PaNET01188"],
        "instrument": "p03",
        "owner_group": "p-11012345",
        "storage_folder": "p03/2024/11012345/raw",
        "dates": {"collection_start": "2024-03-01T08:00:00Z", "embargo_until": "2027-03-01"},
        "scientific_metadata": {"temperature": {"value": 293, "unit": "K"}},
        "alternate_identifiers": [{"identifier": "20.500.12269/5f1b", "type": "SciCat PID"}],
    },
)
FILES_EXAMPLE = OpenApiExample(
    "Two files",
    request_only=True,
    value={
        "files": [
            {
                "path": "raw/frame_00001.h5",
                "size": 104857600,
                "checksum": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "checksum_algorithm": "sha256",
                "media_type": "application/x-hdf5",
            },
            {"path": "raw/frame_00002.h5", "size": 104857600},
        ]
    },
)

SEARCH_PARAMS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Free text"),
    *[
        OpenApiParameter(f, OpenApiTypes.STR, many=True, description=f"Facet value ({f})")
        for f in FACETS
    ],
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        many=True,
        enum=list(SEARCHABLE_STATUSES),
        description=(
            "Lifecycle status: a facet (and a filter) only for callers who may see unpublished "
            "records (members of a record's groups, its creator, curators); ignored for others"
        ),
    ),
    OpenApiParameter(
        "cond",
        OpenApiTypes.STR,
        many=True,
        description="Scientific condition key:op:value[:unit], e.g. temperature:gt:250:K",
    ),
    OpenApiParameter("year_min", OpenApiTypes.INT),
    OpenApiParameter("year_max", OpenApiTypes.INT),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS)),
    OpenApiParameter(
        "all_versions",
        OpenApiTypes.BOOL,
        description="Every version of each record (default: the latest published version)",
    ),
    OpenApiParameter("page", OpenApiTypes.INT),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 100"),
]
SearchError = inline_serializer(
    "SearchError", {"detail": serializers.CharField(), "parameter": serializers.CharField()}
)
SearchHit = inline_serializer(
    "SearchHit",
    {
        "pid": serializers.CharField(),
        "doi": serializers.CharField(allow_null=True),
        "title": serializers.CharField(),
        "creators": serializers.ListField(child=serializers.CharField()),
        "publication_year": serializers.IntegerField(allow_null=True),
        "facility": serializers.CharField(allow_null=True),
        "instrument": serializers.CharField(allow_null=True),
        "techniques": serializers.ListField(child=serializers.CharField()),
        "resource_type": serializers.CharField(allow_null=True),
        "url": serializers.CharField(),
    },
)
SearchResultOut = inline_serializer(
    "SearchResult",
    {
        "total": serializers.IntegerField(),
        "page": serializers.IntegerField(),
        "page_size": serializers.IntegerField(),
        "results": serializers.ListField(child=SearchHit),
        "facets": serializers.DictField(child=serializers.ListField(child=serializers.DictField())),
    },
)
KeyListOut = inline_serializer(
    "ScientificKey",
    many=True,
    fields={
        "key": serializers.CharField(),
        "units": serializers.ListField(child=serializers.CharField()),
        "count": serializers.IntegerField(),
    },
)
SEARCH_ERRORS = {
    400: OpenApiResponse(SearchError, "A parameter is invalid (named in `parameter`)."),
    503: errors(503)[503],
}

extend_schema_view(
    get=extend_schema(
        summary="Who am I", tags=["account"], responses={200: shapes.MeOut, **errors(401)}
    )
)(MeView)

extend_schema_view(
    get=extend_schema(
        summary="List datasets",
        operation_id="datasets_list",
        description="What the caller may see, newest change first, cursor-paged.",
        tags=["datasets"],
        parameters=[CURSOR, PAGE_SIZE],
        responses={200: shapes.DatasetPageOut, **errors(400, 401)},
    ),
    post=extend_schema(
        summary="Create a draft",
        description="The body has the shape GET answers; read-only keys are ignored, unknown "
        "keys are a 400. Drafts may be incomplete; completeness is checked on submission.",
        tags=["datasets"],
        parameters=[IDEMPOTENCY],
        request=shapes.DatasetIn,
        examples=[NEW_DATASET],
        responses={
            201: shapes.DatasetOut,
            **errors(400, 401, 403, 413, 415),
            422: errors(409)[409],
        },
    ),
)(views.DatasetList)

BATCH_EXAMPLE = OpenApiExample(
    "Two raw datasets with their files",
    request_only=True,
    value=[
        {
            "title": "SAXS of lysozyme at 293 K, scan 1",
            "creators": [{"name": "Okafor, Amara", "orcid": "0000-0002-1825-0097"}],
            "techniques": ["PaNET01188"],
            "instrument": "p03",
            "owner_group": "p-11012345",
            "storage_folder": "p03/2024/11012345/raw/scan_1",
            "files": [{"path": "frame_00001.h5", "size": 104857600}],
        },
        {
            "title": "SAXS of lysozyme at 293 K, scan 2",
            "instrument": "p03",
            "owner_group": "p-11012345",
            "files": [{"path": "frame_00001.h5", "size": 104857600}],
        },
    ],
)
BATCH_ERRORS_EXAMPLE = OpenApiExample(
    "A bad record: nothing was created",
    value={
        "detail": "[1].creators[0].orcid: Not a valid ORCID iD.",
        "errors": {"[1].creators[0].orcid": ["Not a valid ORCID iD."]},
    },
    response_only=True,
    status_codes=["400"],
)
extend_schema_view(
    post=extend_schema(
        summary="Create many drafts with their files",
        operation_id="datasets_batch_create",
        description="A JSON array of 1 to 1,000 records as `POST /api/v1/datasets` takes them, "
        "each with an optional `files` list as `POST …/files` takes it (10,000 files in all). "
        "One transaction: any bad record is a 400 keyed by index and JSON path "
        "(`[3].creators[0].orcid`) and nothing is written. Answers the new pids in order.",
        tags=["datasets"],
        parameters=[IDEMPOTENCY],
        request=shapes.DatasetBatchIn(many=True),
        examples=[BATCH_EXAMPLE, BATCH_ERRORS_EXAMPLE],
        responses={
            201: shapes.DatasetBatchOut,
            **errors(400, 401, 403, 413, 415),
            422: errors(409)[409],
        },
    ),
)(views.DatasetBatch)

extend_schema_view(
    get=extend_schema(
        summary="A dataset and its first files",
        tags=["datasets"],
        parameters=[PID, PAGE_SIZE],
        responses={
            200: shapes.DatasetOut,
            304: OpenApiResponse(description="Not modified"),
            **errors(400, 401, 404, 410),
        },
    ),
    patch=extend_schema(
        summary="Change a dataset (partial)",
        description="Only the keys given change; lists are replaced whole. Edits of records "
        "past draft are audited.",
        tags=["datasets"],
        parameters=[PID, IF_MATCH, IF_UNMODIFIED],
        request=shapes.DatasetIn,
        responses={200: shapes.DatasetOut, **errors(400, 401, 403, 404, 410, 412, 413, 415)},
    ),
    delete=extend_schema(
        summary="Delete a draft",
        tags=["datasets"],
        parameters=[PID, IF_MATCH, IF_UNMODIFIED],
        responses={
            204: OpenApiResponse(description="Deleted"),
            **errors(400, 401, 403, 404, 410, 412),
        },
    ),
)(views.DatasetDetail)

extend_schema_view(
    post=extend_schema(
        summary="Start a new version",
        description="A draft carrying the published record's metadata and files over, with "
        "its own pid; it goes through review and gets its own DOI at publication. While a "
        "draft new version exists, the answer is that draft (200).",
        tags=["datasets"],
        parameters=[PID, IDEMPOTENCY],
        request=None,
        responses={
            201: shapes.DatasetOut,
            200: shapes.DatasetOut,
            **errors(401, 403, 404, 409, 410),
        },
    ),
)(views.DatasetVersions)

_FILE_WRITE = {200: shapes.FilesWriteOut, **errors(400, 401, 403, 404, 410, 413, 415)}
extend_schema_view(
    get=extend_schema(
        summary="A dataset's files (keyset pages)",
        tags=["files"],
        parameters=[PID, PAGE_SIZE, OpenApiParameter("after", OpenApiTypes.STR)],
        responses={200: shapes.FilesPageOut, **errors(400, 401, 404)},
    ),
    post=extend_schema(
        summary="Register files (add or update by path)",
        tags=["files"],
        parameters=[PID, VERIFY, IDEMPOTENCY],
        request=shapes.FilesIn,
        examples=[FILES_EXAMPLE],
        responses={
            201: shapes.FilesWriteOut,
            **{k: v for k, v in _FILE_WRITE.items() if k != 200},
            422: errors(409)[409],
        },
    ),
    put=extend_schema(
        summary="Replace the file list",
        tags=["files"],
        parameters=[PID, VERIFY],
        request=shapes.FilesIn,
        responses=_FILE_WRITE,
    ),
    delete=extend_schema(
        summary="Remove one file",
        tags=["files"],
        parameters=[PID, OpenApiParameter("path", OpenApiTypes.STR, required=True)],
        responses={
            204: OpenApiResponse(description="Removed"),
            **errors(400, 401, 403, 404, 410),
        },
    ),
)(views.DatasetFiles)

for _view, _summary, _type in (
    (doi_views.DatasetDataciteXml, "DataCite 4.6 XML", doi_views.XML_TYPE),
    (doi_views.DatasetDataciteJson, "DataCite JSON attributes", doi_views.JSON_TYPE),
):
    extend_schema_view(
        get=extend_schema(
            summary=_summary,
            tags=["datasets"],
            parameters=[PID],
            responses={(200, _type): OpenApiTypes.STR, **errors(404, 410)},
        )
    )(_view)

extend_schema_view(
    get=extend_schema(
        summary="Search datasets",
        tags=["search"],
        parameters=SEARCH_PARAMS,
        responses={200: SearchResultOut, **SEARCH_ERRORS},
    )
)(search.SearchView)
extend_schema_view(
    get=extend_schema(
        summary="Scientific-metadata keys in use",
        tags=["search"],
        parameters=[
            OpenApiParameter("prefix", OpenApiTypes.STR),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1 to 200"),
        ],
        responses={200: KeyListOut, **SEARCH_ERRORS},
    )
)(search.SearchKeysView)

_code = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)
extend_schema_view(
    get=extend_schema(
        summary="Facilities", tags=["context"], responses={200: shapes.FacilityOut(many=True)}
    )
)(context.FacilityList)
extend_schema_view(
    get=extend_schema(
        summary="A facility",
        tags=["context"],
        parameters=[_code],
        responses={200: shapes.FacilityOut, **errors(404)},
    )
)(context.FacilityDetail)
extend_schema_view(
    get=extend_schema(
        summary="Instruments",
        tags=["context"],
        parameters=[OpenApiParameter("facility", OpenApiTypes.STR)],
        responses={200: shapes.InstrumentOut(many=True)},
    )
)(context.InstrumentList)
extend_schema_view(
    get=extend_schema(
        summary="An instrument",
        tags=["context"],
        parameters=[_code],
        responses={200: shapes.InstrumentOut, **errors(404)},
    )
)(context.InstrumentDetail)
extend_schema_view(
    get=extend_schema(
        summary="PaNET techniques",
        tags=["context"],
        parameters=[OpenApiParameter("q", OpenApiTypes.STR)],
        responses={200: shapes.TechniqueOut(many=True)},
    )
)(context.TechniqueList)
_writes = errors(400, 401, 403, 413, 415)
extend_schema_view(
    get=extend_schema(
        summary="Proposals",
        operation_id="proposals_list",
        tags=["context"],
        parameters=[OpenApiParameter("facility", OpenApiTypes.STR), CURSOR, PAGE_SIZE],
        responses={200: shapes.page_of(shapes.ProposalOut, "ProposalPage")},
    ),
    post=extend_schema(
        summary="Create a proposal (curators, ingestors)",
        tags=["context"],
        parameters=[IDEMPOTENCY],
        request=shapes.ProposalIn,
        responses={201: shapes.ProposalOut, **_writes, 422: errors(409)[409]},
    ),
)(context.ProposalList)
_proposal_path = [
    OpenApiParameter("facility", OpenApiTypes.STR, OpenApiParameter.PATH),
    OpenApiParameter("proposal_id", OpenApiTypes.STR, OpenApiParameter.PATH),
]
extend_schema_view(
    get=extend_schema(
        summary="A proposal",
        tags=["context"],
        parameters=_proposal_path,
        responses={200: shapes.ProposalOut, **errors(404)},
    ),
    patch=extend_schema(
        summary="Change a proposal",
        tags=["context"],
        parameters=_proposal_path,
        request=shapes.ProposalIn,
        responses={200: shapes.ProposalOut, **_writes, **errors(404)},
    ),
)(context.ProposalDetail)
extend_schema_view(
    get=extend_schema(
        summary="Beamtimes",
        operation_id="beamtimes_list",
        tags=["context"],
        parameters=[
            OpenApiParameter("facility", OpenApiTypes.STR),
            OpenApiParameter("proposal", OpenApiTypes.STR),
            CURSOR,
            PAGE_SIZE,
        ],
        responses={200: shapes.page_of(shapes.BeamtimeOut, "BeamtimePage")},
    ),
    post=extend_schema(
        summary="Create a beamtime (curators, ingestors)",
        tags=["context"],
        parameters=[IDEMPOTENCY],
        request=shapes.BeamtimeIn,
        responses={201: shapes.BeamtimeOut, **_writes, 422: errors(409)[409]},
    ),
)(context.BeamtimeList)
_pk = [OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)]
extend_schema_view(
    get=extend_schema(
        summary="A beamtime",
        tags=["context"],
        parameters=_pk,
        responses={200: shapes.BeamtimeOut, **errors(404)},
    ),
    patch=extend_schema(
        summary="Change a beamtime",
        tags=["context"],
        parameters=_pk,
        request=shapes.BeamtimeIn,
        responses={200: shapes.BeamtimeOut, **_writes, **errors(404)},
    ),
)(context.BeamtimeDetail)

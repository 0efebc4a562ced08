"""/api/v1/datasets/<pid>/datacite.xml and .json: the DataCite metadata of one dataset.

The access gate decides, as for the record itself: what a user may not see is a 404 (drafts,
for the public). A withdrawn dataset's DataCite metadata stays available, as DataCite keeps
serving the metadata of a tombstoned DOI, to whoever may know of the tombstone.
"""

import json

from django.http import Http404, HttpResponse
from rest_framework.request import Request
from rest_framework.views import APIView

from catalogue.access import DatasetGone, DatasetNotFound, access_dataset
from catalogue.snapshot import dataset_snapshot
from doi.datacite import datacite_attributes, datacite_xml

XML_TYPE = "application/vnd.datacite.datacite+xml"
JSON_TYPE = "application/vnd.datacite.datacite+json"


def _snapshot_for(request: Request, pid):
    try:
        dataset, _ = access_dataset(user=request.user, pid=pid)
    except DatasetNotFound as exc:
        raise Http404 from exc
    except DatasetGone as gone:
        dataset = gone.dataset  # a tombstoned DOI keeps its metadata (as at DataCite)
    return dataset_snapshot(dataset)


def _download_name(snapshot, extension: str) -> str:
    return f"{(snapshot.doi or str(snapshot.pid)).replace('/', '_')}.{extension}"


class DatasetDataciteXml(APIView):
    """GET /api/v1/datasets/<pid>/datacite.xml: DataCite Metadata Schema 4.6 XML."""

    def get(self, request: Request, pid) -> HttpResponse:
        snapshot = _snapshot_for(request, pid)
        response = HttpResponse(datacite_xml(snapshot), content_type=f"{XML_TYPE}; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{_download_name(snapshot, "xml")}"'
        return response


class DatasetDataciteJson(APIView):
    """GET /api/v1/datasets/<pid>/datacite.json: the DataCite REST API attributes."""

    def get(self, request: Request, pid) -> HttpResponse:
        snapshot = _snapshot_for(request, pid)
        body = json.dumps(datacite_attributes(snapshot), indent=2, ensure_ascii=False) + "\n"
        response = HttpResponse(body, content_type=f"{JSON_TYPE}; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{_download_name(snapshot, "json")}"'
        return response

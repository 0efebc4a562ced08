"""The PaNOSC endpoints: parse ``filter``/``where``/``query``, call one selector, answer JSON.

Errors look like LoopBack's (``{"error": {"statusCode", "name", "message"}}``): 400 for a bad
filter (the message names the problem), 404 for an unknown or non-public pid, 503 when
Elasticsearch is down. Only public records are ever shown (``panosc.access``).
"""

from django.http import JsonResponse
from django.views import View

from catalogue.search.connection import SearchUnavailable
from panosc import selectors
from panosc.filter import MAX_STRING, FilterError, parse_filter, parse_where
from panosc.mapping import JSONEncoder

RETRY_AFTER_SECONDS = 30


def error(status: int, name: str, message: str, **headers) -> JsonResponse:
    response = JsonResponse(
        {"error": {"statusCode": status, "name": name, "message": message}}, status=status
    )
    response["Content-Length"] = str(len(response.content))
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return response


class PanoscView(View):
    """GET only; FilterError → 400, SearchUnavailable → 503, None → 404."""

    model = "Dataset"
    http_method_names = ["get", "head", "options"]

    def text(self, request) -> str:
        text = request.GET.get("query", "").strip()
        if len(text) > MAX_STRING:
            raise FilterError(f"query is longer than {MAX_STRING} characters.")
        return text

    def filt(self, request):
        return parse_filter(request.GET.get("filter"), self.model)

    def where(self, request):
        return parse_where(request.GET.get("where"), self.model)

    def answer(self, request, **kwargs):
        raise NotImplementedError

    def get(self, request, **kwargs):
        try:
            body = self.answer(request, **kwargs)
        except FilterError as exc:
            return error(400, "BadRequestError", str(exc))
        except SearchUnavailable:
            return error(
                503,
                "ServiceUnavailableError",
                "Search is temporarily unavailable. Please try again in a minute.",
                Retry_After=str(RETRY_AFTER_SECONDS),
            )
        if body is None:
            pid = kwargs.get("pid", "")
            return error(404, "NotFoundError", f"Unknown {self.model.lower()} {pid!r}.")
        response = JsonResponse(body, safe=False, encoder=JSONEncoder)
        # Set here: these endpoints skip CommonMiddleware (portal/lean.py), which would add it.
        response["Content-Length"] = str(len(response.content))
        return response


class DatasetList(PanoscView):
    def answer(self, request):
        return selectors.datasets_search(filt=self.filt(request), text=self.text(request))


class DatasetCount(PanoscView):
    def answer(self, request):
        return {
            "count": selectors.datasets_count(where=self.where(request), text=self.text(request))
        }


class DatasetDetail(PanoscView):
    def answer(self, request, pid):
        return selectors.dataset_get(pid=pid, filt=self.filt(request))


class DatasetFiles(PanoscView):
    model = "File"

    def answer(self, request, pid):
        return selectors.dataset_files(pid=pid, filt=self.filt(request))

    def get(self, request, **kwargs):
        response = super().get(request, **kwargs)
        if response.status_code == 404:
            return error(404, "NotFoundError", f"Unknown dataset {kwargs.get('pid', '')!r}.")
        return response


class DatasetFilesCount(DatasetFiles):
    def answer(self, request, pid):
        count = selectors.dataset_files_count(pid=pid, where=self.where(request))
        return None if count is None else {"count": count}


class DocumentList(PanoscView):
    model = "Document"

    def answer(self, request):
        return selectors.documents_search(filt=self.filt(request), text=self.text(request))


class DocumentCount(PanoscView):
    model = "Document"

    def answer(self, request):
        return {
            "count": selectors.documents_count(where=self.where(request), text=self.text(request))
        }


class DocumentDetail(PanoscView):
    model = "Document"

    def answer(self, request, pid):
        return selectors.document_get(pid=pid, filt=self.filt(request))


class InstrumentList(PanoscView):
    model = "Instrument"

    def answer(self, request):
        return selectors.instruments_search(filt=self.filt(request), text=self.text(request))


class InstrumentCount(PanoscView):
    model = "Instrument"

    def answer(self, request):
        return {
            "count": selectors.instruments_count(where=self.where(request), text=self.text(request))
        }


class InstrumentDetail(PanoscView):
    model = "Instrument"

    def answer(self, request, pid):
        return selectors.instrument_get(pid=pid, filt=self.filt(request))

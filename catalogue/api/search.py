"""GET /api/v1/search and /api/v1/search/keys: catalogue search for machines.

Parameters are parsed by ``catalogue.search.queries.parse_search_params`` (the same as the
page; ``status`` is a facet only for callers who may see unpublished records:
``catalogue.access.user_sees_unpublished``); bad input answers 400 with
``{"detail": ..., "parameter": ...}``; Elasticsearch being down answers 503 with a JSON
message and ``Retry-After``.
"""

from django.http import JsonResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.access import user_sees_unpublished
from catalogue.search.backends import KeyInfo, SearchHit, SearchResult
from catalogue.search.connection import SearchUnavailable
from catalogue.search.queries import SearchInputError, parse_search_params
from catalogue.search.selectors import scientific_keys, search_datasets

# Accept headers whose negotiation can only pick JSON: answered without DRF's parsing of them.
_JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})
_JSON_RENDERER = JSONRenderer()

UNAVAILABLE = "Search is temporarily unavailable. Please try again in a minute."
RETRY_AFTER_SECONDS = 30


def hit_json(hit: SearchHit) -> dict:
    return {
        "pid": hit.pid,
        "doi": hit.doi,
        "title": hit.title,
        "creators": list(hit.creators),
        "publication_year": hit.publication_year,
        "facility": hit.facility,
        "instrument": hit.instrument,
        "techniques": list(hit.techniques),
        "resource_type": hit.resource_type,
        "url": hit.url,
    }


def search_result_json(result: SearchResult) -> dict:
    return {
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "results": [hit_json(h) for h in result.hits],
        "facets": {
            facet: [{"value": v.value, "count": v.count} for v in values]
            for facet, values in result.facets.items()
        },
    }


def key_json(key: KeyInfo) -> dict:
    return {"key": key.key, "units": list(key.units), "count": key.count}


def _bad_request(exc: SearchInputError) -> Response:
    return Response({"detail": exc.message, "parameter": exc.parameter}, status=400)


def _unavailable() -> Response:
    return Response(
        {"detail": UNAVAILABLE}, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


class SearchView(APIView):
    """GET /api/v1/search?q=&facility=&…&cond=key:op:value[:unit]&sort=&page=&page_size="""

    # JSON only, and the answer serialised directly: this endpoint is on the hot path (DRF's
    # negotiation and rendering cost more than building the answer). Authentication stays
    # DRF's, so API clients log in as on every other endpoint.
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # What DRF's negotiation would pick for these (JSON, its only renderer), without
        # parsing media types on every request; anything else (a ?format=, a browser's list)
        # still goes through DRF, with its 404/406 answers.
        accept = request.META.get("HTTP_ACCEPT", "")
        if accept in _JSON_ACCEPTS and "format" not in request.query_params:
            return _JSON_RENDERER, _JSON_RENDERER.media_type
        return super().perform_content_negotiation(request, force)

    def get(self, request: Request) -> Response | JsonResponse:
        try:
            query = parse_search_params(
                request.query_params, member=user_sees_unpublished(request.user)
            )
            result = search_datasets(user=request.user, query=query)
        except SearchInputError as exc:
            return _bad_request(exc)
        except SearchUnavailable:
            return _unavailable()
        response = JsonResponse(search_result_json(result))
        # Set here: this endpoint skips CommonMiddleware (portal/lean.py), which would add it.
        response["Content-Length"] = str(len(response.content))
        return response


class SearchKeysView(APIView):
    """GET /api/v1/search/keys?prefix=temp&limit=50: scientific-metadata keys in use."""

    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        raw_limit = request.query_params.get("limit", "50")
        try:
            limit = int(raw_limit)
        except ValueError:
            return _bad_request(
                SearchInputError("limit", f"limit must be a whole number, not {raw_limit[:40]!r}.")
            )
        if not 1 <= limit <= 200:
            return _bad_request(SearchInputError("limit", "limit must be between 1 and 200."))
        prefix = request.query_params.get("prefix", "")
        if len(prefix) > 300:
            return _bad_request(SearchInputError("prefix", "prefix is too long."))
        try:
            keys = scientific_keys(user=request.user, prefix=prefix, limit=limit)
        except SearchUnavailable:
            return _unavailable()
        return Response([key_json(k) for k in keys])

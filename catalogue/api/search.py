"""GET /api/v1/search and /api/v1/search/keys: catalogue search for machines.

Parameters are parsed by ``catalogue.search.queries.parse_search_params`` (the same as the
page; ``status`` is a facet only for callers who may see unpublished records:
``catalogue.access.user_sees_unpublished``); bad input answers 400 with
``{"detail": ..., "parameter": ...}``; Elasticsearch being down answers 503 with a JSON
message and ``Retry-After``.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
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
# The bytes JsonResponse writes (its encoder, its separators, ASCII escapes), from one encoder
# made once instead of one per response.
_ENCODER = DjangoJSONEncoder()

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

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The common case, an anonymous client asking for JSON, without DRF's request wrapper,
        # authentication, permission and negotiation machinery: with no Authorization header
        # and no session cookie every authentication class answers "anonymous" (the visitor
        # Django's middleware already made), GET is always permitted, and the one renderer is
        # JSON. The throttle classes still run; anything else (a token, a session, HEAD, a
        # ?format=, another Accept, a throttled client) goes through DRF as before.
        if (
            request.method == "GET"
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and request.META.get("HTTP_ACCEPT", "") in _JSON_ACCEPTS
            and "format" not in request.GET
        ):
            response = self._anonymous_get(request)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    def _anonymous_get(self, request: HttpRequest) -> HttpResponse | None:
        # Every throttle is asked, as DRF's check_throttles does. Denied: None, and DRF answers
        # its 429 (a denied request records nothing in a throttle's history, so asking again
        # does not count it twice; the user throttle records nothing for anonymous clients).
        allowed = True
        for throttle in self.get_throttles():
            if not throttle.allow_request(request, self):
                allowed = False
        if not allowed:
            return None
        response = self._answer(request, request.GET)
        if isinstance(response, Response):
            response = _rendered(response)
        response["Allow"] = ", ".join(self.allowed_methods)
        return response

    def get(self, request: Request) -> HttpResponse | Response:
        return self._answer(request, request.query_params)

    def _answer(self, request, params) -> HttpResponse | Response:
        try:
            query = parse_search_params(params, member=user_sees_unpublished(request.user))
            result = search_datasets(user=request.user, query=query)
        except SearchInputError as exc:
            return _bad_request(exc)
        except SearchUnavailable:
            return _unavailable()
        content = _ENCODER.encode(search_result_json(result)).encode()
        response = HttpResponse(content, content_type="application/json")
        # Set here: this endpoint skips CommonMiddleware (portal/lean.py), which would add it.
        response["Content-Length"] = str(len(content))
        return response


def _rendered(response: Response) -> HttpResponse:
    """A DRF Response as DRF's JSON renderer would write it, headers included."""
    content = _JSON_RENDERER.render(response.data)
    rendered = HttpResponse(content, status=response.status_code, content_type="application/json")
    for key, value in response.items():
        if key.lower() != "content-type":
            rendered[key] = value
    return rendered


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

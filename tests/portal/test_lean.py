"""The lean request path (portal/lean.py) as gunicorn calls it: portal.wsgi.application.

The h5grove endpoints and the search API skip the middleware they do not need, and keep the
access gate, request ids, metrics and the security headers every response carries."""

import io
import json
from urllib.parse import urlencode, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from catalogue.models import Status
from portal.lean import LEAN_PATH, SKIPPED_ON_LEAN_PATH, lean_middleware
from tests.catalogue.preview.conftest import DEMO_HDF5, dataset_with_files, h5grove_url

pytestmark = pytest.mark.django_db


def _call(url: str, **headers: str) -> tuple[int, dict, bytes]:
    from portal.wsgi import application

    parts = urlsplit(url)
    environ = {"PATH_INFO": parts.path, "QUERY_STRING": parts.query, "REQUEST_METHOD": "GET",
               "HTTP_HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1",
               "wsgi.input": io.BytesIO(), **headers}  # fmt: skip
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = {k.lower(): v for k, v in headers}

    # As Django's test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body


def test_only_the_hot_read_endpoints_take_the_lean_path():
    pid = "5e1ec7ed-0b5e-4c0d-9a11-000000000500"
    for path in (f"/datasets/{pid}/h5grove", f"/datasets/{pid}/h5grove/data", "/api/v1/search"):
        assert LEAN_PATH.match(path), path
    for path in ("/panosc/api/Datasets", "/panosc/api/Documents/count",
                 f"/panosc/api/Datasets/{settings.DATACITE_PREFIX}/abc/files"):  # fmt: skip
        assert LEAN_PATH.match(path), path
    others = ["/", f"/datasets/{pid}/", f"/datasets/{pid}/files/a.h5", "/api/v1/search/keys"]
    others += ["/admin/", "/accounts/login/", f"/datasets/{pid}/h5grove/../../admin/"]
    others += ["/panosc/", "/panosc/api/"]
    for path in others:
        assert not LEAN_PATH.match(path), path
    kept = lean_middleware()
    assert "django.middleware.security.SecurityMiddleware" in kept
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" in kept
    assert "portal.ops.requestlog.RequestIdMiddleware" in kept
    assert not SKIPPED_ON_LEAN_PATH & set(kept)


def test_preview_on_the_lean_path_keeps_the_gate_and_the_headers():
    public = dataset_with_files(files=DEMO_HDF5[:1])
    draft = dataset_with_files(status=Status.DRAFT, files=DEMO_HDF5[:1])
    name = DEMO_HDF5[0].name
    status, headers, body = _call(h5grove_url(public, "meta") + "?" + urlencode({"file": name}))
    assert status == 200, body[:300]
    assert json.loads(body)["kind"] == "group"
    assert headers["content-length"] == str(len(body))
    assert headers["x-content-type-options"] == "nosniff"
    assert len(headers["x-request-id"]) == 32
    assert "x-frame-options" not in headers  # skipped here: a JSON answer is never framed
    status, _, body = _call(h5grove_url(draft, "meta") + "?" + urlencode({"file": name}))
    assert status == 404 and json.loads(body) == {"message": "File not found!"}


def test_other_pages_keep_every_middleware():
    status, headers, _ = _call("/healthz")
    assert status == 200
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.search
def test_search_api_on_the_lean_path(settings):
    from tests.catalogue.search.conftest import _counter

    settings.SEARCH_BACKEND = "elasticsearch"
    settings.SEARCH_REFRESH_ON_WRITE = True
    base = settings.ELASTICSEARCH_INDEX_PREFIX
    settings.ELASTICSEARCH_INDEX_PREFIX = f"{base}-lean-{next(_counter)}"
    from catalogue.search.indexing import drop_index, index_datasets

    ds = dataset_with_files(title="Lean path sample")
    index_datasets(dataset_ids=[ds.pk], refresh=True)
    try:
        status, headers, body = _call("/api/v1/search?q=lean")
        assert status == 200, body[:300]
        assert json.loads(body)["total"] == 1
        assert headers["content-length"] == str(len(body))
        assert headers["x-content-type-options"] == "nosniff"
    finally:
        drop_index()


@pytest.mark.search
def test_search_api_answers_anonymous_clients_as_drf_does(settings):
    """Anonymous JSON clients skip DRF's machinery (catalogue/api/search.py); an Accept header
    DRF must negotiate takes DRF's path. Both give the same status, bytes and headers, for
    answers, bad input and an unavailable search alike."""
    from tests.catalogue.search.conftest import _counter

    settings.SEARCH_BACKEND = "elasticsearch"
    settings.SEARCH_REFRESH_ON_WRITE = True
    base = settings.ELASTICSEARCH_INDEX_PREFIX
    settings.ELASTICSEARCH_INDEX_PREFIX = f"{base}-lean-{next(_counter)}"
    from catalogue.search.indexing import drop_index, index_datasets

    ds = dataset_with_files(title="Lean path Ångström sample")
    index_datasets(dataset_ids=[ds.pk], refresh=True)
    urls = ["/api/v1/search?q=lean", "/api/v1/search?q=%C3%85ngstr%C3%B6m&page_size=5",
            "/api/v1/search?page=0", "/api/v1/search?page_size=x",
            "/api/v1/search?cond=bogus"]  # fmt: skip
    negotiated = {"HTTP_ACCEPT": "application/json, */*;q=0.5"}
    try:
        for url in urls:
            lean = _call(url)
            drf = _call(url, **negotiated)
            assert lean[0] == drf[0], url
            assert lean[2] == drf[2], url
            assert _stable(lean[1]) == _stable(drf[1]), url
        assert _call(urls[0])[0] == 200 and _call(urls[2])[0] == 400
        real_url = settings.ELASTICSEARCH_URL
        settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens: unavailable
        try:
            lean, drf = _call(urls[0]), _call(urls[0], **negotiated)
        finally:
            settings.ELASTICSEARCH_URL = real_url
        assert lean[0] == drf[0] == 503
        assert lean[2] == drf[2]
        assert _stable(lean[1]) == _stable(drf[1])
        assert lean[1]["retry-after"] == "30"
    finally:
        drop_index()


def _stable(headers: dict) -> dict:
    return {k: v for k, v in headers.items() if k not in ("x-request-id", "date")}


def test_lean_patterns_resolve_as_the_whole_urlconf():
    # portal/lean_urls.py resolves the lean endpoints first: the same match Django finds in
    # portal.urls (view, name, namespace, route, arguments), which metrics and logs report.
    from django.urls import get_resolver

    from portal.lean import LEAN_URLCONF

    pid = "5202477f-0c34-4cab-8686-5ef62f128d23"
    paths = [f"/datasets/{pid}/h5grove"]
    paths += [f"/datasets/{pid}/h5grove/{op}" for op in ("meta", "attr", "data", "stats", "paths")]
    paths += ["/api/v1/search", "/panosc/api/Datasets", "/panosc/api/Documents/abc"]
    for path in paths:
        assert LEAN_PATH.match(path), path
        lean, full = get_resolver(LEAN_URLCONF).resolve(path), get_resolver().resolve(path)
        assert (lean.func, lean.view_name, lean.route, lean.args, lean.kwargs) == (
            full.func, full.view_name, full.route, full.args, full.kwargs,
        ), path  # fmt: skip


def test_csp_header_built_once_is_django_csps_own(settings):
    from csp.utils import build_policy

    public = dataset_with_files(files=DEMO_HDF5[:1])
    url = h5grove_url(public, "meta") + "?" + urlencode({"file": DEMO_HDF5[0].name})
    _, headers, _ = _call(url)
    assert headers["content-security-policy"] == build_policy()
    assert "nonce" not in headers["content-security-policy"]
    # A changed policy (a facility's own settings) is not answered from the old one.
    directives = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}
    _, headers, _ = _call(url)
    assert "img-src 'self';" in headers["content-security-policy"] + ";"
    assert headers["content-security-policy"] == build_policy()

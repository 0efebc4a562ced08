"""Search finds the latest version of each record by default, every version on request
(``all_versions=1``), on both backends (database and the real Elasticsearch)."""

import pytest
from django.test import Client

from catalogue.models import Status
from catalogue.services import lifecycle
from catalogue.services.versions import dataset_new_version
from tests.factories import make_dataset

pytestmark = pytest.mark.django_db


def _publish(ds):
    ds.refresh_from_db()
    ds = lifecycle.dataset_submit(dataset=ds, actor=None)
    ds = lifecycle.dataset_start_review(dataset=ds, actor=None)
    ds = lifecycle.dataset_approve(dataset=ds, actor=None)
    return lifecycle.dataset_publish(dataset=ds, actor=None)


def _pids(params) -> list[str]:
    response = Client().get("/api/v1/search", params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return sorted(r["pid"] for r in response.json()["results"])


def test_latest_version_by_default_all_on_request(backend):
    v1 = _publish(make_dataset(Status.DRAFT, title="Silver behenate calibration"))
    draft = dataset_new_version(dataset=v1, actor=None).draft
    other = _publish(make_dataset(Status.DRAFT, title="Lysozyme in solution"))
    backend.sync()
    # Before version 2 is published, version 1 is the latest (the draft is not public).
    assert _pids({"q": "behenate"}) == [str(v1.pid)]
    v2 = _publish(draft)
    backend.sync()
    assert _pids({"q": "behenate"}) == [str(v2.pid)]
    assert _pids({"q": "behenate", "all_versions": "1"}) == sorted([str(v1.pid), str(v2.pid)])
    assert _pids({}) == sorted([str(v2.pid), str(other.pid)])
    assert len(_pids({"all_versions": "true"})) == 3
    bad = Client().get("/api/v1/search", {"all_versions": "maybe"})
    assert bad.status_code == 400
    # The search page keeps the switch in its links.
    page = Client().get("/search/", {"q": "behenate", "all_versions": "1"})
    assert page.status_code == 200
    assert 'name="all_versions" value="1" checked' in page.content.decode()

"""Versions on the record page: the Versions box, the banner on older versions, the concept
DOI resolving to the latest version, schema.org relations, and Signposting read with the
``signposting`` client from PyPI (cite-as of a DOI only reserved locally)."""

import json
import re

import pytest
from signposting import find_signposting_http

from catalogue.services import lifecycle
from catalogue.services.versions import dataset_new_version


def _publish(ds):
    ds.refresh_from_db()
    ds = lifecycle.dataset_submit(dataset=ds, actor=None)
    ds = lifecycle.dataset_start_review(dataset=ds, actor=None)
    ds = lifecycle.dataset_approve(dataset=ds, actor=None)
    return lifecycle.dataset_publish(dataset=ds, actor=None)


@pytest.fixture
def two_versions(published):
    draft = dataset_new_version(dataset=published, actor=None).draft
    draft.title = "SAXS of silver behenate, recalibrated"
    draft.save()
    v2 = _publish(draft)
    published.refresh_from_db()
    return published, v2


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_older_version_has_banner_and_versions_box(client, two_versions):
    v1, v2 = two_versions
    html = client.get(f"/doi/{v1.doi}").content.decode()
    assert "A newer version of this record exists" in html
    assert f'href="http://testserver/doi/{v2.doi}"' in html or f"/doi/{v2.doi}" in html
    assert 'id="versions-heading"' in html
    assert v1.doi in html and v2.doi in html and v1.concept.doi in html
    latest = client.get(f"/doi/{v2.doi}").content.decode()
    assert "A newer version of this record exists" not in latest
    assert 'id="versions-heading"' in latest


@pytest.mark.django_db
def test_concept_doi_resolves_to_the_latest_version(client, two_versions):
    v1, v2 = two_versions
    response = client.get(f"/doi/{v1.concept.doi}")
    assert response.status_code == 302
    assert response["Location"] == f"/doi/{v2.doi}"
    lifecycle.dataset_withdraw(dataset=v2, actor=None, reason="Wrong mask.")
    assert client.get(f"/doi/{v1.concept.doi.upper()}")["Location"] == f"/doi/{v1.doi}"


@pytest.mark.django_db
def test_concept_doi_of_a_withdrawn_record_answers_its_tombstone(client, published):
    draft = dataset_new_version(dataset=published, actor=None).draft
    concept = draft.concept
    lifecycle.dataset_withdraw(dataset=published, actor=None, reason="Wrong mask.")
    # Only the withdrawn version is public: its tombstone answers; never the draft.
    response = client.get(f"/doi/{concept.doi}")
    assert response.status_code == 302 and response["Location"] == f"/doi/{published.doi}"


@pytest.mark.django_db
def test_schemaorg_names_version_previous_and_concept(client, two_versions):
    v1, v2 = two_versions
    data = _jsonld(client.get(f"/doi/{v2.doi}").content.decode())
    assert data["version"] == "2"
    assert any(url.endswith(f"/doi/{v1.doi}") for url in data["isBasedOn"])
    assert data["exampleOfWork"]["identifier"] == f"doi:{v1.concept.doi}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cite_as_is_the_landing_page_while_the_doi_is_only_reserved(live_server, two_versions):
    _v1, v2 = two_versions  # the embedded mode: v2's DOI is reserved, never registered
    url = f"{live_server.url}/doi/{v2.doi}"
    signposts = find_signposting_http(url)
    assert str(signposts.citeAs.target) == url
    lifecycle.dataset_withdraw(dataset=v2, actor=None, reason="Wrong mask.")
    import httpx

    gone = httpx.head(url)
    assert gone.status_code == 410
    assert f'<{url}> ; rel="cite-as"' in gone.headers["Link"]

"""Versions at DataCite: each published version its own DOI, one concept DOI following the
latest version (URL and metadata), through the real after-commit tasks; doi_sync repairs a
drifted concept DOI. The stand-in validates every payload against the 4.6 XSD."""

import io

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from catalogue.models import Status
from catalogue.services import lifecycle
from catalogue.services.versions import dataset_new_version
from doi.identifiers import landing_url
from doi.models import DoiRegistration, DoiState
from tests.factories import make_dataset

NS = {"d": "http://datacite.org/schema/kernel-4"}


def _publish(ds):
    ds.refresh_from_db()
    if ds.status == Status.DRAFT:
        ds = lifecycle.dataset_submit(dataset=ds, actor=None)
        ds = lifecycle.dataset_start_review(dataset=ds, actor=None)
    ds = lifecycle.dataset_approve(dataset=ds, actor=None)
    return lifecycle.dataset_publish(dataset=ds, actor=None)


def _relations(xml: bytes) -> set[tuple[str, str]]:
    doc = etree.fromstring(xml)
    return {
        (r.get("relationType"), r.text)
        for r in doc.findall("d:relatedIdentifiers/d:relatedIdentifier", NS)
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_version_two_moves_the_concept_doi(datacite):
    v1 = _publish(make_dataset(Status.IN_REVIEW))  # eager tasks after commit
    concept = v1.concept
    assert set(datacite.dois) == {v1.doi, concept.doi}
    stored = datacite.dois[concept.doi]
    assert stored.state == "findable" and stored.url == landing_url(v1.doi)
    assert DoiRegistration.objects.get(concept=concept).state == DoiState.FINDABLE

    draft = dataset_new_version(dataset=v1, actor=None).draft
    assert set(datacite.dois) == {v1.doi, concept.doi}  # nothing for the unpublished draft
    v2 = _publish(draft)
    assert set(datacite.dois) == {v1.doi, v2.doi, concept.doi}
    assert datacite.dois[v2.doi].state == "findable"
    stored = datacite.dois[concept.doi]
    assert stored.url == landing_url(v2.doi)
    assert _relations(stored.xml) >= {("HasVersion", v1.doi), ("HasVersion", v2.doi)}
    # Version 1's record at DataCite learnt of its successor.
    assert ("IsPreviousVersionOf", v2.doi) in _relations(datacite.dois[v1.doi].xml)
    assert ("IsNewVersionOf", v1.doi) in _relations(datacite.dois[v2.doi].xml)
    assert datacite.problems == []

    # Every version withdrawn: the concept DOI is hidden, and resolves to the last tombstone.
    lifecycle.dataset_withdraw(dataset=v2, actor=None, reason="Wrong mask.")
    assert datacite.dois[concept.doi].url == landing_url(v1.doi)
    lifecycle.dataset_withdraw(dataset=v1, actor=None, reason="Wrong mask.")
    assert datacite.dois[concept.doi].state == "registered"
    assert datacite.dois[concept.doi].url == landing_url(v2.doi)
    assert datacite.problems == []


@pytest.mark.django_db
def test_doi_sync_repairs_a_drifted_concept_doi(datacite, client):
    from doi.services import doi_sync

    v1 = _publish(make_dataset(Status.IN_REVIEW))
    v2 = _publish(dataset_new_version(dataset=v1, actor=None).draft)
    for reg in DoiRegistration.objects.all():
        doi_sync(registration=reg, client=client)
    concept = v2.concept
    assert datacite.dois[concept.doi].url == landing_url(v2.doi)
    datacite.dois[concept.doi].url = landing_url(v1.doi)  # edited in Fabrica
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 DOI"):
        call_command("doi_sync", "--all", "--check", stdout=out, stderr=io.StringIO())
    assert concept.doi in out.getvalue()
    call_command("doi_sync", "--all", stdout=io.StringIO(), stderr=io.StringIO())
    assert datacite.dois[concept.doi].url == landing_url(v2.doi)
    call_command("doi_sync", "--all", "--check", stdout=io.StringIO(), stderr=io.StringIO())

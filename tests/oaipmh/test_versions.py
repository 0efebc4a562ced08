"""OAI-PMH records carry the relations between versions (one DataCite mapping), and a
version's record is harvested again (new datestamp) when a later version is published."""

import pytest
from django.test import Client

from catalogue.models import Status
from catalogue.services import lifecycle
from catalogue.services.versions import dataset_new_version
from tests.factories import make_dataset
from tests.oaipmh.schemas import NS, oai_get

pytestmark = pytest.mark.django_db


def _publish(ds):
    ds.refresh_from_db()
    ds = lifecycle.dataset_submit(dataset=ds, actor=None)
    ds = lifecycle.dataset_start_review(dataset=ds, actor=None)
    ds = lifecycle.dataset_approve(dataset=ds, actor=None)
    return lifecycle.dataset_publish(dataset=ds, actor=None)


def _relations(root) -> set[tuple[str, str]]:
    return {
        (r.get("relationType"), r.text) for r in root.iterfind(".//datacite:relatedIdentifier", NS)
    }


@pytest.mark.parametrize("prefix", ["oai_datacite", "datacite"])
def test_datacite_formats_carry_version_relations(settings, prefix):
    client = Client()
    v1 = _publish(make_dataset(Status.DRAFT))
    ident = f"oai:{settings.OAI_REPOSITORY_ID}:{v1.pid}"
    before = oai_get(client, verb="GetRecord", metadataPrefix=prefix, identifier=ident)
    v1.refresh_from_db()
    concept = v1.concept.doi
    assert ("IsVersionOf", concept) in _relations(before)
    stamp = before.findtext(".//oai:header/oai:datestamp", namespaces=NS)
    changed = v1.updated_at

    v2 = _publish(dataset_new_version(dataset=v1, actor=None).draft)
    after = oai_get(client, verb="GetRecord", metadataPrefix=prefix, identifier=ident)
    assert ("IsPreviousVersionOf", v2.doi) in _relations(after)
    # The datestamp moves (seconds granularity: at least not backwards; the row moved).
    assert after.findtext(".//oai:header/oai:datestamp", namespaces=NS) >= stamp
    v1.refresh_from_db()
    assert v1.updated_at > changed
    assert after.findtext(".//datacite:version", namespaces=NS) == "1"
    newer = oai_get(
        client,
        verb="GetRecord",
        metadataPrefix=prefix,
        identifier=f"oai:{settings.OAI_REPOSITORY_ID}:{v2.pid}",
    )
    assert {("IsVersionOf", concept), ("IsNewVersionOf", v1.doi)} <= _relations(newer)


def test_oai_dc_lists_the_versions_as_relations(settings):
    v1 = _publish(make_dataset(Status.DRAFT))
    v2 = _publish(dataset_new_version(dataset=v1, actor=None).draft)
    root = oai_get(
        Client(),
        verb="GetRecord",
        metadataPrefix="oai_dc",
        identifier=f"oai:{settings.OAI_REPOSITORY_ID}:{v2.pid}",
    )
    relations = {e.text for e in root.iterfind(".//dc:relation", NS)}
    assert f"https://doi.org/{v1.doi}" in relations

"""Stored renderings: reused while a record is unchanged, never served once it changed."""

import datetime
import io

import pytest
from django.core.management import call_command

from catalogue.models import Creator, Dataset, Status
from catalogue.snapshot import dataset_snapshot, snapshot_queryset
from oaipmh import rendering
from oaipmh.formats import FORMATS
from oaipmh.models import RenderedMetadata
from tests.factories import make_dataset
from tests.oaipmh.schemas import NS, oai_get

pytestmark = pytest.mark.django_db


def _metadata(client, ds, prefix="oai_datacite") -> bytes:
    from lxml import etree

    root = oai_get(
        client, verb="GetRecord", metadataPrefix=prefix,
        identifier=f"oai:{client.settings_repository_id}:{ds.pid}",
    )  # fmt: skip
    return etree.tostring(root.find(".//oai:metadata", NS)[0])


@pytest.fixture
def oai_client(client, settings):
    client.settings_repository_id = settings.OAI_REPOSITORY_ID
    return client


def test_a_record_is_rendered_once_and_then_read(oai_client, django_assert_max_num_queries):
    ds = make_dataset(status=Status.PUBLISHED, title="Stored once")
    first = _metadata(oai_client, ds)
    row = RenderedMetadata.objects.get(dataset=ds, prefix="oai_datacite")
    assert row.datestamp == ds.updated_at and row.version == rendering.render_version()
    # The stored bytes are exactly what the mapping renders now.
    fresh = FORMATS["oai_datacite"].render(dataset_snapshot(snapshot_queryset().get(pk=ds.pk)))
    assert bytes(row.xml) == fresh
    # The second time no snapshot is built (its 6 queries are not made).
    with django_assert_max_num_queries(4):
        assert _metadata(oai_client, ds) == first


def test_a_changed_record_is_rendered_again(oai_client):
    ds = make_dataset(status=Status.PUBLISHED, title="Old title")
    assert b"Old title" in _metadata(oai_client, ds)
    ds.title = "New title"
    ds.save()  # moves updated_at, the record's datestamp
    assert b"New title" in _metadata(oai_client, ds)
    assert bytes(RenderedMetadata.objects.get(dataset=ds).xml).count(b"New title") >= 1


def test_a_stored_rendering_of_another_datestamp_or_version_is_never_served(oai_client):
    ds = make_dataset(status=Status.PUBLISHED, title="Right")
    _metadata(oai_client, ds)
    stale = b"<resource>stale</resource>"
    RenderedMetadata.objects.filter(dataset=ds).update(
        xml=stale, datestamp=ds.updated_at - datetime.timedelta(seconds=1)
    )
    assert b"stale" not in _metadata(oai_client, ds)
    RenderedMetadata.objects.filter(dataset=ds).update(xml=stale, version="0" * 16)
    assert b"stale" not in _metadata(oai_client, ds)


def test_version_follows_the_settings_that_shape_the_output(settings):
    before = rendering.render_version()
    settings.BASE_URL = "https://data.example.org"
    assert rendering.render_version() != before


def test_creators_edited_with_the_dataset_show(oai_client):
    ds = make_dataset(status=Status.PUBLISHED)
    _metadata(oai_client, ds)
    Creator.objects.create(dataset=ds, position=5, name="Curie, Marie")
    Dataset.objects.get(pk=ds.pk).save()  # editing a dataset saves it (admin, services)
    assert b"Curie, Marie" in _metadata(oai_client, ds)


def test_oai_render_command_prepares_every_public_record():
    public = [make_dataset(status=Status.PUBLISHED) for _ in range(3)]
    make_dataset(status=Status.DRAFT)
    out = io.StringIO()
    call_command("oai_render", "oai_dc", "datacite", "--no-progress", stdout=out)
    assert "oai_dc: 3 records current" in out.getvalue()
    stored = set(RenderedMetadata.objects.values_list("dataset_id", "prefix"))
    assert stored == {(d.pk, p) for d in public for p in ("oai_dc", "datacite")}


# ------------------------------------------------------- rendered when records change --
@pytest.fixture
def curator():
    from django.contrib.auth.models import Group

    from catalogue.access import CURATORS_GROUP
    from tests.factories import UserFactory

    user = UserFactory(username="render-curator", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    return user


def _stored(ds) -> dict[str, tuple]:
    return {
        prefix: (datestamp, version)
        for prefix, datestamp, version in RenderedMetadata.objects.filter(dataset=ds).values_list(
            "prefix", "datestamp", "version"
        )
    }


def test_publishing_renders_the_record_in_every_format_once_committed(
    curator, settings, django_capture_on_commit_callbacks
):
    from catalogue.services import lifecycle

    settings.DATACITE_PREFIX = "10.1234"
    ds = make_dataset(status=Status.APPROVED, title="Rendered at publication")
    with django_capture_on_commit_callbacks(execute=False) as pending:
        ds = lifecycle.dataset_publish(dataset=ds, actor=curator)
    assert _stored(ds) == {}  # nothing before the commit
    for callback in pending:
        callback()
    version = rendering.render_version()
    assert _stored(ds) == {prefix: (ds.updated_at, version) for prefix in FORMATS}
    stored = bytes(RenderedMetadata.objects.get(dataset=ds, prefix="datacite").xml)
    assert b"Rendered at publication" in stored and ds.doi.encode() in stored.lower()


def test_a_rolled_back_change_renders_nothing(curator, django_capture_on_commit_callbacks):
    from catalogue.services import lifecycle

    ds = make_dataset(status=Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        lifecycle.dataset_publish(dataset=ds, actor=curator)
    pending.clear()  # what a rollback does: on_commit callbacks are dropped
    assert RenderedMetadata.objects.count() == 0


def test_a_renamed_facility_renders_the_records_naming_it_again(
    django_capture_on_commit_callbacks,
):
    from catalogue.services.context import context_record_changed

    ds = make_dataset(status=Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        rendering.render_records([ds.pk])
    facility = ds.facility
    facility.name = "Renamed Light Source"
    facility.save()
    with django_capture_on_commit_callbacks(execute=True):
        context_record_changed(obj=facility)
    ds.refresh_from_db()
    row = RenderedMetadata.objects.get(dataset=ds, prefix="oai_datacite")
    assert row.datestamp == ds.updated_at
    assert b"Renamed Light Source" in bytes(row.xml)


def test_records_no_longer_public_are_not_rendered(curator, django_capture_on_commit_callbacks):
    from catalogue.services import lifecycle

    ds = make_dataset(status=Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        ds = lifecycle.dataset_withdraw(dataset=ds, actor=curator, reason="Wrong sample.")
    assert _stored(ds) == {}
    draft = make_dataset(status=Status.DRAFT)
    assert rendering.render_records([draft.pk, ds.pk, 10**9]) == 0


def test_a_failed_rendering_never_fails_the_change(
    curator, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from catalogue.services import lifecycle

    def broken(dataset_ids):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(rendering, "render_records", broken)
    ds = make_dataset(status=Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        ds = lifecycle.dataset_publish(dataset=ds, actor=curator)
    assert Dataset.objects.get(pk=ds.pk).status == Status.PUBLISHED
    assert "renderer down" in caplog.text
    assert RenderedMetadata.objects.count() == 0

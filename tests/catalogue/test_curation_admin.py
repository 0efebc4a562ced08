"""The admin reads the one transition table; published records lock DOI and files."""

import pytest

from catalogue.models import Status
from catalogue.services import lifecycle
from tests.factories import CuratorFactory, DataFileFactory, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client):
    client.force_login(CuratorFactory(username="cur"))
    return client


def test_buttons_and_bulk_actions_come_from_the_table(curator_client):
    ds = make_dataset(status=Status.IN_REVIEW)
    html = curator_client.get(f"/admin/catalogue/dataset/{ds.pk}/change/").content.decode()
    for t in lifecycle.TRANSITIONS:
        if t.source == Status.IN_REVIEW:
            assert f"/transition/{t.to}/" in html and str(t.label) in html
    changelist = curator_client.get("/admin/catalogue/dataset/").content.decode()
    for to in {t.to for t in lifecycle.TRANSITIONS}:
        assert f'value="to_{to}"' in changelist


def test_admin_transition_from_a_stale_page_is_a_clear_message(curator_client):
    ds = make_dataset(status=Status.SUBMITTED)
    url = f"/admin/catalogue/dataset/{ds.pk}/transition/in_review/"
    r = curator_client.post(url, {"comment": "", "from_status": "submitted"}, follow=True)
    assert "Start review: done." in r.content.decode()
    r = curator_client.post(url, {"comment": "", "from_status": "submitted"}, follow=True)
    assert "Somebody else changed this dataset meanwhile" in r.content.decode()
    assert ds.events.filter(to_status="in_review").count() == 1


def test_published_records_show_doi_and_files_read_only(curator_client):
    ds = make_dataset(status=Status.PUBLISHED)
    DataFileFactory(dataset=ds)
    html = curator_client.get(f"/admin/catalogue/dataset/{ds.pk}/change/").content.decode()
    assert 'name="doi"' not in html and ds.doi in html
    assert 'name="files-0-path"' not in html
    draft = make_dataset()
    DataFileFactory(dataset=draft)
    html = curator_client.get(f"/admin/catalogue/dataset/{draft.pk}/change/").content.decode()
    assert 'name="doi"' in html and 'name="files-0-path"' in html


def test_changelist_columns_submitter_waiting_since_and_doi_state(curator_client):
    from django.utils import timezone

    from catalogue.models import DatasetEvent
    from doi.models import DoiRegistration

    waiting = make_dataset(status=Status.SUBMITTED, title="Waiting one")
    event = DatasetEvent.objects.create(
        dataset=waiting, kind=DatasetEvent.Kind.TRANSITION, actor_name="alice",
        from_status="draft", to_status="submitted",
    )  # fmt: skip
    DatasetEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=3, minutes=5)
    )
    published = make_dataset(status=Status.PUBLISHED, title="Published one")
    DoiRegistration.objects.create(dataset=published, doi=published.doi, state="findable")
    response = curator_client.get("/admin/catalogue/dataset/?o=3")  # ordered by submitter
    html = response.content.decode()
    assert response.status_code == 200
    for header in ("Submitter", "Waiting since", "DOI state"):
        assert header in html
    rows = {d.title: d for d in response.context["cl"].result_list}
    admin = response.context["cl"].model_admin
    assert admin.submitter(rows["Waiting one"]) == "alice"
    assert "3\xa0days ago" in admin.waiting(rows["Waiting one"])
    assert admin.waiting(rows["Published one"]) == "—"
    assert "Findable" in admin.doi_state(rows["Published one"])


def test_a_posted_doi_or_pid_of_a_published_record_changes_nothing(curator_client):
    from tests.catalogue.test_admin import _change_post

    ds = make_dataset(status=Status.PUBLISHED)
    doi, pid = ds.doi, ds.pid
    response = _change_post(
        curator_client, ds, doi="10.1234/changed", pid="00000000-0000-0000-0000-000000000000",
        title="Retitled",
    )  # fmt: skip
    assert response.status_code == 302
    ds.refresh_from_db()
    assert (ds.doi, ds.pid, ds.title) == (doi, pid, "Retitled")
    page = curator_client.get(f"/admin/catalogue/dataset/{ds.pk}/change/").content.decode()
    assert 'name="doi"' not in page and 'name="pid"' not in page
    # The edit is in the conversation on the change page, with the field it changed.
    assert "edited title" in page.split('id="events-group"')[1].split("</fieldset>")[0]


def test_json_fields_are_tags_and_rows_and_degrade_to_validated_json(curator_client):
    from catalogue.models import DatasetEvent
    from tests.catalogue.test_admin import _change_post

    ds = make_dataset(status=Status.PUBLISHED, keywords=["SAXS"], dates=[])
    page = curator_client.get(f"/admin/catalogue/dataset/{ds.pk}/change/").content.decode()
    for name in ("additional_titles", "additional_descriptions", "subjects", "dates"):
        assert f'name="{name}-0-' in page and f'<textarea name="{name}"' not in page
    assert 'name="scientific_metadata-0-key"' in page and 'value="SAXS"' in page

    rows = {
        "keywords": "SAXS, silica,  , silica, flow cell",
        "dates": "", "dates-0-date": "2024-05-01", "dates-0-dateType": "Created",
        "dates-1-date": "", "dates-1-dateType": "",
        "subjects": "", "subjects-0-subject": "Nanoscience", "subjects-0-subjectScheme": "ANZSRC",
        "scientific_metadata": "",
        "scientific_metadata-0-key": "sample.temperature",
        "scientific_metadata-0-value": "300", "scientific_metadata-0-unit": "K",
        "scientific_metadata-1-key": "sample.name", "scientific_metadata-1-value": "silica",
    }  # fmt: skip
    response = _change_post(curator_client, ds, **rows)
    assert response.status_code == 302, response.context and response.context.get("errors")
    ds.refresh_from_db()
    assert ds.keywords == ["SAXS", "silica", "flow cell"]
    assert ds.dates == [{"date": "2024-05-01", "dateType": "Created"}]
    assert ds.subjects == [{"subject": "Nanoscience", "subjectScheme": "ANZSRC"}]
    assert ds.scientific_metadata == {
        "sample": {"temperature": {"value": 300, "unit": "K"}, "name": "silica"}
    }
    edits = DatasetEvent.objects.filter(dataset=ds, kind=DatasetEvent.Kind.EDIT)
    assert set(edits.get().changed_fields) >= {"keywords", "dates", "subjects"}

    # The JSON box wins over the rows and is validated: bad JSON is an error on the field.
    response = _change_post(curator_client, ds, **{"scientific_metadata-json": '{"roi": [0, 0,'})
    assert response.status_code == 200
    assert "Enter a valid JSON" in response.content.decode()
    response = _change_post(
        curator_client, ds, **{"scientific_metadata-json": '{"detector": {"roi": [0, 512]}}'}
    )
    assert response.status_code == 302
    ds.refresh_from_db()
    assert ds.scientific_metadata == {"detector": {"roi": [0, 512]}}
    # A type outside DataCite's list is the model's error beside the field, nothing written.
    response = _change_post(
        curator_client, ds, dates="", **{"dates-0-date": "2024", "dates-0-dateType": "Someday"}
    )
    assert response.status_code == 200 and "dateType must be one of" in response.content.decode()


def test_files_and_rows_are_edited_only_on_their_dataset_page(curator_client):
    """The stand-alone lists of files, creators … are read-only: editing a published record's
    file there would bypass the one writer (no lock, no event in the conversation)."""
    from catalogue.models import Creator

    ds = make_dataset(status=Status.PUBLISHED)
    f = DataFileFactory(dataset=ds)
    creator = Creator.objects.create(dataset=ds, name="Okafor, Amara")
    for model, obj in (("datafile", f), ("creator", creator)):
        listing = curator_client.get(f"/admin/catalogue/{model}/")
        assert listing.status_code == 200
        assert f"/admin/catalogue/dataset/{ds.pk}/change/" in listing.content.decode()
        url = f"/admin/catalogue/{model}/{obj.pk}/change/"
        page = curator_client.get(url).content.decode()
        assert 'name="path"' not in page and 'name="name"' not in page
        assert curator_client.post(url, {"path": "x", "name": "x"}).status_code == 403
        assert curator_client.get(f"/admin/catalogue/{model}/add/").status_code == 403
    f.refresh_from_db()
    creator.refresh_from_db()
    assert f.path != "x" and creator.name == "Okafor, Amara"

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

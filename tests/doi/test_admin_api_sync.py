"""What curators and owners see (admin, API ``doi_registration``), doi_sync, the embedded
landing page, and the registration flowing from a lifecycle commit to DataCite."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from catalogue.access import CURATORS_GROUP
from catalogue.models import Status
from catalogue.services import lifecycle
from doi.models import DoiRegistration, DoiState
from doi.services import doi_sync
from tests.factories import UserFactory, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    user = UserFactory(username="cur", is_staff=True, is_superuser=True)
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    return user


def _published(client=None):
    ds = make_dataset(Status.IN_REVIEW)
    ds = lifecycle.dataset_approve(dataset=ds, actor=None)
    ds = lifecycle.dataset_publish(dataset=ds, actor=None)
    if client is not None:
        doi_sync(registration=ds.doi_registration, client=client)
        # The first publication also reserved the record's concept DOI (all versions).
        doi_sync(registration=DoiRegistration.objects.get(concept=ds.concept), client=client)
    return ds


def test_api_shows_doi_registration_to_owners_and_curators_only(datacite, client, curator):
    from rest_framework.test import APIClient

    ds = _published()
    datacite.faults.extend([None, "503"])
    doi_sync(registration=ds.doi_registration, client=client)
    owner = UserFactory(username="own")
    owner.groups.add(ds.owner_group)
    api = APIClient()
    url = f"/api/v1/datasets/{ds.pid}"
    assert "doi_registration" not in api.get(url).json()
    for user in (owner, curator):
        api.force_authenticate(user)
        reg = api.get(url).json()["doi_registration"]
        assert reg["state"] == "reserved" and reg["attempts"] == 1
        assert reg["last_error"].startswith("DataCite 503") and reg["last_synced"] is None
    doi_sync(registration=ds.doi_registration, client=client)
    reg = api.get(url).json()["doi_registration"]
    assert reg["state"] == "findable" and reg["attempts"] == 0 and reg["last_synced"]


def test_admin_lists_failed_registrations_and_retries_them(datacite, client, curator, settings):
    from django.test import Client

    ds = _published()
    datacite.faults.extend([None, "422"])
    doi_sync(registration=ds.doi_registration, client=client)
    web = Client()
    web.force_login(curator)
    page = web.get("/admin/doi/doiregistration/?doi_failed=yes").content.decode()
    assert ds.doi in page and "Simulated refusal" in page
    assert ds.doi not in web.get("/admin/doi/doiregistration/?doi_failed=no").content.decode()
    detail = web.get(f"/admin/catalogue/dataset/{ds.pk}/change/").content.decode()
    assert "DOI registration at DataCite" in detail and "Simulated refusal" in detail
    datasets = web.get("/admin/catalogue/dataset/?doi_failed=yes").content.decode()
    assert ds.title in datasets
    # "Retry" queues the task (eager here): DataCite now accepts it.
    selected = {"action": "retry_registration", "_selected_action": [ds.doi_registration.pk]}
    web.post("/admin/doi/doiregistration/", selected)
    reg = DoiRegistration.objects.get(dataset=ds)
    assert reg.state == DoiState.FINDABLE and not reg.failed
    assert datacite.dois[ds.doi].state == "findable"


def test_doi_sync_check_reports_drift_and_repairs_it(datacite, client):
    ds = _published(client)
    other = _published(client)
    # Drift: someone edited the DOI in Fabrica (hid it, changed the URL).
    datacite.dois[ds.doi].state = "registered"
    datacite.dois[ds.doi].url = "https://elsewhere.example/"
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 DOI"):
        call_command("doi_sync", "--all", "--check", stdout=out, stderr=io.StringIO())
    report = out.getvalue()
    assert ds.doi in report and "state registered, should be findable" in report
    assert other.doi not in report
    assert datacite.dois[ds.doi].state == "registered"  # --check changes nothing
    out = io.StringIO()
    call_command("doi_sync", "--all", stdout=out, stderr=io.StringIO())
    assert "1 repaired" in out.getvalue()
    assert datacite.dois[ds.doi].state == "findable"
    assert datacite.dois[ds.doi].url.endswith(f"/doi/{ds.doi}")
    call_command("doi_sync", "--all", "--check", stdout=io.StringIO(), stderr=io.StringIO())


def test_embedded_landing_page_says_the_doi_is_not_registered(settings):
    settings.DATACITE_ENABLED = False
    ds = _published()
    from django.test import Client

    page = Client().get(f"/doi/{ds.doi}").content.decode()
    assert "not registered with DataCite" in page
    assert f"https://doi.org/{ds.doi}" not in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_committed_publication_reaches_datacite_through_the_task(datacite):
    ds = _published()  # eager tasks: the signal after commit queues doi.sync_changed
    reg = DoiRegistration.objects.get(dataset=ds)
    assert reg.state == DoiState.FINDABLE and not reg.pending
    assert datacite.dois[ds.doi].state == "findable"
    ds = lifecycle.dataset_withdraw(dataset=ds, actor=None, reason="Duplicate.")
    assert datacite.dois[ds.doi].state == "registered"

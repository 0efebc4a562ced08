"""A renamed facility shows in search facets: its records are re-indexed after commit."""

import pytest
from django.contrib.auth.models import Group

from catalogue.access import CURATORS_GROUP
from catalogue.models import Status
from tests.factories import FacilityFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db


@pytest.mark.search
def test_a_renamed_facility_shows_in_search_facets(
    es_index, client, django_capture_on_commit_callbacks
):
    from catalogue.search.indexing import index_datasets

    facility = FacilityFactory(code="ill", name="ILL Grenoble")
    ds = make_dataset(status=Status.PUBLISHED, facility=facility)
    index_datasets(dataset_ids=[ds.pk], refresh=True)
    before = client.get("/api/v1/search").json()["facets"]["facility"]
    assert [f["value"] for f in before] == ["ILL Grenoble"]
    curator = UserFactory(username="curator", is_staff=True)
    curator.groups.add(Group.objects.get(name=CURATORS_GROUP))
    curator_client = type(client)()
    curator_client.force_login(curator)
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(
            f"/admin/catalogue/facility/{facility.pk}/change/",
            {"code": "ill", "name": "Institut Laue-Langevin", "short_name": "", "ror": facility.ror,
             "url": "", "description": ""},
        )  # fmt: skip
    after = client.get("/api/v1/search").json()["facets"]["facility"]
    assert [f["value"] for f in after] == ["Institut Laue-Langevin"]

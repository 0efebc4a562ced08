"""The profile page and the allauth pages in the portal's own layout."""

import pytest

from catalogue.models import Status
from portal.models import FederatedIdentity
from tests.factories import CuratorFactory, GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db


def test_profile_shows_groups_roles_and_identities(client):
    group = GroupFactory(name="DESY:proposal-11012345")
    make_dataset(status=Status.DRAFT, owner_group=group)
    user = UserFactory(username="alice", first_name="Alice", last_name="Owner")
    user.groups.add(group)
    FederatedIdentity.objects.create(
        user=user, issuer="https://login.helmholtz.de/oauth2", subject="abc-123",
        email="alice@desy.de",
    )  # fmt: skip
    client.force_login(user)
    html = client.get("/accounts/profile/").content.decode()
    assert "DESY:proposal-11012345" in html and "1 dataset" in html
    assert "https://login.helmholtz.de/oauth2" in html and "abc-123" in html
    assert 'id="api-tokens"' in html  # the place kept for portal.ApiToken
    assert "Curator" not in html
    assert 'href="/accounts/profile/"' in html  # linked from the header


def test_profile_of_a_curator_and_of_a_reviewer(client):
    client.force_login(CuratorFactory())
    html = client.get("/accounts/profile/").content.decode()
    assert "Curator: sees every dataset" in html and "publish (mint DOIs)" in html
    client.force_login(CuratorFactory(curation_group="reviewers"))
    html = client.get("/accounts/profile/").content.decode()
    assert "review submissions" in html and "publish (mint DOIs)" not in html


def test_profile_needs_a_log_in(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_allauth_pages_use_the_portals_layout(client, url):
    html = client.get(url).content.decode()
    assert 'class="site-header"' in html and 'class="auth-page"' in html

"""Local accounts (django-allauth) reach the access gate: a member logs in and sees a draft."""

import pytest

from catalogue.models import Status
from tests.factories import UserFactory, make_dataset

pytestmark = pytest.mark.django_db


def test_member_logs_in_with_password_and_sees_own_draft(client):
    ds = make_dataset(status=Status.DRAFT, title="Unpublished ferrite data")
    user = UserFactory(username="alice")
    user.groups.add(ds.owner_group)
    assert client.get(f"/datasets/{ds.pid}/").status_code == 404
    login = client.get("/accounts/login/")
    assert login.status_code == 200 and 'name="login"' in login.content.decode()
    response = client.post("/accounts/login/", {"login": "alice", "password": "pw-for-tests"})
    assert response.status_code == 302
    page = client.get(f"/datasets/{ds.pid}/")
    assert page.status_code == 200 and "Unpublished ferrite data" in page.content.decode()
    assert "Draft" in page.content.decode()


def test_wrong_password_is_refused_politely(client):
    UserFactory(username="bob")
    response = client.post("/accounts/login/", {"login": "bob", "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_signup_can_be_closed(client, settings):
    settings.ACCOUNT_SIGNUP_OPEN = False
    assert "closed" in client.get("/accounts/signup/").content.decode().lower()

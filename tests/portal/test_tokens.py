"""API tokens: hashing, expiry, revocation, Bearer authentication, scopes, the command, the page."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from portal.models import ApiToken
from portal.tokens import TokenInvalid, api_token_create, authenticate_bearer, hash_secret
from tests.factories import GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_only_a_hash_is_stored_and_the_secret_authenticates():
    user = UserFactory()
    token, secret = api_token_create(owner=user, name="ingest", scope="write")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == hash_secret(secret)
    assert secret.startswith(stored.prefix)
    assert authenticate_bearer(secret) == (user, token)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"revoked_at": timezone.now()}, "token_revoked"),
        ({"expires_at": timezone.now() - datetime.timedelta(seconds=1)}, "token_expired"),
    ],
)
def test_revoked_and_expired_tokens_are_refused_with_a_reason(change, code):
    token, secret = api_token_create(owner=UserFactory(), name="t")
    ApiToken.objects.filter(pk=token.pk).update(**change)
    with pytest.raises(TokenInvalid) as exc:
        authenticate_bearer(secret)
    assert exc.value.code == code


def test_unknown_token_is_refused():
    with pytest.raises(TokenInvalid):
        authenticate_bearer("pdp_not-a-token")


def test_me_answers_username_groups_curator_and_scopes(client):
    user = UserFactory(username="ada")
    user.groups.add(GroupFactory(name="p-1234"))
    _, secret = api_token_create(owner=user, name="r")
    body = client.get("/api/v1/me", **bearer(secret)).json()
    assert body == {"username": "ada", "groups": ["p-1234"], "is_curator": False,
                    "scopes": ["read"]}  # fmt: skip
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("state", ["missing", "unknown", "expired", "revoked"])
def test_writes_without_a_valid_token_are_401_json_before_any_lookup(client, state):
    token, secret = api_token_create(owner=UserFactory(), name="w", scope="write")
    headers = {}
    if state == "unknown":
        headers = bearer("pdp_nope")
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
        headers = bearer(secret)
    elif state == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        headers = bearer(secret)
    existing = make_dataset()
    for pid in (existing.pid, "00000000-0000-0000-0000-000000000000"):
        response = client.patch(
            f"/api/v1/datasets/{pid}", {"title": "x"}, content_type="application/json", **headers
        )
        assert response.status_code == 401, response.content
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")
    if state in ("expired", "revoked"):
        assert state in response.json()["detail"]


def test_write_with_a_read_token_is_403(client):
    group = GroupFactory()
    user = UserFactory()
    user.groups.add(group)
    ds = make_dataset(owner_group=group)
    _, secret = api_token_create(owner=user, name="r", scope="read")
    response = client.patch(
        f"/api/v1/datasets/{ds.pid}", {"title": "x"}, content_type="application/json",
        **bearer(secret),
    )  # fmt: skip
    assert response.status_code == 403
    assert "write" in response.json()["detail"]


def test_create_api_token_prints_the_secret_alone_on_the_last_line():
    user = UserFactory(username="ingestor")
    out = io.StringIO()
    call_command(
        "create_api_token", "ingestor", "--scope", "write", "--expires-days", "7",
        "--name", "p03", stdout=out,
    )  # fmt: skip
    secret = out.getvalue().rstrip("\n").splitlines()[-1]
    got_user, token = authenticate_bearer(secret)
    assert got_user == user and token.name == "p03" and token.scopes == ["read", "write"]
    assert token.expires_at - timezone.now() > datetime.timedelta(days=6)


def test_tokens_page_creates_shows_once_lists_and_revokes():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.get("/accounts/tokens/").status_code == 200
    page = client.post(
        "/accounts/tokens/", {"name": "laptop", "scope": "write", "expires_days": "30"}
    )
    assert page.status_code == 201
    token = ApiToken.objects.get(owner=user)
    secret = page.context["new_secret"]
    assert secret in page.content.decode()
    assert authenticate_bearer(secret)[1] == token
    listing = client.get("/accounts/tokens/").content.decode()
    assert "laptop" in listing and secret not in listing and token.prefix in listing
    client.post(f"/accounts/tokens/{token.pk}/revoke")
    with pytest.raises(TokenInvalid):
        authenticate_bearer(secret)


def test_others_cannot_revoke_my_token():
    token, secret = api_token_create(owner=UserFactory(), name="mine")
    other = Client()
    other.force_login(UserFactory())
    assert other.post(f"/accounts/tokens/{token.pk}/revoke").status_code == 404
    assert authenticate_bearer(secret)[1] == token


def test_tokens_page_needs_login(client):
    assert client.get("/accounts/tokens/").status_code == 302

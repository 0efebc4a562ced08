"""Federated log-in against the real Keycloak of the tests (scripts/services.sh).

The code flow goes through Keycloak's real log-in form (HTTP, see tests/portal/keycloak.py for
the Secure-cookie workaround), the API cases through the password grant. Every refusal must be
a clear page, create no account and never be a 500.
"""

import base64
import json
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation

from catalogue.models import Status
from catalogue.roles import user_is_curator
from portal.models import FederatedIdentity
from portal.oidc import PortalOIDCBackend
from tests.factories import GroupFactory, UserFactory, make_dataset
from tests.portal import keycloak as kc

pytestmark = [pytest.mark.django_db, pytest.mark.oidc]
User = get_user_model()


@pytest.fixture(autouse=True)
def oidc(settings):
    kc.portal_settings(settings)
    return settings


def _identity(username_at_kc: str) -> FederatedIdentity:
    return FederatedIdentity.objects.select_related("user").get(
        email__startswith=f"{username_at_kc}@" if username_at_kc != "mallory" else "local-admin@"
    )


def test_log_in_through_keycloaks_form_creates_a_linked_account_and_maps_groups(client, oidc):
    oidc.OIDC_GROUP_PATTERNS = ["DESY:proposal-*"]
    proposal = GroupFactory(name="proposal-1")
    draft = make_dataset(status=Status.DRAFT, title="Alice's draft", owner_group=proposal)
    assert client.get(f"/datasets/{draft.pk and draft.pid}/").status_code == 404

    response, _browser, _ = kc.log_in_through_form(client, "alice", next_url="/search/")
    assert response.status_code == 302 and response["Location"] == "/search/"

    identity = _identity("alice")
    user = identity.user
    assert identity.issuer == kc.REALM_URL and len(identity.subject) == 36  # Keycloak's UUID sub
    assert (user.username, user.first_name, user.last_name) == ("alice", "Alice", "Owner")
    assert not user.has_usable_password()
    names = set(user.groups.values_list("name", flat=True))
    # Plain Keycloak group (existing) + Helmholtz entitlement (created by the pattern);
    # Helmholtz-member matches no pattern and does not exist, so it is ignored.
    assert names == {"proposal-1", "DESY:proposal-11012345"}
    assert set(identity.provider_groups) == names
    page = client.get(f"/datasets/{draft.pid}/")
    assert page.status_code == 200 and "Alice&#x27;s draft" in page.content.decode()


def test_a_lost_group_is_removed_at_the_next_log_in(client, oidc):
    GroupFactory(name="proposal-1")
    local = GroupFactory(name="granted-in-the-portal")
    kc.log_in_through_form(client, "alice")
    user = _identity("alice").user
    user.groups.add(local)
    assert user.groups.filter(name="proposal-1").exists()
    admin = kc.Admin()
    admin.set_membership("alice", "proposal-1", False)
    try:
        client.logout()
        kc.log_in_through_form(client, "alice")
    finally:
        admin.set_membership("alice", "proposal-1", True)
    names = set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))
    assert "proposal-1" not in names
    assert "granted-in-the-portal" in names  # granted here, not by the provider: kept


def test_curator_entitlement_makes_a_curator_and_a_plain_curators_group_does_not(client, oidc):
    oidc.OIDC_CURATOR_GROUPS = ["DESY:portal-curators"]
    kc.log_in_through_form(client, "carol")
    carol = _identity("carol").user
    assert user_is_curator(User.objects.get(pk=carol.pk))
    assert set(carol.groups.values_list("name", flat=True)) == {"curators"}

    other = type(client)()
    kc.log_in_through_form(other, "mallory")  # sends the plain group "/curators"
    mallory = _identity("mallory").user
    assert not user_is_curator(User.objects.get(pk=mallory.pk))
    assert not mallory.groups.exists()

    # The entitlement is gone from the settings: the next log-in takes the role away.
    oidc.OIDC_CURATOR_GROUPS = []
    client.logout()
    kc.log_in_through_form(client, "carol")
    assert not user_is_curator(User.objects.get(pk=carol.pk))


def test_a_known_email_never_takes_over_a_local_account(client):
    local = UserFactory(username="local-admin", email="local-admin@example.org",
                        is_superuser=True, is_staff=True)  # fmt: skip
    response, _, _ = kc.log_in_through_form(client, "mallory")  # same e-mail, verified
    assert response.status_code == 302
    mallory = _identity("mallory").user
    assert mallory.pk != local.pk and not mallory.is_superuser
    assert mallory.email == ""  # the address stays with the identity, not a second account
    assert client.get("/admin/").status_code == 302  # not the local admin's session


def test_a_preferred_username_equal_to_a_local_username_gets_its_own_account(client):
    local = UserFactory(username="dave")
    response, _, _ = kc.log_in_through_form(client, "dave")
    assert response.status_code == 302
    dave = _identity("dave").user
    assert dave.pk != local.pk and dave.username.startswith("dave-")
    # The second log-in finds the same account through (issuer, sub).
    client.logout()
    kc.log_in_through_form(client, "dave")
    assert FederatedIdentity.objects.filter(user=dave).count() == 1
    assert User.objects.filter(username__startswith="dave").count() == 2


def test_log_out_ends_the_keycloak_session_too(client):
    _, browser, _ = kc.log_in_through_form(client, "alice")
    # While the Keycloak session lives, a new authorisation request comes straight back.
    again = client.get("/oidc/authenticate/")
    assert browser.get(again["Location"]).status_code == 302
    out = client.post("/accounts/logout/")
    assert out.status_code == 302
    assert out["Location"].startswith(kc.endpoint("logout") + "?")
    assert "id_token_hint=" in out["Location"]
    assert "_auth_user_id" not in client.session
    ended = browser.get(out["Location"])
    assert ended.status_code in (200, 302)
    if ended.status_code == 200 and "kc-logout-confirm" in ended.text:
        pytest.fail("Keycloak asked for confirmation: id_token_hint was not accepted")
    # The provider session is gone: the next request shows Keycloak's log-in form again.
    fresh = client.get("/oidc/authenticate/")
    page = browser.get(fresh["Location"])
    assert page.status_code == 200 and 'id="kc-form-login"' in page.text


# ---------------------------------------------------------------- refusals
def _no_new_accounts(before: int) -> None:
    assert User.objects.count() == before
    assert FederatedIdentity.objects.count() == 0


def test_forged_state_is_refused_with_a_page(client):
    before = User.objects.count()
    client.get("/oidc/authenticate/")  # a real state exists, the forged one is not it
    response = client.get("/oidc/callback/?state=forged&code=whatever")
    assert response.status_code == 400
    assert "not valid any more" in response.content.decode()
    _no_new_accounts(before)


def test_a_replayed_callback_is_refused(client):
    first, _, callback = kc.log_in_through_form(client, "alice")
    assert first.status_code == 302
    client.logout()
    replay = client.get(callback.path)
    assert replay.status_code == 400 and "not valid any more" in replay.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_nonce_is_refused(client):
    before = User.objects.count()
    start = client.get("/oidc/authenticate/")
    session = client.session
    state = next(iter(session["oidc_states"]))
    session["oidc_states"][state]["nonce"] = "not-the-nonce-sent"
    session.save()
    location = kc.KeycloakBrowser().log_in(start["Location"], "alice")
    response = client.get(kc.Callback.from_location(location).path)
    assert response.status_code == 400
    assert "Nonce" in response.content.decode()
    _no_new_accounts(before)


def test_a_provider_that_is_down_gives_a_clear_page(client, oidc):
    before = User.objects.count()
    start = client.get("/oidc/authenticate/")
    location = kc.KeycloakBrowser().log_in(start["Location"], "alice")
    oidc.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:28199/nothing-listens-here"
    response = client.get(kc.Callback.from_location(location).path)
    assert response.status_code == 502
    assert "cannot be reached" in response.content.decode()
    _no_new_accounts(before)


def test_an_error_from_the_provider_is_shown(client):
    client.get("/oidc/authenticate/")
    state = next(iter(client.session["oidc_states"]))
    response = client.get(f"/oidc/callback/?state={state}&error=access_denied")
    assert response.status_code == 400 and "access_denied" in response.content.decode()
    assert state not in client.session["oidc_states"]  # used up


def _real_id_token(username="alice", **kwargs) -> str:
    return kc.password_grant(username, **kwargs)["id_token"]


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_token_checks_refuse_bad_tokens(oidc):
    backend = PortalOIDCBackend()
    good = _real_id_token()
    claims = jwt.decode(good, options={"verify_signature": False})
    header = jwt.get_unverified_header(good)
    assert backend.verify_token(good, nonce=None)["sub"] == claims["sub"]

    # alg: none, with the real claims
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(SuspiciousOperation, match="none"):
        backend.verify_token(unsigned, nonce=None)
    # signed by another key that claims Keycloak's key id
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": header["kid"]})
    with pytest.raises(SuspiciousOperation, match="refused"):
        backend.verify_token(forged, nonce=None)
    # an unknown key id
    stranger = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "not-keycloak"})
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(stranger, nonce=None)
    # issued to another client (a real Keycloak token, real signature)
    foreign = _real_id_token(client_id="other-service", secret="other-service-secret")
    with pytest.raises(SuspiciousOperation, match=r"(?i)audience"):
        backend.verify_token(foreign, nonce=None)
    # another issuer expected
    oidc.OIDC_OP_ISSUER = "https://login.helmholtz.de/oauth2"
    with pytest.raises(SuspiciousOperation, match=r"(?i)issuer"):
        PortalOIDCBackend().verify_token(good, nonce=None)


def test_an_expired_id_token_is_refused(oidc):
    """A real token from a client whose tokens live 1 s (realm: portal-short-lived)."""
    oidc.OIDC_RP_CLIENT_ID = "portal-short-lived"
    oidc.OIDC_RP_CLIENT_SECRET = "portal-short-lived-secret"
    oidc.OIDC_CLOCK_LEEWAY = 0
    token = _real_id_token(client_id="portal-short-lived", secret="portal-short-lived-secret")
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0, exp - time.time()) + 1.5)
    with pytest.raises(SuspiciousOperation, match="expired"):
        PortalOIDCBackend().verify_token(token, nonce=None)


# ---------------------------------------------------------------- API with bearer tokens
def test_api_with_a_password_grant_token(client):
    group = GroupFactory(name="proposal-1")
    draft = make_dataset(status=Status.DRAFT, owner_group=group)
    url = f"/api/v1/datasets/{draft.pid}"
    assert client.get(url).status_code == 404
    token = kc.password_grant("alice")["access_token"]
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == draft.title
    user = _identity("alice").user
    assert user.groups.filter(pk=group.pk).exists()

    foreign = kc.password_grant("alice", client_id="other-service", secret="other-service-secret")
    refused = type(client)().get(url, HTTP_AUTHORIZATION=f"Bearer {foreign['access_token']}")
    assert refused.status_code in (401, 403) and "another client" in refused.content.decode()
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    bad = type(client)().get(url, HTTP_AUTHORIZATION=f"Bearer {tampered}")
    assert bad.status_code in (401, 403) and "refused" in bad.content.decode()


def test_oidc_pages_are_404_when_not_configured(client, settings):
    settings.OIDC_ENABLED = False
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?state=x&code=y").status_code == 404


def test_keycloak_realm_is_the_checked_in_one():
    """The services script re-imports the realm when the file changes (sha1 stamp)."""
    config = requests.get(f"{kc.REALM_URL}/.well-known/openid-configuration", timeout=10).json()
    assert config["issuer"] == kc.REALM_URL
    assert "S256" in config["code_challenge_methods_supported"]
    assert Group.objects.filter(name="curators").exists()

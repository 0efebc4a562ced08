"""Hardening (issue 11 §5): lockout, throttles, security headers and CSP, safe redirects, no
account enumeration. The browser check of CSP with H5Web is in test_hardening_browser.py."""

import base64
import re

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache

from catalogue.models import Status
from tests.factories import UserFactory, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _fail_login(client, login: str, times: int):
    for _ in range(times):
        response = client.post("/accounts/login/", {"login": login, "password": "wrong"})
        assert response.status_code == 200  # a plain "not correct" before the limit


# ---------------------------------------------------------------- django-axes
def test_five_failed_log_ins_lock_the_account_from_this_address(client, settings):
    UserFactory(username="alice")
    _fail_login(client, "alice", 4)
    fifth = client.post("/accounts/login/", {"login": "alice", "password": "wrong"})
    assert fifth.status_code == 429
    locked = client.post("/accounts/login/", {"login": "alice", "password": "pw-for-tests"})
    assert locked.status_code == 429
    assert "try again in 15 minutes" in locked.content.decode()
    assert locked["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked (user name + address).
    UserFactory(username="bob")
    ok = client.post("/accounts/login/", {"login": "bob", "password": "pw-for-tests"})
    assert ok.status_code == 302


def test_the_lock_ignores_the_case_of_the_user_name(client):
    UserFactory(username="carol", email="carol@example.org")
    _fail_login(client, "carol", 2)
    _fail_login(client, "CAROL", 2)
    assert client.post("/accounts/login/", {"login": "Carol", "password": "x"}).status_code == 429


def test_the_lock_applies_to_the_apis_basic_authentication(client):
    ds = make_dataset(status=Status.PUBLISHED)
    UserFactory(username="script")
    wrong = "Basic " + base64.b64encode(b"script:wrong").decode()
    right = "Basic " + base64.b64encode(b"script:pw-for-tests").decode()
    url = f"/api/v1/datasets/{ds.pid}"
    for _ in range(4):
        assert client.get(url, HTTP_AUTHORIZATION=wrong).status_code in (401, 403)
    assert client.get(url, HTTP_AUTHORIZATION=wrong).status_code == 429
    locked = client.get(url, HTTP_AUTHORIZATION=right)
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.json()["detail"]


def test_a_failed_federated_callback_is_not_counted(client, settings):
    settings.OIDC_ENABLED = True
    for _ in range(10):
        response = client.get("/oidc/callback/?state=forged&code=x")
        assert response.status_code == 400
    assert AccessAttempt.objects.count() == 0


# ---------------------------------------------------------------- throttles
def test_anonymous_api_clients_are_throttled_with_retry_after(client, settings):
    settings.THROTTLE_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "3/min"}
    for _ in range(3):
        assert client.get("/api/v1/search").status_code == 200
    refused = client.get("/api/v1/search")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    # A signed-in client has its own, larger budget.
    client.force_login(UserFactory())
    assert client.get("/api/v1/search").status_code == 200


def test_signed_in_api_clients_are_throttled_too(client, settings):
    settings.THROTTLE_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": "2/min"}
    client.force_login(UserFactory())
    assert [client.get("/api/v1/search").status_code for _ in range(3)] == [200, 200, 429]


def test_oai_pmh_harvesters_get_503_with_retry_after(client, settings):
    """OAI-PMH 2.0 §3.1.2.2: flow control by 503 + Retry-After, which harvesters honour."""
    settings.THROTTLE_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "oai": "2/min"}
    codes = [client.get("/oai", {"verb": "Identify"}).status_code for _ in range(3)]
    assert codes == [200, 200, 503]
    assert int(client.get("/oai", {"verb": "Identify"})["Retry-After"]) >= 1


def test_the_search_page_is_throttled(client, settings):
    settings.THROTTLE_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "search_page": "2/min"}
    codes = [client.get("/search/", {"q": "x"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize(
    ("path", "scope", "limited"),
    [("/api/v1/search", "anon", 429), ("/oai?verb=Identify", "oai", 503),
     ("/search/?q=x", "search_page", 429)],
)  # fmt: skip
def test_trusted_networks_are_exempt_and_everyone_else_is_still_throttled(
    client, settings, path, scope, limited
):
    """A facility's harvester host (PORTAL_THROTTLE_EXEMPT_NETWORKS) is never throttled, by
    every throttle alike; another address keeps the limit."""
    settings.THROTTLE_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, scope: "2/min"}
    settings.THROTTLE_EXEMPT_NETWORKS = ["192.0.2.0/24", "2001:db8::/32"]
    for address in ("192.0.2.7", "2001:db8::5"):
        codes = {client.get(path, REMOTE_ADDR=address).status_code for _ in range(4)}
        assert codes == {200}
    codes = [client.get(path, REMOTE_ADDR="198.51.100.1").status_code for _ in range(3)]
    assert codes == [200, 200, limited]


def test_trusted_accounts_are_exempt_by_user_name(client, settings):
    settings.THROTTLE_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": "2/min"}
    settings.THROTTLE_EXEMPT_USERS = ["harvester"]
    client.force_login(UserFactory(username="harvester"))
    assert {client.get("/api/v1/search").status_code for _ in range(4)} == {200}
    client.force_login(UserFactory(username="someone-else"))
    assert [client.get("/api/v1/search").status_code for _ in range(3)] == [200, 200, 429]


def test_a_forwarded_address_chain_is_not_taken_for_an_exempt_address(client, settings):
    """X-Forwarded-For is appended to by nginx: a client's own claim never makes it exempt."""
    settings.THROTTLE_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "2/min"}
    settings.THROTTLE_EXEMPT_NETWORKS = ["192.0.2.0/24"]
    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.7, 198.51.100.1", "REMOTE_ADDR": "127.0.0.1"}
    codes = [client.get("/api/v1/search", **forged).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_default_limits_are_ones_a_harvester_can_live_with(settings):
    def per_minute(rate: str) -> float:
        n, period = rate.split("/")
        return int(n) * {"s": 60, "sec": 60, "m": 1, "min": 1, "h": 1 / 60}[period]

    assert per_minute(settings.THROTTLE_RATES["oai"]) >= 60
    assert per_minute(settings.THROTTLE_RATES["anon"]) >= 60


# ---------------------------------------------------------------- headers and CSP
def test_security_headers_on_every_page(client):
    ds = make_dataset(status=Status.PUBLISHED)
    for url in ("/", f"/datasets/{ds.pid}/", f"/doi/{ds.doi}", "/accounts/login/", "/search/"):
        # A published record's /datasets/<pid>/ redirects to its /doi/ page (one record page).
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in response["Permissions-Policy"]
        csp = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        # Only this site's scripts, or inline ones with the response's nonce (sent when the
        # page has one: see the next test); never 'unsafe-inline'.
        # ('unsafe-eval' only on the pages embedding the HDF5 viewer: portal/csp.py)
        viewer = url.startswith(("/datasets/", "/doi/"))
        assert ("'unsafe-eval'" in csp) == viewer, (url, csp)
        script = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        extra = set(script.split()[1:]) - {"'self'", "'unsafe-eval'"}
        assert all(t.startswith("'nonce-") for t in extra), csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_inline_scripts_carry_the_requests_nonce(client):
    ds = make_dataset(status=Status.PUBLISHED)
    response = client.get(f"/doi/{ds.doi}")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    executable = [
        tag
        for tag in re.findall(r"<script[^>]*>", html)
        if "src=" not in tag and "application/ld+json" not in tag
    ]
    assert executable, "the landing page has an inline script to check"
    assert all(f'nonce="{nonce}"' in tag for tag in executable), executable
    assert (
        client.get(f"/doi/{ds.doi}")["Content-Security-Policy"]
        != response["Content-Security-Policy"]
    )  # a fresh nonce per response


# ---------------------------------------------------------------- redirects and enumeration
@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_only_redirects_to_this_site(client, target):
    UserFactory(username="dora")
    response = client.post(
        f"/accounts/login/?next={target}", {"login": "dora", "password": "pw-for-tests"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/", response["Location"]


def test_next_within_the_site_is_kept(client):
    UserFactory(username="erin")
    response = client.post(
        "/accounts/login/?next=/search/%3Fq%3Dsaxs", {"login": "erin", "password": "pw-for-tests"}
    )
    assert response["Location"] == "/search/?q=saxs"


def test_log_in_does_not_reveal_whether_an_account_exists(client):
    UserFactory(username="frank")
    known = client.post("/accounts/login/", {"login": "frank", "password": "wrong"})
    unknown = client.post("/accounts/login/", {"login": "nobody-here", "password": "wrong"})
    assert known.status_code == unknown.status_code == 200

    def errors(response):
        return re.findall(r'class="[^"]*errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(),
                          re.S)  # fmt: skip

    assert errors(known) == errors(unknown) and errors(known)


def test_password_reset_does_not_reveal_whether_an_account_exists(client, mailoutbox):
    UserFactory(username="gina", email="gina@example.org")
    known = client.post("/accounts/password/reset/", {"email": "gina@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Both get an e-mail (allauth tells the unknown address that it has no account), so not
    # even the mail traffic differs in kind.
    assert sorted(m.to[0] for m in mailoutbox) == ["gina@example.org", "nobody@example.org"]

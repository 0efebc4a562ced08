"""Input errors follow the page language: the one writer's field errors on the deposit form and
the search page's parse errors are German for a German visitor, while the API (which always
activates English, portal/i18n.py) answers the same input in English."""

import json

import pytest
from django.test import Client
from django.utils import translation

from catalogue.models import Dataset
from portal.tokens import api_token_create
from tests.factories import GroupFactory, UserFactory
from tests.portal.test_i18n import DE, ROOT, i18n_script

pytestmark = pytest.mark.django_db

BAD_ORCID = "0000-0002-1825-0098"  # the check digit is wrong
BAD_COND = "sample.temperature:gt:hot:K"


@pytest.fixture(autouse=True)
def _compiled_messages():
    """As in test_i18n.py: the .mo files are build output; compile them when stale."""
    for po in (ROOT / "locale").glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            i18n_script.compile_all()
            translation.trans_real._translations.clear()
            translation.trans_real._default = None
            break


@pytest.fixture
def alice():
    user = UserFactory(username="alice")
    user.groups.add(GroupFactory(name="p-1"))
    return user


@pytest.fixture
def browser(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def api(alice):
    _, secret = api_token_create(owner=alice, name="test", scope="write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _form(**extra) -> dict:
    data = {
        "title": "Lysozyme SAXS", "description": "Buffer series.", "keywords": "saxs",
        "license": "CC-BY-4.0", "publisher": "ESRF", "publication_year": "2025",
        "resource_type_general": "Dataset", "resource_type": "raw",
        "creators-0-name": "Okafor, Amara", "creators-0-orcid": "0000-0002-1825-0097",
        "creators-0-affiliation": "ESRF", "creators-0-affiliation_ror": "",
        "owner_group": "p-1",
    }  # fmt: skip
    data.update(extra)
    return data


def _field_errors(html: str) -> str:
    return " ".join(part.split("</p>")[0] for part in html.split('class="field-error"')[1:])


def test_german_deposit_form_shows_the_writers_errors_in_german(browser, settings, tmp_path):
    r = browser.post("/my/datasets/new/", _form(**{"creators-0-orcid": BAD_ORCID}), **DE)
    assert r.status_code == 400
    errors = _field_errors(r.content.decode())
    assert "ist keine gültige ORCID iD: Die Prüfziffer ist falsch" in errors
    assert "check digit" not in errors
    assert not Dataset.objects.exists()

    settings.STORAGE_ROOT = tmp_path
    assert browser.post("/my/datasets/new/", _form(), **DE).status_code == 302
    ds = Dataset.objects.get()
    r = browser.post(f"/datasets/{ds.pid}/edit", {**_form(), "register": ["../secret.h5"]}, **DE)
    assert r.status_code == 400
    errors = _field_errors(r.content.decode())
    assert "files[0].path: Der Pfad darf keine leeren Teile" in errors
    assert "may not contain" not in errors
    assert not ds.files.exists()

    r = browser.post("/my/datasets/new/", _form(**{"creators-0-orcid": BAD_ORCID}))
    assert "its check digit is wrong" in _field_errors(r.content.decode())  # English visitor


def test_the_api_answers_the_same_input_in_english(api):
    body = {
        "title": "Lysozyme SAXS",
        "creators": [{"name": "Okafor, Amara", "orcid": BAD_ORCID}],
        "owner_group": "p-1",
    }
    r = api.post("/api/v1/datasets", json.dumps(body), content_type="application/json", **DE)
    assert r.status_code == 400
    assert r.json()["errors"]["creators[0].orcid"] == [
        f"'{BAD_ORCID}' is not a valid ORCID iD: its check digit is wrong"
    ]
    body["creators"][0]["orcid"] = "0000-0002-1825-0097"
    r = api.post("/api/v1/datasets", json.dumps(body), content_type="application/json", **DE)
    assert r.status_code == 201
    files = {"files": [{"path": "../secret.h5", "size": 1}]}
    url = f"/api/v1/datasets/{r.json()['pid']}/files"
    r = api.post(url, json.dumps(files), content_type="application/json", **DE)
    assert r.status_code == 400
    assert r.json()["errors"] == {
        "files[0].path": ["The path may not contain empty, '.' or '..' parts."]
    }
    assert not Dataset.objects.get().files.exists()


def test_search_page_condition_errors_follow_the_language(client):
    r = client.get("/search/", {"cond": BAD_COND}, **DE)
    assert r.status_code == 400
    html = r.content.decode()
    assert "ist keine Zahl (gt vergleicht Zahlen)" in html and 'role="alert"' in html
    r = client.get("/search/", {"q": "(saxs"}, **DE)
    assert r.status_code == 400 and "die nie geschlossen wird" in r.content.decode()
    r = client.get("/search/", {"cond": BAD_COND}, HTTP_ACCEPT_LANGUAGE="en")
    assert "is not a number (gt compares numbers)" in r.content.decode()


def test_search_api_answers_condition_errors_in_english(client):
    r = client.get("/api/v1/search", {"cond": BAD_COND}, **DE)
    assert r.status_code == 400
    assert r.json() == {
        "detail": (
            "cond 'sample.temperature:gt:hot:K': 'hot' is not a number (gt compares numbers)."
        ),
        "parameter": "cond",
    }

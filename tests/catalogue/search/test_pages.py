"""The /search/ page on both backends, without JavaScript; and a failing Elasticsearch."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser

from catalogue.models import Status
from catalogue.services.lifecycle import dataset_publish
from tests.factories import CuratorFactory, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(backend, world, client):
    backend.sync()

    def get(url, status=200):
        response = client.get(url)
        assert response.status_code == status, response.content[:500]
        return response.content.decode()

    return get


def test_the_page_shows_results_facets_and_conditions(page, world):
    html = page("/search/?q=SAXS&facility=European+Synchrotron+Radiation+Facility")
    assert "<h1" in html and "Search datasets" in html
    assert "2 datasets" in html
    assert f'href="/datasets/{world.saxs.pid}/"' in html
    assert f'href="/datasets/{world.calib.pid}/"' in html
    assert f'href="/datasets/{world.sans.pid}/"' not in html
    # Facets are fieldsets with legends; every checkbox has its label.
    assert "<legend>Facility</legend>" in html and "<legend>Keyword</legend>" in html
    checkbox_ids = re.findall(r'<input type="checkbox"[^>]* id="([^"]+)"', html)
    assert checkbox_ids and all(f'<label for="{i}">' in html for i in checkbox_ids)
    assert re.search(
        r'name="facility" value="European Synchrotron Radiation Facility" id="[^"]+" checked', html
    )
    # Highlighted matches.
    assert "<mark>SAXS</mark> of lysozyme at room temperature" in html
    # The condition form: labelled inputs and the keys in use for autocompletion.
    assert '<label for="ck-0">Key</label>' in html
    assert '<option value="sample.temperature"' in html
    # The state is in the URL: a chip to remove the facility keeps the query.
    assert 'href="/search/?q=SAXS"' in html


def test_links_from_the_home_page_work(page, world):
    html = page("/search/?facility=Institut+Laue-Langevin")
    assert world.sans.title in html and world.saxs.title not in html
    html = page("/search/?keyword=calibration")
    assert world.calib.title in html and world.sans.title not in html
    html = page("/search/?sort=newest")
    assert (
        html.index(world.sans.title) < html.index(world.calib.title) < html.index(world.saxs.title)
    )
    assert page("/search/").count('class="card result"') == 4


def test_the_form_without_javascript_redirects_to_a_shareable_url(client, page, world):
    response = client.get(
        "/search/",
        {"q": "", "facility": "European Synchrotron Radiation Facility", "year_min": "",
         "ck": ["sample.temperature", ""], "co": ["gte", "gte"], "cv": ["20", ""],
         "cu": ["degC", ""], "sort": "title"},
    )  # fmt: skip
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == "/search/"
    assert parse_qs(target.query) == {
        "facility": ["European Synchrotron Radiation Facility"],
        "cond": ["sample.temperature:gte:20:degC"],
        "sort": ["title"],
    }
    html = page(response["Location"])
    assert world.saxs.title in html and world.calib.title not in html
    # The condition comes back as a filled row, plus an empty row to add another.
    assert 'id="ck-0" name="ck" value="sample.temperature"' in html
    assert 'id="ck-1" name="ck" value=""' in html
    assert "sample.temperature ≥ 20 degC" in html  # the chip that removes it


def test_bad_input_shows_the_problem_and_keeps_the_form(page):
    html = page("/search/?q=%28saxs", status=400)
    assert "never closed" in html and 'role="alert"' in html
    assert 'value="(saxs"' in html
    html = page("/search/?ck=sample.temperature&co=gt&cv=hot&cu=K", status=400)
    assert "&#x27;hot&#x27; is not a number" in html
    assert 'value="hot"' in html


def test_pagination_links_keep_the_state(page, world):
    html = page("/search/?q=SAXS+OR+SANS+OR+ice&page_size=2&sort=title")
    assert 'aria-label="Result pages"' in html
    assert 'href="/search/?q=SAXS+OR+SANS+OR+ice&amp;sort=title&amp;page_size=2&amp;page=2"' in (
        html
    )
    second = page("/search/?q=SAXS+OR+SANS+OR+ice&sort=title&page_size=2&page=2")
    assert 'aria-current="page">2<' in second


def test_titles_are_escaped_around_highlights(backend, client, world):
    make_dataset(status=Status.PUBLISHED, title="<script>alert(1)</script> SAXS trap")
    backend.sync()
    html = client.get("/search/?q=trap").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)" in html


# ------------------------------------------------------------- Elasticsearch down --
@pytest.fixture
def elasticsearch_down(settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # the discard port: nothing listens


@pytest.mark.search
def test_when_elasticsearch_is_down_search_says_so_and_the_rest_works(
    elasticsearch_down, world, client, django_capture_on_commit_callbacks
):
    page = client.get("/search/?q=saxs")
    assert page.status_code == 503
    assert "Search is temporarily unavailable" in page.content.decode()
    api = client.get("/api/v1/search?q=saxs")
    assert api.status_code == 503
    assert api.json() == {
        "detail": "Search is temporarily unavailable. Please try again in a minute."
    }
    assert api["Retry-After"] == "30"
    assert client.get("/api/v1/search/keys").status_code == 503
    # Bad input is still bad input (no service needed to say so).
    assert client.get("/api/v1/search?page=0").status_code == 400
    # Every other page keeps working.
    assert client.get("/").status_code == 200
    assert client.get(f"/datasets/{world.saxs.pid}/", follow=True).status_code == 200
    assert client.get(f"/api/v1/datasets/{world.saxs.pid}").status_code == 200
    # And changing a dataset still works: the index update fails quietly (reindex repairs).
    approved = make_dataset(status=Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dataset_publish(dataset=approved, actor=CuratorFactory(username="c"))
    # datasets_changed (search subscribes to it), and the e-mail of the move
    assert len(callbacks) == 2
    approved.refresh_from_db()
    assert approved.status == Status.PUBLISHED
    assert AnonymousUser() is not None


def test_members_see_their_drafts_marked(page, world, client):
    client.force_login(world.users["member"])
    html = page("/search/?q=secret")
    assert f'href="/datasets/{world.draft.pid}/"' in html
    assert '<span class="status status-draft">Draft</span>' in html
    client.logout()
    assert f'href="/datasets/{world.draft.pid}/"' not in page("/search/?q=secret")

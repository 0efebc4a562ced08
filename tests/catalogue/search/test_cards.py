"""Result cards: access (open, embargoed with its date, restricted), files, licence, and the
dataset's own value for each condition's key; on both backends."""

import datetime

import pytest

from catalogue.models import Dataset

pytestmark = pytest.mark.django_db


def test_cards_show_access_files_licence_and_matched_values(backend, world, client):
    Dataset.objects.filter(pk=world.sans.pk).update(
        embargo_until=datetime.date.today() + datetime.timedelta(days=30)
    )
    backend.sync()
    html = client.get("/search/?cond=sample.temperature:gte:300:K").content.decode()
    # 26.85 degC is 300 K: the card shows the dataset's own value and unit
    assert "<code>sample.temperature</code> = <strong>26.85</strong> degC" in html
    assert "Open access" in html
    assert "CC-BY-4.0" in html
    everything = client.get("/search/").content.decode()
    until = (datetime.date.today() + datetime.timedelta(days=30)).strftime("%-d %b %Y")
    assert f"Embargoed until {until}" in everything
    assert "0 files, 0\xa0bytes" in everything


def test_curators_see_restricted_cards(backend, world, client):
    backend.sync()
    client.force_login(world.users["curator"])
    html = client.get("/search/").content.decode()
    assert 'class="access-badge access-restricted">Restricted' in html


def test_filters_are_a_drawer_that_is_open_without_javascript(backend, world, client):
    backend.sync()
    html = client.get("/search/").content.decode()
    assert '<details class="filters-drawer" id="filters-drawer" open>' in html

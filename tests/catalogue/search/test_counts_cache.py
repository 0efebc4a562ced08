"""The public's search counts, shared through the cache (PORTAL_SEARCH_PUBLIC_COUNTS_CACHE_SECONDS):
kept for anonymous visitors only, the page of hits always fresh."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from catalogue.models import Dataset, Status
from catalogue.search.indexing import index_datasets
from catalogue.search.queries import parse_search_params
from catalogue.search.selectors import search_datasets
from tests.factories import UserFactory, make_dataset

pytestmark = [pytest.mark.django_db, pytest.mark.search]


def _sync():
    index_datasets(dataset_ids=Dataset.objects.values_list("pk", flat=True), refresh=True)


def _search(user, **params):
    query = parse_search_params(QueryDict(urlencode({"q": "garnet", **params})))
    return search_datasets(user=user, query=query)


def test_public_counts_are_shared_for_their_lifetime_and_hits_stay_fresh(es_index, settings):
    settings.SEARCH_PUBLIC_COUNTS_CACHE_SECONDS = 30
    make_dataset(status=Status.PUBLISHED, title="Garnet powder one")
    _sync()
    first = _search(AnonymousUser())
    assert first.total == 1
    make_dataset(status=Status.PUBLISHED, title="Garnet powder two")
    _sync()
    again = _search(AnonymousUser())
    assert again.total == 1  # the counts of the last 30 s ...
    assert {h.title for h in again.hits} == {"Garnet powder one", "Garnet powder two"}  # fresh
    assert again.facets == first.facets
    # A signed-in user's counts are never taken from (or put into) the shared entry.
    assert _search(UserFactory()).total == 2
    # The counts do not depend on the order of the hits: one entry for every sort ...
    assert _search(AnonymousUser(), sort="newest").total == 1
    # ... while another query is its own entry.
    assert _search(AnonymousUser(), q="powder").total == 2


def test_without_a_lifetime_every_search_counts(es_index, settings):
    settings.SEARCH_PUBLIC_COUNTS_CACHE_SECONDS = 0
    make_dataset(status=Status.PUBLISHED, title="Garnet powder one")
    _sync()
    assert _search(AnonymousUser()).total == 1
    make_dataset(status=Status.PUBLISHED, title="Garnet powder two")
    _sync()
    assert _search(AnonymousUser()).total == 2

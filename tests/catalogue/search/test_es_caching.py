"""What keeps Elasticsearch's CPU per search down without changing an answer: the counts of a
search are kept in the shard request cache until a refresh brings a change, and a new index
(or the live one, on request) gets the configured refresh interval, which sets how often
ingestor writes empty that cache."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.http import QueryDict

from catalogue.models import Dataset, Status
from catalogue.search.connection import get_client
from catalogue.search.documents import alias_name
from catalogue.search.indexing import (
    apply_index_settings,
    create_index,
    index_datasets,
    new_index_name,
)
from catalogue.search.queries import parse_search_params
from catalogue.search.selectors import search_datasets
from tests.factories import UserFactory, make_dataset


def _query(text: str):
    return parse_search_params(QueryDict(text))


def _request_cache_hits() -> int:
    stats = get_client().indices.stats(index=alias_name(), metric="request_cache").body
    return stats["_all"]["total"]["request_cache"]["hit_count"]


@pytest.mark.django_db
@pytest.mark.search
def test_a_repeated_search_is_answered_from_the_request_cache_with_the_same_answer(es_index):
    for n in range(3):
        make_dataset(status=Status.PUBLISHED, title=f"Garnet powder {n}")
    index_datasets(dataset_ids=Dataset.objects.values_list("pk", flat=True), refresh=True)
    user = UserFactory()  # a member's search: never in the portal's own counts cache
    query = _query(urlencode({"q": "garnet", "page_size": 2}))
    first = search_datasets(user=user, query=query)
    before = _request_cache_hits()
    again = search_datasets(user=user, query=query)
    # The counts came from the shard request cache ...
    assert _request_cache_hits() - before == 1
    # ... and say exactly what the first search said.
    assert again == first
    assert first.total == 3 and len(first.hits) == 2


@pytest.mark.django_db
@pytest.mark.search
def test_a_refresh_that_brings_a_change_is_never_answered_from_the_cache(es_index):
    make_dataset(status=Status.PUBLISHED, title="Garnet powder one")
    index_datasets(dataset_ids=Dataset.objects.values_list("pk", flat=True), refresh=True)
    query = _query("q=garnet")
    assert search_datasets(user=AnonymousUser(), query=query).total == 1
    make_dataset(status=Status.PUBLISHED, title="Garnet powder two")
    index_datasets(dataset_ids=Dataset.objects.values_list("pk", flat=True), refresh=True)
    result = search_datasets(user=AnonymousUser(), query=query)
    assert result.total == 2
    assert {h.title for h in result.hits} == {"Garnet powder one", "Garnet powder two"}


def _refresh_interval(index: str) -> str | None:
    body = get_client().indices.get_settings(index=index).body
    return next(iter(body.values()))["settings"]["index"].get("refresh_interval")


@pytest.mark.django_db
@pytest.mark.search
def test_a_new_index_gets_the_configured_refresh_interval(es_index, settings):
    settings.ELASTICSEARCH_REFRESH_INTERVAL = "5s"
    name = new_index_name()
    create_index(name)
    try:
        assert _refresh_interval(name) == "5s"
    finally:
        get_client().indices.delete(index=name)
    settings.ELASTICSEARCH_REFRESH_INTERVAL = ""
    name = new_index_name()
    create_index(name)
    try:
        assert _refresh_interval(name) is None  # Elasticsearch's default (1 s)
    finally:
        get_client().indices.delete(index=name)


@pytest.mark.django_db
@pytest.mark.search
def test_the_live_index_takes_the_setting_without_a_rebuild(es_index, settings, capsys):
    live = apply_index_settings()
    assert len(live) == 1 and _refresh_interval(live[0]) is None
    settings.ELASTICSEARCH_REFRESH_INTERVAL = "7s"
    call_command("reindex", "--settings-only")
    assert _refresh_interval(live[0]) == "7s"
    assert "Refresh interval 7s on" in capsys.readouterr().out
    settings.ELASTICSEARCH_REFRESH_INTERVAL = ""
    apply_index_settings()
    assert _refresh_interval(live[0]) is None


@pytest.mark.django_db
@pytest.mark.search
def test_a_full_rebuild_keeps_the_configured_interval(es_index, settings):
    settings.ELASTICSEARCH_REFRESH_INTERVAL = "5s"
    make_dataset(status=Status.PUBLISHED, title="Garnet powder one")
    call_command("reindex", "--no-progress")
    (live,) = get_client().indices.get_alias(name=alias_name()).body
    assert _refresh_interval(live) == "5s"

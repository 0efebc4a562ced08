"""Every example query of the PaNOSC spec (doc/*-example-queries.md), on the spec's example
database (data/db.json), answered as the document says, on both search backends.

Answers are compared by what identifies each object (titles, names, values, roles) since the
catalogue gives datasets DOIs of its own; instruments keep the spec's pids and are compared
exactly, in order (pagination).
"""

import pytest

from tests.panosc.conftest import example_queries

pytestmark = pytest.mark.django_db


def _parameters(items) -> list:
    return sorted((p["name"], str(p["value"]), p.get("unit", "")) for p in items)


def dataset_shape(obj: dict, expected: dict) -> dict:
    shape = {"title": obj["title"], "isPublic": obj.get("isPublic")}
    if "techniques" in expected:
        shape["techniques"] = sorted(t["name"] for t in obj["techniques"])
    if "parameters" in expected:
        shape["parameters"] = _parameters(obj["parameters"])
    if "files" in expected:
        shape["files"] = sorted(f["name"] for f in obj["files"])
    if "samples" in expected:
        shape["samples"] = sorted(s["name"] for s in obj["samples"])
    return shape


def document_shape(obj: dict, expected: dict) -> dict:
    shape = {"title": obj["title"], "type": obj["type"], "isPublic": obj["isPublic"]}
    if "datasets" in expected:
        template = expected["datasets"][0] if expected["datasets"] else {}
        shape["datasets"] = sorted(
            (dataset_shape(d, template) for d in obj["datasets"]), key=lambda d: d["title"]
        )
    if "members" in expected:
        shape["members"] = sorted((m["role"], m["person"]["fullName"]) for m in obj["members"])
    if "parameters" in expected:
        shape["parameters"] = _parameters(obj["parameters"])
    return shape


def _compare(actual: list, expected: list, shape) -> None:
    template = expected[0] if expected else {}
    got = sorted((shape(a, template) for a in actual), key=lambda s: s["title"])
    want = sorted((shape(e, template) for e in expected), key=lambda s: s["title"])
    assert got == want
    assert all(0 <= a["score"] <= 1 for a in actual)


@pytest.mark.parametrize(
    ("title", "filter_", "expected"),
    example_queries("dataset"),
    ids=[q[0] for q in example_queries("dataset")],
)
def test_dataset_examples(example, get, title, filter_, expected):
    _compare(get("Datasets", filter=filter_), expected, dataset_shape)


@pytest.mark.parametrize(
    ("title", "filter_", "expected"),
    example_queries("document"),
    ids=[q[0] for q in example_queries("document")],
)
def test_document_examples(example, get, title, filter_, expected):
    _compare(get("Documents", filter=filter_), expected, document_shape)


@pytest.mark.parametrize(
    ("title", "filter_", "expected"),
    example_queries("instrument"),
    ids=[q[0] for q in example_queries("instrument")],
)
def test_instrument_examples(example, get, title, filter_, expected):
    assert get("Instruments", filter=filter_) == expected


def test_load_panosc_example_is_idempotent(db, settings):
    from io import StringIO

    from django.core.management import call_command

    from catalogue.models import Dataset, Status

    settings.SEARCH_BACKEND = "database"
    for _ in range(2):
        out = StringIO()
        call_command("load_panosc_example", stdout=out)
    assert "Loaded 4 datasets, 2 documents and 15 instruments" in out.getvalue()
    assert Dataset.objects.filter(status=Status.PUBLISHED, title__startswith="PaNOSC").count() == 4

"""Fixtures of the PaNOSC API tests: the spec's example database on both search backends."""

import json
import re
from pathlib import Path

import pytest

from panosc.example import load_example
from tests.catalogue.search.conftest import backend, es_index, world  # noqa: F401 (fixtures)

DATA = Path(__file__).resolve().parent.parent / "data" / "panosc"


@pytest.fixture
def sync(backend, request):  # noqa: F811
    """Make the index reflect the database: the datasets, and on Elasticsearch the PaNOSC
    documents index (rebuilt, as ``manage.py reindex`` does; dropped after the test, before
    the test's dataset index goes)."""

    def run() -> None:
        backend.sync()
        if backend.name == "elasticsearch":
            from panosc import index

            index.rebuild()
            request.addfinalizer(index.drop)

    return run


@pytest.fixture
def example(sync, db):
    """The example database (tests/data/panosc/db.json) loaded and indexed."""
    ids = load_example(json.loads((DATA / "db.json").read_text(encoding="utf-8")))
    sync()
    return ids


@pytest.fixture
def get(client):
    """GET /panosc/api/<path> with filter/where/query given as Python values."""

    def run(path: str, *, status: int = 200, **params):
        encoded = {
            k: v if isinstance(v, str) else json.dumps(v)
            for k, v in params.items()
            if v is not None
        }
        response = client.get(f"/panosc/api/{path}", encoded, HTTP_ACCEPT="application/json")
        assert response.status_code == status, response.content
        return response.json()

    return run


def example_queries(name: str) -> list[tuple[str, dict, list]]:
    """(title, filter, expected response) of each example in doc/<name>-example-queries.md."""
    text = (DATA / f"{name}-example-queries.md").read_text(encoding="utf-8")
    out = []
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        title = section.splitlines()[0].strip()
        blocks = re.findall(r"```json\s*\n(.*?)```", section, flags=re.DOTALL)
        assert len(blocks) == 2, title
        out.append((title, json.loads(blocks[0]), json.loads(blocks[1])))
    return out

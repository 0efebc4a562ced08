"""Bad input to the PaNOSC API: a 400 whose message names the problem, never a 500.

A table of bad filters (each with a word the message must contain), then a seeded fuzz of
random filters built from the data model's own words: every answer is 200 or 400 JSON.
"""

import json
import random

import pytest

from panosc.filter import MODELS, OPERATORS

pytestmark = pytest.mark.django_db

PARAMETER_SCOPE = "parameters"


def _params(where):
    return {"include": [{"relation": PARAMETER_SCOPE, "scope": {"where": where}}]}


BAD = [
    ("Datasets", {"filter": "{not json"}, "not valid JSON"),
    ("Datasets", {"filter": "[]"}, "expected a JSON object"),
    ("Datasets", {"filter": {"where": {"nosuch": 1}}}, "no field 'nosuch'"),
    ("Datasets", {"filter": {"where": {"techniques": "x"}}}, "is a relation"),
    ("Datasets", {"filter": {"where": {"title": {"regexp": "x"}}}}, "unknown operator 'regexp'"),
    ("Datasets", {"filter": {"where": {"title": {"gt": 1, "lt": 2}}}}, "exactly one operator"),
    ("Datasets", {"filter": {"where": {"size": "big"}}}, "expected a number"),
    ("Datasets", {"filter": {"where": {"isPublic": "yes"}}}, "true or false"),
    ("Datasets", {"filter": {"where": {"creationDate": {"gt": "yesterday"}}}}, "ISO 8601"),
    ("Datasets", {"filter": {"where": {"title": {"between": [1]}}}}, "two values"),
    ("Datasets", {"filter": {"where": {"size": {"between": [5, 1]}}}}, "lower bound"),
    ("Datasets", {"filter": {"where": {"size": {"inq": 3}}}}, "takes a list"),
    ("Datasets", {"filter": {"where": {"title": None}}}, "null"),
    ("Datasets", {"filter": {"where": {"and": {}}}}, "non-empty list"),
    ("Datasets", {"filter": {"where": {"score": {"gt": 0.5}}}}, "score"),
    ("Datasets", {"filter": {"where": {"size": {"like": "1%"}}}}, "string pattern"),
    ("Datasets", {"filter": {"order": "title ASC"}}, "unknown key 'order'"),
    ("Datasets", {"filter": {"limit": 1001}}, "between 1 and 1000"),
    ("Datasets", {"filter": {"limit": -1}}, "between 1 and 1000"),
    ("Datasets", {"filter": {"limit": "ten"}}, "whole number"),
    ("Datasets", {"filter": {"skip": -5}}, "skip"),
    ("Datasets", {"filter": {"skip": 9950, "limit": 100}}, "skip + limit"),
    ("Datasets", {"filter": {"fields": ["nosuch"]}}, "no field 'nosuch'"),
    ("Datasets", {"filter": {"include": [{"relation": "nosuch"}]}}, "no relation 'nosuch'"),
    ("Datasets", {"filter": {"include": [{"relation": "files", "sope": {}}]}}, "unknown key"),
    ("Datasets", {"filter": {"include": ["files", "files"]}}, "included twice"),
    ("Datasets", {"filter": _params({"value": {"gt": 1}})}, "needs the parameter's name"),
    ("Datasets", {"filter": _params({"name": "energy", "value": {"gt": 1}, "unit": "furlongz"})},
     "Unknown unit 'furlongz'"),
    ("Datasets", {"filter": _params({"name": "energy", "value": {"gt": "high"}})},
     "not a number"),
    ("Datasets", {"filter": _params({"name": "energy", "value": "x", "unit": "eV"})},
     "not a number"),
    ("Datasets", {"filter": _params({"name": {"like": "en%"}})}, "eq or inq"),
    ("Datasets", {"filter": {"where": {"size": 1e400}}}, "expected a number"),
    ("Datasets", {"filter": '{"where": {"size": NaN}}'}, "expected a number"),
    ("Datasets", {"query": '"unclosed'}, "quotation mark"),
    ("Datasets", {"filter": "x" * 20001}, "longer than"),
    ("Datasets", {"filter": {"include": [{"relation": "techniques", "scope": {
        "include": ["datasets"]}}]}}, "not supported"),
    ("Datasets/count", {"where": "{"}, "not valid JSON"),
    ("Datasets/count", {"where": {"nosuch": 1}}, "no field 'nosuch'"),
    ("Documents", {"filter": {"where": {"type": 5}}}, "expected a string"),
    ("Documents", {"filter": {"include": [{"relation": "members", "scope": {
        "where": {"nosuch": 1}}}]}}, "Member has no field 'nosuch'"),
    ("Documents/count", {"where": {"keywords": {"gt": []}}}, "expected a string"),
    ("Instruments", {"filter": {"where": {"nosuch": 1}}}, "no field 'nosuch'"),
    ("Instruments/count", {"where": []}, "expected an object"),
]  # fmt: skip


def _nested(depth: int) -> dict:
    node: dict = {"title": "x"}
    for _ in range(depth):
        node = {"and": [node]}
    return {"where": node}


BAD.append(("Datasets", {"filter": _nested(50)}, "deeper than"))


@pytest.fixture
def ask(client):
    def run(path, params):
        encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        return client.get(f"/panosc/api/{path}", encoded)

    return run


def _assert_400(response, needle: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"]["statusCode"] == 400
    assert needle.lower() in body["error"]["message"].lower(), body


@pytest.mark.parametrize(("path", "params", "needle"), BAD, ids=[f"{b[0]}:{b[2]}" for b in BAD])
def test_bad_input_is_a_400_naming_the_problem(settings, ask, path, params, needle):
    # Parsing and translation are the same for both backends (the database one is quicker).
    settings.SEARCH_BACKEND = "database"
    _assert_400(ask(path, params), needle)


def test_a_unit_that_cannot_compare_is_a_400_on_both_backends(backend, world, ask):
    backend.sync()
    where = {"name": "sample.temperature", "value": {"gt": 1}, "unit": "eV"}
    _assert_400(ask("Datasets", {"filter": _params(where)}), "not compatible")


# ---------------------------------------------------------------------------- fuzz --
VALUES = [0, 1, -1, 2.5, 1e300, "", "x", "%", "_a%", "2020-01-01", "PaNET01188", True, False,
          None, [], [1, 2], [2, 1], ["a"], {}, {"gt": 1}, "small angle x-ray scattering",
          "energy", "eV", "keV", "degC", "\u0000", "🙂" * 3]  # fmt: skip


def _random_where(rng: random.Random, model: str, depth: int):
    words = [*MODELS[model]["fields"], "text", "and", "or", "nosuch"]
    out = {}
    for _ in range(rng.randint(0, 3)):
        key = rng.choice(words)
        if key in ("and", "or") and depth < 3:
            out[key] = [_random_where(rng, model, depth + 1) for _ in range(rng.randint(0, 2))]
        elif rng.random() < 0.5:
            out[key] = {rng.choice([*OPERATORS, "bogus"]): rng.choice(VALUES)}
        else:
            out[key] = rng.choice(VALUES)
    return out


def _random_filter(rng: random.Random, model: str, depth: int = 0):
    flt: dict = {}
    if rng.random() < 0.7:
        flt["where"] = _random_where(rng, model, 0)
    if rng.random() < 0.6 and depth < 2:
        relations = list(MODELS[model]["relations"])
        flt["include"] = [
            {"relation": (r := rng.choice(relations)),
             "scope": _random_filter(rng, MODELS[model]["relations"][r], depth + 1)}
            for _ in range(rng.randint(1, 2))
        ]  # fmt: skip
    for key in ("limit", "skip"):
        if rng.random() < 0.3:
            flt[key] = rng.choice(VALUES)
    return flt


def test_fuzzed_filters_never_fail_with_a_500(settings, world, ask):
    settings.SEARCH_BACKEND = "database"
    rng = random.Random(20261201)
    statuses = set()
    for _ in range(150):
        path, model = rng.choice([("Datasets", "Dataset"), ("Documents", "Document"),
                                  ("Instruments", "Instrument")])  # fmt: skip
        response = ask(path, {"filter": _random_filter(rng, model)})
        assert response.status_code in (200, 400), response.content
        assert response["Content-Type"] == "application/json"
        statuses.add(response.status_code)
    assert statuses == {200, 400}  # the fuzz reaches both

"""landing.schemaorg: JSON-LD that expands (pyld, schema.org context offline) and uses only
properties schema.org 30.0 defines for the types they sit on, with values of allowed types."""

import datetime
import json
from functools import lru_cache
from pathlib import Path

import pytest
from pyld import jsonld

from landing.schemaorg import Download, dataset_jsonld, jsonld_script
from tests.doi.test_datacite import ARTICLE_DOI, DOI, full_snapshot

DATA = Path(__file__).resolve().parent.parent / "data" / "schemaorg"
SCHEMA = "http://schema.org/"
DATATYPES = {
    "Text", "URL", "Number", "Integer", "Float", "Boolean", "Date", "DateTime", "Time",
    "CssSelectorType", "XPathType", "PronounceableText", "DataType",
}  # fmt: skip


def _loader(url, options=None):
    """Serve the schema.org context from tests/data, never from the network."""
    if url.rstrip("/") in ("https://schema.org", "http://schema.org") or "schema.org/docs/" in url:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads((DATA / "schemaorgcontext.jsonld").read_text()),
        }
    raise jsonld.JsonLdError(f"offline test: no document {url}", "loading document failed")


@lru_cache(maxsize=1)
def vocabulary():
    graph = json.loads((DATA / "schemaorg-current-https.jsonld").read_text())["@graph"]

    def ids(value):
        if value is None:
            return set()
        values = value if isinstance(value, list) else [value]
        return {v["@id"].removeprefix("schema:") for v in values}

    classes, properties = {}, {}
    for node in graph:
        name = node["@id"].removeprefix("schema:")
        types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdf:Property" in types:
            properties[name] = {
                "domain": ids(node.get("schema:domainIncludes")),
                "range": ids(node.get("schema:rangeIncludes")),
                "superseded": bool(node.get("schema:supersededBy")),
            }
        if "rdfs:Class" in types or "schema:DataType" in types:
            classes[name] = ids(node.get("rdfs:subClassOf"))
    return classes, properties


def ancestors(name: str) -> set[str]:
    classes, _ = vocabulary()
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo += list(classes.get(current, ()))
    return seen


def check_node(node: dict, problems: list[str], path: str = "Dataset") -> None:
    _, properties = vocabulary()
    types = [t.removeprefix(SCHEMA) for t in node.get("@type", [])]
    family = set().union(*(ancestors(t) for t in types)) if types else set()
    for key, values in node.items():
        if key.startswith("@"):
            continue
        if not key.startswith(SCHEMA):
            problems.append(f"{path}: {key} is not a schema.org property")
            continue
        name = key.removeprefix(SCHEMA)
        prop = properties.get(name)
        if prop is None:
            problems.append(f"{path}: schema:{name} is not defined")
            continue
        if prop["superseded"]:
            problems.append(f"{path}: schema:{name} is superseded")
        if types and not prop["domain"] & family:
            problems.append(f"{path}: schema:{name} is not defined for {types}")
        for value in values:
            if "@value" in value:
                if not prop["range"] & DATATYPES:
                    problems.append(f"{path}.{name}: a literal where {prop['range']} is expected")
            elif "@type" in value:
                value_types = set().union(
                    *(ancestors(t.removeprefix(SCHEMA)) for t in value["@type"])
                )
                if not value_types & prop["range"]:
                    problems.append(f"{path}.{name}: {value['@type']} not in {prop['range']}")
                check_node(value, problems, f"{path}.{name}")
            elif "@id" in value and not (prop["range"] - DATATYPES or "URL" in prop["range"]):
                problems.append(f"{path}.{name}: a reference where {prop['range']} is expected")


def expand(data: dict) -> list:
    return jsonld.expand(data, {"documentLoader": _loader})


def build(**changes):
    snapshot = full_snapshot(**changes)
    return dataset_jsonld(
        snapshot,
        landing_url=f"https://data.example.org/doi/{DOI}",
        catalog_name="PaN Open Data Portal",
        catalog_url="https://data.example.org/",
        downloads=[
            Download("https://data.example.org/f/a.h5", "raw/a.h5", "application/x-hdf5", 2048),
            Download("https://data.example.org/m.meta4", "Manifest", "application/metalink4+xml"),
        ],
        files_open=changes.get("embargo_until") is None,
    )


def test_vocabulary_check_bites():
    problems = []
    check_node(expand({"@context": "https://schema.org", "@type": "Dataset", "wingspan": 3,
                       "contentUrl": "https://x"})[0], problems)  # fmt: skip
    assert any("wingspan is not defined" in p for p in problems)
    assert any("contentUrl is not defined for ['Dataset']" in p for p in problems)


@pytest.mark.parametrize(
    "changes",
    [{}, {"embargo_until": datetime.date(2030, 1, 1)}, {"creators": (), "doi": None}],
    ids=["complete", "embargoed", "sparse"],
)
def test_every_property_is_defined_for_its_type(changes):
    expanded = expand(build(**changes))
    assert len(expanded) == 1
    (node,) = expanded
    assert node["@type"] == [SCHEMA + "Dataset"]
    problems: list[str] = []
    check_node(node, problems)
    assert problems == []


def test_expanded_content():
    (node,) = expand(build())
    assert node["@id"] == f"https://doi.org/{DOI}"

    def values(n, prop):
        return n.get(SCHEMA + prop, [])

    creators = values(node, "creator")
    carberry = creators[0]
    assert carberry["@id"] == "https://orcid.org/0000-0002-1825-0097"
    assert carberry["@type"] == [SCHEMA + "Person"]
    (affiliation,) = values(carberry, "affiliation")
    assert affiliation["@id"] == "https://ror.org/05gq02987"
    assert creators[2]["@type"] == [SCHEMA + "Organization"]
    (identifier,) = values(node, "identifier")
    assert values(identifier, "value")[0]["@value"] == f"doi:{DOI}"
    (publisher,) = values(node, "publisher")
    assert publisher["@id"] == "https://ror.org/02550n020"
    assert values(node, "datePublished")[0]["@value"] == "2024-05-01"
    assert values(node, "license")[0]["@id"].startswith("https://creativecommons.org/licenses/by/")
    assert {k["@value"] for k in values(node, "keywords")} >= {"SAXS", "calibration"}
    assert values(node, "version")[0]["@value"] == "1.0"
    (technique,) = values(node, "measurementTechnique")
    assert technique["@id"] == "http://purl.org/pan-science/PaNET/PaNET01188"
    assert values(technique, "name")[0]["@value"] == "small angle x-ray scattering"
    variables = {values(v, "name")[0]["@value"]: v for v in values(node, "variableMeasured")}
    assert values(variables["energy"], "unitText")[0]["@value"] == "keV"
    assert values(variables["energy"], "value")[0]["@value"] == 12.4
    assert values(variables["detector.distance"], "unitText")[0]["@value"] == "mm"
    (catalog,) = values(node, "includedInDataCatalog")
    assert catalog["@type"] == [SCHEMA + "DataCatalog"]
    assert values(node, "isAccessibleForFree")[0]["@value"] is True
    downloads = values(node, "distribution")
    assert values(downloads[0], "contentUrl")[0]["@id"] == "https://data.example.org/f/a.h5"
    assert values(downloads[0], "encodingFormat")[0]["@value"] == "application/x-hdf5"
    assert values(downloads[0], "contentSize")[0]["@value"] == "2048 B"
    citations = values(node, "citation")
    assert citations[0]["@id"] == f"https://doi.org/{ARTICLE_DOI}"
    (grant,) = [g for g in values(node, "funding") if values(g, "identifier")]
    assert values(grant, "identifier")[0]["@value"] == "101004728"
    assert values(grant, "funder")[0]["@id"] == "https://ror.org/00k4n6c32"


def test_script_embedding_cannot_break_out():
    data = build(title="</script><script>alert(1)</script> & more")
    text = jsonld_script(data)
    assert "</script>" not in text and "<" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script> & more"

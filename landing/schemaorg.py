"""schema.org ``Dataset`` JSON-LD of a dataset (pure functions of the snapshot).

Only properties schema.org defines for the types they sit on (checked in tests against the
schema.org 30.0 vocabulary), following Google's Dataset structured-data guidance and the
ESIP science-on-schema.org recommendations: the DOI URL as ``@id``, ORCID ``@id`` on people,
ROR ``@id`` on organisations, PaNET terms as ``measurementTechnique``, scientific metadata
as ``variableMeasured``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from catalogue.snapshot import AgentSnapshot, DatasetSnapshot

CONTEXT = "https://schema.org"
PANET_TERM_SET = "http://purl.org/pan-science/PaNET/PaNET.owl"
# Bounded: the JSON-LD sits in the head of every landing page. The full scientific
# metadata stays in the JSON API.
MAX_VARIABLES = 200
# Related works cited as publications about the data (DataCite relation types).
CITATION_RELATIONS = {
    "IsSupplementTo",
    "IsCitedBy",
    "IsReferencedBy",
    "IsDocumentedBy",
    "IsDescribedBy",
    "References",
    "Cites",
    "IsPublishedIn",
}


@dataclass(frozen=True)
class Download:
    """One ``DataDownload``: a file or a download manifest."""

    url: str
    name: str
    media_type: str = ""
    size: int | None = None


def _organisation(name: str, ror: str = "", url: str = "") -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": name}
    if ror:
        org["@id"] = ror
        org["identifier"] = ror
    if url:
        org["url"] = url
    return org


def _agent(a: AgentSnapshot) -> dict[str, Any]:
    if a.name_type == "Organizational":
        return _organisation(a.name)
    person: dict[str, Any] = {"@type": "Person", "name": a.name}
    if a.orcid:
        person["@id"] = a.orcid_url
        person["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "https://registry.identifiers.org/registry/orcid",
            "value": a.orcid,
            "url": a.orcid_url,
        }
    if a.given_name:
        person["givenName"] = a.given_name
    if a.family_name:
        person["familyName"] = a.family_name
    if a.affiliation:
        person["affiliation"] = _organisation(a.affiliation, a.affiliation_ror)
    return person


def _value(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return json.dumps(value, ensure_ascii=False)


def _size(size: int) -> str:
    return f"{size} B"


def dataset_jsonld(
    snapshot: DatasetSnapshot,
    *,
    landing_url: str,
    catalog_name: str,
    catalog_url: str,
    downloads: tuple[Download, ...] | list[Download] = (),
    files_open: bool = True,
) -> dict[str, Any]:
    """The ``Dataset`` node; ``downloads`` become its ``distribution``."""
    s = snapshot
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": s.doi_url or landing_url,
        "name": s.title,
        "description": s.description or s.title,
        "url": landing_url,
    }
    if s.doi:
        data["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "https://registry.identifiers.org/registry/doi",
            "value": f"doi:{s.doi}",
            "url": s.doi_url,
        }
        data["sameAs"] = s.url
    alternate = [t["title"] for t in s.additional_titles if t.get("title")]
    if alternate:
        data["alternateName"] = alternate
    data["creator"] = [_agent(a) for a in s.creators]
    contributors = [_agent(a) for a in s.contributors]
    if contributors:
        data["contributor"] = contributors
    if s.publisher:
        data["publisher"] = _organisation(s.publisher, s.publisher_identifier)
    if s.facility:
        data["provider"] = _organisation(s.facility.name, s.facility.ror, s.facility.url)
    if s.published_at:
        data["datePublished"] = s.published_at.date().isoformat()
    elif s.publication_year:
        data["datePublished"] = str(s.publication_year)
    if s.updated_at:
        data["dateModified"] = s.updated_at.date().isoformat()
    if s.collection_start:
        end = s.collection_end.date().isoformat() if s.collection_end else ".."
        data["temporalCoverage"] = f"{s.collection_start.date().isoformat()}/{end}"
    if s.licence:
        data["license"] = s.licence.url
    keywords = list(s.keywords) + [t.label for t in s.techniques]
    if keywords:
        data["keywords"] = keywords
    if s.version_label:
        data["version"] = s.version_label
    if s.language:
        data["inLanguage"] = s.language
    if s.techniques:
        data["measurementTechnique"] = [
            {
                "@type": "DefinedTerm",
                "@id": t.iri,
                "name": t.label,
                "termCode": t.panet_id,
                "inDefinedTermSet": PANET_TERM_SET,
            }
            for t in s.techniques
        ]
    variables = []
    for entry in s.scientific_entries[:MAX_VARIABLES]:
        variable: dict[str, Any] = {
            "@type": "PropertyValue",
            "name": entry.key,
            "propertyID": entry.key,
            "value": _value(entry.value),
        }
        if entry.unit:
            variable["unitText"] = entry.unit
        variables.append(variable)
    if variables:
        data["variableMeasured"] = variables
    data["includedInDataCatalog"] = {
        "@type": "DataCatalog",
        "name": catalog_name,
        "url": catalog_url,
    }
    data["isAccessibleForFree"] = True
    if s.embargo_until and not files_open:
        data["conditionsOfAccess"] = (
            f"The data files are under embargo until {s.embargo_until.isoformat()}; "
            "the metadata is open."
        )
    if s.sample_name:
        data["about"] = {
            "@type": "Thing",
            "name": s.sample_name,
            **({"description": s.sample_description} if s.sample_description else {}),
        }
    distribution = []
    for d in downloads:
        node: dict[str, Any] = {"@type": "DataDownload", "name": d.name, "contentUrl": d.url}
        if d.media_type:
            node["encodingFormat"] = d.media_type
        if d.size is not None:
            node["contentSize"] = _size(d.size)
        distribution.append(node)
    if distribution:
        data["distribution"] = distribution
    citations = []
    for r in s.related_identifiers:
        if r.relation_type not in CITATION_RELATIONS:
            continue
        work: dict[str, Any] = {"@type": "CreativeWork", "name": r.citation or r.identifier}
        if r.url:
            work["@id"] = r.url
            work["url"] = r.url
        if r.identifier_type == "DOI":
            work["identifier"] = f"https://doi.org/{r.identifier}"
        citations.append(work)
    if citations:
        data["citation"] = citations
    derived = [r.url for r in s.related_identifiers if r.relation_type == "IsDerivedFrom" and r.url]
    versions = s.versions
    if versions is not None and not versions.is_concept:
        # A new version is based on the one before it, and is an example of the work all
        # versions share (the concept DOI, which resolves to the latest version).
        previous = versions.previous
        if previous is not None and previous.doi != s.doi:
            derived.append(previous.url)
        if versions.concept_doi:
            from doi.identifiers import landing_url as doi_landing_url

            concept_url = (
                f"https://doi.org/{versions.concept_doi}"
                if versions.concept_doi_resolves
                else doi_landing_url(versions.concept_doi)
            )
            data["exampleOfWork"] = {
                "@type": "CreativeWork",
                "@id": concept_url,
                "url": concept_url,
                "identifier": f"doi:{versions.concept_doi}",
            }
    if derived:
        data["isBasedOn"] = derived
    funding = []
    for f in s.funding_references:
        grant: dict[str, Any] = {"@type": "Grant", "funder": _funder(f)}
        if f.award_number:
            grant["identifier"] = f.award_number
        if f.award_title:
            grant["name"] = f.award_title
        if f.award_uri:
            grant["url"] = f.award_uri
        funding.append(grant)
    if funding:
        data["funding"] = funding
    return data


def _funder(f) -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": f.funder_name}
    if f.funder_identifier.startswith("http"):
        org["@id"] = f.funder_identifier
    if f.funder_identifier:
        org["identifier"] = f.funder_identifier
    return org


def jsonld_script(data: dict[str, Any]) -> str:
    """JSON for a ``<script type="application/ld+json">`` element: no ``</script>`` break-out."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

"""The export formats of a landing page, by URL key and by media type (content negotiation)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Export:
    key: str  # /doi/<doi>/export/<key>
    label: str
    media_type: str  # Content-Type sent (without charset)
    extension: str  # for the download's file name
    attachment: bool = False  # reference managers pick up BibTeX/RIS as downloads
    text: bool = True


EXPORTS: dict[str, Export] = {
    e.key: e
    for e in (
        Export("datacite-xml", "DataCite XML", "application/vnd.datacite.datacite+xml", "xml"),
        Export("datacite-json", "DataCite JSON", "application/vnd.datacite.datacite+json", "json"),
        Export("json-ld", "schema.org JSON-LD", "application/ld+json", "jsonld"),
        Export("bibtex", "BibTeX", "application/x-bibtex", "bib", attachment=True),
        Export("ris", "RIS", "application/x-research-info-systems", "ris", attachment=True),
        Export("csl-json", "CSL-JSON", "application/vnd.citationstyles.csl+json", "json"),
        Export("citation", "Formatted citation", "text/x-bibliography", "txt"),
    )
}

# Media types of DOI content negotiation (DataCite, Crossref), with the aliases DataCite
# accepts, mapped to exports. "html" is the landing page itself.
NEGOTIABLE: dict[str, str] = {
    "text/html": "html",
    "application/vnd.datacite.datacite+xml": "datacite-xml",
    "application/vnd.datacite.datacite+json": "datacite-json",
    "application/ld+json": "json-ld",
    "application/vnd.schemaorg.ld+json": "json-ld",
    "application/x-bibtex": "bibtex",
    "application/x-research-info-systems": "ris",
    "application/vnd.citationstyles.csl+json": "csl-json",
    "application/citeproc+json": "csl-json",
    "text/x-bibliography": "citation",
}
# What a withdrawn dataset still serves (DataCite keeps the metadata of tombstoned DOIs).
WITHDRAWN_EXPORTS = {"datacite-xml", "datacite-json"}

"""landing.citations: read back with real parsers (bibtexparser, rispy, citeproc-py's CSL-JSON)."""

import json

import bibtexparser
import pytest
import rispy
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import author, convert_to_unicode

from catalogue.snapshot import AgentSnapshot
from landing import citations
from tests.doi.test_datacite import DOI, full_snapshot


def parse_bibtex(text: str, unicode: bool = False) -> dict:
    parser = BibTexParser(common_strings=True)
    if unicode:
        parser.customization = convert_to_unicode
    database = bibtexparser.loads(text, parser=parser)
    assert len(database.entries) == 1
    return database.entries[0]


def test_bibtex_reads_back():
    entry = parse_bibtex(citations.bibtex(full_snapshot()))
    assert entry["ENTRYTYPE"] == "misc"
    assert entry["ID"] == "carberry2024saxs_esrfabcd1234"
    assert entry["author"] == "Carberry, Josiah and Okafor, Amara and {SAXS group}"
    assert entry["title"] == "{SAXS of silver behenate in a temperature ramp}"
    # bibtexparser's own name splitting: three names, the organisation kept whole.
    people = [p.rstrip(", ") for p in author(dict(entry))["author"]]
    assert people == ["Carberry, Josiah", "Okafor, Amara", "{SAXS group}"]
    assert entry["year"] == "2024"
    assert entry["doi"] == DOI
    assert entry["url"] == f"https://doi.org/{DOI}"
    assert entry["publisher"] == "European Synchrotron Radiation Facility"
    assert entry["version"] == "1.0"


def test_bibtex_escapes_latex_specials():
    title = "Fe_3O_4 & 100% {braces} #1 with ~ and \\ and Ångström"
    entry = parse_bibtex(citations.bibtex(full_snapshot(title=title)), unicode=True)
    # convert_to_unicode undoes LaTeX escapes: the title survives the round trip.
    assert "Fe_3O_4" in entry["title"] and "100%" in entry["title"] and "Ångström" in entry["title"]
    raw = citations.bibtex(full_snapshot(title=title))
    assert r"Fe\_3O\_4 \& 100\% \{braces\} \#1" in raw


def test_ris_reads_back():
    (record,) = rispy.loads(citations.ris(full_snapshot()))
    assert record["type_of_reference"] == "DATA"
    assert record["authors"] == ["Carberry, Josiah", "Okafor, Amara", "SAXS group"]
    assert record["title"] == "SAXS of silver behenate in a temperature ramp"
    assert record["year"] == "2024"
    assert record["doi"] == DOI
    assert record["urls"] == [f"https://doi.org/{DOI}"]
    assert record["publisher"] == "European Synchrotron Radiation Facility"
    assert "small angle x-ray scattering" in record["keywords"]
    assert citations.ris(full_snapshot()).endswith("ER  - \r\n")


def test_csl_item_is_valid_csl_json():
    item = citations.csl_item(full_snapshot())
    assert item["type"] == "dataset"
    assert item["author"][0] == {"family": "Carberry", "given": "Josiah"}
    assert item["author"][2] == {"literal": "SAXS group"}
    assert item["issued"] == {"date-parts": [[2024]]}
    assert item["DOI"] == DOI
    json.dumps(item)  # plain JSON


def test_datacite_recommended_citation():
    assert citations.datacite_citation(full_snapshot()) == (
        "Carberry, J.; Okafor, A.; SAXS group (2024). SAXS of silver behenate in a temperature "
        "ramp. Version 1.0. European Synchrotron Radiation Facility. (Dataset). "
        f"https://doi.org/{DOI}"
    )


@pytest.mark.parametrize(
    ("style", "start"),
    [
        ("apa", "Carberry, J., Okafor, A., & SAXS group. (2024). SAXS of silver behenate"),
        ("harvard", "Carberry, J., Okafor, A. and SAXS group (2024)"),
        ("chicago", "Carberry, J., A. Okafor, and SAXS group. 2024."),
        ("mla", "Carberry, J., et al."),
        ("ieee", "J. Carberry, A. Okafor, and SAXS group,"),
        ("nature", "Carberry, J., Okafor, A. & SAXS group."),
        ("datacite", "Carberry, J.; Okafor, A.; SAXS group (2024)."),
    ],
)
def test_csl_styles(style, start):
    text = citations.formatted_citation(full_snapshot(), style=style)
    assert text.startswith(start)
    assert DOI in text
    assert "<" not in text


def test_html_citation_keeps_markup_and_escapes_text():
    html = citations.formatted_citation(full_snapshot(title="A <b> & C"), style="apa", html=True)
    assert "<i>" in html and "&lt;b&gt;" in html
    assert "<b>" not in html


def test_unknown_style_and_locale_name_the_offers():
    with pytest.raises(citations.UnknownStyle, match="offered: datacite, apa"):
        citations.style_key("klingon")
    assert citations.locale_key("en_gb") == "en-GB"
    assert citations.locale_key("de") == "de-DE" or citations.locale_key("de").startswith("de-")
    with pytest.raises(citations.UnknownStyle):
        citations.locale_key("xx-YY")


def test_people_without_name_parts():
    snapshot = full_snapshot(creators=(AgentSnapshot(name="Doe, Jane"),))
    assert citations.csl_item(snapshot)["author"] == [{"family": "Doe", "given": "Jane"}]
    assert parse_bibtex(citations.bibtex(snapshot))["author"] == "Doe, Jane"

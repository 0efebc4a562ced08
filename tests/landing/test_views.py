"""The landing page /doi/<doi>: what people see in every state, and what machines negotiate."""

import json
import re

import pytest
from django.conf import settings
from lxml import etree, html

from catalogue.models import Status
from tests.factories import CuratorFactory, GroupFactory, UserFactory, make_dataset
from tests.landing.conftest import FILES, PEOPLE, add_people

pytestmark = pytest.mark.django_db

ALL_TYPES = {
    "application/vnd.datacite.datacite+xml": "datacite-xml",
    "application/vnd.datacite.datacite+json": "datacite-json",
    "application/ld+json": "json-ld",
    "application/x-bibtex": "bibtex",
    "application/x-research-info-systems": "ris",
    "application/vnd.citationstyles.csl+json": "csl-json",
    "text/x-bibliography": "citation",
}


def url(dataset, tail: str = "") -> str:
    return f"/doi/{dataset.doi}{tail}"


# ----------------------------------------------------------------- the page


def test_landing_page_shows_the_record(client, published):
    response = client.get(url(published))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = html.fromstring(response.content)
    assert page.findtext(".//h1") == "SAXS of silver behenate"
    text = page.text_content()
    for expected in (
        "Carberry, Josiah", "Brown University", "University of Hamburg", "Open access",
        "Small-angle scattering of a calibrant.", "SAXS", "CC-BY-4.0", "LEAPS-INNOV",
        "small angle x-ray scattering", "Is supplement to", "J. PaN Res. Data 12",
        "silver behenate", "energy", "keV", "3 files", "Version 1.0", "Published",
    ):  # fmt: skip
        assert expected in text, expected
    orcids = page.xpath("//a[@class='orcid']/@href")
    assert "https://orcid.org/0000-0002-1825-0097" in orcids
    assert page.xpath("//a[@href='https://ror.org/05gq02987']")
    # Paged file list from the shared partial, with sizes, checksums and download links.
    rows = page.xpath("//table[contains(@class,'file-table')]/tbody/tr")
    assert [r.xpath("string(td[1]/code)") for r in rows] == sorted(FILES)
    assert page.xpath(
        "//table[contains(@class,'file-table')]//a[contains(@href,'/files/raw/scan%20001.h5')]"
    )
    # The citation box (APA by default) with a style switcher that works as links.
    citation = page.xpath("string(//blockquote[@id='citation-text'])")
    assert citation.startswith("Carberry, J., & Okafor, A. (2024). SAXS of silver behenate")
    assert f"https://doi.org/{published.doi}" in citation
    styles = page.xpath("//nav[contains(@class,'style-switcher')]//a/@href")
    assert "?style=ieee#cite" in styles and "?style=datacite#cite" in styles
    # Manifest links and exports.
    hrefs = set(page.xpath("//a/@href"))
    for tail in ("manifest.meta4", "manifest.aria2", "urls.txt", "SHA256SUMS", "MD5SUMS",
                 "export/bibtex", "export/ris", "export/csl-json", "export/json-ld"):  # fmt: skip
        assert any(h.endswith(f"{published.doi}/{tail}") for h in hrefs), tail


def test_style_switcher_changes_the_citation(client, published):
    page = html.fromstring(client.get(url(published) + "?style=ieee").content)
    citation = page.xpath("string(//blockquote[@id='citation-text'])")
    assert citation.startswith("J. Carberry and A. Okafor,")
    assert (
        page.xpath("//nav[contains(@class,'style-switcher')]//a[@aria-current='true']")[0].text
        == "IEEE"
    )
    unknown = client.get(url(published) + "?style=nonsense")
    assert unknown.status_code == 200  # falls back to APA rather than failing the page


def test_json_ld_in_the_head_is_the_dataset(client, published):
    page = html.fromstring(client.get(url(published)).content)
    (script,) = page.xpath("//head/script[@type='application/ld+json']/text()")
    data = json.loads(script)
    assert data["@type"] == "Dataset"
    assert data["@id"] == f"https://doi.org/{published.doi}"
    assert {
        d["name"]
        for d in data["distribution"]
        if d["encodingFormat"] != "application/metalink4+xml"
    } == set(FILES)


def test_doi_is_matched_case_insensitively(client, published):
    response = client.get(f"/doi/{published.doi.upper()}")
    assert response.status_code == 200
    assert b"SAXS of silver behenate" in response.content


def test_unknown_doi_is_404_with_a_search_box(client, published):
    response = client.get(f"/doi/{settings.DATACITE_PREFIX}/nothing-here")
    assert response.status_code == 404
    page = html.fromstring(response.content)
    assert page.xpath("//form[@role='search']//input[@name='q']")
    assert response["Vary"] and "Accept" in response["Vary"]
    assert client.get("/doi/not-a-doi").status_code == 404


def test_nothing_of_a_draft_is_visible(client, published):
    draft = make_dataset(status=Status.DRAFT, title="Secret draft")
    draft.doi = f"{settings.DATACITE_PREFIX}/draft.0001"
    draft.save()
    member = UserFactory()
    member.groups.add(draft.owner_group)
    curator = CuratorFactory()
    for user in (None, member, curator):
        if user:
            client.force_login(user)
        for tail in ("", "/export/bibtex", "/linkset.json", "/manifest.meta4", "/SHA256SUMS"):
            response = client.get(url(draft, tail))
            assert response.status_code == 404, (user, tail)
            assert b"Secret draft" not in response.content
        assert client.get(f"/api/v1/datasets/{draft.pid}/datacite.xml").status_code == (
            404 if user is None else 200
        )


def test_embargoed_shows_metadata_and_citation_but_refuses_files(client, embargoed):
    response = client.get(url(embargoed))
    assert response.status_code == 200
    page = html.fromstring(response.content)
    until = embargoed.embargo_until.strftime("%-d %B %Y")
    assert f"under embargo until {until}" in page.text_content()
    assert page.xpath("string(//blockquote[@id='citation-text'])").startswith("Carberry")
    assert not page.xpath("//table[contains(@class,'file-table')]")
    assert "/files/" not in response["Link"]
    assert 'rel="item"' not in response["Link"]
    for tail in ("/manifest.meta4", "/manifest.aria2", "/urls.txt", "/SHA256SUMS"):
        refused = client.get(url(embargoed, tail))
        assert refused.status_code == 403
        assert embargoed.embargo_until.isoformat() in refused.content.decode()
    data = json.loads(
        html.fromstring(response.content).xpath("//script[@type='application/ld+json']/text()")[0]
    )
    assert "distribution" not in data
    assert embargoed.embargo_until.isoformat() in data["conditionsOfAccess"]
    # A member of the owner group gets the files.
    member = UserFactory()
    member.groups.add(embargoed.owner_group)
    client.force_login(member)
    assert client.get(url(embargoed, "/manifest.meta4")).status_code == 200


def test_withdrawn_is_a_410_tombstone_with_citation_but_keeps_datacite(client, withdrawn):
    response = client.get(url(withdrawn))
    assert response.status_code == 410
    page = html.fromstring(response.content)
    text = page.text_content()
    assert "Wrong calibration." in text
    citation = page.xpath("string(//blockquote[contains(@class,'citation')])")
    assert citation.startswith("Carberry, J.; Okafor, A. (2024). A withdrawn dataset.")
    assert "Accept" in response["Vary"]
    assert 'rel="cite-as"' in response["Link"]
    for accept in (
        "application/vnd.datacite.datacite+xml",
        "application/vnd.datacite.datacite+json",
    ):
        served = client.get(url(withdrawn), HTTP_ACCEPT=accept)
        assert served.status_code == 200
        assert served["Content-Type"].startswith(accept)
    xml = etree.fromstring(client.get(f"/api/v1/datasets/{withdrawn.pid}/datacite.xml").content)
    ns = {"d": "http://datacite.org/schema/kernel-4"}
    assert xml.xpath("d:dates/d:date[@dateType='Withdrawn']/@dateInformation", namespaces=ns) == [
        "Wrong calibration."
    ]
    assert client.get(f"/api/v1/datasets/{withdrawn.pid}/datacite.json").status_code == 200
    for tail in ("/manifest.meta4", "/linkset.json", "/export/bibtex"):
        assert client.get(url(withdrawn, tail)).status_code == 410
    assert client.get(url(withdrawn), HTTP_ACCEPT="application/x-bibtex").status_code == 410


# ----------------------------------------------------------------- content negotiation


@pytest.mark.parametrize("media_type", sorted(ALL_TYPES))
def test_each_media_type_is_negotiated(client, published, media_type):
    response = client.get(url(published), HTTP_ACCEPT=media_type)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response["Vary"]
    assert response["Content-Location"].endswith(f"/export/{ALL_TYPES[media_type]}")
    same = client.get(response["Content-Location"], {"style": "apa"})
    assert same.content == response.content


def test_html_is_the_default_and_q_values_are_honoured(client, published):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get(url(published), HTTP_ACCEPT=browser)["Content-Type"].startswith("text/html")
    assert client.get(url(published), HTTP_ACCEPT="*/*")["Content-Type"].startswith("text/html")
    assert client.get(url(published))["Content-Type"].startswith("text/html")
    picked = client.get(
        url(published), HTTP_ACCEPT="application/x-bibtex;q=0.5, application/ld+json;q=0.9"
    )
    assert picked["Content-Type"].startswith("application/ld+json")
    refused = client.get(url(published), HTTP_ACCEPT="application/x-bibtex;q=0, */*;q=0.1")
    assert refused["Content-Type"].startswith("text/html")
    wildcard = client.get(url(published), HTTP_ACCEPT="application/*;q=0.2, text/html;q=0.1")
    assert wildcard["Content-Type"].startswith("application/vnd.datacite.datacite+xml")


def test_unavailable_media_type_is_406_naming_the_offers(client, published):
    response = client.get(url(published), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 406
    assert b"application/x-bibtex" in response.content
    assert "Accept" in response["Vary"]


def test_bibliography_style_and_locale_parameters(client, published):
    apa = client.get(url(published), HTTP_ACCEPT="text/x-bibliography; style=apa; locale=en-US")
    assert apa.content.decode().startswith("Carberry, J., & Okafor, A. (2024).")
    harvard = client.get(url(published), HTTP_ACCEPT='text/x-bibliography; style="harvard"')
    assert harvard.content.decode().startswith("Carberry, J. and Okafor, A. (2024)")
    german = client.get(url(published), HTTP_ACCEPT="text/x-bibliography; style=apa; locale=de-DE")
    assert "[Datensatz]" in german.content.decode()
    bad = client.get(url(published), HTTP_ACCEPT="text/x-bibliography; style=klingon")
    assert bad.status_code == 400
    assert b"offered" in bad.content


def test_head_requests_carry_the_headers(client, published):
    response = client.head(url(published))
    assert response.status_code == 200
    assert 'rel="cite-as"' in response["Link"]


# ----------------------------------------------------------------- VISA and files


def test_open_in_visa_link_from_the_template(client, published, settings):
    page = html.fromstring(client.get(url(published)).content)
    assert not page.xpath("//a[contains(@class,'button-visa')]")
    settings.VISA_URL_TEMPLATE = (
        "https://visa.example.org/instruments?proposal={proposal_id}&pid={pid}"
    )
    page = html.fromstring(client.get(url(published)).content)
    assert not page.xpath("//a[contains(@class,'button-visa')]")  # no proposal: no link
    from tests.factories import BeamtimeFactory

    beamtime = BeamtimeFactory(proposal__proposal_id="MA 1/2")
    published.beamtime = beamtime
    published.save()
    page = html.fromstring(client.get(url(published)).content)
    (link,) = page.xpath("//a[contains(@class,'button-visa')]/@href")
    assert link == f"https://visa.example.org/instruments?proposal=MA%201%2F2&pid={published.pid}"


def test_file_list_is_paged(client, published, settings):
    settings.LANDING_FILES_PAGE_SIZE = 2
    page = html.fromstring(client.get(url(published) + "?page=2").content)
    rows = page.xpath("//table[contains(@class,'file-table')]/tbody/tr")
    assert len(rows) == 1
    assert page.xpath("//nav[@class='pagination']//a[@rel='prev']")


def test_many_authors_and_files_move_to_the_linkset(client, published):
    people = [(f"Person{i}", "A", "", "", "") for i in range(8)]
    add_people(published, people)
    response = client.get(url(published))
    assert response["Link"].count('rel="author"') == 0  # no ORCIDs: no author links
    add_people(published, PEOPLE * 4)
    response = client.get(url(published))
    assert response["Link"].count('rel="author"') == 5


# ----------------------------------------------------------------- DataCite API endpoints


def test_datacite_endpoints_obey_the_gate(client, published):
    xml = client.get(f"/api/v1/datasets/{published.pid}/datacite.xml")
    assert xml.status_code == 200
    assert xml["Content-Type"] == "application/vnd.datacite.datacite+xml; charset=utf-8"
    assert xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    data = json.loads(client.get(f"/api/v1/datasets/{published.pid}/datacite.json").content)
    assert data["doi"] == published.doi
    assert data["url"].endswith(f"/doi/{published.doi}")
    group = GroupFactory()
    hidden = make_dataset(status=Status.SUBMITTED, owner_group=group)
    for suffix in ("xml", "json"):
        assert client.get(f"/api/v1/datasets/{hidden.pid}/datacite.{suffix}").status_code == 404
        assert client.get(f"/api/v1/datasets/not-a-uuid/datacite.{suffix}").status_code == 404
    member = UserFactory()
    member.groups.add(group)
    client.force_login(member)
    preview = client.get(f"/api/v1/datasets/{hidden.pid}/datacite.xml")
    assert preview.status_code == 200 and b"(:tba)" in preview.content


def test_exports_download_with_names(client, published):
    bib = client.get(url(published, "/export/bibtex"))
    name = published.doi.replace("/", "_")
    assert bib["Content-Disposition"] == f'attachment; filename="{name}.bib"'
    assert client.get(url(published, "/export/unknown")).status_code == 404
    assert re.match(r"^@misc\{carberry2024saxs_", bib.content.decode())


def test_markup_in_metadata_is_escaped_everywhere_on_the_page(client, published):
    published.title = "Fe <script>alert(1)</script> & co"
    published.save()
    for style in ("apa", "ieee", "datacite"):
        body = client.get(url(published) + f"?style={style}").content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "Fe &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in body

"""FAIR Signposting, read the way harvesters read it: with the ``signposting`` package from
PyPI, over HTTP against a live server (HEAD for the Link headers, GET with negotiation for
both linkset serialisations)."""

import json
import warnings

import pytest
import signposting
from signposting import find_signposting_http, find_signposting_linkset

from landing.signposting import HEADER_LIMIT
from tests.landing.conftest import PEOPLE, add_people, write_files

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def landing(live_server, dataset) -> str:
    return f"{live_server.url}/doi/{dataset.doi}"


def test_link_headers_follow_the_fair_profile(live_server, published):
    url = landing(live_server, published)
    signposts = find_signposting_http(url)
    assert signposts.citeAs.target == f"https://doi.org/{published.doi}"
    described = {str(s.type): str(s.target) for s in signposts.describedBy}
    assert set(described) == {
        "application/vnd.datacite.datacite+xml",
        "application/vnd.datacite.datacite+json",
        "application/ld+json",
    }
    assert described["application/vnd.datacite.datacite+xml"].endswith(
        f"/api/v1/datasets/{published.pid}/datacite.xml"
    )
    assert {str(t.target) for t in signposts.types} == {
        "https://schema.org/Dataset",
        "https://schema.org/AboutPage",
    }
    assert {str(a.target) for a in signposts.authors} == {
        f"https://orcid.org/{p[2]}" for p in PEOPLE
    }
    assert str(signposts.license.target).startswith("https://creativecommons.org/licenses/by/4.0")
    items = {str(i.target).rsplit("/files/", 1)[1]: str(i.type) for i in signposts.items}
    assert items == {
        "README.txt": "text/plain",
        "processed/profile_001.csv": "text/csv",
        "raw/scan%20001.h5": "application/x-hdf5",
    }
    assert {str(s.type) for s in signposts.linksets} == {
        "application/linkset",
        "application/linkset+json",
    }


def test_every_link_resolves(live_server, published, client):
    signposts = find_signposting_http(landing(live_server, published))
    for link in [*signposts.describedBy, *signposts.items, *signposts.linksets]:
        path = str(link.target).removeprefix(live_server.url)
        response = client.get(path)
        assert response.status_code == 200, path
        if link.type and link.rel != "item":
            assert response["Content-Type"].split(";")[0] == str(link.type), path


@pytest.mark.parametrize("media_type", ["application/linkset+json", "application/linkset"])
def test_linksets_hold_every_author_and_item(live_server, published, media_type):
    add_people(published, PEOPLE * 4)  # 8 authors (ORCIDs repeat, the header keeps 5)
    many = {f"scan/frame_{i:03d}.raw": bytes([i]) for i in range(12)}
    write_files(published, many)
    url = landing(live_server, published)
    header = find_signposting_http(url)
    assert len(header.items) == HEADER_LIMIT
    (linkset_link,) = [s for s in header.linksets if str(s.type) == media_type]
    linkset = find_signposting_linkset(str(linkset_link.target), media_type)
    own = linkset.for_context(url)
    assert own.citeAs.target == f"https://doi.org/{published.doi}"
    assert len(own.items) == 3 + 12
    assert len(own.describedBy) == 3
    assert own.license is not None
    assert {str(t.target) for t in own.types} >= {"https://schema.org/Dataset"}
    # Each metadata document links back to the landing page it describes.
    for described in own.describedBy:
        back = linkset.for_context(str(described.target))
        assert [str(s.target) for s in back.describes] == [url]


def test_linkset_json_is_rfc9264_json(client, published):
    response = client.get(f"/doi/{published.doi}/linkset.json")
    assert response["Content-Type"] == "application/linkset+json"
    data = json.loads(b"".join(response.streaming_content))
    first = data["linkset"][0]
    assert first["anchor"].endswith(f"/doi/{published.doi}")
    assert first["cite-as"] == [{"href": f"https://doi.org/{published.doi}"}]
    assert all("href" in target for rel in first if rel != "anchor" for target in first[rel])


def test_embargoed_dataset_signposts_no_items(live_server, embargoed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signposts = find_signposting_http(landing(live_server, embargoed))
    assert not signposts.items
    assert signposts.citeAs is not None
    (linkset_link,) = [s for s in signposts.linksets if str(s.type) == "application/linkset+json"]
    linkset = find_signposting_linkset(str(linkset_link.target))
    assert not linkset.for_context(landing(live_server, embargoed)).items


def test_tombstone_keeps_identity_links(live_server, withdrawn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the client warns about the 410 it still reads
        signposts = find_signposting_http(landing(live_server, withdrawn))
    assert signposts.citeAs.target == f"https://doi.org/{withdrawn.doi}"
    assert {str(s.type) for s in signposts.describedBy} == {
        "application/vnd.datacite.datacite+xml",
        "application/vnd.datacite.datacite+json",
    }
    assert not signposts.items and not signposts.linksets
    assert isinstance(signposts, signposting.Signposting)

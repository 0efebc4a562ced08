"""Reviewer links (issue 12 §4): the API, the /review/<secret>/ door, what a link opens (one
dataset, files and preview on their normal URLs), double-blind pages, revocation and expiry
acting at once, the use log, the headers, and the curation panel."""

import datetime
import hashlib

import h5py
import numpy as np
import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from catalogue.models import Contributor, DataFile, ReviewLink, ReviewLinkUse, Status
from catalogue.services.files import dataset_refresh_file_totals
from catalogue.services.review_links import review_link_create
from tests.factories import CuratorFactory, GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db

CREATOR = "Okafor, Amara"
CONTRIBUTOR = "Lindqvist, Berit"


@pytest.fixture
def owner():
    user = UserFactory(username="alice")
    user.groups.add(GroupFactory(name="p-11012345"))
    return user


@pytest.fixture
def draft(owner, settings, tmp_path):
    settings.STORAGE_ROOT = tmp_path
    ds = make_dataset(Status.IN_REVIEW, owner_group=owner.groups.get(), created_by=owner,
                      title="Lysozyme SAXS under review")  # fmt: skip
    Contributor.objects.create(dataset=ds, position=0, name=CONTRIBUTOR, contributor_type="Other")
    folder = tmp_path / ds.storage_folder
    folder.mkdir(parents=True)
    with h5py.File(folder / "scan.h5", "w") as handle:
        handle.create_dataset("entry/data", data=np.arange(6, dtype="int32").reshape(2, 3))
    data = (folder / "scan.h5").read_bytes()
    DataFile.objects.create(dataset=ds, path="scan.h5", size=len(data),
                            checksum=hashlib.sha256(data).hexdigest(), checksum_algorithm="sha256",
                            media_type="application/x-hdf5")  # fmt: skip
    dataset_refresh_file_totals(dataset=ds)
    ds.refresh_from_db()
    return ds


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _link(ds, owner, **kwargs):
    link, secret = review_link_create(dataset=ds, actor=owner, label="Referee 1", **kwargs)
    return link, f"/review/{secret}/"


def _opened(path) -> Client:
    client = Client()
    response = client.get(path)
    assert response.status_code == 302, response.status_code
    return client


# ---------------------------------------------------------------- API
def test_create_list_revoke_through_the_api(draft, owner):
    api = _api(owner)
    base = f"/api/v1/datasets/{draft.pid}/review-links"
    created = api.post(base, {"label": "Referee 2", "expires_in_days": 14, "anonymous": True},
                       format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"].startswith("http://testserver/review/pdr_")
    assert body["anonymous"] is True and body["uses"] == 0 and body["last_used"] is None
    expires = datetime.datetime.fromisoformat(body["expires"])
    assert abs(expires - (timezone.now() + datetime.timedelta(days=14))) < datetime.timedelta(
        minutes=1
    )
    assert created["Cache-Control"] == "no-store"
    secret = body["url"].rstrip("/").rsplit("/", 1)[1]
    link = ReviewLink.objects.get(pk=body["id"])
    assert (
        secret not in link.key_hash and link.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    )

    _opened(body["url"].replace("http://testserver", ""))
    listed = api.get(base).json()["results"]
    assert [(x["id"], x["label"], x["uses"], x["revoked"]) for x in listed] == [
        (link.pk, "Referee 2", 1, False)
    ]
    assert listed[0]["last_used"] is not None
    assert "url" not in listed[0]  # the secret is in the creating answer only

    assert api.delete(f"{base}/{link.pk}").status_code == 204
    assert api.delete(f"{base}/{link.pk}").status_code == 204  # idempotent
    assert api.get(base).json()["results"][0]["revoked"] is True
    assert Client().get(body["url"].replace("http://testserver", "")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "", "expires_in_days": 10}, "label"),
        ({"label": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"label": "x", "expires_in_days": 91}, "expires_in_days"),
        ({"label": "x", "expires_in_days": "ten"}, "expires_in_days"),
        ({"label": "x", "expires_in_days": True}, "expires_in_days"),
        ({"label": "x", "anonymous": "yes"}, "anonymous"),
        ({"label": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(draft, owner, body, field):
    response = _api(owner).post(f"/api/v1/datasets/{draft.pid}/review-links", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not ReviewLink.objects.exists()


def test_who_may_manage_links(draft, owner):
    base = f"/api/v1/datasets/{draft.pid}/review-links"
    body = {"label": "x"}
    reader = UserFactory()
    reader_group = GroupFactory()
    reader.groups.add(reader_group)
    draft.access_groups.add(reader_group)
    assert _api().get(base).status_code == 404  # the public may not know the draft exists
    assert _api().post(base, body, format="json").status_code == 401
    assert _api(UserFactory()).get(base).status_code == 404  # may not know the draft exists
    assert _api(reader).post(base, body, format="json").status_code == 403  # reads, not manages
    assert _api(CuratorFactory()).post(base, body, format="json").status_code == 201
    reviewer = CuratorFactory(curation_group="reviewers")
    assert _api(reviewer).post(base, body, format="json").status_code == 201
    assert _api(owner).post(base, body, format="json").status_code == 201
    other = make_dataset(owner_group=owner.groups.get())
    link = ReviewLink.objects.first()
    # A link id of another dataset is not found under this one.
    assert (
        _api(owner).delete(f"/api/v1/datasets/{other.pid}/review-links/{link.pk}").status_code
        == 404
    )


def test_a_link_holder_cannot_manage_links(draft, owner):
    _, path = _link(draft, owner)
    client = _opened(path)
    response = client.post(f"/api/v1/datasets/{draft.pid}/review-links", {"label": "x"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 401
    assert client.get(f"/api/v1/datasets/{draft.pid}/review-links").status_code == 401


# ---------------------------------------------------------------- what a link opens
def test_the_link_opens_the_record_page_files_and_preview(draft, owner):
    link, path = _link(draft, owner)
    client = Client()
    door = client.get(path)
    assert door.status_code == 302 and door["Location"] == f"/datasets/{draft.pid}/"
    assert door["Referrer-Policy"] == "no-referrer"
    page = client.get(door["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "You are viewing this dataset through a reviewer link" in html
    assert CREATOR in html  # not double-blind
    assert page["X-Robots-Tag"].startswith("noindex")
    assert page["Referrer-Policy"] == "no-referrer"
    assert f"/datasets/{draft.pid}/files/scan.h5" in html
    download = client.get(f"/datasets/{draft.pid}/files/scan.h5")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:8] == b"\x89HDF\r\n\x1a\n"
    meta = client.get(f"/datasets/{draft.pid}/h5grove/meta?file=scan.h5&path=/entry/data")
    assert meta.status_code == 200 and meta.json()["shape"] == [2, 3]
    assert client.get(f"/api/v1/datasets/{draft.pid}").status_code == 200
    assert client.get(f"/api/v1/datasets/{draft.pid}/files").status_code == 200
    # Never edits.
    patch = client.patch(f"/api/v1/datasets/{draft.pid}", {"title": "x"},
                         content_type="application/json")  # fmt: skip
    assert patch.status_code == 401
    assert client.get(f"/datasets/{draft.pid}/edit").status_code in (302, 404)
    # Not listed anywhere.
    assert str(draft.pid) not in client.get("/search/", {"q": "Lysozyme"}).content.decode()
    hits = client.get("/api/v1/search", {"q": "Lysozyme"}).json()["results"]
    assert str(draft.pid) not in {h["pid"] for h in hits}

    kinds = list(ReviewLinkUse.objects.filter(link=link).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(["open", "page", "file", "preview", "api", "api"])
    assert all(len(v) == 56 for v in ReviewLinkUse.objects.values_list("visitor", flat=True))
    link.refresh_from_db()
    assert link.use_count == 6 and link.last_used_at is not None


def test_a_link_opens_only_its_own_dataset(draft, owner):
    other = make_dataset(Status.DRAFT, owner_group=owner.groups.get(), created_by=owner)
    _, path = _link(draft, owner)
    client = _opened(path)
    assert client.get(f"/datasets/{draft.pid}/").status_code == 200
    assert client.get(f"/datasets/{other.pid}/").status_code == 404
    assert client.get(f"/api/v1/datasets/{other.pid}").status_code == 404


def test_double_blind_hides_the_names(draft, owner):
    draft.proposal = None
    _, path = _link(draft, owner, anonymous=True)
    client = _opened(path)
    html = client.get(f"/datasets/{draft.pid}/").content.decode()
    assert "through a reviewer link" in html and "double-blind" in html
    for name in (CREATOR, CONTRIBUTOR, "p-11012345", "alice"):
        assert name not in html, name
    # What would show the names is not offered, and not served.
    assert f'href="/api/v1/datasets/{draft.pid}"' not in html
    assert client.get(f"/api/v1/datasets/{draft.pid}").status_code == 404
    assert client.get(f"/api/v1/datasets/{draft.pid}/datacite.xml").status_code == 404
    # Files and the preview stay open.
    assert client.get(f"/datasets/{draft.pid}/files/scan.h5").status_code == 200
    assert client.get(f"/api/v1/datasets/{draft.pid}/files").status_code == 200


def test_revocation_and_expiry_act_at_once(draft, owner):
    link, path = _link(draft, owner)
    client = _opened(path)
    assert client.get(f"/datasets/{draft.pid}/").status_code == 200
    ReviewLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    assert client.get(f"/datasets/{draft.pid}/").status_code == 404
    assert client.get(f"/datasets/{draft.pid}/files/scan.h5").status_code == 404
    assert client.get(path).status_code == 404

    link2, path2 = _link(draft, owner)
    client2 = _opened(path2)
    ReviewLink.objects.filter(pk=link2.pk).update(expires_at=timezone.now())
    assert client2.get(f"/datasets/{draft.pid}/").status_code == 404
    response = client2.get(path2)
    assert response.status_code == 404
    assert "noindex" in response["X-Robots-Tag"]
    assert Client().get("/review/pdr_not-a-secret/").status_code == 404


def test_a_withdrawn_dataset_is_not_opened(owner, settings, tmp_path):
    ds = make_dataset(Status.DRAFT, owner_group=owner.groups.get(), created_by=owner)
    _, path = _link(ds, owner)
    client = _opened(path)
    from catalogue.models import Dataset

    Dataset.objects.filter(pk=ds.pk).update(status=Status.WITHDRAWN)
    assert client.get(f"/datasets/{ds.pid}/").status_code == 404
    assert Client().get(path).status_code == 404


def test_an_embargoed_record_opens_its_files(owner, settings, tmp_path):
    settings.STORAGE_ROOT = tmp_path
    ds = make_dataset(Status.PUBLISHED, owner_group=owner.groups.get(),
                      embargo_until=timezone.localdate() + datetime.timedelta(days=60))  # fmt: skip
    (tmp_path / ds.storage_folder).mkdir()
    (tmp_path / ds.storage_folder / "a.txt").write_bytes(b"hello")
    DataFile.objects.create(dataset=ds, path="a.txt", size=5)
    dataset_refresh_file_totals(dataset=ds)
    assert Client().get(f"/datasets/{ds.pid}/files/a.txt").status_code == 404
    _, path = _link(ds, owner, anonymous=True)  # names are public anyway: shown
    client = Client()
    door = client.get(path)
    assert door["Location"] == f"/doi/{ds.doi}"
    page = client.get(door["Location"])
    assert page.status_code == 200
    assert "through a reviewer link" in page.content.decode()
    assert CREATOR in page.content.decode()
    assert client.get(f"/datasets/{ds.pid}/files/a.txt").status_code == 200
    assert client.get(f"/doi/{ds.doi}/SHA256SUMS").status_code == 200


# ---------------------------------------------------------------- the curation panel
def test_the_panel_creates_lists_and_revokes(draft, owner):
    client = Client()
    client.force_login(owner)
    page = client.get(f"/datasets/{draft.pid}/").content.decode()
    assert 'id="review-links"' in page and "No reviewer links yet." in page
    form = {"label": "Referee 3", "expires_in_days": "7", "anonymous": "on"}
    created = client.post(f"/datasets/{draft.pid}/review-links", form)
    assert created.status_code == 302
    page = client.get(created["Location"]).content.decode()
    link = ReviewLink.objects.get()
    assert link.anonymous and link.label == "Referee 3"
    assert "Copy this link now" in page and 'value="http://testserver/review/pdr_' in page
    again = client.get(f"/datasets/{draft.pid}/").content.decode()
    assert "Copy this link now" not in again and "review/pdr_" not in again  # shown once
    assert f'data-review-link="{link.pk}"' in again
    bad = client.post(
        f"/datasets/{draft.pid}/review-links", {"label": "x", "expires_in_days": "365"}
    )
    assert bad.status_code == 302 and ReviewLink.objects.count() == 1
    client.post(f"/datasets/{draft.pid}/review-links/{link.pk}/revoke")
    link.refresh_from_db()
    assert link.revoked_at is not None
    # Readers and the public get no panel, and cannot post to it.
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.post(f"/datasets/{draft.pid}/review-links", {"label": "x"}).status_code == 404


# ---------------------------------------------------------------- the demo's link
def test_the_demo_prints_one_live_link(draft, settings):
    from catalogue.demo.review_links import DEMO_LABEL, demo_review_link

    CuratorFactory()
    dataset, url = demo_review_link()
    assert dataset == draft and url.startswith(settings.BASE_URL + "/review/pdr_")
    dataset, url2 = demo_review_link()  # a second make demo: a new link, the old one revoked
    assert ReviewLink.objects.filter(label=DEMO_LABEL, revoked_at__isnull=True).count() == 1
    assert Client().get(url.removeprefix(settings.BASE_URL)).status_code == 404
    client = Client()
    door = client.get(url2.removeprefix(settings.BASE_URL))
    assert client.get(door["Location"]).status_code == 200

"""The access gate as a matrix: status x anonymous / member / access-group member / other user
/ curator / staff (``is_staff`` alone grants nothing: staff see what other users see). One
expected table drives the predicate, the queryset filter, the search principals, the dataset
page and the JSON endpoint, so none of them can drift from the rule."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from catalogue.access import (
    CURATORS_GROUP,
    dataset_access,
    dataset_read_principals,
    datasets_visible_to,
    user_principals,
)
from catalogue.models import Status
from tests.factories import DataFileFactory, GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "shared", "other", "curator", "staff"]
CASES = [
    "draft", "submitted", "in_review", "changes_requested", "approved",
    "published", "published_embargoed", "published_embargo_over", "withdrawn",
]  # fmt: skip

OK = (True, True, False)  # (metadata, files, tombstone)
NONE = (False, False, False)
META_ONLY = (True, False, False)
TOMB = (False, False, True)
CURATOR_TOMB = (True, True, True)

UNPUBLISHED = {"anonymous": NONE, "member": OK, "shared": OK, "other": NONE,
               "curator": OK, "staff": NONE}  # fmt: skip
EXPECTED = {
    **{s: UNPUBLISHED for s in CASES[:5]},
    "published": dict.fromkeys(ROLES, OK),
    "published_embargoed": {"anonymous": META_ONLY, "member": OK, "shared": OK,
                            "other": META_ONLY, "curator": OK, "staff": META_ONLY},
    "published_embargo_over": dict.fromkeys(ROLES, OK),
    "withdrawn": {"anonymous": TOMB, "member": TOMB, "shared": TOMB, "other": TOMB,
                  "curator": CURATOR_TOMB, "staff": TOMB},
}  # fmt: skip


def _dataset(case: str):
    today = timezone.localdate()
    status = case.split("_embargo")[0] if case.startswith("published") else case
    embargo = None
    if case == "published_embargoed":
        embargo = today + datetime.timedelta(days=30)
    elif case == "published_embargo_over":
        embargo = today - datetime.timedelta(days=1)
    owner = GroupFactory(name="owners")
    shared = GroupFactory(name="collaborators")
    ds = make_dataset(status=Status(status), owner_group=owner, embargo_until=embargo)
    ds.access_groups.add(shared)
    DataFileFactory(dataset=ds, path="scan.h5")
    return ds


def _user(role: str):
    if role == "anonymous":
        return AnonymousUser()
    user = UserFactory(username=role)
    if role == "member":
        user.groups.add(Group.objects.get(name="owners"))
    elif role == "shared":
        user.groups.add(Group.objects.get(name="collaborators"))
    elif role == "curator":
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    elif role == "staff":
        user.is_staff = True
        user.save()
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES)
def test_gate_matrix(case, role, client):
    ds = _dataset(case)
    user = _user(role)
    expected = EXPECTED[case][role]

    access = dataset_access(user=user, dataset=ds)
    assert (access.metadata, access.files, access.tombstone) == expected

    # The queryset form lists exactly what the predicate lets the user read.
    listed = datasets_visible_to(user=user).filter(pk=ds.pk).exists()
    assert listed == ((expected[0] and ds.status != Status.WITHDRAWN) or role == "curator")

    # The principals form (for search filters) agrees with the queryset form.
    held = user_principals(user)
    by_principals = held is None or bool(set(held) & set(dataset_read_principals(ds)))
    assert by_principals == listed

    # Pages and API follow the same table: 404 reveals nothing, 410 is the tombstone.
    if role != "anonymous":
        client.force_login(user)
    page = client.get(f"/datasets/{ds.pid}/")
    api = client.get(f"/api/v1/datasets/{ds.pid}")
    download = client.get(f"/datasets/{ds.pid}/files/scan.h5")
    if expected == NONE:
        assert (page.status_code, api.status_code) == (404, 404)
    elif ds.status == Status.WITHDRAWN:
        assert page.status_code == 410
        assert "Wrong calibration." in page.content.decode()
        assert api.status_code == (200 if role == "curator" else 410)
    else:
        assert (page.status_code, api.status_code) == (200, 200)
        body = api.json()
        assert (len(body["files"]) == 1) == expected[1]
    # A registered file whose bytes are absent gives 404 to those who may download, and
    # 404 to those who may not: existence is never revealed.
    assert download.status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "other"])
def test_embargoed_files_are_refused_with_release_date(role, client):
    ds = _dataset("published_embargoed")
    if role != "anonymous":
        client.force_login(_user(role))
    page = client.get(f"/datasets/{ds.pid}/").content.decode()
    assert "under embargo until" in page
    assert "scan.h5" not in page
    body = client.get(f"/api/v1/datasets/{ds.pid}").json()
    assert body["files_access"] == "embargoed"
    assert body["files_embargoed_until"] == ds.embargo_until.isoformat()
    assert client.get(f"/api/v1/datasets/{ds.pid}/files").status_code == 404


def test_inactive_member_sees_nothing():
    ds = _dataset("draft")
    user = _user("member")
    user.is_active = False
    user.save()
    assert dataset_access(user=user, dataset=ds).metadata is False
    assert not datasets_visible_to(user=user).filter(pk=ds.pk).exists()


def test_creator_without_group_sees_own_draft():
    user = UserFactory(username="submitter")
    ds = make_dataset(status=Status.DRAFT, created_by=user)
    assert dataset_access(user=user, dataset=ds).metadata
    assert datasets_visible_to(user=user).filter(pk=ds.pk).exists()
    assert f"user:{user.pk}" in dataset_read_principals(ds)


def test_visible_queryset_has_no_duplicates_with_several_shared_groups():
    ds = make_dataset(status=Status.DRAFT)
    user = UserFactory()
    for name in ("a", "b", "c"):
        group = GroupFactory(name=name)
        ds.access_groups.add(group)
        user.groups.add(group)
    assert list(datasets_visible_to(user=user)) == [ds]

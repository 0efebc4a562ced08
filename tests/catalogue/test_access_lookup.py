"""access_dataset: one lookup-and-decide, as a matrix over status x role x need."""

import pytest
from django.contrib.auth.models import AnonymousUser

from catalogue.access import (
    DatasetForbidden,
    DatasetGone,
    DatasetNotFound,
    access_dataset,
    dataset_access,
)
from catalogue.models import Status
from tests.catalogue.test_access import _dataset, _user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "shared", "other", "curator", "creator"]
CASES = ["draft", "submitted", "published", "published_embargoed", "withdrawn"]

OK, NF, GONE, FORBID = "ok", "404", "410", "403"
# need=edit: owner-group members, the creator and curators; readers (shared) may not.
EDIT = {
    "draft": {"anonymous": NF, "member": OK, "shared": FORBID, "other": NF, "curator": OK,
              "creator": OK},
    "submitted": {"anonymous": NF, "member": OK, "shared": FORBID, "other": NF, "curator": OK,
                  "creator": OK},
    "published": {"anonymous": FORBID, "member": OK, "shared": FORBID, "other": FORBID,
                  "curator": OK, "creator": OK},
    "published_embargoed": {"anonymous": FORBID, "member": OK, "shared": FORBID,
                            "other": FORBID, "curator": OK, "creator": OK},
    "withdrawn": {"anonymous": GONE, "member": GONE, "shared": GONE, "other": GONE,
                  "curator": OK, "creator": GONE},
}  # fmt: skip


def _role_user(role, ds):
    if role == "creator":
        user = UserFactory(username="creator")
        type(ds).objects.filter(pk=ds.pk).update(created_by=user)
        ds.refresh_from_db()
        return user
    return _user(role)


def _outcome(**kwargs) -> str:
    try:
        access_dataset(**kwargs)
    except DatasetNotFound:
        return NF
    except DatasetGone:
        return GONE
    except DatasetForbidden:
        return FORBID
    return OK


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES)
def test_lookup_matrix(case, role):
    ds = _dataset(case)
    user = _role_user(role, ds)
    access = dataset_access(user=user, dataset=ds)

    # metadata and files follow dataset_access (the matrix of test_access.py)
    metadata = _outcome(user=user, pid=ds.pid)
    if access.tombstone and not access.metadata:
        assert metadata == GONE
    else:
        assert metadata == (OK if access.metadata else NF)
    files = _outcome(user=user, pid=ds.pid, need="files")
    assert files == (OK if access.files else (GONE if metadata == GONE else NF))

    assert _outcome(user=user, pid=ds.pid, need="edit") == EDIT[case][role]
    assert access.edit == (EDIT[case][role] == OK)


def test_lookup_by_doi_is_case_insensitive_and_returns_the_dataset():
    ds = _dataset("published")
    found, access = access_dataset(user=AnonymousUser(), doi=ds.doi.upper())
    assert found == ds and access.metadata and not access.edit
    found, _ = access_dataset(user=None, doi=f"https://doi.org/{ds.doi}")
    assert found == ds


@pytest.mark.parametrize("pid", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_or_malformed_pid_is_not_found(pid):
    with pytest.raises(DatasetNotFound):
        access_dataset(user=None, pid=pid)
    with pytest.raises(DatasetNotFound):
        access_dataset(user=None, doi="no doi")


def test_gone_carries_the_dataset():
    ds = _dataset("withdrawn")
    with pytest.raises(DatasetGone) as exc:
        access_dataset(user=None, pid=ds.pid)
    assert exc.value.dataset == ds and exc.value.access.tombstone
    assert Status(exc.value.dataset.status) == Status.WITHDRAWN

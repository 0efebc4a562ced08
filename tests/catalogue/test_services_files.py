"""Registering, replacing and removing files: validation by path, all or nothing, locks."""

import pytest

from catalogue.access import DatasetForbidden
from catalogue.models import DataFile, Status
from catalogue.services.errors import DatasetInputError
from catalogue.services.files import (
    FileRecord,
    dataset_file_remove,
    dataset_files_register,
    dataset_files_replace,
)
from tests.factories import CuratorFactory, GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db

SHA = "ab" * 32


@pytest.fixture
def owner():
    user = UserFactory()
    user.groups.add(GroupFactory(name="owners"))
    return user


@pytest.fixture
def draft(owner):
    return make_dataset(Status.DRAFT, owner_group=owner.groups.get())


def paths(ds):
    return list(DataFile.objects.filter(dataset=ds).values_list("path", flat=True))


def test_register_dicts_in_api_shape(draft, owner):
    n = dataset_files_register(
        dataset=draft,
        actor=owner,
        files=[
            {"path": "a/b.h5", "size": 10, "checksum": SHA.upper(), "checksum_algorithm": "sha256"},
            {"path": "c.txt", "size": 5, "checksum": "md5:" + "0" * 32},
        ],
    )
    assert n == 2 and draft.file_count == 2 and draft.total_size == 15
    c = DataFile.objects.get(dataset=draft, path="c.txt")
    assert c.checksum_algorithm == "md5" and c.media_type == "text/plain"
    assert DataFile.objects.get(dataset=draft, path="a/b.h5").checksum == SHA


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ({"path": "../x", "size": 1}, "files[1].path"),
        ({"path": "/abs", "size": 1}, "files[1].path"),
        ({"path": "a\\b", "size": 1}, "files[1].path"),
        ({"path": "a\x00b", "size": 1}, "files[1].path"),
        ({"path": "ok", "size": -1}, "files[1].size"),
        ({"path": "ok", "size": "1"}, "files[1].size"),
        ({"path": "ok", "size": 1, "checksum": "xyz"}, "files[1].checksum"),
        ({"path": "ok", "size": 1, "checksum": "ab"}, "files[1].checksum"),
        ({"path": "ok", "size": 1, "checksum_algorithm": "crc32"}, "files[1].checksum_algorithm"),
        ({"path": "ok", "size": 1, "colour": "red"}, "files[1].colour"),
        ({"path": "first.h5", "size": 1}, "files[1].path"),  # duplicate
    ],
)
def test_bad_entries_are_named_and_nothing_written(draft, owner, entry, key):
    with pytest.raises(DatasetInputError) as exc:
        dataset_files_register(
            dataset=draft, actor=owner, files=[{"path": "first.h5", "size": 1}, entry]
        )
    assert key in exc.value.errors, exc.value.errors
    assert paths(draft) == []


def test_max_files_limit(draft, owner):
    files = [{"path": f"f{i}", "size": 1} for i in range(4)]
    with pytest.raises(DatasetInputError) as exc:
        dataset_files_register(dataset=draft, actor=owner, files=files, max_files=3)
    assert "files" in exc.value.errors and paths(draft) == []


def test_replace_and_remove(draft, owner):
    dataset_files_register(
        dataset=draft, actor=owner, files=[FileRecord("a", 1), FileRecord("b", 2)]
    )
    dataset_files_replace(
        dataset=draft, actor=owner, files=[{"path": "b", "size": 3}, {"path": "c", "size": 4}]
    )
    assert paths(draft) == ["b", "c"] and draft.total_size == 7
    dataset_file_remove(dataset=draft, path="b", actor=owner)
    assert paths(draft) == ["c"] and draft.file_count == 1
    with pytest.raises(DatasetInputError) as exc:
        dataset_file_remove(dataset=draft, path="nope", actor=owner)
    assert "path" in exc.value.errors


def test_failed_replace_keeps_old_list(draft, owner):
    dataset_files_register(dataset=draft, actor=owner, files=[FileRecord("a", 1)])
    with pytest.raises(DatasetInputError):
        dataset_files_replace(
            dataset=draft, actor=owner, files=[{"path": "b", "size": 1}, {"path": "..", "size": 1}]
        )
    assert paths(draft) == ["a"]


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.WITHDRAWN])
def test_files_of_published_records_are_locked(owner, status):
    ds = make_dataset(status, owner_group=owner.groups.get())
    curator = CuratorFactory()
    with pytest.raises(DatasetInputError) as exc:
        dataset_files_register(dataset=ds, actor=curator, files=[FileRecord("a", 1)])
    assert "new version" in exc.value.errors["files"][0]
    with pytest.raises(DatasetInputError):
        dataset_files_replace(dataset=ds, actor=curator, files=[])
    with pytest.raises(DatasetInputError):
        dataset_file_remove(dataset=ds, actor=curator, path="a")


def test_readers_may_not_change_files(draft):
    reader = UserFactory()
    group = GroupFactory(name="readers")
    reader.groups.add(group)
    draft.access_groups.add(group)
    with pytest.raises(DatasetForbidden):
        dataset_files_register(dataset=draft, actor=reader, files=[FileRecord("a", 1)])

"""The one access gate: may this user see this dataset, and its files?

Every page and endpoint (dataset page, JSON API, downloads, search, landing pages, exports,
OAI-PMH, HDF5 preview) asks here. The rules:

* curators and admins see every dataset and its files (roles: :mod:`catalogue.roles`, the one
  table of who may do what; ``is_staff`` alone grants nothing);
* readers and owners of a dataset (its access groups; its owner group and its creator) see that
  dataset in every status before withdrawal, and its files even under embargo;
* everybody else sees published datasets, and their files once ``embargo_until`` has passed;
* a withdrawn dataset is a tombstone (HTTP 410 with the reason) for everyone but curators:
  for the public if it was ever published, for members always; it leaves lists and search.

The same rules exist in three forms that tests keep equal: :func:`dataset_access` for one
dataset, :func:`datasets_visible_to` as a queryset filter, and principals
(:func:`dataset_read_principals` / :func:`user_principals`) for search index filters.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from catalogue.models import Dataset, Status
from catalogue.roles import (  # noqa: F401  (CURATORS_GROUP, user_is_curator: re-exported)
    CURATORS_GROUP,
    user_group_ids,
    user_is_curator,
    user_is_dataset_owner,
    user_is_dataset_reader,
)

PUBLIC = "public"
_group_ids = user_group_ids


def user_is_dataset_member(user, dataset: Dataset) -> bool:
    """Holds a role on the dataset that reads it before publication (reader or owner)."""
    return user_is_dataset_owner(user, dataset) or user_is_dataset_reader(user, dataset)


def files_embargoed(dataset: Dataset, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return dataset.embargo_until is not None and dataset.embargo_until > today


@dataclass(frozen=True)
class DatasetAccess:
    """What one user may do with one dataset."""

    metadata: bool  # may read the record (page, API, exports)
    files: bool  # may list, download and preview its files
    tombstone: bool  # withdrawn and known to this user: answer 410 with the reason
    embargoed_until: datetime.date | None = None  # files closed to this user until then

    @property
    def exists_for_user(self) -> bool:
        """False means: answer 404, revealing nothing."""
        return self.metadata or self.tombstone


NO_ACCESS = DatasetAccess(metadata=False, files=False, tombstone=False)


def dataset_access(*, user, dataset: Dataset, today: datetime.date | None = None) -> DatasetAccess:
    withdrawn = dataset.status == Status.WITHDRAWN
    if user_is_curator(user):
        return DatasetAccess(metadata=True, files=True, tombstone=withdrawn)
    if user_is_dataset_member(user, dataset):
        if withdrawn:
            return DatasetAccess(metadata=False, files=False, tombstone=True)
        return DatasetAccess(metadata=True, files=True, tombstone=False)
    if dataset.status == Status.PUBLISHED:
        embargoed = files_embargoed(dataset, today)
        return DatasetAccess(
            metadata=True,
            files=not embargoed,
            tombstone=False,
            embargoed_until=dataset.embargo_until if embargoed else None,
        )
    if withdrawn and dataset.published_at is not None:
        return DatasetAccess(metadata=False, files=False, tombstone=True)
    return NO_ACCESS


def datasets_visible_to(*, user, queryset: QuerySet | None = None) -> QuerySet:
    """The datasets whose record this user may read (same rule as ``dataset_access.metadata``)."""
    qs = Dataset.objects.all() if queryset is None else queryset
    if user_is_curator(user):
        return qs
    visible = Q(status=Status.PUBLISHED)
    if user is not None and user.is_authenticated and user.is_active:
        groups = _group_ids(user)
        member = Q(created_by_id=user.pk)
        if groups:
            shared = Dataset.access_groups.through.objects.filter(
                dataset_id=OuterRef("pk"), group_id__in=groups
            )
            member |= Q(owner_group_id__in=groups) | Exists(shared)
        visible |= member & ~Q(status=Status.WITHDRAWN)
    return qs.filter(visible)


def datasets_public(queryset: QuerySet | None = None) -> QuerySet:
    """What anonymous visitors (and harvesters) may read."""
    return datasets_visible_to(user=None, queryset=queryset)


def dataset_read_principals(dataset: Dataset) -> list[str]:
    """Who may read the record, as principals for search index documents.

    Curators hold every principal (``user_principals`` returns None), so a withdrawn
    dataset has none: it is in no one's lists.
    """
    if dataset.status == Status.WITHDRAWN:
        return []
    principals = []
    if dataset.status == Status.PUBLISHED:
        principals.append(PUBLIC)
    if dataset.owner_group_id:
        principals.append(f"group:{dataset.owner_group_id}")
    principals += [f"group:{gid}" for gid in dataset.access_groups.values_list("id", flat=True)]
    if dataset.created_by_id:
        principals.append(f"user:{dataset.created_by_id}")
    return sorted(set(principals))


def user_principals(user) -> list[str] | None:
    """The principals a user holds; None means every dataset (curators and admins)."""
    if user_is_curator(user):
        return None
    principals = [PUBLIC]
    if user is not None and user.is_authenticated and user.is_active:
        principals.append(f"user:{user.pk}")
        principals += [f"group:{gid}" for gid in sorted(_group_ids(user))]
    return principals

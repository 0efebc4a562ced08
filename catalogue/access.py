"""The one access gate: may this user see this dataset, and its files?

Every page and endpoint (dataset page, JSON API, downloads, search, landing pages, exports,
OAI-PMH, HDF5 preview) asks here. The rules:

* curators and admins see every dataset and its files (roles: :mod:`catalogue.roles`, the one
  table of who may do what; ``is_staff`` alone grants nothing);
* readers and owners of a dataset (its access groups; its owner group and its creator) see that
  dataset in every status before withdrawal, and its files even under embargo;
* everybody else sees published datasets, and their files once ``embargo_until`` has passed;
* the holder of a live reviewer link (role ``review_link``, :mod:`catalogue.reviewlinks`) sees
  that one dataset and its files in every status before withdrawal, as a reader would, but
  never in lists or search, never edits, and with ``names_hidden`` for a double-blind link
  (callers that cannot hide the names, such as metadata exports, answer 404 then);
* a withdrawn dataset is a tombstone (HTTP 410 with the reason) for everyone but curators:
  for the public if it was ever published, for members always; it leaves lists and search.

Who may *edit* a record (``DatasetAccess.edit``): curators, members of its owner group and its
creator; access-group members only read. Withdrawn records are edited by curators only.

Views look datasets up with :func:`access_dataset`, which returns the dataset and the access
or raises :class:`DatasetNotFound` (answer 404), :class:`DatasetGone` (410 tombstone) or
:class:`DatasetForbidden` (403: may read, may not edit).

The same rules exist in three forms that tests keep equal: :func:`dataset_access` for one
dataset, :func:`datasets_visible_to` as a queryset filter, and principals
(:func:`dataset_read_principals` / :func:`user_principals`) for search index filters.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from catalogue.identifiers import normalize_doi
from catalogue.models import Dataset, Status
from catalogue.roles import (  # noqa: F401  (CURATORS_GROUP, user_is_curator: re-exported)
    CURATORS_GROUP,
    Action,
    user_group_ids,
    user_is_curator,
    user_is_dataset_owner,
    user_is_dataset_reader,
    user_may,
    user_review_grant,
)
from catalogue.snapshot import snapshot_queryset

PUBLIC = "public"
_group_ids = user_group_ids


def user_may_manage_proposals(user) -> bool:
    """Proposals and beamtimes: curators and accounts in ``settings.INGESTOR_GROUP``."""
    from django.conf import settings

    if user_is_curator(user):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.groups.filter(name=settings.INGESTOR_GROUP).exists()


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
    edit: bool = False  # may change the record (owner group, creator, curators)
    review_link: int | None = None  # read through this reviewer link (catalogue.reviewlinks)
    names_hidden: bool = False  # double-blind link: show no creators, owners or other names

    @property
    def exists_for_user(self) -> bool:
        """False means: answer 404, revealing nothing."""
        return self.metadata or self.tombstone


NO_ACCESS = DatasetAccess(metadata=False, files=False, tombstone=False)


def user_may_edit_dataset(user, dataset: Dataset) -> bool:
    """The role table's ``edit`` (catalogue.roles: owners, and curators holding the change
    permission; not readers, not reviewers); a withdrawn record only by curators."""
    if dataset.status == Status.WITHDRAWN and not user_is_curator(user):
        return False
    return user_may(user, Action.EDIT, dataset)


def dataset_access(*, user, dataset: Dataset, today: datetime.date | None = None) -> DatasetAccess:
    withdrawn = dataset.status == Status.WITHDRAWN
    if user_is_curator(user):
        return DatasetAccess(
            metadata=True,
            files=True,
            tombstone=withdrawn,
            edit=user_may_edit_dataset(user, dataset),
        )
    if user_is_dataset_member(user, dataset):
        if withdrawn:
            return DatasetAccess(metadata=False, files=False, tombstone=True)
        return DatasetAccess(
            metadata=True, files=True, tombstone=False, edit=user_may_edit_dataset(user, dataset)
        )
    embargoed = dataset.status == Status.PUBLISHED and files_embargoed(dataset, today)
    grant = user_review_grant(user, dataset)
    if grant is not None and not withdrawn and (dataset.status != Status.PUBLISHED or embargoed):
        # A reviewer link opens what the public does not see yet; what is public anyway is
        # served as public (no names to hide, nothing to log). Noted for the link's use log.
        grant.used = True
        return DatasetAccess(
            metadata=True,
            files=True,
            tombstone=False,
            review_link=grant.link_id,
            names_hidden=grant.anonymous and dataset.status != Status.PUBLISHED,
        )
    if dataset.status == Status.PUBLISHED:
        return DatasetAccess(
            metadata=True,
            files=not embargoed,
            tombstone=False,
            embargoed_until=dataset.embargo_until if embargoed else None,
        )
    if withdrawn and dataset.published_at is not None:
        return DatasetAccess(metadata=False, files=False, tombstone=True)
    return NO_ACCESS


class DatasetNotFound(Exception):
    """No such dataset, or one this user may not know of: answer 404, revealing nothing."""


class DatasetGone(Exception):
    """A withdrawn dataset this user knows of: answer 410 with the tombstone."""

    def __init__(self, dataset: Dataset, access: DatasetAccess):
        super().__init__("This dataset has been withdrawn.")
        self.dataset = dataset
        self.access = access


class DatasetForbidden(Exception):
    """The user may read the record but not do what was asked (edit it): answer 403."""

    def __init__(self, dataset: Dataset, access: DatasetAccess):
        super().__init__("You may not change this dataset.")
        self.dataset = dataset
        self.access = access


NEEDS = ("metadata", "files", "edit")


def access_decide(
    *, user, dataset: Dataset | None, need: str = "metadata", names_hidden_ok: bool = False
) -> DatasetAccess:
    """Decide for an already loaded dataset (None: not found); raises as :func:`access_dataset`.

    For hot paths that load the dataset their own way (the HDF5 preview's one statement).
    ``names_hidden_ok``: the caller shows the record without names when
    ``access.names_hidden`` (the record page); others get 404 for a double-blind link.
    """
    if need not in NEEDS:
        raise ValueError(f"need must be one of {NEEDS}, not {need!r}")
    if dataset is None:
        raise DatasetNotFound
    access = dataset_access(user=user, dataset=dataset)
    if not access.exists_for_user:
        raise DatasetNotFound
    if access.tombstone and not access.metadata:
        raise DatasetGone(dataset, access)
    if need == "files" and not access.files:
        raise DatasetNotFound  # embargoed or closed: nothing tells what exists
    if need == "edit" and not access.edit:
        raise DatasetForbidden(dataset, access)
    if need == "metadata" and access.names_hidden and not names_hidden_ok:
        raise DatasetNotFound  # would show who made it to a double-blind reviewer
    return access


def access_dataset(
    *,
    user,
    pid=None,
    doi: str | None = None,
    need: str = "metadata",
    queryset: QuerySet | None = None,
    names_hidden_ok: bool = False,
) -> tuple[Dataset, DatasetAccess]:
    """Look a dataset up by ``pid`` or ``doi`` and decide what ``user`` may do with it.

    Returns ``(dataset, access)``, the dataset loaded with what its snapshot needs (or from
    ``queryset``). Raises :class:`DatasetNotFound` for unknown or invisible datasets (also for
    malformed pids and DOIs, and for ``need="files"`` when the files are closed to the user),
    :class:`DatasetGone` for a tombstone the user knows of (curators get the withdrawn record
    with ``access.tombstone`` set instead), and :class:`DatasetForbidden` for ``need="edit"``
    when the user may read but not edit. A DOI is matched case-insensitively.
    ``names_hidden_ok`` as for :func:`access_decide`.
    """
    if (pid is None) == (doi is None):
        raise ValueError("Give exactly one of pid and doi.")
    qs = snapshot_queryset() if queryset is None else queryset
    if pid is not None:
        try:
            key = {"pid": uuid.UUID(str(pid))}
        except ValueError:
            raise DatasetNotFound from None
    else:
        try:
            key = {"doi": normalize_doi(doi)}
        except ValueError:
            raise DatasetNotFound from None
    dataset = qs.filter(**key).first()
    return dataset, access_decide(
        user=user, dataset=dataset, need=need, names_hidden_ok=names_hidden_ok
    )


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


def datasets_listed_to_owner(*, user, queryset: QuerySet | None = None) -> QuerySet:
    """What "My datasets" lists: the records this user may read, and the tombstones of the
    withdrawn records they own (creator or owner group). A tombstone is public anyway (its
    page answers 410 with the title, the DOI and the reason to everyone), so listing it adds
    nothing to what the user may read; it only keeps a withdrawn record in its owner's list."""
    qs = Dataset.objects.all() if queryset is None else queryset
    visible = datasets_visible_to(user=user, queryset=qs)
    if user is None or not user.is_authenticated or not user.is_active:
        return visible
    owned = Q(created_by_id=user.pk)
    groups = _group_ids(user)
    if groups:
        owned |= Q(owner_group_id__in=groups)
    tombstones = qs.filter(owned, status=Status.WITHDRAWN)
    return qs.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=tombstones.values("pk")))


def user_sees_unpublished(user) -> bool:
    """May the gate show this user any record before (or other than) publication?

    Curators always; other users when :func:`datasets_visible_to` holds, for them, a record in
    a status other than published (their groups' or their own drafts, submissions…).
    Anonymous visitors never. The search's status facet is offered on this answer.
    """
    if user_is_curator(user):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return (
        datasets_visible_to(user=user)
        .exclude(status__in=(Status.PUBLISHED, Status.WITHDRAWN))
        .exists()
    )


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

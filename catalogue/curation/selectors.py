"""Reads of curation: the conversation, "My datasets" and the review queue."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from catalogue.access import datasets_listed_to_owner
from catalogue.checklist import checklist_blocking, checklist_summary, dataset_checklist
from catalogue.models import Dataset, DatasetEvent, Status

REVIEW_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED)


def dataset_conversation(*, dataset: Dataset) -> QuerySet:
    """Comments, transitions and recorded edits, oldest first."""
    return dataset.events.select_related("actor").order_by("created_at", "id")


def _with_last_event(qs: QuerySet) -> QuerySet:
    last = DatasetEvent.objects.filter(dataset=OuterRef("pk")).order_by("-created_at", "-id")
    return qs.annotate(
        last_event_at=Subquery(last.values("created_at")[:1]),
        last_event_kind=Subquery(last.values("kind")[:1]),
        last_event_actor=Subquery(last.values("actor_name")[:1]),
        last_event_to=Subquery(last.values("to_status")[:1]),
    )


# What the owner does next, per status.
NEXT_STEP = {
    Status.DRAFT: _("Complete the checklist and submit."),
    Status.SUBMITTED: _("Waiting for a curator."),
    Status.IN_REVIEW: _("A curator is reviewing it."),
    Status.CHANGES_REQUESTED: _("Read the curator's comment, change the record, resubmit."),
    Status.APPROVED: _("Approved: a curator publishes it."),
    Status.PUBLISHED: _("Published."),
    Status.WITHDRAWN: _("Withdrawn."),
    Status.DECLINED: _("Declined: read the reason; you may reopen it as a draft."),
}


def datasets_of_user(*, user, status: str | None = None) -> QuerySet:
    """ "My datasets": what the user owns or reads (curators: their own and assigned ones)."""
    if user is None or not user.is_authenticated:
        return Dataset.objects.none()
    groups = list(user.groups.values_list("id", flat=True))
    mine = Q(created_by_id=user.pk) | Q(owner_group_id__in=groups) | Q(access_groups__in=groups)
    mine |= Q(assignee_id=user.pk)
    qs = datasets_listed_to_owner(user=user, queryset=Dataset.objects.filter(mine).distinct())
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("facility", "instrument").order_by("-updated_at")
    return _with_last_event(qs)


def with_waiting_since(qs: QuerySet) -> QuerySet:
    """Annotates who submitted a dataset last (``submitted_by``), when (``submitted_at``) and
    since when it has had its status (``status_since``): the review queue and the admin's
    list columns."""
    submitted = DatasetEvent.objects.filter(
        dataset=OuterRef("pk"), kind=DatasetEvent.Kind.TRANSITION, to_status=Status.SUBMITTED
    ).order_by("-created_at", "-id")
    since = DatasetEvent.objects.filter(
        dataset=OuterRef("pk"), kind=DatasetEvent.Kind.TRANSITION
    ).order_by("-created_at", "-id")
    return qs.annotate(
        submitted_at=Subquery(submitted.values("created_at")[:1]),
        submitted_by=Subquery(submitted.values("actor_name")[:1]),
        status_since=Subquery(since.values("created_at")[:1]),
    )


def waiting_since(ds: Dataset) -> datetime.datetime | None:
    """Since when a dataset under review has waited (its last submission, else its last
    move; with changes requested: since the request); None when nobody is waited for.
    Needs :func:`with_waiting_since`."""
    if ds.status == Status.CHANGES_REQUESTED:
        return ds.status_since  # waiting for the owner
    if ds.status not in REVIEW_STATUSES:
        return None
    return ds.submitted_at or ds.status_since


@dataclass
class QueueRow:
    dataset: Dataset
    status_label: str
    waiting_since: datetime.datetime | None
    submitter: str
    assignee: str
    checklist: dict
    blocking: list


def review_queue(*, facility: str | None = None, instrument: str | None = None,
                 status: str | None = None, assignee=None) -> list[QueueRow]:  # fmt: skip
    """Datasets waiting for curators, the longest-waiting first."""
    qs = Dataset.objects.filter(status__in=[status] if status else REVIEW_STATUSES)
    if facility:
        qs = qs.filter(facility__code=facility)
    if instrument:
        qs = qs.filter(instrument__code=instrument)
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee is not None:
        qs = qs.filter(assignee=assignee)
    qs = with_waiting_since(qs).select_related("facility", "instrument", "assignee")
    rows = []
    for ds in qs.order_by("submitted_at", "pk"):
        items = dataset_checklist(ds)
        rows.append(QueueRow(
            dataset=ds, status_label=Status(ds.status).label,
            waiting_since=ds.submitted_at or ds.status_since, submitter=ds.submitted_by or "",
            assignee=ds.assignee.get_username() if ds.assignee else "",
            checklist=checklist_summary(items), blocking=checklist_blocking(items),
        ))  # fmt: skip
    return rows

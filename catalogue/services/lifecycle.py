"""Lifecycle transitions of a dataset: draft → submitted → in review → approved → published.

One function per transition. Each locks the row, checks the move against
``catalogue.models.dataset.TRANSITIONS`` and the actor's role (``catalogue.roles.user_may``),
writes a DatasetEvent, and raises TransitionError (shown to people and API clients as a 4xx)
for anything not allowed.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.models import Dataset, DatasetEvent, Status
from catalogue.models.dataset import TRANSITIONS
from catalogue.roles import Action, user_may
from catalogue.services.changes import datasets_changed
from doi.identifiers import doi_for_dataset


class TransitionError(Exception):
    """A lifecycle move that is not allowed; the message says why, for people."""


# DataCite 4.6 mandatory properties (other than the identifier, which is minted on
# publication), by the names the DataCite schema gives them.
def datacite_missing_properties(dataset: Dataset) -> list[str]:
    missing = []
    if not dataset.title.strip():
        missing.append("titles")
    if not dataset.pk or not dataset.creators.exists():
        missing.append("creators")
    if not dataset.publisher.strip():
        missing.append("publisher")
    if not dataset.publication_year:
        missing.append("publicationYear")
    if not dataset.resource_type_general:
        missing.append("resourceType")
    return missing


# What a refused actor is told, per action (the role table says who holds it).
_REFUSAL = {
    Action.SUBMIT: "Only the dataset's owners or a curator may do this.",
    Action.REVIEW: "Only curators with the review permission may do this.",
    Action.PUBLISH: "Only curators with the publish permission may do this.",
    Action.WITHDRAW: "Only curators with the withdraw permission may do this.",
}


@transaction.atomic
def _transition(*, dataset: Dataset, to: str, actor, comment: str = "") -> Dataset:
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    current = locked.status
    action = TRANSITIONS.get((current, to))
    if action is None:
        raise TransitionError(
            f"A dataset cannot go from {Status(current).label.lower()} "
            f"to {Status(to).label.lower()}."
        )
    if actor is not None and not user_may(actor, action, locked):
        raise TransitionError(_REFUSAL.get(action, "You may not do this."))
    if to not in (Status.DRAFT, Status.WITHDRAWN):
        missing = datacite_missing_properties(locked)
        if missing:
            raise TransitionError(
                "The dataset lacks DataCite mandatory properties: " + ", ".join(missing) + "."
            )
    now = timezone.now()
    locked.status = to
    if to == Status.PUBLISHED:
        locked.published_at = locked.published_at or now
        if not locked.doi and settings.DOI_PREFIX:
            locked.doi = doi_for_dataset(
                prefix=settings.DOI_PREFIX,
                pid=locked.pid,
                facility_code=locked.facility.code if locked.facility_id else None,
            )
    if to == Status.WITHDRAWN:
        locked.withdrawn_at = now
        locked.withdrawal_reason = comment
    locked.save()
    DatasetEvent.objects.create(
        dataset=locked,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        from_status=current,
        to_status=to,
        comment=comment,
    )
    # Search and OAI-PMH see the new status (and who may read it) once this commits.
    datasets_changed([locked.pk])
    return locked


def dataset_submit(*, dataset: Dataset, actor, comment: str = "") -> Dataset:
    return _transition(dataset=dataset, to=Status.SUBMITTED, actor=actor, comment=comment)


def dataset_retract(*, dataset: Dataset, actor, comment: str = "") -> Dataset:
    """The owners take a submission back to draft."""
    return _transition(dataset=dataset, to=Status.DRAFT, actor=actor, comment=comment)


def dataset_start_review(*, dataset: Dataset, actor, comment: str = "") -> Dataset:
    return _transition(dataset=dataset, to=Status.IN_REVIEW, actor=actor, comment=comment)


def dataset_request_changes(*, dataset: Dataset, actor, comment: str) -> Dataset:
    if not comment.strip():
        raise TransitionError("Say which changes are needed.")
    return _transition(dataset=dataset, to=Status.CHANGES_REQUESTED, actor=actor, comment=comment)


def dataset_approve(*, dataset: Dataset, actor, comment: str = "") -> Dataset:
    return _transition(dataset=dataset, to=Status.APPROVED, actor=actor, comment=comment)


def dataset_publish(*, dataset: Dataset, actor, comment: str = "") -> Dataset:
    """Publish: the record becomes public and gets its DOI under PORTAL_DOI_PREFIX."""
    return _transition(dataset=dataset, to=Status.PUBLISHED, actor=actor, comment=comment)


def dataset_withdraw(*, dataset: Dataset, actor, reason: str) -> Dataset:
    """Withdraw a published dataset; its DOI keeps resolving to a tombstone with the reason."""
    if not reason.strip():
        raise TransitionError("A withdrawal needs a reason; it is shown on the tombstone page.")
    return _transition(dataset=dataset, to=Status.WITHDRAWN, actor=actor, comment=reason)


# Named transitions, for the admin and (later) the on-site review pages.
TRANSITION_FUNCTIONS = {
    Status.SUBMITTED: dataset_submit,
    Status.IN_REVIEW: dataset_start_review,
    Status.APPROVED: dataset_approve,
    Status.PUBLISHED: dataset_publish,
}

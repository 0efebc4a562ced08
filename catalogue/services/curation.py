"""The conversation of a dataset and the review queue's claim/assign.

A comment is a ``DatasetEvent(kind="comment")``: the same list as the transitions and the
recorded edits, so owners and curators read one conversation, in order
(:func:`catalogue.curation.selectors.dataset_conversation`). Who may comment: whoever may edit
the record (owners, curators). Readers only read.
"""

from django.db import transaction

from catalogue.access import access_decide
from catalogue.models import Dataset, DatasetEvent
from catalogue.roles import Action, user_is_curator, user_may
from catalogue.services.errors import DatasetInputError

COMMENT_MAX_LENGTH = 10_000


def _actor_fields(actor) -> dict:
    authenticated = actor is not None and actor.is_authenticated
    return {"actor": actor if authenticated else None,
            "actor_name": actor.get_username() if authenticated else ""}  # fmt: skip


@transaction.atomic
def dataset_comment(*, dataset: Dataset, actor, comment: str) -> DatasetEvent:
    """Add a comment to the conversation; the other side hears of it by e-mail after commit."""
    access_decide(user=actor, dataset=dataset, need="edit")  # DatasetForbidden for readers
    comment = (comment or "").strip()
    if not comment:
        raise DatasetInputError({"comment": ["Write a comment."]})
    if len(comment) > COMMENT_MAX_LENGTH:
        raise DatasetInputError({"comment": [f"At most {COMMENT_MAX_LENGTH} characters."]})
    event = DatasetEvent.objects.create(
        dataset=dataset,
        kind=DatasetEvent.Kind.COMMENT,
        from_status=dataset.status,
        to_status=dataset.status,
        comment=comment,
        **_actor_fields(actor),
    )
    from catalogue.services.notifications import notify_event

    notify_event(event=event)
    return event


@transaction.atomic
def dataset_assign(*, dataset: Dataset, actor, assignee) -> Dataset:
    """Claim (``assignee=actor``), assign to another curator, or release (``None``)."""
    if not user_may(actor, Action.REVIEW, dataset):
        raise DatasetInputError({"assignee": ["Only curators with the review permission assign."]})
    if assignee is not None and not user_may(assignee, Action.REVIEW, dataset):
        raise DatasetInputError({"assignee": [f"{assignee} is not a curator who reviews."]})
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    locked.assignee = assignee
    locked.save(update_fields=["assignee"])
    return locked


def user_may_comment(user, dataset: Dataset) -> bool:
    from catalogue.access import dataset_access

    return user_is_curator(user) or dataset_access(user=user, dataset=dataset).edit

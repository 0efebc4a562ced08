"""Lifecycle of a dataset: the one transition table, and one function per move.

:data:`TRANSITIONS` is **the** table: each entry says from which status to which, the action
it needs (:mod:`catalogue.roles`, the one table of who may do what), its label, whether a
comment is required, and the service function that makes it. The admin's buttons and bulk
actions, the on-site curation panel and review queue, and ``/api/v1/datasets/<pid>/transitions``
iterate it (:func:`transitions_for`); nothing else lists moves, labels or roles.

Every function locks the row, checks the move against the table and the actor's role, writes
one ``DatasetEvent(kind="transition")`` and announces ``datasets_changed`` after commit. When
the status changed since the caller read it (two curators at once), the second caller gets
:class:`TransitionConflict` and nothing is written: one wins, no double event. Errors:

* :class:`TransitionError` (answer 400): the move is not allowed now, a comment is missing;
* :class:`ChecklistBlocked` (400): blocking checklist items are open (``.items``);
* :class:`TransitionRefused` (403): the actor's role does not allow it;
* :class:`TransitionConflict` (409): the status changed meanwhile (``.status`` is the current).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.models import Dataset, DatasetConcept, DatasetEvent, Status
from catalogue.roles import Action, user_may
from catalogue.services.bulk import insert_new
from catalogue.services.changes import datasets_changed
from catalogue.services.versions import concept_publish, concept_refresh
from doi.services import DoiReservationError, doi_reserve


class TransitionError(Exception):
    """A lifecycle move that is not allowed; the message says why, for people."""


class TransitionRefused(TransitionError):
    """The actor's role does not allow this move (answer 403)."""


class TransitionConflict(TransitionError):
    """Somebody else moved the dataset since the caller read it (answer 409)."""

    def __init__(self, message: str, *, status: str):
        super().__init__(message)
        self.status = status


class ChecklistBlocked(TransitionError):
    """Blocking checklist items are open; ``items`` lists them."""

    def __init__(self, items):
        super().__init__(
            "Before submitting, close the blocking checklist items: "
            + " ".join(i.message for i in items)
        )
        self.items = items


# DataCite 4.6 mandatory properties (other than the identifier, which is minted on
# publication), by the names the DataCite schema gives them.
def datacite_missing_properties(dataset: Dataset, *, has_creators: bool | None = None) -> list[str]:
    missing = []
    if not dataset.title.strip():
        missing.append("titles")
    if has_creators is None:
        has_creators = bool(dataset.pk) and dataset.creators.exists()
    if not has_creators:
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
    Action.SUBMIT: _("Only the dataset's owners or a curator may do this."),
    Action.REVIEW: _("Only curators with the review permission may do this."),
    Action.PUBLISH: _("Only curators with the publish permission may do this."),
    Action.WITHDRAW: _("Only curators with the withdraw permission may do this."),
}


def _label(status: str) -> str:
    # "a dataset cannot go from draft to published"; German keeps its nouns capitalised.
    label = str(Status(status).label)
    return label.lower() if (translation.get_language() or "en").startswith("en") else label


@transaction.atomic
def _transition(
    *,
    dataset: Dataset,
    to: str,
    actor,
    comment: str = "",
    expected_status: str | None = None,
    system: bool = False,
) -> Dataset:
    """Make the move from the status the caller saw (``expected_status``, else the status of
    the ``dataset`` object it holds) to ``to``. ``system``: the system's own entries of the
    table may be used too (never with an actor)."""
    if system and actor is not None:
        raise TransitionRefused(gettext("Only the system makes this move."))
    expected = expected_status or dataset.status
    if to in (Status.PUBLISHED, Status.WITHDRAWN):
        # Moves that change a record's versions lock its concept first (always concept, then
        # versions: catalogue.services.versions), so two of them never wait in a cycle.
        concept_id = Dataset.objects.filter(pk=dataset.pk).values_list("concept_id", flat=True)
        DatasetConcept.objects.select_for_update().filter(pk__in=concept_id).first()
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    current = locked.status
    if current != expected:
        raise TransitionConflict(
            gettext(
                "Somebody else changed this dataset meanwhile: it is now %(current)s "
                "(you saw it %(seen)s). Nothing was done; reload and look again."
            )
            % {"current": _label(current), "seen": _label(expected)},
            status=current,
        )
    entry = _entry(current, to, system=system)
    if entry is None:
        raise TransitionError(
            gettext("A dataset cannot go from %(source)s to %(to)s.")
            % {"source": _label(current), "to": _label(to)}
        )
    if actor is not None and not user_may(actor, entry.action, locked):
        raise TransitionRefused(str(_REFUSAL.get(entry.action, gettext("You may not do this."))))
    if entry.comment_required and not comment.strip():
        raise TransitionError(str(entry.comment_prompt))
    if to not in (Status.DRAFT, Status.WITHDRAWN, Status.DECLINED):
        missing = datacite_missing_properties(locked)
        if missing:
            raise TransitionError(
                "The dataset lacks DataCite mandatory properties: " + ", ".join(missing) + "."
            )
    # The checklist is for people's submissions; the system (``actor=None``: an import of what
    # a source already published, the demo) moves by the operator's decision, as it writes.
    if entry.checklist and actor is not None:
        from catalogue.checklist import checklist_blocking, dataset_checklist

        blocking = checklist_blocking(dataset_checklist(locked))
        if blocking:
            raise ChecklistBlocked(blocking)
    now = timezone.now()
    changed = [locked.pk]
    locked.status = to
    if to == Status.PUBLISHED:
        locked.published_at = locked.published_at or now
    if to in (Status.APPROVED, Status.PUBLISHED):
        # The DOI is reserved at approval (a draft at DataCite), at the latest at publication;
        # doi.apps registers it with DataCite once this commits.
        try:
            doi_reserve(dataset=locked)
            if to == Status.PUBLISHED:
                # The record's concept (created at its first publication, with the concept
                # DOI) and this version's number; older versions become superseded.
                changed += concept_publish(dataset=locked)
        except DoiReservationError as exc:
            if to == Status.PUBLISHED:
                raise TransitionError(str(exc)) from exc
    if to == Status.WITHDRAWN:
        locked.withdrawn_at = now
        locked.withdrawal_reason = comment
    locked.save()
    if to == Status.WITHDRAWN and locked.concept_id is not None:
        changed += concept_refresh(concept=locked.concept)
    event = DatasetEvent.objects.create(
        dataset=locked,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        from_status=current,
        to_status=to,
        comment=comment,
        kind=DatasetEvent.Kind.TRANSITION,
    )
    # Search and OAI-PMH see the new status (and who may read it) once this commits.
    datasets_changed(changed)
    from catalogue.services.notifications import notify_event

    notify_event(event=event)
    return locked


@transaction.atomic
def datasets_move_as_system(*, datasets: list[Dataset], to: str, comment: str = "") -> list:
    """:func:`_transition` for many datasets at once, by the system (``actor=None``: imports
    of what a source already published). The same rules per record, from the one table (its
    system entries included, such as draft -> published for an import): the move must be in
    it from each record's current status, a required comment given, DataCite's mandatory
    properties present, the DOI reserved at approval/publication, a first publication's
    concept made with its concept DOI and version number (versions.concepts_publish), a
    withdrawal's concept refreshed; concepts locked before their versions; one event per
    record; one UPDATE per record; one ``datasets_changed`` for all. Any record that may not
    move raises TransitionError naming it, and nothing moves. Returns the locked, moved
    datasets."""
    from catalogue.models import Creator
    from catalogue.services.versions import VersionError, concepts_publish
    from doi.services import doi_reserve_many

    if not datasets:
        return []
    pks = sorted({d.pk for d in datasets})
    if to in (Status.PUBLISHED, Status.WITHDRAWN):
        # Always concept, then versions (as _transition and catalogue.services.versions).
        concept_ids = (
            Dataset.objects.filter(pk__in=pks, concept__isnull=False)
            .values_list("concept_id", flat=True)
            .distinct()
        )
        list(
            DatasetConcept.objects.select_for_update()
            .filter(pk__in=list(concept_ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    locked = list(
        Dataset.objects.select_for_update(of=("self",))
        .select_related("facility")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    with_creators = set(
        Creator.objects.filter(dataset__in=locked).values_list("dataset_id", flat=True)
    )
    now = timezone.now()
    moves = []
    for ds in locked:
        current = ds.status
        entry = _entry(current, to, system=True)
        if entry is None:
            raise TransitionError(
                f"{ds.pid}: a dataset cannot go from {_label(current)} to {_label(to)}."
            )
        if entry.comment_required and not comment.strip():
            raise TransitionError(entry.comment_prompt)
        if to not in (Status.DRAFT, Status.WITHDRAWN, Status.DECLINED):
            missing = datacite_missing_properties(ds, has_creators=ds.pk in with_creators)
            if missing:
                raise TransitionError(
                    f"{ds.pid}: the dataset lacks DataCite mandatory properties: "
                    + ", ".join(missing) + "."
                )  # fmt: skip
        moves.append((ds, current))
        ds.status = to
        if to == Status.PUBLISHED:
            ds.published_at = ds.published_at or now
        if to == Status.WITHDRAWN:
            ds.withdrawn_at = now
            ds.withdrawal_reason = comment
        ds.updated_at = now
    changed = list(pks)
    if to in (Status.APPROVED, Status.PUBLISHED):
        try:
            doi_reserve_many(datasets=locked)
            if to == Status.PUBLISHED:
                changed += concepts_publish(datasets=locked)
        except DoiReservationError as exc:
            if to == Status.PUBLISHED:
                raise TransitionError(str(exc)) from exc
        except VersionError as exc:
            raise TransitionError(str(exc)) from exc
    for ds in locked:
        if ds.doi:
            ds.doi = ds.doi.strip().lower()  # the stored form (Dataset.save)
    _save_moved(locked)
    if to == Status.WITHDRAWN:
        for concept_id in sorted({ds.concept_id for ds in locked if ds.concept_id}):
            changed += concept_refresh(concept=DatasetConcept.objects.get(pk=concept_id))
    events = DatasetEvent.objects.bulk_create(
        [DatasetEvent(dataset=ds, actor=None, actor_name="", from_status=current, to_status=to,
                      comment=comment, kind=DatasetEvent.Kind.TRANSITION)
         for ds, current in moves]
    )  # fmt: skip
    datasets_changed(changed)
    from catalogue.services.notifications import notify_events

    notify_events(events=events)
    return locked


def datasets_publish_new_as_system(
    *, datasets: list[Dataset], has_creators: list[bool], comment: str = ""
) -> Callable[[], None]:
    """The system's move draft -> published (the table's entry "imported as published") for
    new records, made as they are created, so each row is inserted once in its final state
    instead of inserted as a draft and rewritten (imports: ``datasets_create_many(…,
    published=…)`` calls this). Before the INSERT, for the unsaved drafts: the table must
    allow the move, DataCite's mandatory properties be present (``has_creators[i]``: the
    record brings creators), then the DOI (kept or fresh) and a new concept with its concept
    DOI are reserved, version 1, not superseded, published now. Returns what runs after the
    INSERT: the DOI registrations and one audit event per record (from draft, as the move
    :func:`datasets_move_as_system` makes writes). Any record that may not be published raises
    TransitionError naming it, before anything is written."""
    from doi.services import doi_hold_new_published, doi_reserve_new_published

    if not datasets:
        return lambda: None
    entry = _entry(Status.DRAFT, Status.PUBLISHED, system=True)
    now = timezone.now()
    for ds, creators in zip(datasets, has_creators, strict=True):
        if entry is None or ds.status != Status.DRAFT:
            raise TransitionError(
                f"{ds.pid}: a dataset cannot go from {_label(ds.status)} to "
                f"{_label(Status.PUBLISHED)}."
            )
        missing = datacite_missing_properties(ds, has_creators=creators)
        if missing:
            raise TransitionError(
                f"{ds.pid}: the dataset lacks DataCite mandatory properties: "
                + ", ".join(missing) + "."
            )  # fmt: skip
    try:
        doi_reserve_new_published(datasets=datasets)
    except DoiReservationError as exc:
        raise TransitionError(str(exc)) from exc
    for ds in datasets:
        ds.status = Status.PUBLISHED
        ds.published_at = ds.published_at or now
        ds.version_number = ds.version_number or 1
        ds.superseded = False

    def after_insert() -> None:
        from catalogue.services.notifications import notify_events

        doi_hold_new_published(datasets=datasets)
        events = [DatasetEvent(dataset=ds, actor=None, actor_name="", from_status=Status.DRAFT,
                               to_status=Status.PUBLISHED, comment=comment,
                               kind=DatasetEvent.Kind.TRANSITION)
                  for ds in datasets]  # fmt: skip
        insert_new(DatasetEvent, events)
        notify_events(events=events)

    return after_insert


# What a move changes on a dataset's row (the batch move writes them in one UPDATE per row).
_MOVED_FIELDS = (
    "status", "updated_at", "published_at", "withdrawn_at", "withdrawal_reason", "doi",
    "concept", "version_number", "superseded",
)  # fmt: skip


def _save_moved(datasets: list[Dataset]) -> None:
    """Write the moved fields of these datasets: on PostgreSQL one UPDATE … FROM unnest(…)
    (every row once: each UPDATE of a row rewrites its 20 index entries, and bulk_update's CASE
    per row and field costs seconds for thousands), elsewhere bulk_update."""
    if connection.vendor != "postgresql":
        Dataset.objects.bulk_update(datasets, list(_MOVED_FIELDS), batch_size=500)
        return
    columns = {
        "id": ("bigint", lambda d: d.pk),
        "status": ("varchar", lambda d: d.status),
        "updated_at": ("timestamptz", lambda d: d.updated_at),
        "published_at": ("timestamptz", lambda d: d.published_at),
        "withdrawn_at": ("timestamptz", lambda d: d.withdrawn_at),
        "withdrawal_reason": ("text", lambda d: d.withdrawal_reason),
        "doi": ("varchar", lambda d: d.doi or None),
        "concept_id": ("bigint", lambda d: d.concept_id),
        "version_number": ("integer", lambda d: d.version_number),
        "superseded": ("boolean", lambda d: d.superseded),
    }
    table = Dataset._meta.db_table
    sets = ", ".join(f"{name} = v.{name}" for name in columns if name != "id")
    arrays = ", ".join(f"%s::{kind}[]" for kind, _get in columns.values())
    # Names from the model and this table only; every value is bound.
    names = ", ".join(columns)
    sql = f"UPDATE {table} AS d SET {sets} FROM unnest({arrays}) AS v({names}) WHERE d.id = v.id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [[get(d) for d in datasets] for _kind, get in columns.values()])


def dataset_submit(
    *, dataset: Dataset, actor, comment: str = "", expected_status: str | None = None
) -> Dataset:
    """Submit for review (from draft, or again after changes were requested). Needs every
    blocking checklist item closed (:mod:`catalogue.checklist`)."""
    return _transition(dataset=dataset, to=Status.SUBMITTED, actor=actor, comment=comment,
                       expected_status=expected_status)  # fmt: skip


def dataset_retract(
    *, dataset: Dataset, actor, comment: str = "", expected_status: str | None = None
) -> Dataset:
    """The owners take a submission back to draft."""
    return _transition(dataset=dataset, to=Status.DRAFT, actor=actor, comment=comment,
                       expected_status=expected_status)  # fmt: skip


def dataset_reopen(
    *, dataset: Dataset, actor, comment: str = "", expected_status: str | None = None
) -> Dataset:
    """The owners reopen a declined dataset as a draft."""
    return _transition(dataset=dataset, to=Status.DRAFT, actor=actor, comment=comment,
                       expected_status=expected_status or Status.DECLINED)  # fmt: skip


def dataset_start_review(
    *, dataset: Dataset, actor, comment: str = "", expected_status: str | None = None
) -> Dataset:
    return _transition(dataset=dataset, to=Status.IN_REVIEW, actor=actor, comment=comment,
                       expected_status=expected_status)  # fmt: skip


def dataset_request_changes(
    *, dataset: Dataset, actor, comment: str, expected_status: str | None = None
) -> Dataset:
    return _transition(dataset=dataset, to=Status.CHANGES_REQUESTED, actor=actor,
                       comment=comment, expected_status=expected_status)  # fmt: skip


def dataset_decline(
    *, dataset: Dataset, actor, comment: str, expected_status: str | None = None
) -> Dataset:
    """Close a submission with a reason (the owners may reopen it as a draft)."""
    return _transition(dataset=dataset, to=Status.DECLINED, actor=actor, comment=comment,
                       expected_status=expected_status)  # fmt: skip


def dataset_approve(
    *, dataset: Dataset, actor, comment: str = "", expected_status: str | None = None
) -> Dataset:
    return _transition(dataset=dataset, to=Status.APPROVED, actor=actor, comment=comment,
                       expected_status=expected_status)  # fmt: skip


def dataset_publish(
    *, dataset: Dataset, actor, comment: str = "", expected_status: str | None = None
) -> Dataset:
    """Publish: the record becomes public; its DOI (PORTAL_DATACITE_PREFIX) is registered."""
    return _transition(dataset=dataset, to=Status.PUBLISHED, actor=actor, comment=comment,
                       expected_status=expected_status)  # fmt: skip


def dataset_withdraw(
    *, dataset: Dataset, actor, reason: str, expected_status: str | None = None
) -> Dataset:
    """Withdraw a published dataset; its DOI keeps resolving to a tombstone with the reason."""
    if not reason.strip():
        raise TransitionError(
            gettext("A withdrawal needs a reason; it is shown on the tombstone page.")
        )
    return _transition(dataset=dataset, to=Status.WITHDRAWN, actor=actor, comment=reason,
                       expected_status=expected_status)  # fmt: skip


def dataset_import_published(
    *, dataset: Dataset, actor=None, comment: str = "", expected_status: str | None = None
) -> Dataset:
    """The system's one move for a record whose source already published it (import_scicat:
    importing is the operator's decision): from draft straight to published, with one event,
    the DOI (a kept one, else a fresh one) and the concept as at any first publication. No
    person makes it (a system entry of the table: no button, no API move)."""
    return _transition(dataset=dataset, to=Status.PUBLISHED, actor=actor, comment=comment,
                       expected_status=expected_status, system=True)  # fmt: skip


@dataclass(frozen=True)
class Transition:
    """One allowed move."""

    source: str  # from this status
    to: str
    action: Action  # what the actor's role must allow (catalogue.roles)
    label: str  # the button
    comment_required: bool
    service: Callable[..., Dataset]
    checklist: bool = False  # every blocking checklist item must be closed
    comment_prompt: str = _("Add a comment.")
    comment_argument: str = "comment"  # the service's keyword for the comment
    # The system's own move (actor=None: imports): never offered to anybody, never made by a
    # person (transitions_for, the admin and the API leave it out).
    system: bool = False

    def run(self, *, dataset: Dataset, actor, comment: str = "") -> Dataset:
        return self.service(dataset=dataset, actor=actor, expected_status=self.source,
                            **{self.comment_argument: comment})  # fmt: skip


_S = Status
# THE table. Order: how buttons are shown (the forward move first).
TRANSITIONS: tuple[Transition, ...] = (
    Transition(_S.DRAFT, _S.SUBMITTED, Action.SUBMIT, _("Submit for review"), False,
               dataset_submit, checklist=True),
    Transition(_S.SUBMITTED, _S.IN_REVIEW, Action.REVIEW, _("Start review"), False,
               dataset_start_review),
    Transition(_S.SUBMITTED, _S.DRAFT, Action.SUBMIT, _("Take back to draft"), False,
               dataset_retract),
    Transition(_S.IN_REVIEW, _S.APPROVED, Action.REVIEW, _("Approve"), False, dataset_approve),
    Transition(_S.IN_REVIEW, _S.CHANGES_REQUESTED, Action.REVIEW, _("Request changes"), True,
               dataset_request_changes, comment_prompt=_("Say which changes are needed.")),
    Transition(_S.IN_REVIEW, _S.DECLINED, Action.REVIEW, _("Decline"), True, dataset_decline,
               comment_prompt=_("Say why the dataset is declined.")),
    Transition(_S.CHANGES_REQUESTED, _S.SUBMITTED, Action.SUBMIT, _("Resubmit"), False,
               dataset_submit, checklist=True),
    Transition(_S.CHANGES_REQUESTED, _S.DRAFT, Action.SUBMIT, _("Back to draft"), False,
               dataset_retract),
    Transition(_S.DECLINED, _S.DRAFT, Action.SUBMIT, _("Reopen as draft"), False, dataset_reopen),
    Transition(_S.APPROVED, _S.PUBLISHED, Action.PUBLISH, _("Publish (mint DOI)"), False,
               dataset_publish),
    Transition(_S.APPROVED, _S.IN_REVIEW, Action.REVIEW, _("Back to review"), False,
               dataset_start_review),
    Transition(_S.PUBLISHED, _S.WITHDRAWN, Action.WITHDRAW, _("Withdraw"), True, dataset_withdraw,
               comment_prompt=_("A withdrawal needs a reason; it is shown on the tombstone page."),
               comment_argument="reason"),
    # The system's: a record its source already published is imported as published, in one
    # audited step (not four moves through a review nobody held here).
    Transition(_S.DRAFT, _S.PUBLISHED, Action.PUBLISH, _("Imported as published"), False,
               dataset_import_published, system=True),
)  # fmt: skip
# The moves people make (buttons, admin, API), and the system's own, keyed (from, to).
TRANSITION_TABLE: dict[tuple[str, str], Transition] = {
    (t.source, t.to): t for t in TRANSITIONS if not t.system
}
SYSTEM_TRANSITION_TABLE: dict[tuple[str, str], Transition] = {
    (t.source, t.to): t for t in TRANSITIONS if t.system
}


def _entry(source: str, to: str, *, system: bool) -> Transition | None:
    """The table's entry for a move; the system may use its own entries as well."""
    entry = TRANSITION_TABLE.get((source, to))
    if entry is None and system:
        entry = SYSTEM_TRANSITION_TABLE.get((source, to))
    return entry


def transitions_for(*, dataset: Dataset, user) -> list[Transition]:
    """The moves ``user`` may make on ``dataset`` now (table order)."""
    return [
        t
        for t in TRANSITIONS
        if not t.system and t.source == dataset.status and user_may(user, t.action, dataset)
    ]


def dataset_transition(*, dataset: Dataset, to: str, actor, comment: str = "",
                       expected_status: str | None = None) -> Dataset:  # fmt: skip
    """Make the move to ``to`` from the status the caller saw (the API and the pages)."""
    source = expected_status or dataset.status
    entry = TRANSITION_TABLE.get((source, to))
    if entry is None:
        if to not in Status.values:
            raise TransitionError(f"Unknown status {to!r}; one of: {', '.join(Status.values)}.")
        raise TransitionError(
            gettext("A dataset cannot go from %(source)s to %(to)s.")
            % {"source": _label(source), "to": _label(to)}
        )
    return entry.service(dataset=dataset, actor=actor, expected_status=source,
                         **{entry.comment_argument: comment})  # fmt: skip

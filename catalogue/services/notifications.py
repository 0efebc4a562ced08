"""E-mail notifications of the review loop: who hears of which event.

* a submission: the curators (members of the curation groups with an address);
* changes requested, declined, approved, published, withdrawn: the dataset's owners;
* a comment: the other side (owners hear of curators' comments and vice versa), never the
  author of the comment.

One message per recipient, addressed in ``To`` (never a list in ``Cc``), plain text and HTML
(``templates/mail/event.txt`` / ``event.html``). Queued with ``transaction.on_commit`` as the
Celery task ``mail.dataset_event``, so nothing is sent for a move that rolls back. The daily
``mail.review_reminder`` (Celery beat) names submissions waiting longer than
PORTAL_REVIEW_REMINDER_DAYS.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalogue.models import Dataset, DatasetEvent, Status
from catalogue.roles import CURATOR_PERMISSION, MANAGED_GROUPS
from portal.i18n import language_for_address

OWNER_STATUSES = {
    Status.CHANGES_REQUESTED,
    Status.DECLINED,
    Status.APPROVED,
    Status.PUBLISHED,
    Status.WITHDRAWN,
}


def curator_addresses() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(
        Q(groups__name__in=MANAGED_GROUPS)
        | Q(is_superuser=True)
        | Q(user_permissions__codename=CURATOR_PERMISSION.split(".")[1])
    )
    return sorted(set(users.values_list("email", flat=True)))


def owner_addresses(dataset: Dataset) -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    who = Q(pk=dataset.created_by_id) if dataset.created_by_id else Q(pk__in=[])
    if dataset.owner_group_id:
        who |= Q(groups=dataset.owner_group_id)
    return sorted(set(users.filter(who).values_list("email", flat=True)))


def event_recipients(event: DatasetEvent) -> list[str]:
    dataset = event.dataset
    actor_email = event.actor.email if event.actor_id and event.actor else ""
    if event.kind == DatasetEvent.Kind.TRANSITION:
        if event.to_status == Status.SUBMITTED:
            recipients = curator_addresses()
        elif event.to_status in OWNER_STATUSES:
            recipients = owner_addresses(dataset)
        else:
            recipients = []
    elif event.kind == DatasetEvent.Kind.COMMENT:
        owners = owner_addresses(dataset)
        recipients = owners if actor_email not in owners else curator_addresses()
        if actor_email in owners and dataset.status == Status.DRAFT:
            recipients = []  # a draft's notes are the owners' own
    else:
        recipients = []
    return [r for r in recipients if r != actor_email]


def notify_event(*, event: DatasetEvent) -> None:
    """Queue the e-mails of one event once the transaction commits."""
    from catalogue.tasks import mail_dataset_event

    transaction.on_commit(lambda: mail_dataset_event.delay(event.pk))


def notify_events(*, events: list[DatasetEvent]) -> None:
    """:func:`notify_event` for many events (batch moves): one task per 500 events."""
    from catalogue.tasks import mail_dataset_events

    ids = [e.pk for e in events]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        transaction.on_commit(lambda chunk=chunk: mail_dataset_events.delay(chunk))


def _message(*, to: str, subject, template: str, context: dict) -> EmailMultiAlternatives:
    """One message, in the recipient's language if their account has one, else the default
    (portal.i18n.language_for_address); ``subject`` is a callable run in that language."""
    with translation.override(language_for_address(to)):
        text = render_to_string(f"mail/{template}.txt", context)
        html = render_to_string(f"mail/{template}.html", context)
        subject = subject()
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    return message


def _status_word(status: str) -> str:
    label = str(Status(status).label)
    return label.lower() if (translation.get_language() or "en").startswith("en") else label


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if settings.SITE_URL else path


def event_mail_send(*, event_id: int) -> int:
    """Send the e-mails of one event (one per recipient); returns how many were sent."""
    event = DatasetEvent.objects.select_related("dataset", "actor").filter(pk=event_id).first()
    if event is None:
        return 0
    recipients = event_recipients(event)
    if not recipients:
        return 0
    dataset = event.dataset

    def subject() -> str:
        if event.kind == DatasetEvent.Kind.COMMENT:
            return _("New comment on “%(title)s”") % {"title": dataset.title}
        return _("“%(title)s”: %(status)s") % {
            "title": dataset.title,
            "status": _status_word(event.to_status),
        }

    context = {
        "event": event,
        "dataset": dataset,
        "status_label": Status(dataset.status).label,
        "url": _site_url(dataset.get_absolute_url()),
    }
    messages = [
        _message(to=r, subject=subject, template="event", context=context) for r in recipients
    ]
    return get_connection().send_messages(messages) or 0


def review_reminder_send(*, now: datetime.datetime | None = None) -> int:
    """Remind the curators of submissions waiting longer than PORTAL_REVIEW_REMINDER_DAYS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.REVIEW_REMINDER_DAYS)
    from catalogue.curation.selectors import review_queue

    waiting = [row for row in review_queue() if row.waiting_since and row.waiting_since < cutoff]
    if not waiting:
        return 0
    context = {"rows": waiting, "days": settings.REVIEW_REMINDER_DAYS,
               "url": _site_url("/curation/")}  # fmt: skip

    def subject() -> str:
        return ngettext(
            "%(n)d dataset waiting for review", "%(n)d datasets waiting for review", len(waiting)
        ) % {"n": len(waiting)}

    messages = [
        _message(to=r, subject=subject, template="reminder", context=context)
        for r in curator_addresses()
    ]
    return get_connection().send_messages(messages) or 0

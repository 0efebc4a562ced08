"""Reviewer links: the one writer (create, revoke, record uses) and the lookup by secret.

A link's secret is 256 random bits shown once (in the answer that creates it); the database
keeps its SHA-256 (portal.tokens.hash_secret: a fast hash is enough for such secrets and lets a
request find its link with one indexed lookup). Who may manage links is the role table's
``manage_review_links`` (owners, curators who review); the gate decides what a link opens.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.access import DatasetForbidden, access_decide
from catalogue.models import Dataset, ReviewLink, ReviewLinkUse, Status
from catalogue.models.review import REVIEW_LINK_MAX_DAYS
from catalogue.roles import Action, user_may
from catalogue.services.errors import DatasetInputError
from portal.tokens import hash_secret

SECRET_PREFIX = "pdr_"  # noqa: S105  (not a secret: tells people and scanners what this is)
MAX_SECRET_LENGTH = 200
DEFAULT_DAYS = 30


def user_may_manage_review_links(user, dataset: Dataset) -> bool:
    """Owners and curators who review (catalogue.roles), for a dataset not withdrawn."""
    return dataset.status != Status.WITHDRAWN and user_may(
        user, Action.MANAGE_REVIEW_LINKS, dataset
    )


def _check_manager(*, dataset: Dataset, actor) -> None:
    # Who may not even read it gets DatasetNotFound from the gate (404, nothing revealed).
    access = access_decide(user=actor, dataset=dataset)
    if access.review_link is not None or not user_may_manage_review_links(actor, dataset):
        raise DatasetForbidden(dataset, access)


def _parse_days(value) -> int:
    if value is None or value == "":
        return DEFAULT_DAYS
    if isinstance(value, bool):
        value = None
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = None
    if days is None or str(days) != str(value).strip() or not 1 <= days <= REVIEW_LINK_MAX_DAYS:
        message = _("A whole number of days from 1 to %(max)d.") % {"max": REVIEW_LINK_MAX_DAYS}
        raise DatasetInputError({"expires_in_days": [message]})
    return days


def review_link_create(
    *, dataset: Dataset, actor, label: str, expires_in_days=None, anonymous: bool = False
) -> tuple[ReviewLink, str]:
    """A new link for ``dataset``; returns it and its secret (never stored, shown once)."""
    _check_manager(dataset=dataset, actor=actor)
    errors: dict[str, list[str]] = {}
    label = (label or "").strip() if isinstance(label, str) else None
    if not label:
        errors["label"] = [_("Give the link a label: whom it is for.")]
    elif len(label) > ReviewLink._meta.get_field("label").max_length:
        errors["label"] = [_("At most 200 characters.")]
    try:
        days = _parse_days(expires_in_days)
    except DatasetInputError as exc:
        errors.update(exc.errors)
    if not isinstance(anonymous, bool):
        errors["anonymous"] = [_("true or false.")]
    if errors:
        raise DatasetInputError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    link = ReviewLink.objects.create(
        dataset=dataset,
        label=label,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        expires_at=timezone.now() + datetime.timedelta(days=days),
        anonymous=anonymous,
        key_hash=hash_secret(secret),
    )
    return link, secret


def review_link_revoke(*, link: ReviewLink, actor) -> ReviewLink:
    """Revoke a link at once (the next request through it is a 404); twice is fine."""
    _check_manager(dataset=link.dataset, actor=actor)
    with transaction.atomic():
        ReviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    link.refresh_from_db()
    return link


def review_link_for_secret(secret: str) -> ReviewLink | None:
    """The live link a secret stands for (not revoked, not expired, dataset not withdrawn)."""
    secret = (secret or "").strip()
    if not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    return (
        _live(ReviewLink.objects.select_related("dataset"))
        .filter(key_hash=hash_secret(secret))
        .exclude(dataset__status=Status.WITHDRAWN)
        .first()
    )


def _live(queryset):
    return queryset.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def review_links_active(link_ids: Iterable[int]) -> list[tuple[int, int, bool]]:
    """(link id, dataset id, anonymous) of those links that are still live: one query."""
    ids = [i for i in link_ids if isinstance(i, int)]
    if not ids:
        return []
    return list(
        _live(ReviewLink.objects.filter(pk__in=ids)).values_list("pk", "dataset_id", "anonymous")
    )


def review_link_uses_record(*, uses: list[tuple[int, str]], visitor: str) -> None:
    """Log uses ``(link id, kind)``; bump each link's counter and its last use (one row and
    one UPDATE per link and request, after the response was sent)."""
    if not uses:
        return
    now = timezone.now()
    ReviewLinkUse.objects.bulk_create(
        [ReviewLinkUse(link_id=i, kind=kind, at=now, visitor=visitor) for i, kind in uses]
    )
    for link_id in sorted({use[0] for use in uses}):
        count = sum(1 for use in uses if use[0] == link_id)
        ReviewLink.objects.filter(pk=link_id).update(
            use_count=F("use_count") + count, last_used_at=now
        )

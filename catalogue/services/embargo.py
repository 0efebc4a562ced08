"""Embargo release: once a published dataset's embargo ends, say so everywhere.

The access gate already compares dates (``catalogue.access.files_embargoed``), so files open
on the day whether or not this runs; what a daily task adds is what the date alone does not
do: announce the change (search documents, OAI-PMH records and DataCite's rights move from
Embargoed to Open Access through ``datasets_changed``), write an event in the dataset's
history, and tell the owners. Idempotent: a dataset is released once per embargo end
(``embargo_released_on``), and a late or repeated run releases nothing twice.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from catalogue.models import Dataset, DatasetEvent, Status
from catalogue.services.changes import datasets_changed

logger = logging.getLogger(__name__)


def datasets_embargo_due(*, today: datetime.date):
    return Dataset.objects.filter(
        status=Status.PUBLISHED, embargo_until__isnull=False, embargo_until__lte=today
    ).filter(Q(embargo_released_on__isnull=True) | ~Q(embargo_released_on=F("embargo_until")))


@transaction.atomic
def datasets_release_embargoes(*, today: datetime.date | None = None) -> list[int]:
    """Release every published dataset whose embargo ended by ``today``; their ids."""
    today = today or timezone.localdate()
    due = list(
        datasets_embargo_due(today=today)
        .select_for_update(skip_locked=True)
        .order_by("pk")
        .only("pk", "embargo_until", "title", "owner_group_id", "doi")
    )
    now = timezone.now()
    for dataset in due:
        Dataset.objects.filter(pk=dataset.pk).update(
            embargo_released_on=dataset.embargo_until, updated_at=now
        )
        DatasetEvent.objects.create(
            dataset=dataset,
            from_status=Status.PUBLISHED,
            to_status=Status.PUBLISHED,
            comment=f"The embargo ended on {dataset.embargo_until.isoformat()}: "
            "the files are open to everyone.",
        )
    ids = [d.pk for d in due]
    if ids:
        datasets_changed(ids)
        transaction.on_commit(lambda: _notify_owners(ids))
    return ids


def _notify_owners(dataset_ids: list[int]) -> None:
    users = get_user_model().objects
    for dataset in Dataset.objects.filter(pk__in=dataset_ids).select_related("owner_group"):
        if dataset.owner_group_id is None:
            continue
        recipients = sorted(
            users.filter(groups=dataset.owner_group, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            continue
        url = settings.BASE_URL + dataset.get_absolute_url()
        try:
            send_mail(
                subject=f"[{settings.SITE_NAME}] Embargo ended: {dataset.title}",
                message=(
                    f"The embargo on the files of your dataset\n\n  {dataset.title}\n  {url}\n\n"
                    f"ended on {dataset.embargo_until.isoformat()}. Its files are now open to "
                    "everyone, and its DOI metadata says Open Access.\n"
                ),
                from_email=None,
                recipient_list=recipients,
            )
        except Exception:  # the release is committed; a mail failure is logged, not raised
            logger.exception("could not tell the owners of dataset %s", dataset.pk)

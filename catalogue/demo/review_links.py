"""The demo's reviewer link (issue 12 §4): one live link to a dataset under review, printed at
the end of ``make demo``. A secret is never stored, so each run makes a new link and revokes
the previous demo link: exactly one stays live."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Dataset, ReviewLink, Status
from catalogue.roles import CURATORS_GROUP
from catalogue.services.review_links import review_link_create

DEMO_LABEL = "Demo referee (make demo)"
DEMO_DAYS = 30


def demo_review_link() -> tuple[Dataset, str] | None:
    """(dataset, absolute URL) of a fresh link to an in-review (else submitted, else draft)
    dataset with files, made by the demo curator; None if the demo has neither."""
    curator = (
        get_user_model()
        .objects.filter(groups__name=CURATORS_GROUP, is_active=True)
        .order_by("pk")
        .first()
    )
    if curator is None:
        return None
    for status in (Status.IN_REVIEW, Status.SUBMITTED, Status.DRAFT):
        dataset = (
            Dataset.objects.filter(status=status, file_count__gt=0).order_by("title", "pk").first()
        )
        if dataset is not None:
            break
    else:
        return None
    ReviewLink.objects.filter(label=DEMO_LABEL, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _, secret = review_link_create(
        dataset=dataset, actor=curator, label=DEMO_LABEL, expires_in_days=DEMO_DAYS
    )
    return dataset, settings.BASE_URL + reverse("catalogue:review-link", kwargs={"secret": secret})

"""Pages of the portal itself: "Harvesting and APIs" for people who connect machines."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from catalogue import selectors
from oaipmh.sets import FAMILIES


def harvesting(request: HttpRequest) -> HttpResponse:
    """/harvesting/: OAI-PMH base URL, sets and formats, the REST API, with example URLs."""
    base = request.build_absolute_uri("/").rstrip("/")
    example = selectors.datasets_latest_public(limit=1).first()
    return render(
        request,
        "portal/harvesting.html",
        {
            "base": base,
            "oai_url": base + reverse("oaipmh:endpoint"),
            "set_families": [
                (spec, gettext(name), gettext(text)) for spec, (name, text) in FAMILIES.items()
            ],
            "facilities": [f for f in selectors.facilities_with_public_counts() if f.code],
            "example": example,
            "repository_id": settings.OAI_REPOSITORY_ID,
        },
    )

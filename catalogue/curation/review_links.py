"""Reviewer links on the site: ``/review/<secret>/`` and the curation panel's create/revoke.

Views parse and call one service each (catalogue.services.review_links); the gate decides what
an opened link shows (catalogue.access, catalogue.reviewlinks).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from catalogue.access import DatasetForbidden, DatasetGone, DatasetNotFound, access_dataset
from catalogue.models import ReviewLink, ReviewLinkUse, Status
from catalogue.models.review import REVIEW_LINK_MAX_DAYS
from catalogue.reviewlinks import NO_INDEX_HEADERS, log_uses_after_response, session_add_link
from catalogue.services.errors import DatasetInputError
from catalogue.services.review_links import (
    DEFAULT_DAYS,
    review_link_create,
    review_link_for_secret,
    review_link_revoke,
    user_may_manage_review_links,
)
from portal.errors import page_not_found

NEW_LINK_SESSION_KEY = "portal_new_review_link"  # shown once on the panel, then forgotten


def review_link_url(request: HttpRequest, secret: str) -> str:
    return request.build_absolute_uri(reverse("catalogue:review-link", kwargs={"secret": secret}))


def record_url(dataset) -> str:
    if dataset.status == Status.PUBLISHED and dataset.doi:
        return reverse("landing:landing", kwargs={"doi": dataset.doi})
    return dataset.get_absolute_url()


def _no_index(response: HttpResponse) -> HttpResponse:
    for name, value in NO_INDEX_HEADERS.items():
        response[name] = value
    return response


@require_safe
def review_link_open(request: HttpRequest, secret: str) -> HttpResponse:
    """GET /review/<secret>/: grant this browser the link's dataset, then show its record page
    (a redirect, so the secret leaves the address bar). Unknown, expired, revoked: 404."""
    link = review_link_for_secret(secret)
    if link is None:
        return _no_index(page_not_found(request))
    session_add_link(request, link.pk)
    response = _no_index(HttpResponseRedirect(record_url(link.dataset)))
    log_uses_after_response(request, response, [(link.pk, ReviewLinkUse.Kind.OPEN)])
    return response


def _managed_dataset(request: HttpRequest, pid):
    try:
        dataset, _access = access_dataset(user=request.user, pid=pid)
    except (DatasetNotFound, DatasetGone) as exc:
        raise Http404("No such dataset.") from exc
    if not user_may_manage_review_links(request.user, dataset):
        raise Http404("No such dataset.")
    return dataset


def _back(dataset) -> HttpResponseRedirect:
    return HttpResponseRedirect(record_url(dataset) + "#review-links")


@login_required
@require_POST
def review_link_create_view(request: HttpRequest, pid) -> HttpResponse:
    dataset = _managed_dataset(request, pid)
    try:
        link, secret = review_link_create(
            dataset=dataset,
            actor=request.user,
            label=request.POST.get("label", ""),
            expires_in_days=request.POST.get("expires_in_days") or None,
            anonymous=request.POST.get("anonymous") == "on",
        )
    except DatasetInputError as exc:
        messages.error(request, exc.message)
    except DatasetForbidden:
        raise Http404("No such dataset.") from None
    else:
        request.session[NEW_LINK_SESSION_KEY] = {
            "id": link.pk,
            "dataset": dataset.pk,
            "url": review_link_url(request, secret),
        }
        messages.success(request, _("Reviewer link created. Copy it now: it is shown only once."))
    return _back(dataset)


@login_required
@require_POST
def review_link_revoke_view(request: HttpRequest, pid, link_id: int) -> HttpResponse:
    dataset = _managed_dataset(request, pid)
    link = get_object_or_404(ReviewLink, pk=link_id, dataset=dataset)
    review_link_revoke(link=link, actor=request.user)
    messages.success(request, _("Reviewer link “%(label)s” revoked.") % {"label": link.label})
    return _back(dataset)


def review_links_panel_context(request: HttpRequest, dataset) -> dict | None:
    """What ``includes/review_links_panel.html`` expects, or None if the user may not manage
    the dataset's links. The URL of a link just created is shown once (then forgotten)."""
    if not user_may_manage_review_links(request.user, dataset):
        return None
    new = request.session.get(NEW_LINK_SESSION_KEY)
    if new and new.get("dataset") == dataset.pk:
        del request.session[NEW_LINK_SESSION_KEY]
    else:
        new = None
    return {
        "links": list(dataset.review_links.select_related("created_by")),
        "new": new,
        "max_days": REVIEW_LINK_MAX_DAYS,
        "default_days": DEFAULT_DAYS,
    }

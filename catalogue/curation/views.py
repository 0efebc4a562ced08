"""Curation pages: the owner/curator panel on the dataset page, "My datasets", the review queue.

Views parse and call one service each (catalogue.services.lifecycle / .curation); the gate
(catalogue.access) decides who sees what; the transition table decides which buttons exist.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from catalogue.access import (
    DatasetForbidden,
    DatasetGone,
    DatasetNotFound,
    access_dataset,
    user_is_dataset_member,
)
from catalogue.checklist import checklist_blocking, checklist_summary, dataset_checklist
from catalogue.curation.selectors import (
    NEXT_STEP,
    dataset_conversation,
    datasets_of_user,
    review_queue,
)
from catalogue.models import Facility, Instrument, Status
from catalogue.roles import Action, user_is_curator, user_may
from catalogue.services import lifecycle
from catalogue.services.curation import dataset_assign, dataset_comment, user_may_comment
from catalogue.services.errors import DatasetInputError


def user_follows_curation(user, dataset) -> bool:
    """Owners, readers and curators see the panel (status, checklist, conversation)."""
    return user_is_curator(user) or user_is_dataset_member(user, dataset)


def curation_panel_context(request: HttpRequest, dataset) -> dict | None:
    """What ``templates/includes/curation_panel.html`` expects, or None for the public."""
    if not user_follows_curation(request.user, dataset):
        return None
    items = dataset_checklist(dataset)
    return {
        "status": dataset.status,
        "status_label": Status(dataset.status).label,
        "next_step": NEXT_STEP.get(dataset.status, ""),
        "checklist": items,
        "summary": checklist_summary(items),
        "blocking": checklist_blocking(items),
        "transitions": lifecycle.transitions_for(dataset=dataset, user=request.user),
        "conversation": list(dataset_conversation(dataset=dataset)),
        "may_comment": user_may_comment(request.user, dataset),
        "assignee": dataset.assignee.get_username() if dataset.assignee_id else "",
    }


def _lookup(request, pid):
    if not pid:
        raise Http404("No such dataset.")
    try:
        dataset, _ = access_dataset(user=request.user, pid=pid)
    except (DatasetNotFound, DatasetGone) as exc:
        raise Http404("No such dataset.") from exc
    if not user_follows_curation(request.user, dataset):
        raise Http404("No such dataset.")
    return dataset


def _back(request, dataset) -> HttpResponseRedirect:
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return HttpResponseRedirect(nxt)
    return HttpResponseRedirect(dataset.get_absolute_url() + "#curation")


@login_required
@require_POST
def dataset_transition_view(request: HttpRequest, pid) -> HttpResponse:
    dataset = _lookup(request, pid)
    to = request.POST.get("to", "")
    seen = request.POST.get("from_status") or None
    try:
        lifecycle.dataset_transition(dataset=dataset, to=to, actor=request.user,
                                     comment=request.POST.get("comment", ""),
                                     expected_status=seen)  # fmt: skip
    except lifecycle.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        entry = lifecycle.TRANSITION_TABLE.get((seen or dataset.status, to))
        messages.success(request, f"{entry.label if entry else 'Done'}: done.")
    return _back(request, dataset)


@login_required
@require_POST
def dataset_comment_view(request: HttpRequest, pid) -> HttpResponse:
    dataset = _lookup(request, pid)
    try:
        dataset_comment(dataset=dataset, actor=request.user, comment=request.POST.get("comment"))
    except DatasetForbidden:
        messages.error(request, "Readers may not comment; owners and curators may.")
    except DatasetInputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Comment added.")
    return _back(request, dataset)


@login_required
def my_datasets(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in Status.values:
        status = None
    datasets = list(datasets_of_user(user=request.user, status=status))
    for ds in datasets:
        ds.next_step = NEXT_STEP.get(ds.status, "")
        ds.status_label = Status(ds.status).label
    return render(
        request,
        "curation/my_datasets.html",
        {"datasets": datasets, "status": status, "statuses": Status.choices},
    )


@login_required
def review_queue_view(request: HttpRequest) -> HttpResponse:
    if not user_may(request.user, Action.REVIEW):
        raise Http404("No such page.")
    if request.method == "POST":
        return _assign(request)
    facility = request.GET.get("facility") or None
    instrument = request.GET.get("instrument") or None
    status = request.GET.get("status") or None
    if status not in Status.values:
        status = None
    assignee = request.GET.get("assignee") or None
    if assignee == "me":
        assignee = request.user
    elif assignee != "none":
        assignee = None
    rows = review_queue(facility=facility, instrument=instrument, status=status,
                        assignee=assignee)  # fmt: skip
    for row in rows:
        row.transitions = lifecycle.transitions_for(dataset=row.dataset, user=request.user)
    curators = [u for u in get_user_model().objects.filter(is_active=True).order_by("username")
                if user_may(u, Action.REVIEW)]  # fmt: skip
    return render(
        request,
        "curation/queue.html",
        {
            "rows": rows,
            "facilities": Facility.objects.order_by("name"),
            "instruments": Instrument.objects.select_related("facility").order_by("name"),
            "filters": request.GET,
            "curators": curators,
            "review_statuses": [(s, Status(s).label) for s in
                                (Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED)],
        },
    )  # fmt: skip


def _assign(request: HttpRequest) -> HttpResponse:
    dataset = _lookup(request, request.POST.get("pid"))
    who = request.POST.get("assignee", "")
    if who == "me":
        assignee = request.user
    elif who:
        assignee = get_user_model().objects.filter(username=who, is_active=True).first()
        if assignee is None:
            messages.error(request, f"No user {who!r}.")
            return HttpResponseRedirect(request.get_full_path())
    else:
        assignee = None
    try:
        dataset_assign(dataset=dataset, actor=request.user, assignee=assignee)
    except DatasetInputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"“{dataset.title}”: " + (f"assigned to {assignee}." if assignee else "released."),
        )
    return HttpResponseRedirect(request.get_full_path())

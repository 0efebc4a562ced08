"""Curation pages: the owner/curator panel on the dataset page, "My datasets", the review queue.

Views parse and call one service each (catalogue.services.lifecycle / .curation); the gate
(catalogue.access) decides who sees what; the transition table decides which buttons exist.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
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
from catalogue.domainschemas.selectors import dataset_schema_report
from catalogue.models import Facility, Instrument, Status
from catalogue.roles import Action, user_is_curator, user_may
from catalogue.services import lifecycle
from catalogue.services.curation import dataset_assign, dataset_comment, user_may_comment
from catalogue.services.errors import DatasetInputError
from catalogue.services.versions import VersionError, dataset_new_version


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
        "may_edit": dataset.status not in (Status.PUBLISHED, Status.WITHDRAWN)
        and user_may_comment(request.user, dataset),
        "assignee": dataset.assignee.get_username() if dataset.assignee_id else "",
        "may_new_version": dataset.status == Status.PUBLISHED
        and user_may(request.user, Action.NEW_VERSION, dataset),
    }


def _lookup(request, pid):
    if not pid:
        raise Http404("No such dataset.")
    try:
        dataset, _access = access_dataset(user=request.user, pid=pid)
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
        messages.success(
            request, _("%(action)s: done.") % {"action": entry.label if entry else _("Done")}
        )
    return _back(request, dataset)


@login_required
@require_POST
def dataset_new_version_view(request: HttpRequest, pid) -> HttpResponse:
    """The record page's "New version" button: the draft new version opens in the editor
    (the existing one, if the record has one already)."""
    dataset = _lookup(request, pid)
    try:
        result = dataset_new_version(dataset=dataset, actor=request.user)
    except DatasetForbidden:
        messages.error(request, _("Only the record's owners and curators make new versions."))
        return _back(request, dataset)
    except VersionError as exc:
        messages.error(request, str(exc))
        return _back(request, dataset)
    if result.created:
        messages.success(
            request,
            _("New version started: a draft with the metadata and files of the published "
              "version. Change what is new, then submit it for review."),
        )  # fmt: skip
    else:
        messages.info(request, _("This record has a draft new version already: here it is."))
    return HttpResponseRedirect(result.draft.get_absolute_url() + "#curation")


@login_required
@require_POST
def dataset_comment_view(request: HttpRequest, pid) -> HttpResponse:
    dataset = _lookup(request, pid)
    try:
        dataset_comment(dataset=dataset, actor=request.user, comment=request.POST.get("comment"))
    except DatasetForbidden:
        messages.error(request, _("Readers may not comment; owners and curators may."))
    except DatasetInputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Comment added."))
    return _back(request, dataset)


# "comment by anna" in the "Last event" column (the event kinds' values, in the page language).
EVENT_WORDS = {
    "transition": pgettext_lazy("event kind", "transition"),
    "edit": pgettext_lazy("event kind", "edit"),
    "comment": pgettext_lazy("event kind", "comment"),
}


@login_required
def my_datasets(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in Status.values:
        status = None
    datasets = list(datasets_of_user(user=request.user, status=status))
    for ds in datasets:
        ds.next_step = NEXT_STEP.get(ds.status, "")
        ds.status_label = Status(ds.status).label
        ds.last_event_kind = EVENT_WORDS.get(ds.last_event_kind, ds.last_event_kind)
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
            messages.error(request, _("No user %(name)r.") % {"name": who})
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
            (
                _("“%(title)s”: assigned to %(name)s.") % {"title": dataset.title, "name": assignee}
                if assignee
                else _("“%(title)s”: released.") % {"title": dataset.title}
            ),
        )
    return HttpResponseRedirect(request.get_full_path())


# ---------------------------------------------------------------- the deposit form
LISTING_LIMIT = 1000


def storage_listing(dataset) -> list[dict]:
    """Files in the dataset's storage folder (path, size, registered?), the first 1000."""
    import os

    from catalogue.storage import StoragePathError, dataset_folder

    if not dataset.storage_folder:
        return []
    try:
        base = dataset_folder(dataset.storage_folder)
    except StoragePathError:
        return []
    registered = set(dataset.files.values_list("path", flat=True))
    out = []
    for root, dirs, names in os.walk(base):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(root, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            rel = os.path.relpath(full, base).replace(os.sep, "/")
            out.append(
                {"path": rel, "size": os.path.getsize(full), "registered": rel in registered}
            )
            if len(out) >= LISTING_LIMIT:
                return out
    return out


def _deposit_context(request, *, dataset, state) -> dict:
    from django.conf import settings

    from catalogue import vocabularies as voc
    from catalogue.models import Technique

    return {
        "record": dataset,
        "form": state,
        "licences": voc.LICENCE_CHOICES,
        "resource_types": voc.RESOURCE_TYPE_GENERAL_CHOICES,
        "contributor_types": voc.CONTRIBUTOR_TYPE_CHOICES,
        "relation_types": voc.RELATION_TYPE_CHOICES,
        "identifier_types": voc.RELATED_IDENTIFIER_TYPE_CHOICES,
        "facilities": Facility.objects.order_by("name"),
        "instruments": Instrument.objects.select_related("facility").order_by("name"),
        "techniques": Technique.objects.order_by("label"),
        "groups": request.user.groups.order_by("name"),
        "may_set_folder": user_is_curator(request.user),
        "listing": storage_listing(dataset) if dataset is not None else [],
        "upload_max": settings.UPLOAD_MAX_BYTES,
        "checklist": dataset_checklist(dataset) if dataset is not None else [],
        # Domain-metadata schemas: advice beside the scientific metadata (drafts may be saved
        # invalid; submitting needs them satisfied).
        "schema_report": dataset_schema_report(dataset) if dataset is not None else [],
    }


def _file_record(real, rel: str):
    from catalogue.services.files import FileRecord, file_sha256, guess_media_type

    return FileRecord(path=rel, size=real.stat().st_size, checksum=file_sha256(real),
                      media_type=guess_media_type(rel))  # fmt: skip


def _save_files(request, dataset) -> None:
    """Register the picked files of the storage folder and store small uploads in it."""
    import os

    from django.conf import settings

    from catalogue.services.files import dataset_files_register
    from catalogue.storage import StoragePathError, dataset_file_path, dataset_folder

    picked = request.POST.getlist("register")
    uploads = request.FILES.getlist("upload")
    if not picked and not uploads:
        return
    records = []
    errors: dict[str, list[str]] = {}
    for i, rel in enumerate(picked):
        try:
            real = dataset_file_path(dataset.storage_folder, rel)
        except StoragePathError as exc:
            errors[f"files[{i}].path"] = [str(exc)]
            continue
        if not real.is_file():
            errors[f"files[{i}].path"] = [
                _("%(path)s is not in the storage folder.") % {"path": rel}
            ]
            continue
        records.append(_file_record(real, rel))
    for upload in uploads:
        name = os.path.basename(upload.name or "")
        if not name or name.startswith("."):
            errors["upload"] = [_("Bad file name %(name)s.") % {"name": repr(upload.name)}]
            continue
        if upload.size > settings.UPLOAD_MAX_BYTES:
            errors["upload"] = [
                _(
                    "%(name)s is larger than %(max)s bytes: copy it into the storage folder and "
                    "register it from the listing."
                )
                % {"name": name, "max": settings.UPLOAD_MAX_BYTES}
            ]
            continue
        records.append((name, upload))
    if errors:
        raise DatasetInputError(errors)
    folder = dataset_folder(dataset.storage_folder)
    final = []
    for item in records:
        if isinstance(item, tuple):
            name, upload = item
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            with open(target, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            item = _file_record(target, name)
        final.append(item)
    dataset_files_register(dataset=dataset, files=final, actor=request.user)


@login_required
def deposit_view(request: HttpRequest, pid=None) -> HttpResponse:
    """GET: the form; POST: create or update the draft through the one writer."""
    from django.db import transaction

    from catalogue.curation.deposit import (
        FormError,
        form_to_data,
        state_from_dataset,
        state_from_post,
    )
    from catalogue.services.datasets import dataset_create, dataset_update

    dataset = None
    if pid is not None:
        try:
            dataset, _access = access_dataset(user=request.user, pid=pid, need="edit")
        except (DatasetNotFound, DatasetGone) as exc:
            raise Http404("No such dataset.") from exc
        except DatasetForbidden:
            messages.error(request, _("You may read this dataset but not edit it."))
            return HttpResponseRedirect(f"/datasets/{pid}/")
    if request.method != "POST":
        state = state_from_dataset(dataset)
        return render(request, "curation/deposit.html",
                      _deposit_context(request, dataset=dataset, state=state))  # fmt: skip
    try:
        data = form_to_data(request.POST)
        if not user_is_curator(request.user):
            data.pop("storage_folder", None)  # owners register from the folder they were given
        with transaction.atomic():
            if dataset is None:
                dataset = dataset_create(data=data, actor=request.user)
                if not dataset.storage_folder:
                    folder = {"storage_folder": f"deposits/{dataset.pid}"}
                    dataset = dataset_update(dataset=dataset, actor=None, data=folder)
                created = True
            else:
                dataset = dataset_update(dataset=dataset, data=data, actor=request.user)
                created = False
            _save_files(request, dataset)
    except (FormError, DatasetInputError) as exc:
        state = state_from_post(request.POST, exc.errors)
        messages.error(request, _("Not saved: see the messages beside the fields."))
        response = render(request, "curation/deposit.html",
                          _deposit_context(request, dataset=None if pid is None else dataset,
                                           state=state))  # fmt: skip
        response.status_code = 400
        return response
    except DatasetForbidden:
        messages.error(request, _("You may not change this dataset."))
        return HttpResponseRedirect(dataset.get_absolute_url())
    messages.success(request, _("Draft created.") if created else _("Saved."))
    broken = [str(schema) for schema, violations in dataset_schema_report(dataset) if violations]
    if broken:
        messages.warning(
            request,
            _("The scientific metadata does not satisfy %(schemas)s yet: see the messages "
              "beside it. Drafts may be saved so; submitting needs it valid.")
            % {"schemas": ", ".join(broken)},
        )  # fmt: skip
    if request.POST.get("then") == "view":
        return HttpResponseRedirect(dataset.get_absolute_url() + "#curation")
    return HttpResponseRedirect(f"/datasets/{dataset.pid}/edit")

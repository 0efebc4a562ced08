"""Curation in the Django admin. Status never changes by editing: only the lifecycle services
move a dataset, from actions on the list or the buttons on a dataset's page."""

import contextvars

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from catalogue.access import DatasetForbidden
from catalogue.curation.selectors import waiting_since, with_waiting_since
from catalogue.curation.widgets import dataset_json_widgets
from catalogue.models import (
    Beamtime,
    Contributor,
    Creator,
    DataFile,
    Dataset,
    DatasetEvent,
    Facility,
    FundingReference,
    Instrument,
    Proposal,
    RelatedIdentifier,
    Status,
    Technique,
)
from catalogue.roles import Action, user_may
from catalogue.services import lifecycle
from catalogue.services.context import context_record_changed
from catalogue.services.errors import DatasetInputError
from doi.admin import (
    DatasetRegistrationFailedFilter,
    DoiRegistrationInline,
    retry_dataset_registration,
    state_badge,
)
from portal.admin import ReadOnlyAdminMixin

FILES_PER_ADMIN_PAGE = 50
# Typed URLs without a scheme are https (Django 6's default; no deprecation warning now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class PortalModelAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS


class PortalTabularInline(admin.TabularInline):
    formfield_overrides = URL_FIELDS


class ContextAdmin(PortalModelAdmin):
    """Facilities, instruments, techniques, proposals: their names are part of dataset records."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            context_record_changed(obj=form.instance)


# ---------------------------------------------------------------- list filters
class TechniqueInUseFilter(admin.SimpleListFilter):
    """Only the techniques that datasets use (PaNET has 500+)."""

    title = "technique"
    parameter_name = "technique"

    def lookups(self, request, model_admin):
        used = Technique.objects.annotate(n=Count("datasets")).filter(n__gt=0).order_by("label")
        return [(t.pk, t.label) for t in used]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(techniques__pk=self.value())
        return queryset


class PublicationYearFilter(admin.SimpleListFilter):
    title = "publication year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            Dataset.objects.exclude(publication_year=None)
            .order_by("-publication_year")
            .values_list("publication_year", flat=True)
            .distinct()
        )
        return [(y, y) for y in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(publication_year=self.value())
        return queryset


# ---------------------------------------------------------------- inlines
class CreatorInline(PortalTabularInline):
    model = Creator
    extra = 0
    fields = ["position", "name", "name_type", "given_name", "family_name", "orcid",
              "affiliation", "affiliation_ror"]  # fmt: skip


class ContributorInline(PortalTabularInline):
    model = Contributor
    extra = 0
    fields = ["position", "name", "contributor_type", "name_type", "given_name", "family_name",
              "orcid", "affiliation", "affiliation_ror"]  # fmt: skip


class RelatedIdentifierInline(PortalTabularInline):
    model = RelatedIdentifier
    extra = 0


class FundingReferenceInline(PortalTabularInline):
    model = FundingReference
    extra = 0


class PagedInlineFormSet(BaseInlineFormSet):
    """Shows one page of the related rows; a dataset may have 100,000 files."""

    per_page = FILES_PER_ADMIN_PAGE
    page_number: str | None = None

    def get_queryset(self):
        if not hasattr(self, "_paged_queryset"):
            full = super().get_queryset()
            self.paginator = Paginator(full, self.per_page)
            self.page = self.paginator.get_page(self.page_number)
            self._paged_queryset = self.page.object_list
        return self._paged_queryset


class DataFileInline(PortalTabularInline):
    model = DataFile
    extra = 0
    formset = PagedInlineFormSet
    fields = ["path", "size", "checksum_algorithm", "checksum", "media_type"]
    template = "admin/catalogue/dataset/paged_tabular.html"

    # Files of a published (or withdrawn) record are locked: a new version gets new files.
    def _locked(self, obj) -> bool:
        return obj is not None and obj.status in (Status.PUBLISHED, Status.WITHDRAWN)

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._locked(obj) else super().get_readonly_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(
            "PagedDataFileFormSet", (formset,), {"page_number": request.GET.get("files_page")}
        )


class DatasetEventInline(PortalTabularInline):
    model = DatasetEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor_name", "what", "comment"]
    readonly_fields = fields
    verbose_name = "event"
    verbose_name_plural = "conversation (status changes, edits, comments)"

    @admin.display(description=_("what"))
    def what(self, obj: DatasetEvent):
        """As the dataset page's panel says it (templates/includes/curation_panel.html)."""
        if obj.kind == DatasetEvent.Kind.TRANSITION:
            return _("moved it from %(source)s to %(target)s") % {
                "source": Status(obj.from_status).label if obj.from_status else "—",
                "target": Status(obj.to_status).label if obj.to_status else "—",
            }
        if obj.kind == DatasetEvent.Kind.EDIT:
            return _("edited %(fields)s") % {"fields": ", ".join(obj.changed_fields or [])}
        return _("commented")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- the form as service data
class _ServiceRejected(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("rejected")
        self.errors = errors


# JSON path of the service's input -> admin form field.
_ADMIN_FIELDS = {
    "publisher.name": "publisher",
    "publisher.ror": "publisher_identifier",
    "resource_type.general": "resource_type_general",
    "resource_type.type": "resource_type",
    "dates.collection_start": "collection_start",
    "dates.collection_end": "collection_end",
    "dates.embargo_until": "embargo_until",
    "dates.other": "dates",
    "sample.name": "sample_name",
    "sample.description": "sample_description",
}


def _iso(value):
    return value.isoformat() if value else None


def _agent(d: dict, contributor: bool = False) -> dict:
    data = {
        "name": d.get("name", ""),
        "name_type": d.get("name_type", "Personal"),
        "given_name": d.get("given_name", ""),
        "family_name": d.get("family_name", ""),
        "orcid": d.get("orcid", ""),
        "affiliation": {"name": d.get("affiliation", ""), "ror": d.get("affiliation_ror", "")},
    }
    if contributor:
        data["contributor_type"] = d.get("contributor_type", "")
    return data


def _rows(formsets, model) -> list[dict]:
    formset = next((fs for fs in formsets if fs.model is model), None)
    if formset is None:
        return []
    rows = [
        f.cleaned_data
        for f in formset.forms
        if (f.cleaned_data and not f.cleaned_data.get("DELETE") and f not in formset.extra_forms)
        or (f in formset.extra_forms and f.has_changed() and not f.cleaned_data.get("DELETE"))
    ]
    return sorted(rows, key=lambda d: d.get("position") or 0)


def _file_dict(d: dict) -> dict:
    return {k: d.get(k) for k in ("path", "size", "checksum", "checksum_algorithm", "media_type")}


def _admin_data(form, formsets) -> dict:
    """The admin form and inlines as the data catalogue.services.datasets takes."""
    c = form.cleaned_data
    data = {
        k: c.get(k)
        for k in ("title", "additional_titles", "description", "additional_descriptions",
                  "keywords", "subjects", "language", "version", "publication_year",
                  "scientific_metadata", "storage_folder", "download_base_url", "doi")
    }  # fmt: skip
    data.update(
        publisher={"name": c.get("publisher", ""), "ror": c.get("publisher_identifier", "")},
        resource_type={"general": c.get("resource_type_general"), "type": c.get("resource_type")},
        license=c.get("license"),
        dates={
            "collection_start": _iso(c.get("collection_start")),
            "collection_end": _iso(c.get("collection_end")),
            "embargo_until": _iso(c.get("embargo_until")),
            "other": c.get("dates") or [],
        },
        sample={"name": c.get("sample_name", ""), "description": c.get("sample_description", "")},
        facility=c.get("facility"),
        instrument=c.get("instrument"),
        beamtime=c.get("beamtime"),
        techniques=list(c.get("techniques") or []),
        owner_group=c.get("owner_group"),
        access_groups=list(c.get("access_groups") or []),
        creators=[_agent(d) for d in _rows(formsets, Creator)],
        contributors=[_agent(d, contributor=True) for d in _rows(formsets, Contributor)],
        related_identifiers=[
            {
                k: d.get(k)
                for k in (
                    "identifier",
                    "identifier_type",
                    "relation_type",
                    "resource_type_general",
                    "citation",
                )
            }
            for d in _rows(formsets, RelatedIdentifier)
        ],
        funding_references=[
            {
                k: d.get(k)
                for k in (
                    "funder_name",
                    "funder_identifier",
                    "funder_identifier_type",
                    "award_number",
                    "award_uri",
                    "award_title",
                )
            }
            for d in _rows(formsets, FundingReference)
        ],
    )
    if not form.instance.pk or not form.instance.doi:
        data["doi"] = c.get("doi") or None
    return data


# ---------------------------------------------------------------- lifecycle
class CommentForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), required=False,
        help_text="Shown in the status history (and, for a withdrawal, on the tombstone page).",
    )  # fmt: skip


def _run(entry: lifecycle.Transition, request, dataset, comment: str) -> bool:
    try:
        entry.run(dataset=dataset, actor=request.user, comment=comment)
    except lifecycle.TransitionError as exc:
        messages.error(request, f"“{dataset}”: {exc}")
        return False
    return True


_CURRENT_USER: contextvars.ContextVar = contextvars.ContextVar("admin_user")

# Bulk actions: one per target status of lifecycle.TRANSITIONS (the one table); each dataset
# takes the table's entry from its own status.
_TARGETS = list(dict.fromkeys(t.to for t in lifecycle.TRANSITIONS if not t.system))


def _bulk_action(to: str):
    entries = [t for t in lifecycle.TRANSITIONS if t.to == to and not t.system]
    label = entries[0].label
    needs_comment = any(t.comment_required for t in entries)

    def action(modeladmin, request, queryset):
        if needs_comment and "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/catalogue/dataset/transition.html",
                {
                    **modeladmin.admin_site.each_context(request),
                    "title": f"{label}: {queryset.count()} dataset(s)",
                    "datasets": queryset,
                    "form": CommentForm(),
                    "action_name": f"to_{to}",
                    "opts": modeladmin.model._meta,
                    "bulk": True,
                    "label": label,
                },
            )
        comment = request.POST.get("comment", "")
        done = 0
        for ds in queryset:
            entry = lifecycle.TRANSITION_TABLE.get((ds.status, to))
            if entry is None:
                messages.error(request, f"“{ds}”: cannot go from {ds.get_status_display()}.")
                continue
            done += _run(entry, request, ds, comment)
        if done:
            messages.success(request, f"{label}: {done} dataset(s) done.")
        return None

    action.__name__ = f"to_{to}"
    action.short_description = label
    return action


@admin.register(Dataset)
class DatasetAdmin(PortalModelAdmin):
    list_display = ["title", "status_badge", "submitter", "waiting", "assignee", "facility",
                    "instrument", "doi", "doi_state", "file_count", "updated_at"]  # fmt: skip
    list_filter = ["status", "facility", "instrument", TechniqueInUseFilter, PublicationYearFilter,
                   "resource_type_general", "license", DatasetRegistrationFailedFilter]  # fmt: skip
    search_fields = ["title", "doi", "=pid", "creators__name", "sample_name",
                     "beamtime__proposal__proposal_id"]  # fmt: skip
    list_select_related = ["facility", "instrument", "assignee", "doi_registration"]
    autocomplete_fields = ["instrument", "beamtime", "techniques", "owner_group", "access_groups"]
    readonly_fields = ["pid", "status", "lifecycle", "published_at", "withdrawn_at",
                       "withdrawal_reason", "file_count", "total_size", "created_by",
                       "created_at", "updated_at"]  # fmt: skip
    inlines = [CreatorInline, ContributorInline, RelatedIdentifierInline, FundingReferenceInline,
               DataFileInline, DatasetEventInline, DoiRegistrationInline]  # fmt: skip
    actions = [*(_bulk_action(s) for s in _TARGETS), retry_dataset_registration]
    show_full_result_count = False
    # Tags, rows and key/value/unit editors instead of JSON text areas (each degrades to JSON).
    json_widgets = dataset_json_widgets()

    class Media:
        css = {"all": ["css/admin-curation.css"]}
        js = ["js/deposit.js"]  # the deposit form's tags and "add a row"

    fieldsets = [
        ("Lifecycle", {"fields": ["pid", "doi", "status", "lifecycle", "embargo_until",
                                  "published_at", "withdrawn_at", "withdrawal_reason"]}),
        ("Description (DataCite)", {"fields": ["title", "additional_titles", "description",
                                               "additional_descriptions", "keywords", "subjects",
                                               "language", "version"]}),
        ("Publication (DataCite)", {"fields": ["publisher", "publisher_identifier",
                                               "publication_year", "resource_type_general",
                                               "resource_type", "license", "collection_start",
                                               "collection_end", "dates"]}),
        ("Facility context", {"fields": ["facility", "instrument", "beamtime", "techniques",
                                         "sample_name", "sample_description"]}),
        ("Scientific metadata", {"fields": ["scientific_metadata"]}),
        ("Storage", {"fields": ["storage_folder", "download_base_url", "file_count",
                                "total_size"]}),
        ("Access", {"fields": ["owner_group", "access_groups", "created_by", "created_at",
                               "updated_at"]}),
    ]  # fmt: skip

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.json_widgets:
            kwargs["widget"] = self.json_widgets[db_field.name]
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and (obj.doi or obj.status in (Status.PUBLISHED, Status.WITHDRAWN)):
            fields.append("doi")  # a registered DOI never changes (catalogue.services.datasets)
        return fields

    def get_queryset(self, request):
        return with_waiting_since(super().get_queryset(request))

    @admin.display(description=_("submitter"), ordering="submitted_by")
    def submitter(self, obj: Dataset):
        return getattr(obj, "submitted_by", None) or "—"

    @admin.display(description=_("waiting since"), ordering="submitted_at")
    def waiting(self, obj: Dataset):
        since = waiting_since(obj) if hasattr(obj, "submitted_at") else None
        if since is None:
            return "—"
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            since.isoformat(),
            date_format(timezone.localtime(since), "DATETIME_FORMAT"),
            _("%(age)s ago") % {"age": timesince(since, depth=1)},
        )

    @admin.display(description=_("DOI state"), ordering="doi_registration__state")
    def doi_state(self, obj: Dataset):
        registration = getattr(obj, "doi_registration", None)
        return state_badge(registration) if registration else "—"

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: Dataset):
        colours = {"published": "#1b7f3b", "withdrawn": "#a32020", "draft": "#666"}
        return format_html(
            '<strong style="color:{}">{}</strong>',
            colours.get(obj.status, "#8a4b00"),
            obj.get_status_display(),
        )

    @admin.display(description="next steps")
    def lifecycle(self, obj: Dataset):
        if obj.pk is None:
            return "Save the dataset first."
        moves = lifecycle.transitions_for(dataset=obj, user=_CURRENT_USER.get(None))
        if not moves:
            return "No further steps for you."
        links = [
            format_html(
                '<a class="button" href="{}">{}</a>',
                reverse("admin:catalogue_dataset_transition", args=[obj.pk, t.to]),
                t.label,
            )
            for t in moves
        ]
        return format_html(" ".join(["{}"] * len(links)), *links)

    # ---- writes go through catalogue.services (the one writer), never the ORM here ----
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        _CURRENT_USER.set(request.user)  # the "next steps" column shows this user's moves
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceRejected as rejected:
            # The service said no (and its transaction rolled back): show the same POST again,
            # with the service's errors on the form.
            request._dataset_service_errors = rejected.errors
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        errors = getattr(request, "_dataset_service_errors", None)
        if not errors:
            return form_class

        def clean(form):
            cleaned = form_class.clean(form)
            for where, messages_ in errors.items():
                field = _ADMIN_FIELDS.get(where, where)
                for message in messages_:
                    if field in form.fields:
                        form.add_error(field, message)
                    else:
                        form.add_error(
                            None, message if where == "__all__" else f"{where}: {message}"
                        )
            return cleaned

        return type(form_class.__name__, (form_class,), {"clean": clean})

    def save_model(self, request, obj, form, change):
        pass  # written in save_related, where the inline formsets are known

    def save_related(self, request, form, formsets, change):
        from catalogue.services.datasets import dataset_create, dataset_update
        from catalogue.services.files import dataset_file_remove, dataset_files_register

        data = _admin_data(form, formsets)
        try:
            if change:
                dataset = dataset_update(
                    dataset=form.instance, data=data, actor=request.user, partial=False
                )
            else:
                dataset = dataset_create(data=data, actor=request.user)
            files = next((fs for fs in formsets if fs.model is DataFile), None)
            if files is not None and files.has_changed():
                changed = [
                    _file_dict(f.cleaned_data)
                    for f in files.forms
                    if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
                ]
                if changed:
                    dataset_files_register(dataset=dataset, files=changed, actor=request.user)
                for f in files.deleted_forms:
                    if f.instance.pk:
                        dataset_file_remove(
                            dataset=dataset, path=f.instance.path, actor=request.user
                        )
        except DatasetInputError as exc:
            raise _ServiceRejected(exc.errors) from exc
        except DatasetForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        # The admin's messages and redirects read the saved object.
        form.instance.pk = dataset.pk
        form.instance.refresh_from_db()
        request._dataset_changed_fields = getattr(dataset, "changed_fields", [])

    def construct_change_message(self, request, form, formsets, add=False):
        if add:
            return [{"added": {}}]
        return [{"changed": {"fields": getattr(request, "_dataset_changed_fields", [])}}]

    def delete_model(self, request, obj):
        from catalogue.services.datasets import dataset_delete_draft

        try:
            dataset_delete_draft(dataset=obj, actor=request.user)
        except DatasetInputError as exc:
            raise PermissionDenied(exc.message) from exc

    def get_deleted_objects(self, objs, request):
        # A draft's files and rows go with it (dataset_delete_draft); their own admins are
        # read-only, which must not make the draft undeletable.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        models_ = (DataFile, Creator, Contributor, RelatedIdentifier, FundingReference)
        rows = {str(m._meta.verbose_name) for m in models_}
        return deleted, counts, set(perms_needed) - rows, protected

    def delete_queryset(self, request, queryset):
        for dataset in queryset:
            self.delete_model(request, dataset)

    # Curation needs the curator role (catalogue.roles), not only model permissions; a user
    # without it gets 404 for any dataset id, so the admin reveals no record either.
    def has_module_permission(self, request):
        return user_may(request.user, Action.CURATE) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return user_may(request.user, Action.CURATE) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return user_may(request.user, Action.EDIT) and super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not user_may(request.user, Action.CURATE):
            raise Http404("No dataset here.")
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        # Published and withdrawn records are never deleted: DOIs must keep resolving.
        # Only drafts are deleted (catalogue.services.datasets.dataset_delete_draft).
        if obj is not None and obj.status != Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/transition/<str:to>/",
                self.admin_site.admin_view(self.transition_view),
                name="catalogue_dataset_transition",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id: int, to: str):
        dataset = get_object_or_404(Dataset, pk=object_id)
        if not self.has_view_permission(request, dataset):
            raise Http404("No dataset here.")
        # The status the form was shown for travels with the POST: a second curator acting on
        # the same page gets the conflict message instead of a second move.
        seen = request.POST.get("from_status") or dataset.status
        entry = lifecycle.TRANSITION_TABLE.get((seen, to))
        if entry is None:
            raise Http404("No such step from this status.")
        if not user_may(request.user, entry.action, dataset):
            raise PermissionDenied
        form = CommentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if _run(entry, request, dataset, form.cleaned_data["comment"]):
                messages.success(request, f"{entry.label}: done.")
            return HttpResponseRedirect(
                reverse("admin:catalogue_dataset_change", args=[dataset.pk])
            )
        return TemplateResponse(
            request,
            "admin/catalogue/dataset/transition.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{entry.label}: {dataset}",
                "datasets": [dataset],
                "form": form,
                "opts": self.model._meta,
                "original": dataset,
                "label": entry.label,
                "needs_comment": entry.comment_required,
                "from_status": seen,
            },
        )


# ---------------------------------------------------------------- the other models
@admin.register(Facility)
class FacilityAdmin(ContextAdmin):
    list_display = ["name", "code", "short_name", "ror"]
    search_fields = ["name", "code", "short_name"]


@admin.register(Instrument)
class InstrumentAdmin(ContextAdmin):
    list_display = ["name", "code", "facility", "pid"]
    list_filter = ["facility"]
    search_fields = ["name", "code", "facility__name"]
    list_select_related = ["facility"]


@admin.register(Technique)
class TechniqueAdmin(ContextAdmin):
    list_display = ["label", "panet_id", "iri"]
    search_fields = ["label", "iri", "synonyms"]
    filter_horizontal = ["broader"]


class BeamtimeInline(PortalTabularInline):
    model = Beamtime
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(ContextAdmin):
    list_display = ["proposal_id", "title", "facility", "principal_investigator", "proposal_type"]
    list_filter = ["facility", "proposal_type"]
    search_fields = ["proposal_id", "title", "principal_investigator"]
    inlines = [BeamtimeInline]


@admin.register(Beamtime)
class BeamtimeAdmin(ContextAdmin):
    list_display = ["beamtime_id", "proposal", "instrument", "start", "end"]
    list_filter = ["instrument__facility", "instrument"]
    search_fields = ["beamtime_id", "proposal__proposal_id", "proposal__title"]
    autocomplete_fields = ["proposal", "instrument"]
    date_hierarchy = "start"


class DatasetRowAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Files, creators, contributors, related identifiers and funding are listed here to find
    them, and edited only on their dataset's page: there the one writer checks them, keeps a
    published record's files, records the edit in the conversation and announces it."""

    @admin.display(description=_("dataset"), ordering="dataset__title")
    def dataset_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:catalogue_dataset_change", args=[obj.dataset_id]),
            obj.dataset,
        )


@admin.register(DataFile)
class DataFileAdmin(DatasetRowAdmin):
    list_display = ["path", "dataset_link", "size", "checksum_algorithm", "media_type"]
    search_fields = ["path", "=dataset__pid", "dataset__title"]
    list_select_related = ["dataset"]
    raw_id_fields = ["dataset"]
    show_full_result_count = False


@admin.register(DatasetEvent)
class DatasetEventAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["created_at", "dataset", "kind", "actor_name", "from_status", "to_status"]
    list_filter = ["kind", "to_status"]
    search_fields = ["dataset__title", "actor_name", "comment"]
    list_select_related = ["dataset"]
    readonly_fields = ["dataset", "kind", "actor", "actor_name", "from_status", "to_status",
                       "changed_fields", "comment", "created_at"]  # fmt: skip


for model in (Creator, Contributor, RelatedIdentifier, FundingReference):
    admin.site.register(
        model,
        DatasetRowAdmin,
        list_display=["__str__", "dataset_link"],
        search_fields=["dataset__title"],
        raw_id_fields=["dataset"],
    )

from catalogue.domainschemas import admin as _schemas_admin  # noqa: E402, F401  (registers)

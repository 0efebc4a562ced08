"""Curation in the Django admin. Status never changes by editing: only the lifecycle services
move a dataset, from actions on the list or the buttons on a dataset's page."""

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
from django.utils.html import format_html

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
from catalogue.models.dataset import TRANSITIONS
from catalogue.roles import Action, user_may
from catalogue.services import lifecycle
from catalogue.services.changes import datasets_changed
from catalogue.services.context import context_record_changed
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

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(
            "PagedDataFileFormSet", (formset,), {"page_number": request.GET.get("files_page")}
        )


class DatasetEventInline(PortalTabularInline):
    model = DatasetEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor_name", "from_status", "to_status", "comment"]
    readonly_fields = fields
    verbose_name = "status change"
    verbose_name_plural = "status history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- lifecycle
class CommentForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), required=False,
        help_text="Shown in the status history (and, for a withdrawal, on the tombstone page).",
    )  # fmt: skip


def _run(fn, request, dataset, comment: str) -> bool:
    kwargs = {"dataset": dataset, "actor": request.user}
    if fn is lifecycle.dataset_withdraw:
        kwargs["reason"] = comment
    else:
        kwargs["comment"] = comment
    try:
        fn(**kwargs)
    except lifecycle.TransitionError as exc:
        messages.error(request, f"“{dataset}”: {exc}")
        return False
    return True


ACTIONS = {
    Status.SUBMITTED: ("Submit for review", lifecycle.dataset_submit),
    Status.DRAFT: ("Return to draft", lifecycle.dataset_retract),
    Status.IN_REVIEW: ("Start review", lifecycle.dataset_start_review),
    Status.CHANGES_REQUESTED: ("Request changes", lifecycle.dataset_request_changes),
    Status.APPROVED: ("Approve", lifecycle.dataset_approve),
    Status.PUBLISHED: ("Publish (mint DOI)", lifecycle.dataset_publish),
    Status.WITHDRAWN: ("Withdraw", lifecycle.dataset_withdraw),
}
NEEDS_COMMENT = {Status.CHANGES_REQUESTED, Status.WITHDRAWN}


def _bulk_action(to: str):
    label, fn = ACTIONS[to]

    def action(modeladmin, request, queryset):
        if to in NEEDS_COMMENT and "apply" not in request.POST:
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
        done = sum(_run(fn, request, ds, comment) for ds in queryset)
        if done:
            messages.success(request, f"{label}: {done} dataset(s) done.")
        return None

    action.__name__ = f"to_{to}"
    action.short_description = label
    return action


@admin.register(Dataset)
class DatasetAdmin(PortalModelAdmin):
    list_display = ["title", "status_badge", "facility", "instrument", "publication_year",
                    "doi", "file_count", "updated_at"]  # fmt: skip
    list_filter = ["status", "facility", "instrument", TechniqueInUseFilter, PublicationYearFilter,
                   "resource_type_general", "license"]  # fmt: skip
    search_fields = ["title", "doi", "=pid", "creators__name", "sample_name",
                     "beamtime__proposal__proposal_id"]  # fmt: skip
    list_select_related = ["facility", "instrument"]
    autocomplete_fields = ["instrument", "beamtime", "techniques", "owner_group", "access_groups"]
    readonly_fields = ["pid", "status", "lifecycle", "published_at", "withdrawn_at",
                       "withdrawal_reason", "file_count", "total_size", "created_by",
                       "created_at", "updated_at"]  # fmt: skip
    inlines = [CreatorInline, ContributorInline, RelatedIdentifierInline, FundingReferenceInline,
               DataFileInline, DatasetEventInline]  # fmt: skip
    actions = [_bulk_action(s) for s in ACTIONS]
    show_full_result_count = False
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
        moves = [to for (frm, to) in TRANSITIONS if frm == obj.status]
        if not moves:
            return "No further steps."
        links = [
            format_html(
                '<a class="button" href="{}">{}</a>',
                reverse("admin:catalogue_dataset_transition", args=[obj.pk, to]),
                ACTIONS[to][0],
            )
            for to in moves
        ]
        return format_html(" ".join(["{}"] * len(links)), *links)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from catalogue.services.files import dataset_refresh_file_totals

        dataset_refresh_file_totals(dataset=form.instance)
        datasets_changed([form.instance.pk])

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        datasets_changed([pk])  # a deleted draft leaves the search index

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        datasets_changed(pks)

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
        if obj is not None and obj.status in (Status.PUBLISHED, Status.WITHDRAWN):
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
        if to not in ACTIONS or not self.has_view_permission(request, dataset):
            raise Http404("No dataset here.")
        action = TRANSITIONS.get((dataset.status, to))
        if action is not None and not user_may(request.user, action, dataset):
            raise PermissionDenied
        label, fn = ACTIONS[to]
        form = CommentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if _run(fn, request, dataset, form.cleaned_data["comment"]):
                messages.success(request, f"{label}: done.")
            return HttpResponseRedirect(
                reverse("admin:catalogue_dataset_change", args=[dataset.pk])
            )
        return TemplateResponse(
            request,
            "admin/catalogue/dataset/transition.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{label}: {dataset}",
                "datasets": [dataset],
                "form": form,
                "opts": self.model._meta,
                "original": dataset,
                "label": label,
                "needs_comment": to in NEEDS_COMMENT,
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


@admin.register(DataFile)
class DataFileAdmin(PortalModelAdmin):
    list_display = ["path", "dataset", "size", "checksum_algorithm", "media_type"]
    search_fields = ["path", "=dataset__pid", "dataset__title"]
    list_select_related = ["dataset"]
    raw_id_fields = ["dataset"]
    show_full_result_count = False


@admin.register(DatasetEvent)
class DatasetEventAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["created_at", "dataset", "actor_name", "from_status", "to_status"]
    list_filter = ["to_status"]
    search_fields = ["dataset__title", "actor_name", "comment"]
    list_select_related = ["dataset"]
    readonly_fields = ["dataset", "actor", "actor_name", "from_status", "to_status", "comment",
                       "created_at"]  # fmt: skip


for model in (Creator, Contributor, RelatedIdentifier, FundingReference):
    admin.site.register(
        model,
        PortalModelAdmin,
        list_display=["__str__", "dataset"],
        search_fields=["dataset__title"],
        raw_id_fields=["dataset"],
    )

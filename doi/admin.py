"""DOI registrations in the admin: state, attempts and DataCite's last error, on the dataset
and in their own list (filter "registration failed", action "retry")."""

from django.contrib import admin, messages
from django.utils.html import format_html

from doi.models import DoiRegistration, DoiState


class RegistrationFailedFilter(admin.SimpleListFilter):
    """For the DOI list (``failed``) and the dataset list (``doi_registration__failed``)."""

    title = "registration failed"
    parameter_name = "doi_failed"
    field = "failed"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{self.field: self.value() == "yes"})
        return queryset


class DatasetRegistrationFailedFilter(RegistrationFailedFilter):
    title = "DOI registration failed"
    field = "doi_registration__failed"


def _queue_retry(modeladmin, request, registrations) -> None:
    from doi.services import doi_retry
    from doi.tasks import queue_registration_syncs

    ids = doi_retry(registrations=registrations)
    queue_registration_syncs(ids)
    modeladmin.message_user(
        request, f"{len(ids)} DOI registration(s) queued for another attempt.", messages.SUCCESS
    )


@admin.action(description="Retry DOI registration")
def retry_registration(modeladmin, request, queryset):
    _queue_retry(modeladmin, request, queryset)


@admin.action(description="Retry DOI registration")
def retry_dataset_registration(modeladmin, request, queryset):
    """The same action on the dataset list."""
    _queue_retry(modeladmin, request, DoiRegistration.objects.filter(dataset__in=queryset))


def state_badge(obj: DoiRegistration):
    colours = {DoiState.FINDABLE: "#1b7f3b", DoiState.REGISTERED: "#555"}
    colour = "#a32020" if obj.failed else colours.get(obj.state, "#8a4b00")
    label = obj.get_state_display() + (" — failed" if obj.failed else "")
    return format_html('<strong style="color:{}">{}</strong>', colour, label)


REGISTRATION_FIELDS = ["doi", "state", "failed", "error_kind", "last_error", "attempts",
                       "last_synced", "next_attempt_at", "pending"]  # fmt: skip


class DoiRegistrationInline(admin.StackedInline):
    model = DoiRegistration
    fields = REGISTRATION_FIELDS
    readonly_fields = REGISTRATION_FIELDS
    can_delete = False
    extra = 0
    max_num = 0
    verbose_name = verbose_name_plural = "DOI registration at DataCite"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DoiRegistration)
class DoiRegistrationAdmin(admin.ModelAdmin):
    list_display = ["doi", "dataset", "concept", "state_display", "attempts", "short_error",
                    "last_synced"]  # fmt: skip
    list_filter = [RegistrationFailedFilter, "state", "error_kind"]
    search_fields = ["doi", "dataset__title"]
    list_select_related = ["dataset", "concept"]
    readonly_fields = [*REGISTRATION_FIELDS, "dataset", "concept", "availability_checked",
                       "metadata_checksum", "created_at", "updated_at"]  # fmt: skip
    fields = readonly_fields
    actions = [retry_registration]

    @admin.display(description="state", ordering="state")
    def state_display(self, obj):
        return state_badge(obj)

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error[:120] + "…") if len(obj.last_error) > 120 else obj.last_error

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from oaipmh.models import DeletedRecord


@admin.register(DeletedRecord)
class DeletedRecordAdmin(admin.ModelAdmin):
    """Read-only: what harvesters are told was deleted, kept forever (deletedRecord=persistent)."""

    list_display = ["pid", "doi", "datestamp", "set_specs"]
    search_fields = ["pid", "doi"]
    date_hierarchy = "datestamp"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

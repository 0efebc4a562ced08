from django.contrib import admin

from oaipmh.models import DeletedRecord
from portal.admin import ReadOnlyAdminMixin


@admin.register(DeletedRecord)
class DeletedRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: what harvesters are told was deleted, kept forever (deletedRecord=persistent)."""

    list_display = ["pid", "doi", "datestamp", "set_specs"]
    search_fields = ["pid", "doi"]
    date_hierarchy = "datestamp"

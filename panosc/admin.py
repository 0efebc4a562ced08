from django.contrib import admin

from panosc.models import DocumentParameter


@admin.register(DocumentParameter)
class DocumentParameterAdmin(admin.ModelAdmin):
    list_display = ("document", "name", "value", "unit")
    search_fields = ("document", "name")

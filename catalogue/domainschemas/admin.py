"""Domain-metadata schemas in the Django admin: upload a file or paste the text, choose the
techniques and instruments, see the generated JSON Schema read-only. A stored version's source
is read-only; "Upload a new version" opens the add form under the same name. Every save goes
through the one writer (catalogue.services.schemas), which refuses an invalid schema with a
message on the source field."""

import json

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from catalogue.domainschemas.validation import MAX_SOURCE_BYTES
from catalogue.models import MetadataSchema
from catalogue.services.errors import DatasetInputError
from catalogue.services.schemas import metadata_schema_save


class MetadataSchemaAddForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Schema file"), required=False,
        help_text=_("A .json (JSON Schema 2020-12) or .yaml (LinkML) file; or paste it below."),
    )  # fmt: skip

    class Meta:
        model = MetadataSchema
        fields = ["name", "kind", "title", "description", "upload", "source", "active",
                  "techniques", "instruments"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].required = False
        self.fields["source"].widget = forms.Textarea(attrs={"rows": 16, "cols": 90,
                                                             "spellcheck": "false"})  # fmt: skip

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload is not None:
            if upload.size > MAX_SOURCE_BYTES:
                self.add_error("upload", _("The file is larger than 1 MB."))
                return data
            try:
                data["source"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("upload", _("The file is not UTF-8 text."))
                return data
            name = (upload.name or "").lower()
            if not self.data.get("kind") or "kind" in self.errors:
                data["kind"] = "linkml" if name.endswith((".yaml", ".yml")) else "json-schema"
        if not (data.get("source") or "").strip():
            self.add_error("source", _("Upload a schema file or paste the schema."))
        return data

    def _post_clean(self):
        super()._post_clean()
        # The writer compiles the schema now, so that an invalid one is refused on the form.
        if self.errors or self.instance.pk is not None:
            return
        self.instance.source = self.cleaned_data.get("source", "")
        try:
            from catalogue.domainschemas.validation import SchemaSourceError, compile_schema

            self.instance.json_schema = compile_schema(
                kind=self.instance.kind, source=self.instance.source
            )
        except SchemaSourceError as exc:
            self.add_error("upload" if self.cleaned_data.get("upload") else "source", str(exc))


class MetadataSchemaChangeForm(forms.ModelForm):
    class Meta:
        model = MetadataSchema
        fields = ["title", "description", "active", "techniques", "instruments"]


@admin.register(MetadataSchema)
class MetadataSchemaAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "kind", "active", "applies_to", "created_at"]
    list_filter = ["active", "kind", "techniques", "instruments"]
    search_fields = ["name", "title", "techniques__label", "instruments__code"]
    autocomplete_fields = ["techniques", "instruments"]
    readonly_fields = ["name", "version", "kind", "source_text", "generated", "created_at",
                       "created_by", "new_version"]  # fmt: skip

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MetadataSchemaChangeForm if obj is not None else MetadataSchemaAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["name", "kind", "title", "description"]}),
                (_("Schema"), {"fields": ["upload", "source"]}),
                (_("Applies to"), {"fields": ["active", "techniques", "instruments"],
                                   "description": _("A technique includes its narrower "
                                                    "techniques (PaNET).")}),
            ]  # fmt: skip
        return [
            (None, {"fields": ["name", "version", "kind", "title", "description", "created_at",
                               "created_by", "new_version"]}),
            (_("Applies to"), {"fields": ["active", "techniques", "instruments"],
                               "description": _("A technique includes its narrower techniques "
                                                "(PaNET). One version per name is active.")}),
            (_("Schema"), {"fields": ["source_text", "generated"]}),
        ]  # fmt: skip

    @admin.display(description=_("applies to"))
    def applies_to(self, obj: MetadataSchema) -> str:
        names = [t.label for t in obj.techniques.all()] + [i.code for i in obj.instruments.all()]
        return ", ".join(names) or "—"

    @admin.display(description=_("source"))
    def source_text(self, obj: MetadataSchema):
        return format_html('<pre style="max-height:30em;overflow:auto;white-space:pre-wrap">'
                           "{}</pre>", obj.source)  # fmt: skip

    @admin.display(description=_("JSON Schema checked against"))
    def generated(self, obj: MetadataSchema):
        text = json.dumps(obj.json_schema, indent=2, ensure_ascii=False)
        return format_html('<pre style="max-height:30em;overflow:auto">{}</pre>', text)

    @admin.display(description=_("new version"))
    def new_version(self, obj: MetadataSchema):
        # The add form starts where this version stands (Django reads m2m initials as ids).
        query = urlencode({
            "name": obj.name, "kind": obj.kind, "title": obj.title,
            "techniques": ",".join(str(t.pk) for t in obj.techniques.all()),
            "instruments": ",".join(str(i.pk) for i in obj.instruments.all()),
        })  # fmt: skip
        url = reverse("admin:catalogue_metadataschema_add") + "?" + query
        return format_html('<a class="button" href="{}">{}</a>', url, _("Upload a new version"))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("techniques", "instruments")

    def save_model(self, request, obj, form, change):
        # The one writer stores the version (and what it applies to); save_related has
        # nothing left to do.
        try:
            metadata_schema_save(
                schema=obj,
                techniques=form.cleaned_data.get("techniques", []),
                instruments=form.cleaned_data.get("instruments", []),
                actor=request.user,
            )
        except DatasetInputError as exc:  # a race: the form checked the same rules
            raise ValueError(exc.message) from exc

    def save_related(self, request, form, formsets, change):
        pass

    def has_delete_permission(self, request, obj=None):
        # Versions are kept (datasets were checked against them); deactivate instead.
        return request.user.is_superuser

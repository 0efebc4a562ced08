"""Domain-metadata schemas (catalogue.domainschemas): one row per version of a schema."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .context import Instrument, Technique


class MetadataSchema(models.Model):
    """One version of a schema the scientific metadata must satisfy.

    A version is immutable once stored (its source and generated schema); a new upload under
    the same name is the next version. At most one version per name is active.
    """

    class Kind(models.TextChoices):
        JSON_SCHEMA = "json-schema", _("JSON Schema (draft 2020-12)")
        LINKML = "linkml", _("LinkML YAML")

    name = models.SlugField(
        _("name"), max_length=100,
        help_text=_("Stable name; a new upload under the same name is its next version."),
    )  # fmt: skip
    version = models.PositiveIntegerField(_("version"), editable=False)
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.TextField(_("source"), help_text=_("The schema as uploaded."))
    json_schema = models.JSONField(
        _("JSON Schema"), editable=False,
        help_text=_("What datasets are checked against: the source itself, or the JSON Schema "
                    "the LinkML generator made from it at upload."),
    )  # fmt: skip
    active = models.BooleanField(
        _("active"), default=True,
        help_text=_("Datasets are checked against the active version (one per name)."),
    )  # fmt: skip
    techniques = models.ManyToManyField(
        Technique, related_name="metadata_schemas", blank=True, verbose_name=_("techniques"),
        help_text=_("PaNET techniques it applies to (and every narrower technique)."),
    )  # fmt: skip
    instruments = models.ManyToManyField(
        Instrument, related_name="metadata_schemas", blank=True, verbose_name=_("instruments")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )  # fmt: skip

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("domain-metadata schema")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="metadataschema_version"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(active=True), name="metadataschema_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}" if self.version else self.name

"""What the catalogue has no place for but PaNOSC documents carry: their own parameters."""

from django.core.exceptions import ValidationError
from django.db import models


class DocumentParameter(models.Model):
    """A parameter of a PaNOSC document (doc/data-model.md: Parameter belongs to a Dataset or
    a Document), e.g. the laser wavelength a publication reports. Datasets' parameters are
    their scientific metadata; proposals and publications have none, so curators add them
    here, by the document's pid."""

    document = models.CharField(
        max_length=500, db_index=True,
        help_text="The document's pid: a publication's DOI (lower case), or "
        "<facility code>/proposal/<proposal id>.",
    )  # fmt: skip
    name = models.CharField(max_length=300)
    value = models.JSONField(help_text="A number or a string.")
    unit = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return f"{self.document}: {self.name} = {self.value} {self.unit}".strip()

    def clean(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float | str):
            raise ValidationError({"value": "A number or a string."})

"""What the OAI-PMH provider keeps of its own: deleted records whose dataset row is gone, and
records' rendered metadata."""

from django.db import models


class DeletedRecord(models.Model):
    """A once-public dataset whose database row was deleted.

    Identify promises ``deletedRecord=persistent`` (OAI-PMH 2.0 §2.5.1): a record that was
    ever disseminated stays a header with ``status="deleted"`` forever. Withdrawn datasets keep
    their row, so they need nothing here; this table only catches rows deleted outright (the
    admin refuses, a shell or a script might not), filled in the deleting transaction by
    :func:`oaipmh.services.deleted_record_remember`.
    """

    pid = models.UUIDField("PID", unique=True)
    doi = models.CharField("DOI", max_length=255, blank=True)
    datestamp = models.DateTimeField(help_text="When the record was deleted.")
    # The record's setSpecs, space-separated with a space at both ends (" a:b c:d "), so that
    # set membership is a substring test that works on every database.
    set_specs = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["datestamp", "pid"], name="oai_deleted_datestamp")]

    def __str__(self) -> str:
        return f"deleted {self.pid}"

    @property
    def set_spec_list(self) -> list[str]:
        return self.set_specs.split()


class RenderedMetadata(models.Model):
    """One record's <metadata> content in one format, as rendered for one datestamp.

    Rendering (snapshot + DataCite mapping) is most of a harvest's cost; a record's metadata
    only changes when its datestamp does, so a harvest reuses what an earlier one rendered.
    A row is used only while its ``datestamp`` equals the record's and its ``version`` equals
    :func:`oaipmh.rendering.render_version` (the mapping code and the settings that shape
    the output); otherwise the record is rendered again and the row replaced.
    """

    dataset = models.ForeignKey("catalogue.Dataset", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=32)
    datestamp = models.DateTimeField()
    version = models.CharField(max_length=16)
    xml = models.BinaryField()

    class Meta:
        verbose_name_plural = "rendered metadata"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "prefix"], name="oai_rendered_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix} of dataset {self.dataset_id}"

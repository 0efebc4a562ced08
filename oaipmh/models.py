"""What the OAI-PMH provider keeps of its own: deleted records whose dataset row is gone."""

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

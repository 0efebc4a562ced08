"""What SciCat says about a dataset that the portal's own record has no field for.

A dataset ingested through the SciCat API or imported from a SciCat keeps here, losslessly,
the SciCat fields the catalogue does not model (owner, contactEmail, creationTime, proposalId…)
and the per-file SciCat attributes of its origdatablocks (time, uid, gid, perm), so read-back
answers with what the client sent. The catalogue record (catalogue.Dataset, written only by
catalogue.services) stays the one truth for everything it does model; the SciCat pid itself
is the record's alternate identifier of type "SciCat PID".
"""

import uuid

from django.db import models

from catalogue.models import Dataset


class ScicatRecord(models.Model):
    dataset = models.OneToOneField(
        Dataset, on_delete=models.CASCADE, primary_key=True, related_name="scicat"
    )
    type = models.CharField(max_length=20, default="raw")  # SciCat's "raw" | "derived"
    # SciCat fields (v4 names) with no catalogue field, exactly as given.
    fields = models.JSONField(default=dict, blank=True)
    # [{"_id", "chkAlg", "createdAt", "files": {path: {"time", "uid", "gid", "perm"…}}}]
    origdatablocks = models.JSONField(default=list, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    # import_scicat: a hash of the source record as last imported (scicat.importing); a rerun
    # that finds the same hash, and a dataset not changed here since, skips the record.
    source_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"SciCat fields of {self.dataset_id}"


class ScicatAttachment(models.Model):
    """An attachment (usually a thumbnail as a data URI) of a dataset, as SciCat keeps them."""

    aid = models.CharField(max_length=200, unique=True, default=uuid.uuid4)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="scicat_attachments"
    )
    caption = models.TextField(blank=True)
    thumbnail = models.TextField(blank=True)
    owner_group = models.CharField(max_length=150, blank=True)
    access_groups = models.JSONField(default=list, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"attachment {self.aid}"


class ScicatEntity(models.Model):
    """Proposals and samples posted by SciCat clients (the portal's own proposals come from
    the facility's user office; a SciCat proposal the portal does not know is kept here)."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal"
        SAMPLE = "sample"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200)  # proposalId / sampleId
    owner_group = models.CharField(max_length=150, blank=True)
    access_groups = models.JSONField(default=list, blank=True)
    body = models.JSONField(default=dict)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="scicat_entity_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

"""The folders of a dataset's files, with recursive counts: a derived index for browsing.

A dataset may hold 100,000 files; grouping them by folder on every page view costs a scan of
all their rows. :mod:`catalogue.folders` builds these rows from the files in one pass and
rebuilds them when the dataset's file count or size no longer match (``DataFolderIndex``).
"""

from django.db import models


class DataFolderIndex(models.Model):
    """Which state of the file list the folder rows describe."""

    dataset = models.OneToOneField(
        "catalogue.Dataset", on_delete=models.CASCADE, related_name="folder_index"
    )
    file_count = models.PositiveIntegerField()
    total_size = models.PositiveBigIntegerField()
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"folders of {self.dataset_id}"


class DataFolder(models.Model):
    dataset = models.ForeignKey(
        "catalogue.Dataset", on_delete=models.CASCADE, related_name="folders"
    )
    path = models.CharField(max_length=1024, help_text="With a trailing slash: raw/scan_01/")
    parent = models.CharField(max_length=1024, help_text="'' at the top, else raw/")
    files = models.PositiveIntegerField(help_text="Files below it, recursively.")
    size = models.PositiveBigIntegerField(help_text="Their bytes.")

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "path"], name="datafolder_unique_path")
        ]
        indexes = [models.Index(fields=["dataset", "parent", "path"], name="datafolder_parent")]

    def __str__(self) -> str:
        return self.path

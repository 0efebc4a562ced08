"""Usage events (hashed, never a raw IP address or user id) and their monthly aggregates.

COUNTER CoP for Research Data: an *investigation* is an access to a dataset's landing page or
metadata, a *request* a download of its data; every request is also an investigation. Each
access becomes one event row per kind; :mod:`stats.services` applies the double-click rule
and counts unique user-sessions when it aggregates a dataset's month.
"""

from django.db import models


class Kind(models.TextChoices):
    INVESTIGATION = "investigation", "Investigation"
    REQUEST = "request", "Request"


class AccessMethod(models.TextChoices):
    # COUNTER RD glossary: Access_Method "Regular" (humans) or "Machine" (scripts, tools).
    REGULAR = "regular", "Regular"
    MACHINE = "machine", "Machine"


class UsageSalt(models.Model):
    """The day's random salt of the identity hashes; rotated daily, older ones deleted, so
    yesterday's hashes cannot be linked to today's (InvenioRDM does the same in its cache)."""

    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)


class UsageEvent(models.Model):
    """One access of one kind. Kept until its month's aggregate is final (``prune``)."""

    event_id = models.UUIDField(unique=True, help_text="Makes a retried task harmless.")
    dataset = models.ForeignKey(
        "catalogue.Dataset", on_delete=models.CASCADE, related_name="usage_events"
    )
    version = models.CharField(max_length=50, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    access_method = models.CharField(max_length=8, choices=AccessMethod.choices)
    at = models.DateTimeField()
    month = models.DateField(help_text="First day of the month of ``at`` (UTC).")
    # SHA-224 hex of salt + (user id | session key | IP + user agent) + date-and-hour.
    session_id = models.CharField(max_length=56)
    # SHA-224 hex of salt + identity + dataset + kind: the double-click "same user, resource".
    click_id = models.CharField(max_length=56)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes sent, for requests.")

    class Meta:
        indexes = [models.Index(fields=["dataset", "month"], name="usage_event_dataset_month")]

    def __str__(self) -> str:
        return f"{self.kind} {self.dataset_id} {self.at:%Y-%m-%d %H:%M:%S}"


class DatasetUsageMonth(models.Model):
    """COUNTER metrics of one dataset version in one month, per access method."""

    dataset = models.ForeignKey(
        "catalogue.Dataset", on_delete=models.CASCADE, related_name="usage_months"
    )
    version = models.CharField(max_length=50, blank=True)
    month = models.DateField()
    access_method = models.CharField(max_length=8, choices=AccessMethod.choices)
    investigations_total = models.PositiveIntegerField(default=0)
    investigations_unique = models.PositiveIntegerField(default=0)
    requests_total = models.PositiveIntegerField(default=0)
    requests_unique = models.PositiveIntegerField(default=0)
    volume = models.PositiveBigIntegerField(default=0, help_text="Bytes of counted requests.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "version", "month", "access_method"],
                name="usage_month_unique",
            )
        ]
        indexes = [models.Index(fields=["month"], name="usage_month_month")]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.version} {self.month:%Y-%m} {self.access_method}"

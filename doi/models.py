"""What DataCite has confirmed about each DOI the portal reserved.

The state moves only when DataCite's answer says so (``state`` of its JSON:API document):
``reserved`` (the name is held in our unique index, DataCite has not seen it) → ``draft`` →
``findable`` ⇄ ``registered`` (hidden). It never claims more than DataCite confirmed; a lost
answer only means the next attempt learns the state from DataCite's next answer.
"""

from django.db import models


class DoiState(models.TextChoices):
    RESERVED = "reserved", "Reserved (local only)"
    DRAFT = "draft", "Draft at DataCite"
    FINDABLE = "findable", "Findable"
    REGISTERED = "registered", "Registered (hidden)"


class ErrorKind(models.TextChoices):
    NONE = "", "None"
    TRANSIENT = "transient", "DataCite unavailable (retrying)"
    PERMANENT = "permanent", "Refused by DataCite"
    CONFIGURATION = "configuration", "DataCite configuration error"


class DoiRegistration(models.Model):
    # SET_NULL: a DOI outlives its dataset (a registered DOI cannot be deleted at DataCite),
    # and its name stays taken in the unique index below.
    dataset = models.OneToOneField(
        "catalogue.Dataset", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="doi_registration",
    )  # fmt: skip
    # The concept DOI of all versions of a record (catalogue.DatasetConcept): it resolves to
    # the latest published version. Exactly one of dataset/concept is set while it lives.
    concept = models.OneToOneField(
        "catalogue.DatasetConcept", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="doi_registration",
    )  # fmt: skip
    doi = models.CharField("DOI", max_length=255, unique=True)
    state = models.CharField(
        max_length=20, choices=DoiState.choices, default=DoiState.RESERVED, db_index=True
    )
    # GET /dois/{doi} answered 404 before the first PUT: the name is ours at DataCite too.
    availability_checked = models.BooleanField(default=False)
    # sha256 of the metadata (XML), URL and target state DataCite last confirmed.
    metadata_checksum = models.CharField(max_length=64, blank=True)
    last_synced = models.DateTimeField(null=True, blank=True)
    # A change is waiting to reach DataCite (set when the dataset changed, cleared in step).
    pending = models.BooleanField(default=True, db_index=True)
    attempts = models.PositiveIntegerField(
        default=0, help_text="Failed attempts since DataCite last confirmed a change."
    )
    failed = models.BooleanField(
        default=False, db_index=True, help_text="Registration gave up; a curator must look."
    )
    error_kind = models.CharField(max_length=20, choices=ErrorKind.choices, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "DOI registration"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.doi} ({self.state})"

    def save(self, *args, **kwargs):
        self.doi = self.doi.strip().lower()
        super().save(*args, **kwargs)

    @property
    def resolves(self) -> bool:
        """doi.org sends people to the landing page (registered or findable at DataCite)."""
        return self.state in (DoiState.FINDABLE, DoiState.REGISTERED)

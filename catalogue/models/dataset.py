"""The dataset: DataCite 4.6 core metadata, facility context, scientific metadata, files."""

import functools
import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from catalogue import vocabularies as voc
from catalogue.identifiers import (
    normalize_doi,
    normalize_orcid,
    normalize_ror,
    validate_doi,
    validate_orcid,
    validate_ror,
)
from catalogue.scimeta import validate_scientific_metadata

from .context import Beamtime, Facility, Instrument, Technique


class Status(models.TextChoices):
    # Labels follow the page language (gettext_lazy); the values are the API's and never change.
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Declined")  # closed by a curator with a reason; owners may reopen


# The lifecycle's moves, who may make them and their labels are ONE table next to the functions
# that make them: catalogue.services.lifecycle.TRANSITIONS (admin, pages and API iterate it).


# When the public record last changed: its withdrawal for a withdrawn dataset, its last save
# otherwise. OAI-PMH datestamps and harvests page on (this, pid): see the index below.
RECORD_CHANGED_AT = models.Case(
    models.When(status=Status.WITHDRAWN, withdrawn_at__isnull=False, then=models.F("withdrawn_at")),
    default=models.F("updated_at"),
    output_field=models.DateTimeField(),
)


def _new_pid() -> uuid.UUID:
    return uuid.uuid4()


_URL_PLACEHOLDER = uuid.UUID(int=0)


@functools.lru_cache(maxsize=8)
def _dataset_url_template(urlconf: str | None, script_prefix: str) -> str:
    """The dataset page's path for the placeholder PID, per URLconf and script prefix."""
    return reverse("catalogue:dataset-detail", kwargs={"pid": _URL_PLACEHOLDER}, urlconf=urlconf)


class DatasetConcept(models.Model):
    """All versions of one record (Zenodo's "concept"): created at the record's first
    publication, with the concept DOI that always resolves to the latest published version
    (DataCite 4.6 ``IsVersionOf``/``HasVersion``). Its registration at DataCite is a
    ``doi.DoiRegistration`` with ``concept`` set."""

    pid = models.UUIDField("PID", default=_new_pid, unique=True, editable=False)
    doi = models.CharField(
        "concept DOI", max_length=255, null=True, blank=True, unique=True,
        validators=[validate_doi],
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "dataset concept (all versions)"

    def __str__(self) -> str:
        return self.doi or str(self.pid)

    def save(self, *args, **kwargs):
        self.doi = (self.doi or "").strip().lower() or None
        super().save(*args, **kwargs)


class Dataset(models.Model):
    # Identity
    pid = models.UUIDField(
        "PID", default=_new_pid, unique=True, editable=False,
        help_text="Stable internal identifier, used in URLs.",
    )  # fmt: skip
    doi = models.CharField(
        "DOI", max_length=255, null=True, blank=True, unique=True, validators=[validate_doi],
        help_text="Stored in lower case; minted on publication under PORTAL_DOI_PREFIX.",
    )  # fmt: skip

    # Versions (catalogue.services.versions): the concept all versions share, the number this
    # version got at publication (1, 2, ...), the version it was made from, and whether a later
    # version of the same concept is published (search shows the latest by default).
    concept = models.ForeignKey(
        DatasetConcept, on_delete=models.PROTECT, related_name="versions", null=True,
        blank=True, editable=False,
    )  # fmt: skip
    version_number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False, help_text="The published version this draft was made from.",
    )  # fmt: skip
    superseded = models.BooleanField(default=False, db_index=True, editable=False)

    # DataCite 4.6 core metadata
    title = models.CharField(max_length=500)
    additional_titles = models.JSONField(
        default=list, blank=True,
        help_text='[{"title": "...", "titleType": "Subtitle", "lang": "en"}]',
    )  # fmt: skip
    description = models.TextField("abstract", blank=True)
    additional_descriptions = models.JSONField(
        default=list, blank=True,
        help_text='[{"description": "...", "descriptionType": "Methods"}]',
    )  # fmt: skip
    publisher = models.CharField(max_length=300, blank=True)
    publisher_identifier = models.CharField(
        "publisher ROR id", max_length=40, blank=True, validators=[validate_ror]
    )
    publication_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900)], db_index=True
    )
    resource_type_general = models.CharField(
        max_length=40, choices=voc.RESOURCE_TYPE_GENERAL_CHOICES, default="Dataset"
    )
    resource_type = models.CharField(
        "specific resource type", max_length=100, blank=True, default="raw",
        help_text="e.g. raw, derived (SciCat dataset type).",
    )  # fmt: skip
    keywords = models.JSONField(default=list, blank=True)
    subjects = models.JSONField(
        "other subjects", default=list, blank=True,
        help_text='Classified subjects: [{"subject": "...", "subjectScheme": "...", '
        '"schemeUri": "...", "valueUri": "..."}]',
    )  # fmt: skip
    license = models.CharField(
        "licence (SPDX)", max_length=40, choices=voc.LICENCE_CHOICES, default="CC-BY-4.0"
    )
    language = models.CharField(max_length=20, default="en", blank=True)
    version = models.CharField(max_length=50, blank=True)
    collection_start = models.DateTimeField(null=True, blank=True)
    collection_end = models.DateTimeField(null=True, blank=True)
    dates = models.JSONField(
        "other dates", default=list, blank=True,
        help_text='[{"date": "2024-05-01", "dateType": "Created", "dateInformation": ""}]',
    )  # fmt: skip

    # Facility context
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="datasets", null=True, blank=True
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="datasets", null=True, blank=True
    )
    beamtime = models.ForeignKey(
        Beamtime, on_delete=models.PROTECT, related_name="datasets", null=True, blank=True
    )
    techniques = models.ManyToManyField(Technique, related_name="datasets", blank=True)
    sample_name = models.CharField(max_length=300, blank=True)
    sample_description = models.TextField(blank=True)
    scientific_metadata = models.JSONField(
        default=dict, blank=True, validators=[validate_scientific_metadata],
        help_text='As SciCat ingestors send it: {"temperature": {"value": 300, "unit": "K"}}',
    )  # fmt: skip

    # Storage
    storage_folder = models.CharField(
        max_length=500, blank=True, help_text="Folder relative to PORTAL_STORAGE_ROOT."
    )
    download_base_url = models.URLField(
        max_length=500, blank=True,
        help_text="Public HTTPS/WebDAV base URL; file URLs are this plus the file path.",
    )  # fmt: skip
    file_count = models.PositiveIntegerField(default=0, editable=False)
    total_size = models.PositiveBigIntegerField(default=0, editable=False)
    file_formats = models.JSONField(
        default=list, blank=True, editable=False, help_text="Distinct media types of the files."
    )

    # Lifecycle and access
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True,
        editable=False,
    )  # fmt: skip
    embargo_until = models.DateField(
        null=True, blank=True, help_text="Files stay closed to the public until this date."
    )
    # The embargo end that catalogue.services.embargo announced (files opened, DataCite
    # rights updated, owners told); equal to embargo_until once released.
    embargo_released_on = models.DateField(null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(blank=True, editable=False)
    owner_group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="owned_datasets", null=True, blank=True
    )
    access_groups = models.ManyToManyField(Group, related_name="shared_datasets", blank=True)
    # The curator who handles the review (review queue: claim or assign).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="dataset_status_published"),
            # Keyset paging of OAI-PMH lists on (datestamp, identifier).
            models.Index(RECORD_CHANGED_AT, models.F("pid"), name="dataset_record_changed"),
            # Every ListRecords harvest counts its list (completeListSize): an index-only scan
            # of the once-published records by datestamp (the DataCite formats also need the
            # DOI), instead of a sequential scan of the whole table.
            models.Index(
                RECORD_CHANGED_AT,
                include=["status", "withdrawn_at", "updated_at", "doi"],
                condition=models.Q(published_at__isnull=False),
                name="dataset_oai_once_published",
            ),
            # The home page's public totals (counts, files, bytes, datasets per facility, the
            # techniques in use): index-only scans of the published records.
            models.Index(
                fields=["facility", "instrument"],
                include=["id", "file_count", "total_size"],
                condition=models.Q(status=Status.PUBLISHED),
                name="dataset_public_totals",
            ),
            # Does a user see any unpublished record (the search offers the status facet)? The
            # gate's query then reads the unpublished records only, not the whole catalogue.
            models.Index(
                fields=["owner_group", "created_by"],
                condition=~models.Q(status__in=[Status.PUBLISHED, Status.WITHDRAWN]),
                name="dataset_unpublished_owners",
            ),
        ]
        constraints = [
            # Version numbers are given at publication, once each per concept.
            models.UniqueConstraint(
                fields=["concept", "version_number"], name="dataset_unique_version_number"
            ),
        ]
        permissions = [
            ("review_dataset", "Can review submitted datasets"),
            ("publish_dataset", "Can publish datasets (mint DOIs)"),
            ("withdraw_dataset", "Can withdraw published datasets"),
            ("view_all_datasets", "Can see every dataset, whatever its status and groups"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # DOIs are case-insensitive: one stored form keeps the unique index exact.
        self.doi = (self.doi or "").strip().lower() or None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # Lists of thousands of records (OAI-PMH pages, search, exports) call this per row;
        # reverse() costs ~50 us, so the pattern is reversed once and the PID put in.
        template = _dataset_url_template(get_urlconf(), get_script_prefix())
        return template.replace(str(_URL_PLACEHOLDER), str(self.pid))

    @property
    def licence(self) -> voc.Licence | None:
        return voc.LICENCES.get(self.license)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        # Malformed identifiers are reported by the fields' validators (clean_fields).
        self.doi = _normalized(normalize_doi, self.doi)
        self.publisher_identifier = _normalized(normalize_ror, self.publisher_identifier)
        if self.instrument_id and self.facility_id is None:
            self.facility_id = self.instrument.facility_id
        if self.instrument_id and self.instrument.facility_id != self.facility_id:
            errors.setdefault("instrument", []).append(
                "The instrument belongs to another facility."
            )
        if (
            self.beamtime_id
            and self.beamtime.instrument_id
            and self.instrument_id
            and self.beamtime.instrument_id != self.instrument_id
        ):
            errors.setdefault("beamtime", []).append("The beamtime was on another instrument.")
        if (
            self.collection_start
            and self.collection_end
            and self.collection_end < self.collection_start
        ):
            errors.setdefault("collection_end", []).append(
                "The collection period cannot end before it starts."
            )
        for field, problem in _json_list_problems(self).items():
            errors.setdefault(field, []).append(problem)
        if errors:
            raise ValidationError(errors)


def _normalized(normalize, value):
    """The normal form, or the value as given if malformed (its validator says why)."""
    if not value:
        return value
    try:
        return normalize(value)
    except ValueError:
        return value


def _json_list_problems(ds: Dataset) -> dict[str, str]:
    """Shape checks of the JSON list fields against DataCite's vocabularies."""
    problems: dict[str, str] = {}
    checks = {
        "additional_titles": ("title", "titleType", voc.TITLE_TYPES),
        "additional_descriptions": ("description", "descriptionType", voc.DESCRIPTION_TYPES),
        "dates": ("date", "dateType", voc.DATE_TYPES),
        "subjects": ("subject", None, None),
    }
    for field, (text_key, type_key, allowed) in checks.items():
        value = getattr(ds, field)
        if not isinstance(value, list):
            problems[field] = "Must be a list."
            continue
        for i, item in enumerate(value):
            if not isinstance(item, dict) or not str(item.get(text_key, "")).strip():
                problems[field] = f"Entry {i + 1} needs a non-empty {text_key!r}."
                break
            if type_key and item.get(type_key) not in allowed:
                problems[field] = f"Entry {i + 1}: {type_key} must be one of {', '.join(allowed)}."
                break
    if not isinstance(ds.keywords, list) or not all(
        isinstance(k, str) and k.strip() for k in ds.keywords
    ):
        problems["keywords"] = "Must be a list of non-empty strings."
    return problems


class Agent(models.Model):
    """A creator or contributor (DataCite creator/contributor), ordered by position."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(
        max_length=300, blank=True, help_text="'Family, Given' or the organisation's name."
    )
    name_type = models.CharField(max_length=20, choices=voc.NAME_TYPE_CHOICES, default="Personal")
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    orcid = models.CharField("ORCID iD", max_length=40, blank=True, validators=[validate_orcid])
    affiliation = models.CharField(max_length=300, blank=True)
    affiliation_ror = models.CharField(
        "affiliation ROR id", max_length=40, blank=True, validators=[validate_ror]
    )

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.name and self.family_name:
            self.name = ", ".join(p for p in (self.family_name, self.given_name) if p)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.orcid = _normalized(normalize_orcid, self.orcid)
        self.affiliation_ror = _normalized(normalize_ror, self.affiliation_ror)
        if self.orcid and self.name_type == "Organizational":
            raise ValidationError({"orcid": "Organisations have no ORCID iD."})
        if not self.name:
            if self.family_name:
                self.name = ", ".join(p for p in (self.family_name, self.given_name) if p)
            else:
                raise ValidationError({"name": "A name (or a family name) is required."})


class Creator(Agent):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="creators")

    class Meta(Agent.Meta):
        pass


class Contributor(Agent):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="contributors")
    contributor_type = models.CharField(
        max_length=40, choices=voc.CONTRIBUTOR_TYPE_CHOICES, default="Researcher"
    )

    class Meta(Agent.Meta):
        pass


class RelatedIdentifier(models.Model):
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="related_identifiers"
    )
    identifier = models.CharField(max_length=500)
    identifier_type = models.CharField(
        max_length=20, choices=voc.RELATED_IDENTIFIER_TYPE_CHOICES, default="DOI"
    )
    relation_type = models.CharField(
        max_length=30, choices=voc.RELATION_TYPE_CHOICES, default="IsSupplementTo"
    )
    resource_type_general = models.CharField(
        max_length=40, choices=voc.RESOURCE_TYPE_GENERAL_CHOICES, blank=True
    )
    citation = models.CharField(
        max_length=1000, blank=True, help_text="Human-readable reference, shown on the page."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.relation_type} {self.identifier_type}:{self.identifier}"

    def clean(self) -> None:
        if self.identifier_type == "DOI":
            try:
                self.identifier = normalize_doi(self.identifier)
            except ValueError as exc:
                raise ValidationError({"identifier": str(exc)}) from exc


class FundingReference(models.Model):
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="funding_references"
    )
    funder_name = models.CharField(max_length=300)
    funder_identifier = models.CharField(max_length=300, blank=True)
    funder_identifier_type = models.CharField(
        max_length=30, choices=voc.FUNDER_IDENTIFIER_TYPE_CHOICES, blank=True
    )
    award_number = models.CharField(max_length=200, blank=True)
    award_uri = models.URLField("award URI", max_length=500, blank=True)
    award_title = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.funder_name, self.award_number) if p)

    def clean(self) -> None:
        if self.funder_identifier and not self.funder_identifier_type:
            raise ValidationError(
                {"funder_identifier_type": "Say what kind of identifier the funder's is."}
            )


class AlternateIdentifier(models.Model):
    """Another identifier of the same record (DataCite 4.6 §11 alternateIdentifier).

    The SciCat pid of an ingested dataset is kept here (type "SciCat PID"), so clients find the
    record by the identifier they gave it.
    """

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="alternate_identifiers"
    )
    identifier = models.CharField(max_length=500)
    identifier_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                # One record per identifier: importers upsert by it (a SciCat pid).
                fields=["identifier_type", "identifier"],
                name="alternate_identifier_unique",
            )
        ]
        indexes = [models.Index(fields=["identifier"], name="alternate_identifier_value")]

    def __str__(self) -> str:
        return f"{self.identifier_type}:{self.identifier}"


class DataFile(models.Model):
    """One file of a dataset; a dataset may hold 100,000 of them, so lists are paged."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1024, help_text="Relative to the dataset's folder.")
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    checksum_algorithm = models.CharField(
        max_length=16, choices=voc.CHECKSUM_ALGORITHM_CHOICES, default="sha256"
    )
    checksum = models.CharField(max_length=128, blank=True)
    media_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "path"], name="datafile_unique_path"),
        ]

    def __str__(self) -> str:
        return self.path

    def clean(self) -> None:
        from catalogue.storage import StoragePathError, check_relative_path

        try:
            check_relative_path(self.path)
        except StoragePathError as exc:
            raise ValidationError({"path": str(exc)}) from exc
        if self.checksum and not all(c in "0123456789abcdef" for c in self.checksum.lower()):
            raise ValidationError({"checksum": "A checksum is written in hexadecimal digits."})


class DatasetEvent(models.Model):
    """The audit trail of a dataset: lifecycle moves, edits of non-draft records, comments.

    ``kind`` says which: a ``transition`` moves ``from_status`` → ``to_status``; an ``edit``
    lists the changed top-level fields (API names) in ``changed_fields`` (its statuses are the
    record's status at the time); a ``comment`` carries only ``comment`` (curation talk).
    """

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Status change")
        EDIT = "edit", _("Edit")
        COMMENT = "comment", _("Comment")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    actor_name = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    comment = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRANSITION)
    changed_fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        who = self.actor_name or "system"
        if self.kind == self.Kind.EDIT:
            return f"edit of {', '.join(self.changed_fields) or 'nothing'} by {who}"
        if self.kind == self.Kind.COMMENT:
            return f"comment by {who}"
        return f"{self.from_status or 'new'} → {self.to_status} by {who}"

"""Where data comes from: facilities, instruments, PaNET techniques, proposals, beamtimes."""

from django.core.exceptions import ValidationError
from django.db import models

from catalogue.identifiers import normalize_ror, validate_ror


class Facility(models.Model):
    code = models.SlugField(
        max_length=50, unique=True, help_text="Short stable code, used in URLs and OAI-PMH sets."
    )
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=50, blank=True)
    ror = models.CharField(
        "ROR id", max_length=40, blank=True, validators=[validate_ror],
        help_text="e.g. https://ror.org/01js2sh04",
    )  # fmt: skip
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        if self.ror:
            self.ror = normalize_ror(self.ror)


class Instrument(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="instruments")
    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    pid = models.CharField(
        "PID", max_length=200, blank=True,
        help_text="Persistent identifier of the instrument (PIDINST DOI or handle), if any.",
    )  # fmt: skip
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["facility__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.facility})"


class Technique(models.Model):
    """A PaNET technique (Photon and Neutron Experimental Techniques ontology)."""

    iri = models.URLField("PaNET IRI", max_length=200, unique=True)
    label = models.CharField(max_length=255, db_index=True)
    synonyms = models.JSONField(default=list, blank=True)
    definition = models.TextField(blank=True)
    broader = models.ManyToManyField("self", symmetrical=False, related_name="narrower", blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    @property
    def panet_id(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]


class Proposal(models.Model):
    class Type(models.TextChoices):
        STANDARD = "standard", "Standard"
        RAPID = "rapid_access", "Rapid access"
        LONG_TERM = "long_term", "Long-term"
        BAG = "block_allocation", "Block allocation group"
        INDUSTRIAL = "industrial", "Industrial"
        IN_HOUSE = "in_house", "In-house research"
        COMMISSIONING = "commissioning", "Commissioning"

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="proposals")
    proposal_id = models.CharField("proposal id", max_length=64)
    title = models.CharField(max_length=500)
    abstract = models.TextField(blank=True)
    principal_investigator = models.CharField(max_length=200, blank=True)
    proposal_type = models.CharField(
        "type", max_length=32, choices=Type.choices, default=Type.STANDARD
    )

    class Meta:
        ordering = ["facility__name", "proposal_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "proposal_id"], name="proposal_unique_per_facility"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.title}"


class Beamtime(models.Model):
    """One allocation of instrument time; a proposal has many, a beamtime has many datasets."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="beamtimes")
    beamtime_id = models.CharField("beamtime id", max_length=64)
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="beamtimes", null=True, blank=True
    )
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "beamtime_id"], name="beamtime_unique_per_proposal"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="beamtime_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beamtime_id} ({self.start:%Y-%m-%d})"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "A beamtime cannot end before it starts."})
        if (
            self.instrument_id
            and self.proposal_id
            and self.instrument.facility_id != self.proposal.facility_id
        ):
            raise ValidationError(
                {"instrument": "The instrument belongs to another facility than the proposal."}
            )

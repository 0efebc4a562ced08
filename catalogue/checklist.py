"""The one checklist of a dataset: what must be done before submission, and what is advised.

:func:`dataset_checklist` computes it; the owner's panel, the curator's queue and admin, the API
(``GET /api/v1/datasets/<pid>/checklist``) and :func:`catalogue.services.lifecycle.dataset_submit`
all read this one list. Each item has an ``id``, a ``level`` (``blocking`` items stop a
submission, ``advice`` items do not), whether it ``passed``, and a ``message`` for people.

DataCite 4.6 §"Mandatory properties" (Identifier is minted on publication, so not listed) are
blocking; its "Recommended" properties are advice.
"""

import datetime
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalogue.identifiers import validate_orcid, validate_ror
from catalogue.models import Dataset

BLOCKING = "blocking"
ADVICE = "advice"


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    level: str
    passed: bool
    message: str
    # Per JSON path of the input, for items about values (domain_schema): the API's 400 on
    # submission keys its errors by these, as DatasetInputError does.
    errors: dict[str, list[str]] | None = None

    def as_dict(self) -> dict:
        out = asdict(self)
        if not out["errors"]:  # only items with something to point at carry the key
            del out["errors"]
        return out


def _valid(validate, value: str) -> bool:
    try:
        validate(value)
    except Exception:  # django ValidationError or ValueError from the normalisers
        return False
    return True


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def dataset_checklist(dataset: Dataset) -> list[ChecklistItem]:
    """Every item, in a fixed order (blocking first within each theme)."""
    creators = list(dataset.creators.all())
    contributors = list(dataset.contributors.all())
    files = dataset.files.all()
    file_total = files.count()
    items: list[ChecklistItem] = []

    def item(id_: str, level: str, passed: bool, ok: str, missing: str) -> None:
        items.append(ChecklistItem(id_, level, bool(passed), ok if passed else missing))

    # DataCite mandatory properties
    # Messages in the page language (the API answers in LANGUAGE_CODE: portal/i18n.py).
    item("datacite.titles", BLOCKING, dataset.title.strip(), _("Title given."), _("Give a title."))
    item("datacite.creators", BLOCKING, creators,
         ngettext("%(n)d creator.", "%(n)d creators.", len(creators)) % {"n": len(creators)},
         _("Name at least one creator."))  # fmt: skip
    item("datacite.publisher", BLOCKING, dataset.publisher.strip(), _("Publisher given."),
         _("Name the publisher (usually the facility)."))  # fmt: skip
    item("datacite.publicationYear", BLOCKING, dataset.publication_year,
         _("Publication year given."), _("Give the publication year."))  # fmt: skip
    item("datacite.resourceType", BLOCKING, dataset.resource_type_general,
         _("Resource type given."), _("Choose a resource type."))  # fmt: skip
    item("licence", BLOCKING, dataset.license,
         _("Licence %(licence)s.") % {"licence": dataset.license},
         _("Choose a licence."))  # fmt: skip
    # DataCite recommended properties
    item("datacite.descriptions", ADVICE, dataset.description.strip(), _("Abstract given."),
         _("Add an abstract: it is what search results and landing pages show."))  # fmt: skip
    item("datacite.subjects", ADVICE, dataset.keywords or dataset.subjects, _("Keywords given."),
         _("Add keywords so that others find the dataset."))  # fmt: skip
    item("datacite.dates", ADVICE, dataset.collection_start or dataset.dates,
         _("Dates given."), _("Add when the data were collected."))  # fmt: skip
    item("datacite.relatedIdentifiers", ADVICE, dataset.related_identifiers.exists(),
         _("Related works linked."), _("Link related papers or datasets (DOIs)."))  # fmt: skip
    item("datacite.fundingReferences", ADVICE, dataset.funding_references.exists(),
         _("Funding given."), _("Name who funded the work."))  # fmt: skip
    item("creators.orcid", ADVICE, creators and all(c.orcid for c in creators if
         c.name_type == "Personal"), _("Every person has an ORCID iD."),
         _("Add ORCID iDs for the creators."))  # fmt: skip
    # Identifiers are valid (check digits): ISO 7064 11-2 for ORCID, ROR's base-32 checksum.
    agents = creators + contributors
    bad = [a.name for a in agents if a.orcid and not _valid(validate_orcid, a.orcid)]
    bad += [a.name for a in agents
            if a.affiliation_ror and not _valid(validate_ror, a.affiliation_ror)]  # fmt: skip
    item("identifiers.valid", BLOCKING, not bad, _("ORCID iDs and ROR ids are valid."),
         _("Invalid ORCID iD or ROR id for: %(names)s.")
         % {"names": ", ".join(sorted(set(bad)))})  # fmt: skip
    # Files
    item("files.present", BLOCKING, file_total,
         ngettext("%(n)d file.", "%(n)d files.", file_total) % {"n": file_total},
         _("Register at least one file from the storage folder, or upload one."))  # fmt: skip
    unchecked = files.filter(checksum="").count() if file_total else 0
    item("files.checksums", BLOCKING, file_total and not unchecked, _("Every file has a checksum."),
         ngettext("%(n)d file without a checksum.", "%(n)d files without a checksum.",
                  unchecked) % {"n": unchecked} if unchecked else _("No files yet."))  # fmt: skip
    item("techniques.panet", ADVICE, dataset.techniques.exists(), _("PaNET technique(s) given."),
         _("Name the experimental technique (PaNET) so that PaNOSC searches find it."))  # fmt: skip
    # Embargo
    limit = _add_years(timezone.localdate(), settings.EMBARGO_MAX_YEARS)
    embargo_ok = dataset.embargo_until is None or dataset.embargo_until <= limit
    item("embargo.max", BLOCKING, embargo_ok,
         _("Embargo within the limit.") if dataset.embargo_until else _("No embargo."),
         _("The embargo may last at most %(years)d years (until %(date)s).")
         % {"years": settings.EMBARGO_MAX_YEARS, "date": limit.isoformat()})  # fmt: skip
    items.append(domain_schema_item(dataset))
    return items


SHOWN_VIOLATIONS = 10


def domain_schema_item(dataset: Dataset) -> ChecklistItem:
    """Blocking: the scientific metadata satisfies every domain-metadata schema that applies
    (catalogue.domainschemas: by instrument, technique or broader technique)."""
    from catalogue.domainschemas.selectors import dataset_schema_report
    from catalogue.domainschemas.validation import violations_by_path

    report = dataset_schema_report(dataset)
    if not report:
        return ChecklistItem("domain_schema", BLOCKING, True,
                             _("No domain-metadata schema applies."), {})  # fmt: skip
    labels = ", ".join(str(schema) for schema, _v in report)
    violations = [v for _s, vs in report for v in vs]
    if not violations:
        message = _("Scientific metadata satisfies %(schemas)s.") % {"schemas": labels}
        return ChecklistItem("domain_schema", BLOCKING, True, message, {})
    shown = "; ".join(v.text() for v in violations[:SHOWN_VIOLATIONS])
    more = len(violations) - SHOWN_VIOLATIONS
    message = _("Scientific metadata breaks %(n)d rule(s) of %(schemas)s: %(list)s") % {
        "n": len(violations), "schemas": labels, "list": shown}  # fmt: skip
    if more > 0:
        message += " " + _("(and %(n)d more)") % {"n": more}
    return ChecklistItem("domain_schema", BLOCKING, False, message, violations_by_path(violations))


def checklist_blocking(items: list[ChecklistItem]) -> list[ChecklistItem]:
    """The open blocking items."""
    return [i for i in items if i.level == BLOCKING and not i.passed]


def checklist_summary(items: list[ChecklistItem]) -> dict:
    return {
        "blocking_open": len(checklist_blocking(items)),
        "advice_open": sum(1 for i in items if i.level == ADVICE and not i.passed),
        "passed": sum(1 for i in items if i.passed),
        "total": len(items),
    }

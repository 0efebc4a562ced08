"""OAI-PMH sets (§2.7.1): facility, instrument, PaNET technique and DataCite resource type.

Set specs are hierarchical: ``facility:esrf`` is a subset of ``facility``. A record's header
lists its leaf sets; harvesting a parent set returns every record in one of its children.

=====================  ================================================================
setSpec                records
=====================  ================================================================
``facility:<code>``    datasets measured at that facility
``instrument:<code>``  datasets measured on that instrument
``technique:<id>``     datasets using that PaNET technique, e.g. ``technique:PaNET01188``
``resourcetype:<T>``   datasets of that DataCite resourceTypeGeneral, e.g. ``Dataset``
=====================  ================================================================
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_noop

from catalogue.models import Dataset
from catalogue.panet import PANET_BASE

FACILITY = "facility"
INSTRUMENT = "instrument"
TECHNIQUE = "technique"
RESOURCE_TYPE = "resourcetype"

# OAI-PMH ListSets sends these in English; gettext_noop only marks them for the
# people's "Harvesting and APIs" page, which shows them translated (portal/harvesting.py).
FAMILIES: dict[str, tuple[str, str]] = {
    FACILITY: (
        gettext_noop("Facilities"),
        gettext_noop("Datasets grouped by the facility where they were measured."),
    ),
    INSTRUMENT: (
        gettext_noop("Instruments"),
        gettext_noop("Datasets grouped by the instrument they were measured on."),
    ),
    TECHNIQUE: (
        gettext_noop("Experimental techniques (PaNET)"),
        gettext_noop(
            "Datasets grouped by experimental technique, identified by the Photon and Neutron "
            "Experimental Techniques ontology (http://purl.org/pan-science/PaNET/)."
        ),
    ),
    RESOURCE_TYPE: (
        gettext_noop("Resource types (DataCite)"),
        gettext_noop("Records grouped by DataCite resourceTypeGeneral."),
    ),
}


def panet_id(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def record_set_specs(
    *,
    facility_code: str | None,
    instrument_code: str | None,
    technique_iris: Iterable[str],
    resource_type_general: str | None,
) -> list[str]:
    """The leaf setSpecs of one record, in a stable order."""
    specs = []
    if facility_code:
        specs.append(f"{FACILITY}:{facility_code}")
    if instrument_code:
        specs.append(f"{INSTRUMENT}:{instrument_code}")
    specs += sorted({f"{TECHNIQUE}:{panet_id(iri)}" for iri in technique_iris})
    if resource_type_general:
        specs.append(f"{RESOURCE_TYPE}:{resource_type_general}")
    return specs


def dataset_set_filter(set_spec: str) -> Q | None:
    """A filter on Dataset selecting the members of a set, or None if the set cannot exist."""
    family, _, rest = set_spec.partition(":")
    if ":" in rest:
        return None  # no set is deeper than two levels
    if family == FACILITY:
        return Q(facility__isnull=False) if not rest else Q(facility__code=rest)
    if family == INSTRUMENT:
        return Q(instrument__isnull=False) if not rest else Q(instrument__code=rest)
    if family == TECHNIQUE:
        through = Dataset.techniques.through.objects.filter(dataset_id=OuterRef("pk"))
        if rest:
            through = through.filter(technique__iri=PANET_BASE + rest)
        return Q(Exists(through))
    if family == RESOURCE_TYPE:
        return Q() if not rest else Q(resource_type_general=rest)
    return None


def set_specs_contain(set_specs: Iterable[str], set_spec: str) -> bool:
    """Is a record with these leaf setSpecs in ``set_spec`` (itself or a parent set)?"""
    return any(s == set_spec or s.startswith(set_spec + ":") for s in set_specs)


@dataclass(frozen=True)
class SetInfo:
    spec: str
    name: str
    description: str = ""

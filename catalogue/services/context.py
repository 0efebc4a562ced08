"""Changes to the context a dataset's record names: facility, instrument, technique,
proposal, beamtime.

Their names and labels appear in every record that names them (DataCite metadata, citations,
search documents, OAI-PMH records). A rename is therefore a change of those records: their
``updated_at`` moves, so OAI-PMH datestamps change and incremental harvesters fetch them again,
and their search documents are rebuilt after commit.
"""

from django.db.models import Model, QuerySet
from django.utils import timezone

from catalogue.models import Beamtime, Dataset, Facility, Instrument, Proposal, Technique
from catalogue.services.changes import datasets_changed

_NAMED_BY = {
    Facility: "facility",
    Instrument: "instrument",
    Technique: "techniques",
    Proposal: "beamtime__proposal",
    Beamtime: "beamtime",
}


def datasets_naming(*, obj: Model) -> QuerySet:
    """The datasets whose record names this facility/instrument/technique/proposal/beamtime."""
    return Dataset.objects.filter(**{_NAMED_BY[type(obj)]: obj})


def context_record_changed(*, obj: Model) -> int:
    """Mark every record naming ``obj`` as changed; returns how many there are."""
    ids = list(datasets_naming(obj=obj).values_list("id", flat=True).distinct())
    if ids:
        Dataset.objects.filter(id__in=ids).update(updated_at=timezone.now())
        datasets_changed(ids)
    return len(ids)

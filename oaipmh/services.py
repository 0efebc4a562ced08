"""Writes of the OAI-PMH provider: remember a once-public dataset whose row is deleted."""

from django.utils import timezone

from catalogue.access import dataset_access
from catalogue.models import Dataset
from oaipmh.models import DeletedRecord
from oaipmh.sets import record_set_specs


def deleted_record_remember(*, dataset: Dataset) -> DeletedRecord | None:
    """Keep a deleted-record header for a dataset about to be deleted, if it was ever public.

    ``deletedRecord=persistent`` (OAI-PMH 2.0 §2.5.1) promises harvesters that a record they
    once received is reported as deleted forever, even when its row goes. Runs in the deleting
    transaction (a rolled-back delete leaves no trace), before the technique links are deleted.
    """
    if dataset.published_at is None and not dataset_access(user=None, dataset=dataset).metadata:
        return None  # never disseminated: nothing to report
    specs = record_set_specs(
        facility_code=dataset.facility.code if dataset.facility_id else None,
        instrument_code=dataset.instrument.code if dataset.instrument_id else None,
        technique_iris=dataset.techniques.values_list("iri", flat=True),
        resource_type_general=dataset.resource_type_general,
    )
    record, _ = DeletedRecord.objects.update_or_create(
        pid=dataset.pid,
        defaults={
            "doi": dataset.doi or "",
            "datestamp": timezone.now(),
            "set_specs": f" {' '.join(specs)} " if specs else "",
        },
    )
    return record

"""catalogue.services.bulk.insert_new: the batch paths' COPY of new rows."""

import pytest
from django.db import IntegrityError, transaction

from catalogue.models import DatasetConcept
from catalogue.services.bulk import insert_new
from doi.models import DoiRegistration

pytestmark = pytest.mark.django_db


def test_new_rows_get_their_ids_and_are_stored():
    concepts = [DatasetConcept(doi=f"10.5072/bulk-{n}") for n in range(12)]
    insert_new(DatasetConcept, concepts)
    assert all(c.pk for c in concepts) and len({c.pk for c in concepts}) == 12
    stored = dict(DatasetConcept.objects.values_list("pk", "doi"))
    assert {c.pk: c.doi for c in concepts} == stored
    concepts[0].doi = "10.5072/bulk-renamed"
    concepts[0].save()  # a stored row now: saving updates it
    assert DatasetConcept.objects.count() == 12


def test_a_refused_row_raises_djangos_integrity_error_and_writes_nothing():
    concepts = [DatasetConcept(doi=f"10.5072/dup-{n}") for n in range(11)]
    insert_new(DatasetConcept, concepts)
    rows = [DoiRegistration(concept=c, doi="10.5072/same") for c in concepts]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new(DoiRegistration, rows)
    assert not DoiRegistration.objects.filter(doi="10.5072/same").exists()

"""django-filter FilterSets of the catalogue, for lists of records (API list, pages).

They filter a queryset the gate already limited (``access.datasets_visible_to``): a filter
can narrow what a caller sees, never widen it.
"""

import contextlib
import datetime
import uuid

import django_filters
from django.db.models import Q

from catalogue.identifiers import normalize_doi
from catalogue.models import AlternateIdentifier, Dataset, Status
from catalogue.panet import PANET_BASE


class DatasetFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, help_text="Record status")
    facility = django_filters.CharFilter(field_name="facility__code", help_text="Facility code")
    instrument = django_filters.CharFilter(method="filter_instrument",
                                           help_text="Instrument code or pid")  # fmt: skip
    proposal = django_filters.CharFilter(field_name="beamtime__proposal__proposal_id",
                                         help_text="Proposal id")  # fmt: skip
    beamtime = django_filters.CharFilter(field_name="beamtime__beamtime_id",
                                         help_text="Beamtime id")  # fmt: skip
    technique = django_filters.CharFilter(method="filter_technique",
                                          help_text="PaNET IRI or id, e.g. PaNET01188")  # fmt: skip
    owner_group = django_filters.CharFilter(field_name="owner_group__name",
                                            help_text="Owner group name")  # fmt: skip
    modified_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", method="filter_modified_since",
        help_text="Records changed at or after this ISO 8601 time",
    )  # fmt: skip
    identifier = django_filters.CharFilter(
        method="filter_identifier",
        help_text="The pid, the DOI (any form) or an alternate identifier (e.g. a SciCat pid)",
    )

    class Meta:
        model = Dataset
        fields = []

    def filter_modified_since(self, queryset, name, value):
        # In UTC: ISO 8601 allows offsets (-18:57) PostgreSQL refuses in a literal; a time
        # past year 9999 in UTC is after every change.
        try:
            since = value.astimezone(datetime.UTC)
        except OverflowError:
            return queryset.none()
        return queryset.filter(updated_at__gte=since)

    def filter_instrument(self, queryset, name, value):
        return queryset.filter(Q(instrument__code=value) | Q(instrument__pid=value))

    def filter_technique(self, queryset, name, value):
        iri = value if "://" in value else PANET_BASE + value
        return queryset.filter(techniques__iri=iri).distinct()

    def filter_identifier(self, queryset, name, value):
        value = value.strip()
        match = Q(pk__in=AlternateIdentifier.objects.filter(identifier=value).values("dataset_id"))
        with contextlib.suppress(ValueError):
            match |= Q(pid=uuid.UUID(value))
        with contextlib.suppress(ValueError):
            match |= Q(doi=normalize_doi(value))
        return queryset.filter(match)

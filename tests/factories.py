"""factory_boy factories for the catalogue."""

import datetime

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from catalogue.models import (
    Beamtime,
    Creator,
    DataFile,
    Dataset,
    Facility,
    Instrument,
    Proposal,
    Status,
    Technique,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw-for-tests")


class CuratorFactory(UserFactory):
    """A curator: staff (for the admin site) and in the ``curators`` group (for the role)."""

    is_staff = True

    @factory.post_generation
    def curation_group(obj, create, extracted, **kwargs):
        if create:
            from catalogue.roles import ensure_curators_group

            group = ensure_curators_group()
            if extracted:  # CuratorFactory(curation_group="reviewers")
                group = Group.objects.get(name=extracted)
            obj.groups.add(group)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"group{n}")


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"fac{n}")
    name = factory.Sequence(lambda n: f"Facility {n}")
    ror = "https://ror.org/01js2sh04"


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument

    facility = factory.SubFactory(FacilityFactory)
    code = factory.Sequence(lambda n: f"inst{n}")
    name = factory.Sequence(lambda n: f"Instrument {n}")


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    facility = factory.SubFactory(FacilityFactory)
    proposal_id = factory.Sequence(lambda n: f"P{n:05d}")
    title = "A proposal"
    principal_investigator = "Okafor, Amara"


class BeamtimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beamtime

    proposal = factory.SubFactory(ProposalFactory)
    beamtime_id = factory.Sequence(lambda n: f"BT{n}")
    instrument = factory.SubFactory(
        InstrumentFactory, facility=factory.SelfAttribute("..proposal.facility")
    )
    start = datetime.datetime(2024, 3, 1, 8, tzinfo=datetime.UTC)
    end = datetime.datetime(2024, 3, 4, 8, tzinfo=datetime.UTC)


class DatasetFactory(factory.django.DjangoModelFactory):
    """A complete draft (all DataCite mandatory properties but creators, see `creators`)."""

    class Meta:
        model = Dataset
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Dataset {n}")
    description = "An abstract."
    publisher = "Facility 0"
    publication_year = 2024
    facility = factory.SubFactory(FacilityFactory)
    instrument = factory.SubFactory(InstrumentFactory, facility=factory.SelfAttribute("..facility"))
    owner_group = factory.SubFactory(GroupFactory)
    storage_folder = factory.Sequence(lambda n: f"ds{n}")
    keywords = ["test"]
    scientific_metadata = {"temperature": {"value": 300, "unit": "K"}}

    @factory.post_generation
    def creators(obj, create, extracted, **kwargs):
        if not create:
            return
        names = extracted if extracted is not None else ["Okafor, Amara"]
        for i, name in enumerate(names):
            Creator.objects.create(dataset=obj, position=i, name=name)


class DataFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataFile

    dataset = factory.SubFactory(DatasetFactory)
    path = factory.Sequence(lambda n: f"data/file_{n:05d}.h5")
    size = 1024
    checksum = "0" * 64
    media_type = "application/x-hdf5"


def make_dataset(status: str = Status.DRAFT, **kwargs) -> Dataset:
    """A dataset put into ``status`` directly (the lifecycle is tested on its own)."""
    dataset = DatasetFactory(**kwargs)
    extra = {"status": status}
    if status in (Status.PUBLISHED, Status.WITHDRAWN):
        extra["published_at"] = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
        # Production settings without DataCite have no prefix (the drills' stacks): then the
        # embedded default's, so a factory's DOI is always a DOI.
        prefix = settings.DATACITE_PREFIX or "10.99999"
        extra["doi"] = f"{prefix}/test.{dataset.pk}"
    if status == Status.WITHDRAWN:
        extra["withdrawn_at"] = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        extra["withdrawal_reason"] = "Wrong calibration."
    Dataset.objects.filter(pk=dataset.pk).update(**extra)
    dataset.refresh_from_db()
    return dataset


def technique(label: str = "small angle x-ray scattering") -> Technique:
    return Technique.objects.get(label=label)

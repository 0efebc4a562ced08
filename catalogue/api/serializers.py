"""OpenAPI shapes of /api/v1 (drf-spectacular). They document; they do not validate.

The writers in ``catalogue.services`` validate input and ``catalogue.api.representation``
builds output; these serializers describe exactly those shapes, so the schema (and the
schemathesis run against it in ``make test``) holds the code to its word.
"""

from rest_framework import serializers as s

ANY = s.JSONField


def _nullable_char(**kw):
    return s.CharField(allow_null=True, **kw)


class AffiliationOut(s.Serializer):
    name = s.CharField()
    ror = _nullable_char()


class AgentOut(s.Serializer):
    name = s.CharField()
    name_type = s.CharField()
    given_name = _nullable_char()
    family_name = _nullable_char()
    orcid = _nullable_char(help_text="https://orcid.org/0000-...")
    affiliation = AffiliationOut(allow_null=True)


class ContributorOut(AgentOut):
    contributor_type = s.CharField()


class PublisherOut(s.Serializer):
    name = s.CharField(allow_blank=True)
    ror = _nullable_char()


class ResourceTypeOut(s.Serializer):
    general = s.CharField()
    type = _nullable_char()


class LicenceOut(s.Serializer):
    spdx = s.CharField()
    name = s.CharField()
    url = s.CharField()


class DatesOut(s.Serializer):
    collection_start = s.DateTimeField(allow_null=True)
    collection_end = s.DateTimeField(allow_null=True)
    published = s.DateTimeField(allow_null=True)
    updated = s.DateTimeField(allow_null=True)
    embargo_until = s.DateField(allow_null=True)
    other = s.ListField(child=s.DictField(), help_text='[{"date", "dateType", "dateInformation"}]')


class RelatedIdentifierOut(s.Serializer):
    identifier = s.CharField()
    identifier_type = s.CharField()
    relation_type = s.CharField()
    resource_type_general = s.CharField(allow_blank=True)
    citation = s.CharField(allow_blank=True)


class AlternateIdentifierOut(s.Serializer):
    identifier = s.CharField()
    type = s.CharField()


class FundingOut(s.Serializer):
    funder_name = s.CharField()
    funder_identifier = s.CharField(allow_blank=True)
    funder_identifier_type = s.CharField(allow_blank=True)
    award_number = s.CharField(allow_blank=True)
    award_uri = s.CharField(allow_blank=True)
    award_title = s.CharField(allow_blank=True)


class FacilityRef(s.Serializer):
    code = s.CharField()
    name = s.CharField()
    short_name = s.CharField(allow_blank=True)
    ror = s.CharField(allow_blank=True)
    url = s.CharField(allow_blank=True)


class InstrumentRef(s.Serializer):
    code = s.CharField()
    name = s.CharField()
    pid = s.CharField(allow_blank=True)
    url = s.CharField(allow_blank=True)


class TechniqueRef(s.Serializer):
    iri = s.CharField()
    label = s.CharField()
    panet_id = s.CharField()


class ProposalRef(s.Serializer):
    proposal_id = s.CharField()
    title = s.CharField()
    abstract = s.CharField(allow_blank=True)
    principal_investigator = s.CharField(allow_blank=True)
    proposal_type = s.CharField(allow_blank=True)


class BeamtimeRef(s.Serializer):
    beamtime_id = s.CharField()
    start = s.DateTimeField(allow_null=True)
    end = s.DateTimeField(allow_null=True)


class SampleOut(s.Serializer):
    name = _nullable_char()
    description = _nullable_char()


class FileOut(s.Serializer):
    path = s.CharField()
    size = s.IntegerField()
    checksum = _nullable_char(help_text='"algorithm:hex", e.g. "sha256:9f86…"')
    media_type = _nullable_char()
    download_url = s.CharField()


class VersionRefOut(s.Serializer):
    pid = s.UUIDField()
    doi = _nullable_char()
    version = s.CharField()
    number = s.IntegerField()
    published = _nullable_char()
    url = s.CharField()


class VersionsOut(s.Serializer):
    """The record's versions: its concept (DOI resolving to the latest version), this
    version's number (null for a draft new version), every published version."""

    concept_pid = s.UUIDField()
    concept_doi = _nullable_char()
    number = s.IntegerField(allow_null=True)
    is_latest = s.BooleanField()
    based_on = _nullable_char()
    published = VersionRefOut(many=True)


class DatasetSummaryOut(s.Serializer):
    """A record as lists show it (no files, no editors' fields)."""

    pid = s.UUIDField()
    doi = _nullable_char()
    doi_url = _nullable_char()
    url = s.CharField()
    status = s.CharField()
    title = s.CharField(allow_blank=True)
    additional_titles = s.ListField(child=s.DictField())
    description = s.CharField(allow_blank=True)
    additional_descriptions = s.ListField(child=s.DictField())
    creators = AgentOut(many=True)
    contributors = ContributorOut(many=True)
    publisher = PublisherOut()
    publication_year = s.IntegerField(allow_null=True)
    resource_type = ResourceTypeOut()
    keywords = s.ListField(child=s.CharField())
    subjects = s.ListField(child=s.DictField())
    license = LicenceOut(allow_null=True)
    language = _nullable_char()
    version = _nullable_char()
    dates = DatesOut()
    related_identifiers = RelatedIdentifierOut(many=True)
    alternate_identifiers = AlternateIdentifierOut(many=True)
    funding_references = FundingOut(many=True)
    facility = FacilityRef(allow_null=True)
    instrument = InstrumentRef(allow_null=True)
    techniques = TechniqueRef(many=True)
    proposal = ProposalRef(allow_null=True)
    beamtime = BeamtimeRef(allow_null=True)
    sample = SampleOut()
    scientific_metadata = s.DictField(help_text='{"key": {"value": ..., "unit": "K"} | value}')
    file_count = s.IntegerField()
    total_size = s.IntegerField()
    formats = s.ListField(child=s.CharField())
    versions = VersionsOut(allow_null=True)


class DatasetOut(DatasetSummaryOut):
    """``GET /api/v1/datasets/<pid>``; the editors' fields only for those who may edit."""

    owner_group = _nullable_char(required=False)
    access_groups = s.ListField(child=s.CharField(), required=False)
    storage_folder = _nullable_char(required=False)
    download_base_url = _nullable_char(required=False)
    files_access = s.ChoiceField(choices=["open", "embargoed", "closed"])
    files_embargoed_until = s.DateField(allow_null=True)
    files = FileOut(many=True)
    files_next = _nullable_char()


class DatasetPageOut(s.Serializer):
    next = _nullable_char()
    previous = _nullable_char()
    results = DatasetSummaryOut(many=True)


# Input: GET's shape, every key optional; read-only keys are accepted and ignored.
class AgentIn(s.Serializer):
    name = s.CharField()
    name_type = s.ChoiceField(choices=["Personal", "Organizational"], required=False)
    given_name = s.CharField(required=False, allow_null=True, allow_blank=True)
    family_name = s.CharField(required=False, allow_null=True, allow_blank=True)
    orcid = s.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="0000-0002-1825-0097 or its https://orcid.org/ form",
    )
    affiliation = ANY(required=False, allow_null=True, help_text='{"name", "ror"} or a name')


class ContributorIn(AgentIn):
    contributor_type = s.CharField(required=False)


class DatasetIn(s.Serializer):
    title = s.CharField(required=False, allow_blank=True)
    additional_titles = s.ListField(child=s.DictField(), required=False, allow_null=True)
    description = s.CharField(required=False, allow_blank=True, allow_null=True)
    additional_descriptions = s.ListField(child=s.DictField(), required=False, allow_null=True)
    creators = AgentIn(many=True, required=False, allow_null=True)
    contributors = ContributorIn(many=True, required=False, allow_null=True)
    publisher = ANY(required=False, allow_null=True, help_text='{"name", "ror"} or a name')
    publication_year = s.IntegerField(
        required=False, allow_null=True, min_value=1000, max_value=9999
    )
    resource_type = ANY(required=False, allow_null=True, help_text='{"general", "type"}')
    keywords = s.ListField(child=s.CharField(), required=False, allow_null=True)
    subjects = s.ListField(child=s.DictField(), required=False, allow_null=True)
    license = ANY(required=False, allow_null=True, help_text='SPDX id ("CC-BY-4.0") or {"spdx"}')
    language = s.CharField(required=False, allow_null=True, allow_blank=True)
    version = s.CharField(required=False, allow_null=True, allow_blank=True)
    dates = ANY(
        required=False,
        allow_null=True,
        help_text='{"collection_start", "collection_end", "embargo_until", "other"}',
    )
    related_identifiers = s.ListField(child=s.DictField(), required=False, allow_null=True)
    alternate_identifiers = AlternateIdentifierOut(many=True, required=False, allow_null=True)
    funding_references = s.ListField(child=s.DictField(), required=False, allow_null=True)
    facility = ANY(required=False, allow_null=True, help_text='facility code or {"code"}')
    instrument = ANY(required=False, allow_null=True, help_text="instrument code or pid")
    proposal = ANY(required=False, allow_null=True, help_text="proposal id")
    beamtime = ANY(required=False, allow_null=True, help_text="beamtime id")
    techniques = s.ListField(
        child=ANY(), required=False, allow_null=True, help_text='PaNET IRIs or ids: ["PaNET01188"]'
    )
    sample = ANY(required=False, allow_null=True, help_text='{"name", "description"}')
    scientific_metadata = s.DictField(required=False, allow_null=True)
    owner_group = s.CharField(required=False, allow_null=True, help_text="one of your groups")
    access_groups = s.ListField(child=s.CharField(), required=False, allow_null=True)
    storage_folder = s.CharField(required=False, allow_null=True, allow_blank=True)
    download_base_url = s.CharField(required=False, allow_null=True, allow_blank=True)


class FileIn(s.Serializer):
    path = s.CharField(help_text="relative POSIX path below the storage folder")
    size = s.IntegerField(min_value=0)
    checksum = s.CharField(
        required=False, allow_blank=True, allow_null=True, help_text='hex digest, or "sha256:hex"'
    )
    checksum_algorithm = s.ChoiceField(
        choices=["sha256", "md5", "sha1", "sha512", "blake2b"], required=False
    )
    media_type = s.CharField(required=False, allow_blank=True, allow_null=True)


class FilesIn(s.Serializer):
    files = FileIn(many=True, help_text="at most 10,000 per request")


class DatasetBatchIn(DatasetIn):
    files = FileIn(
        many=True, required=False, allow_null=True, help_text="10,000 in all per request"
    )


class DatasetCreatedOut(s.Serializer):
    pid = s.UUIDField()
    url = s.CharField(help_text="the record page")
    api_url = s.CharField(help_text="GET it here")
    status = s.CharField()
    file_count = s.IntegerField()
    total_size = s.IntegerField()


class DatasetBatchOut(s.Serializer):
    created = s.IntegerField()
    datasets = DatasetCreatedOut(many=True, help_text="in the order sent")


class FilesWriteOut(s.Serializer):
    registered = s.IntegerField()
    file_count = s.IntegerField()
    total_size = s.IntegerField()
    verify = ANY(allow_null=True, help_text='{"sizes": "ok", "checksums": "queued" | "none"}')


class FilesPageOut(s.Serializer):
    count = s.IntegerField()
    results = FileOut(many=True)
    next = _nullable_char()


class MeOut(s.Serializer):
    username = s.CharField()
    groups = s.ListField(child=s.CharField())
    is_curator = s.BooleanField()
    scopes = s.ListField(child=s.ChoiceField(choices=["read", "write"]))


class FacilityOut(s.Serializer):
    code = s.CharField()
    name = s.CharField()
    short_name = _nullable_char()
    ror = _nullable_char()
    url = _nullable_char()
    description = _nullable_char()


class InstrumentOut(s.Serializer):
    code = s.CharField()
    name = s.CharField()
    pid = _nullable_char()
    facility = s.CharField()
    url = _nullable_char()
    description = _nullable_char()


class TechniqueOut(s.Serializer):
    iri = s.CharField()
    panet_id = s.CharField()
    label = s.CharField()
    synonyms = s.ListField(child=s.CharField())
    definition = _nullable_char()


class ProposalOut(s.Serializer):
    facility = s.CharField()
    proposal_id = s.CharField()
    title = s.CharField()
    abstract = s.CharField(allow_blank=True)
    principal_investigator = s.CharField(allow_blank=True)
    proposal_type = s.CharField()


class ProposalIn(s.Serializer):
    facility = s.CharField(help_text="facility code (creating only)")
    proposal_id = s.CharField()
    title = s.CharField(required=False)
    abstract = s.CharField(required=False, allow_blank=True)
    principal_investigator = s.CharField(required=False, allow_blank=True)
    proposal_type = s.CharField(required=False)


class BeamtimeOut(s.Serializer):
    id = s.IntegerField()
    facility = s.CharField()
    proposal_id = s.CharField()
    beamtime_id = s.CharField()
    instrument = _nullable_char()
    start = s.DateTimeField()
    end = s.DateTimeField()


class BeamtimeIn(s.Serializer):
    facility = s.CharField()
    proposal_id = s.CharField()
    beamtime_id = s.CharField()
    instrument = s.CharField(required=False, allow_null=True)
    start = s.DateTimeField()
    end = s.DateTimeField()


def page_of(serializer, name: str):
    return type(
        name,
        (s.Serializer,),
        {"next": _nullable_char(), "previous": _nullable_char(), "results": serializer(many=True)},
    )

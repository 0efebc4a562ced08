"""Controlled vocabularies: DataCite Metadata Schema 4.6 enumerations and SPDX licences.

The DataCite lists are copied from the schema's ``include/*.xsd`` files; a test compares them
with the XSD in ``tests/data/schemas`` so they cannot drift.
"""

from dataclasses import dataclass


def _choices(values: list[str]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


# DataCite 4.6 resourceTypeGeneral (include/datacite-resourceType-v4.xsd)
RESOURCE_TYPES_GENERAL = [
    "Audiovisual", "Award", "Book", "BookChapter", "Collection", "ComputationalNotebook",
    "ConferencePaper", "ConferenceProceeding", "DataPaper", "Dataset", "Dissertation", "Event",
    "Image", "Instrument", "InteractiveResource", "Journal", "JournalArticle", "Model",
    "OutputManagementPlan", "PeerReview", "PhysicalObject", "Preprint", "Project", "Report",
    "Service", "Software", "Sound", "Standard", "StudyRegistration", "Text", "Workflow", "Other",
]  # fmt: skip
# DataCite 4.6 contributorType (include/datacite-contributorType-v4.xsd)
CONTRIBUTOR_TYPES = [
    "ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor", "Editor",
    "HostingInstitution", "Other", "Producer", "ProjectLeader", "ProjectManager",
    "ProjectMember", "RegistrationAgency", "RegistrationAuthority", "RelatedPerson",
    "ResearchGroup", "RightsHolder", "Researcher", "Sponsor", "Supervisor", "Translator",
    "WorkPackageLeader",
]  # fmt: skip
# DataCite 4.6 dateType (include/datacite-dateType-v4.xsd)
DATE_TYPES = [
    "Accepted", "Available", "Collected", "Copyrighted", "Coverage", "Created", "Issued",
    "Other", "Submitted", "Updated", "Valid", "Withdrawn",
]  # fmt: skip
# DataCite 4.6 descriptionType (include/datacite-descriptionType-v4.xsd)
DESCRIPTION_TYPES = [
    "Abstract", "Methods", "SeriesInformation", "TableOfContents", "TechnicalInfo", "Other",
]  # fmt: skip
# DataCite 4.6 funderIdentifierType (include/datacite-funderIdentifierType-v4.xsd)
FUNDER_IDENTIFIER_TYPES = ["ISNI", "GRID", "ROR", "Crossref Funder ID", "Other"]
# DataCite 4.6 nameType (include/datacite-nameType-v4.xsd)
NAME_TYPES = ["Organizational", "Personal"]
# DataCite 4.6 relatedIdentifierType (include/datacite-relatedIdentifierType-v4.xsd)
RELATED_IDENTIFIER_TYPES = [
    "ARK", "arXiv", "bibcode", "CSTR", "DOI", "EAN13", "EISSN", "Handle", "IGSN", "ISBN",
    "ISSN", "ISTC", "LISSN", "LSID", "PMID", "PURL", "RRID", "UPC", "URL", "URN", "w3id",
]  # fmt: skip
# DataCite 4.6 relationType (include/datacite-relationType-v4.xsd)
RELATION_TYPES = [
    "IsCitedBy", "Cites", "IsSupplementTo", "IsSupplementedBy", "IsContinuedBy", "Continues",
    "IsNewVersionOf", "IsPreviousVersionOf", "IsPartOf", "HasPart", "IsPublishedIn",
    "IsReferencedBy", "References", "IsDocumentedBy", "Documents", "IsCompiledBy", "Compiles",
    "IsVariantFormOf", "IsOriginalFormOf", "IsIdenticalTo", "HasMetadata", "IsMetadataFor",
    "Reviews", "IsReviewedBy", "IsDerivedFrom", "IsSourceOf", "Describes", "IsDescribedBy",
    "HasVersion", "IsVersionOf", "Requires", "IsRequiredBy", "Obsoletes", "IsObsoletedBy",
    "Collects", "IsCollectedBy", "HasTranslation", "IsTranslationOf",
]  # fmt: skip
# DataCite 4.6 titleType (include/datacite-titleType-v4.xsd)
TITLE_TYPES = ["AlternativeTitle", "Subtitle", "TranslatedTitle", "Other"]

RESOURCE_TYPE_GENERAL_CHOICES = _choices(RESOURCE_TYPES_GENERAL)
CONTRIBUTOR_TYPE_CHOICES = _choices(CONTRIBUTOR_TYPES)
DATE_TYPE_CHOICES = _choices(DATE_TYPES)
FUNDER_IDENTIFIER_TYPE_CHOICES = _choices(FUNDER_IDENTIFIER_TYPES)
NAME_TYPE_CHOICES = _choices(NAME_TYPES)
RELATED_IDENTIFIER_TYPE_CHOICES = _choices(RELATED_IDENTIFIER_TYPES)
RELATION_TYPE_CHOICES = _choices(RELATION_TYPES)

# The specific resource type (DataCite resourceType text) as facilities use it (SciCat: raw,
# derived); free text is allowed, these are the suggestions offered in forms.
SPECIFIC_RESOURCE_TYPES = ["raw", "derived", "processed", "simulation", "calibration"]


@dataclass(frozen=True)
class Licence:
    spdx: str
    name: str
    url: str
    open: bool = True


# SPDX licence list identifiers (https://spdx.org/licenses/) for the licences used for data.
LICENCES = {
    lic.spdx: lic
    for lic in [
        Licence("CC-BY-4.0", "Creative Commons Attribution 4.0 International",
                "https://creativecommons.org/licenses/by/4.0/legalcode"),
        Licence("CC0-1.0", "Creative Commons Zero v1.0 Universal",
                "https://creativecommons.org/publicdomain/zero/1.0/legalcode"),
        Licence("CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0 International",
                "https://creativecommons.org/licenses/by-sa/4.0/legalcode"),
        Licence("CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0 International",
                "https://creativecommons.org/licenses/by-nc/4.0/legalcode"),
        Licence("CC-BY-NC-SA-4.0",
                "Creative Commons Attribution Non Commercial Share Alike 4.0 International",
                "https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode"),
        Licence("CC-BY-ND-4.0", "Creative Commons Attribution No Derivatives 4.0 International",
                "https://creativecommons.org/licenses/by-nd/4.0/legalcode"),
        Licence("ODbL-1.0", "Open Data Commons Open Database License v1.0",
                "https://opendatacommons.org/licenses/odbl/1-0/"),
        Licence("ODC-By-1.0", "Open Data Commons Attribution License v1.0",
                "https://opendatacommons.org/licenses/by/1-0/"),
        Licence("PDDL-1.0", "Open Data Commons Public Domain Dedication & License 1.0",
                "https://opendatacommons.org/licenses/pddl/1-0/"),
        Licence("MIT", "MIT License", "https://opensource.org/license/mit"),
        Licence("Apache-2.0", "Apache License 2.0",
                "https://www.apache.org/licenses/LICENSE-2.0"),
        Licence("BSD-3-Clause", 'BSD 3-Clause "New" or "Revised" License',
                "https://opensource.org/license/bsd-3-clause"),
    ]
}  # fmt: skip
LICENCE_CHOICES = [(k, f"{v.name} ({k})") for k, v in LICENCES.items()]

CHECKSUM_ALGORITHMS = ["sha256", "md5", "sha1", "sha512", "blake2b"]
CHECKSUM_ALGORITHM_CHOICES = _choices(CHECKSUM_ALGORITHMS)

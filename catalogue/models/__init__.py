from .context import Beamtime, Facility, Instrument, Proposal, Technique
from .dataset import (
    AlternateIdentifier,
    Contributor,
    Creator,
    DataFile,
    Dataset,
    DatasetConcept,
    DatasetEvent,
    FundingReference,
    RelatedIdentifier,
    Status,
)
from .folders import DataFolder, DataFolderIndex
from .review import ReviewLink, ReviewLinkUse
from .schemas import MetadataSchema

__all__ = [
    "AlternateIdentifier",
    "Beamtime",
    "Contributor",
    "Creator",
    "DataFile",
    "DataFolder",
    "DataFolderIndex",
    "Dataset",
    "DatasetConcept",
    "DatasetEvent",
    "Facility",
    "FundingReference",
    "Instrument",
    "MetadataSchema",
    "Proposal",
    "RelatedIdentifier",
    "ReviewLink",
    "ReviewLinkUse",
    "Status",
    "Technique",
]

from .context import Beamtime, Facility, Instrument, Proposal, Technique
from .dataset import (
    AlternateIdentifier,
    Contributor,
    Creator,
    DataFile,
    Dataset,
    DatasetEvent,
    FundingReference,
    RelatedIdentifier,
    Status,
)
from .folders import DataFolder, DataFolderIndex
from .schemas import MetadataSchema
from .review import ReviewLink, ReviewLinkUse

__all__ = [
    "AlternateIdentifier",
    "Beamtime",
    "Contributor",
    "Creator",
    "DataFile",
    "DataFolder",
    "DataFolderIndex",
    "Dataset",
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

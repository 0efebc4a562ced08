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
    "Proposal",
    "RelatedIdentifier",
    "Status",
    "Technique",
]

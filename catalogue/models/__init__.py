from .context import Beamtime, Facility, Instrument, Proposal, Technique
from .dataset import (
    Contributor,
    Creator,
    DataFile,
    Dataset,
    DatasetEvent,
    FundingReference,
    RelatedIdentifier,
    Status,
)

__all__ = [
    "Beamtime",
    "Contributor",
    "Creator",
    "DataFile",
    "Dataset",
    "DatasetEvent",
    "Facility",
    "FundingReference",
    "Instrument",
    "Proposal",
    "RelatedIdentifier",
    "Status",
    "Technique",
]

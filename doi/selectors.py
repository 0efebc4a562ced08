"""Reads of DOI registrations for pages and the API."""

from doi.models import DoiRegistration


def doi_registration_json(*, dataset) -> dict | None:
    """``doi_registration`` of the dataset's API JSON (owners and curators only)."""
    reg = DoiRegistration.objects.filter(dataset=dataset).first()
    if reg is None:
        return None
    return {
        "state": "failed" if reg.failed else reg.state,
        "datacite_state": reg.state,
        "attempts": reg.attempts,
        "last_error": reg.last_error or None,
        "last_synced": reg.last_synced.isoformat() if reg.last_synced else None,
    }

"""DOI names for datasets: ``<PORTAL_DOI_PREFIX>/<facility>.<xxxx-xxxx>``.

The suffix is opaque (DataCite recommends suffixes that carry no meaning that could change)
and derived from the dataset's UUID, so it is stable and needs no counter.
"""

import uuid

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def _base32(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, rem = divmod(number, 32)
        chars.append(_CROCKFORD[rem])
    return "".join(reversed(chars))


def doi_for_dataset(*, prefix: str, pid: uuid.UUID, facility_code: str | None) -> str:
    body = _base32(pid.int >> 88, 8)  # the UUID's top 40 bits
    namespace = (facility_code or "data").lower()
    return f"{prefix.lower()}/{namespace}.{body[:4]}-{body[4:]}"


def landing_url(doi: str) -> str:
    """The landing page registered with DataCite for a DOI: ``<PORTAL_BASE_URL>/doi/<doi>``.

    DOI minting, the DataCite JSON ``url`` and FAIR Signposting all use this one address.
    """
    from urllib.parse import quote

    from django.conf import settings

    return f"{settings.BASE_URL}/doi/{quote(doi.lower(), safe='/:;()._-')}"

"""DOI names for datasets: ``<PORTAL_DATACITE_PREFIX>/<suffix>``, and their landing pages.

Suffixes are random and opaque, as DataCite recommends (a suffix must carry no meaning that
could change): 10 characters of Crockford's base32 (50 bits) and Crockford's check symbol
(value mod 37), grouped as ``xxxxx-xxxxxc``, so a mistyped DOI is caught before anyone asks
DataCite. ``PORTAL_DOI_SUFFIX_TEMPLATE`` may add the facility code (``{facility}.{random}``).
Whether a new name is free is decided by :func:`doi.services.doi_reserve` (local unique
index) and the registration task (``GET /dois/{doi}`` answers 404 at DataCite).
"""

import secrets
from urllib.parse import quote

# Crockford's base32 (https://www.crockford.com/base32.html): no I, L, O, U; case-insensitive.
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
# The check symbol alphabet adds five symbols for values 32..36.
CHECK_SYMBOLS = CROCKFORD + "*~$=u"
RANDOM_LENGTH = 10
_DECODE = {c: i for i, c in enumerate(CROCKFORD)} | {"i": 1, "l": 1, "o": 0}


def _check_symbol(body: str) -> str:
    value = 0
    for char in body:
        value = value * 32 + _DECODE[char]
    return CHECK_SYMBOLS[value % 37]


def _random_body(length: int) -> str:
    # One draw of 5 bits per character from the system's CSPRNG (what secrets.choice of a
    # 32-letter alphabet is, per character), at a fifth of the cost: imports mint thousands.
    bits = secrets.randbits(5 * length)
    return "".join(CROCKFORD[(bits >> (5 * i)) & 31] for i in range(length))


def random_suffix_body(*, length: int = RANDOM_LENGTH) -> str:
    """``length`` random base32 characters, hyphenated in the middle, plus the check symbol.

    Bodies whose check symbol would be one of ``*~$=u`` are drawn again: ``$`` and ``~`` break
    BibTeX/LaTeX and ``*`` confuses Markdown, so every DOI stays in ``[0-9a-z-]``.
    """
    body = _random_body(length)
    while _check_symbol(body) not in CROCKFORD:
        body = _random_body(length)
    half = length // 2
    return f"{body[:half]}-{body[half:]}{_check_symbol(body)}"


def suffix_is_valid(random_part: str) -> bool:
    """True if the random part of a suffix (``xxxxx-xxxxxc``) has the right check symbol."""
    text = random_part.lower().replace("-", "")
    if len(text) < 2 or any(c not in _DECODE for c in text[:-1]):
        return False
    return _check_symbol(text[:-1]) == text[-1]


def new_doi(*, prefix: str, template: str, facility_code: str | None) -> str:
    suffix = template.format(
        random=random_suffix_body(), facility=(facility_code or "data").lower()
    )
    return f"{prefix.lower()}/{suffix.lower()}"


def landing_url(doi: str) -> str:
    """The landing page registered with DataCite for a DOI: ``<PORTAL_BASE_URL>/doi/<doi>``.

    DOI minting, the DataCite JSON ``url`` and FAIR Signposting all use this one address.
    """
    from django.conf import settings

    return f"{settings.BASE_URL}/doi/{quote(doi.lower(), safe='/:;()._-')}"

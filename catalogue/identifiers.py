"""Persistent identifiers people type in: ORCID iDs, ROR ids and DOIs.

Each has a ``normalize_*`` (accepts the URL or bare form, returns the stored form or raises
ValueError naming the problem) and a Django validator built on it.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ORCID_RE = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")
_ROR_RE = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}\d{2}$")
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def orcid_checksum(base_digits: str) -> str:
    """ISO 7064 11,2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for ch in base_digits:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalize_orcid(value: str) -> str:
    """'https://orcid.org/0000-0002-1825-0097' or '0000000218250097' -> '0000-0002-1825-0097'."""
    raw = value.strip().upper()
    for prefix in ("HTTPS://ORCID.ORG/", "HTTP://ORCID.ORG/", "ORCID.ORG/"):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :]
    m = _ORCID_RE.match(raw)
    if not m:
        raise ValueError(
            _("%(value)s is not an ORCID iD (expected 0000-0000-0000-000X)")
            % {"value": repr(value)}
        )
    digits = "".join(m.groups())
    if orcid_checksum(digits[:15]) != digits[15]:
        raise ValueError(
            _("%(value)s is not a valid ORCID iD: its check digit is wrong")
            % {"value": repr(value)}
        )
    return "-".join(m.groups())


def ror_checksum(body: str) -> str:
    """The two check digits of a ROR id: ISO 7064 mod 97-10 over the Crockford base32 body."""
    number = 0
    for ch in body:
        number = number * 32 + _CROCKFORD.index(ch)
    return f"{98 - (number * 100) % 97:02d}"


def normalize_ror(value: str) -> str:
    """'01js2sh04' or 'https://ror.org/01js2sh04' -> 'https://ror.org/01js2sh04'."""
    raw = value.strip().lower()
    for prefix in ("https://ror.org/", "http://ror.org/", "ror.org/"):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :]
    if not _ROR_RE.match(raw):
        raise ValueError(
            _("%(value)s is not a ROR id (expected https://ror.org/0xxxxxx00)")
            % {"value": repr(value)}
        )
    if ror_checksum(raw[1:7]) != raw[7:]:
        raise ValueError(
            _("%(value)s is not a valid ROR id: its check digits are wrong")
            % {"value": repr(value)}
        )
    return f"https://ror.org/{raw}"


def normalize_doi(value: str) -> str:
    """'https://doi.org/10.1234/ABC' or 'doi:10.1234/abc' -> '10.1234/abc'.

    DOIs are case-insensitive (DOI Handbook 2.4); we store them in lower case so that the
    unique constraint and look-ups need no case folding.
    """
    raw = value.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                   "http://dx.doi.org/", "doi:"):  # fmt: skip
        if raw.lower().startswith(prefix):
            raw = raw[len(prefix) :]
    raw = raw.lower()
    if not _DOI_RE.match(raw):
        raise ValueError(
            _("%(value)s is not a DOI (expected 10.<prefix>/<suffix>)") % {"value": repr(value)}
        )
    return raw


def _check(normalize, value: str) -> None:
    if not value:
        return
    try:
        normalize(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def validate_orcid(value: str) -> None:
    _check(normalize_orcid, value)


def validate_ror(value: str) -> None:
    _check(normalize_ror, value)


def validate_doi(value: str) -> None:
    _check(normalize_doi, value)

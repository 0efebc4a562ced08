"""OAI-PMH provider at ``/oai``: repository identity, paging and resumption tokens."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .core import BASE_URL, SITE_NAME
from .environment import env

# oai-identifier.xsd: a repositoryIdentifier is a domain name whose labels start with a letter
# (so neither "127.0.0.1" nor "localhost" qualifies).
OAI_REPOSITORY_ID_PATTERN = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")


def _default_repository_id(base_url: str) -> str:
    host = (urlsplit(base_url).hostname or "").lower()
    if OAI_REPOSITORY_ID_PATTERN.fullmatch(host):
        return host
    return "open-data-portal.localhost"


OAI_REPOSITORY_ID = env.str("PORTAL_OAI_REPOSITORY_ID", default=_default_repository_id(BASE_URL))
if not OAI_REPOSITORY_ID_PATTERN.fullmatch(OAI_REPOSITORY_ID):
    raise ImproperlyConfigured(
        "PORTAL_OAI_REPOSITORY_ID must be a domain name whose parts start with a letter "
        f"(OAI identifier format), not {OAI_REPOSITORY_ID!r}"
    )
OAI_REPOSITORY_NAME = env.str("PORTAL_OAI_REPOSITORY_NAME", default=SITE_NAME)
OAI_ADMIN_EMAIL = env.str(
    "PORTAL_OAI_ADMIN_EMAIL",
    default=(env.list("PORTAL_ADMIN_EMAILS", default=[]) or [f"oai@{OAI_REPOSITORY_ID}"])[0],
)
# Records (or headers) per ListRecords / ListIdentifiers response.
OAI_PAGE_SIZE = env.int("PORTAL_OAI_PAGE_SIZE", default=100)
if not 1 <= OAI_PAGE_SIZE <= 10_000:
    raise ImproperlyConfigured("PORTAL_OAI_PAGE_SIZE must be between 1 and 10000")
# A resumption token stays valid this long after it was issued (its expirationDate).
OAI_TOKEN_LIFETIME_HOURS = env.int("PORTAL_OAI_TOKEN_LIFETIME_HOURS", default=72)
# <datacentreSymbol> of the oai_datacite envelope: the DataCite repository that registers
# our DOIs (e.g. "ESRF.DATA"); by default the OAI repository identifier in capitals.
OAI_DATACENTRE_SYMBOL = env.str("PORTAL_OAI_DATACENTRE_SYMBOL", default=OAI_REPOSITORY_ID.upper())
# completeListSize of a harvest's first response is shared this long between harvests of the
# same selection (oaipmh.selectors.items_count_shared; §3.5 allows an approximate size). 0 (the
# default, and the tests') counts every time; make prod sets 60.
OAI_LIST_SIZE_CACHE_SECONDS = env.int("PORTAL_OAI_LIST_SIZE_CACHE_SECONDS", default=0)

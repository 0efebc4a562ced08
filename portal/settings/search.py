"""Search: Elasticsearch when PORTAL_ELASTICSEARCH_URL is set, the database backend otherwise."""

from .environment import env

ELASTICSEARCH_URL = env.str("PORTAL_ELASTICSEARCH_URL", default="")
SEARCH_BACKEND = "elasticsearch" if ELASTICSEARCH_URL else "database"
# Index names start with this prefix, so several portals (or test runs) share one cluster.
ELASTICSEARCH_INDEX_PREFIX = env.str("PORTAL_ELASTICSEARCH_INDEX_PREFIX", default="portal")
# Seconds a search or indexing request may take before the page says search is unavailable.
ELASTICSEARCH_TIMEOUT = env.float("PORTAL_ELASTICSEARCH_TIMEOUT", default=10.0)
# Make every index write visible to searches at once (tests); production relies on the
# index's refresh interval (one second) instead, which is much cheaper under load.
SEARCH_REFRESH_ON_WRITE = env.bool("PORTAL_SEARCH_REFRESH_ON_WRITE", default=False)

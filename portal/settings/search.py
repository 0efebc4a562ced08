"""Search: Elasticsearch when PORTAL_ELASTICSEARCH_URL is set, the database backend otherwise."""

from .environment import env

ELASTICSEARCH_URL = env.str("PORTAL_ELASTICSEARCH_URL", default="")
SEARCH_BACKEND = "elasticsearch" if ELASTICSEARCH_URL else "database"
# Index names start with this prefix, so several portals (or test runs) share one cluster.
ELASTICSEARCH_INDEX_PREFIX = env.str("PORTAL_ELASTICSEARCH_INDEX_PREFIX", default="portal")

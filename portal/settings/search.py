"""Search: Elasticsearch when PORTAL_ELASTICSEARCH_URL is set, the database backend otherwise.

PORTAL_ELASTICSEARCH_URL names one node or, comma-separated, every node of a cluster: the
client spreads requests over them and retries a failed request on another node.
"""

from .environment import env

ELASTICSEARCH_URL = env.str("PORTAL_ELASTICSEARCH_URL", default="")
SEARCH_BACKEND = "elasticsearch" if ELASTICSEARCH_URL.strip(", ") else "database"
# Index names start with this prefix, so several portals (or test runs) share one cluster.
ELASTICSEARCH_INDEX_PREFIX = env.str("PORTAL_ELASTICSEARCH_INDEX_PREFIX", default="portal")
# Seconds a search or indexing request may take before the page says search is unavailable.
ELASTICSEARCH_TIMEOUT = env.float("PORTAL_ELASTICSEARCH_TIMEOUT", default=10.0)
# Another node is tried this many times when one fails (connection refused, reset, 502-504).
ELASTICSEARCH_MAX_RETRIES = env.int("PORTAL_ELASTICSEARCH_MAX_RETRIES", default=3)
# Replicas of each shard in a new index: "auto" = 1 on a cluster of several nodes (a node may
# die without losing data or answers), 0 on a single node (a replica could never be placed).
ELASTICSEARCH_REPLICAS = env.str("PORTAL_ELASTICSEARCH_REPLICAS", default="auto")
# Make every index write visible to searches at once (tests); production relies on the
# index's refresh interval (one second) instead, which is much cheaper under load.
SEARCH_REFRESH_ON_WRITE = env.bool("PORTAL_SEARCH_REFRESH_ON_WRITE", default=False)
# How often a new index makes writes visible to searches ("5s"; empty: Elasticsearch's
# default, 1 s). Every refresh that finds a write also empties the shard's request cache
# (the cached counts of every search), so under a steady stream of ingestor writes a longer
# interval means more cached searches and fewer refreshes and merges, at the price of
# writes showing in search results that much later. Applies to indices made from now on
# (`manage.py reindex`, or the first index write) and, with `manage.py reindex
# --settings-only`, to the live one (make prod runs it on every start and sets 5s).
ELASTICSEARCH_REFRESH_INTERVAL = env.str("PORTAL_ELASTICSEARCH_REFRESH_INTERVAL", default="")
# The public's total and facet counts of a search (anonymous visitors only; never a signed-in
# user's) are kept this many seconds in the cache and shared, so a popular search costs its
# aggregations once per period instead of once per visitor; the page of hits is always
# fresh. 0 (the default, and the tests') asks Elasticsearch every time; make prod sets 30.
SEARCH_PUBLIC_COUNTS_CACHE_SECONDS = env.int("PORTAL_SEARCH_PUBLIC_COUNTS_CACHE_SECONDS", default=0)
# A dataset's index update waits this many seconds, and of several changes to one dataset
# in that time only the last one's update indexes it (catalogue.search.signals): an
# ingestor's draft, its files and its PATCH a moment later are one index write instead of
# three (each is a refresh's worth of work on every copy of the shard). 0 (the default, and
# the tests') indexes every change at once; make prod sets 2. Searches see a write after
# this delay plus the refresh interval.
SEARCH_INDEX_COALESCE_SECONDS = env.float("PORTAL_SEARCH_INDEX_COALESCE_SECONDS", default=0)

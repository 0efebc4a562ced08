"""Usage statistics (COUNTER Code of Practice for Research Data): the stats/ app.

Views and downloads are recorded after the response (Celery tasks ``stats.*`` with a broker,
in-process otherwise) and shown on record pages, in ``/api/v1/datasets/<pid>/stats``, on
``/statistics/`` and in the SUSHI Dataset Report ``/api/v1/reports/dsr``.

Sending the monthly report to DataCite's usage hub is off unless PORTAL_STATS_HUB_ENABLED is
true and a token is set (the hub only takes DOIs of the account the token belongs to).
"""

from .environment import env

STATS_ENABLED = env.bool("PORTAL_STATS_ENABLED", default=True)
# COUNTER CoP for Research Data §10.2: repeat accesses within this many seconds count once.
STATS_DOUBLE_CLICK_SECONDS = 30
# DataCite usage hub (https://api.datacite.org/reports); off by default.
STATS_HUB_ENABLED = env.bool("PORTAL_STATS_HUB_ENABLED", default=False)
STATS_HUB_URL = env.str("PORTAL_STATS_HUB_URL", default="https://api.datacite.org/reports")
STATS_HUB_TOKEN = env.str("PORTAL_STATS_HUB_TOKEN", default="")
# "publisher-id" of the report: the DataCite repository (client) id, e.g. "esrf.data".
STATS_CLIENT_ID = env.str("PORTAL_STATS_CLIENT_ID", default="")
# With a broker, responses append their usage events to a Redis list and celery beat stores
# them every this many seconds, in batches (stats/buffer.py): one RPUSH per page view instead
# of one task. Counts on record pages lag by up to this much. 0: one task per response.
STATS_FLUSH_SECONDS = env.int("PORTAL_STATS_FLUSH_SECONDS", default=10)
STATS_FLUSH_BATCH = 500  # responses per batch (one insert, one recount per dataset and month)
STATS_FLUSH_MAX_BATCHES = 20  # per flush (the next one goes on): well within the visibility timeout
STATS_FLUSH_LOCK_SECONDS = 120
STATS_BEAT_SCHEDULE = (
    {
        "stats.flush_events": {
            "task": "stats.flush_events",
            "schedule": float(STATS_FLUSH_SECONDS),
            # A flush that waited longer than one interval is superseded by the next one.
            "options": {"expires": float(STATS_FLUSH_SECONDS)},
        }
    }
    if STATS_FLUSH_SECONDS > 0
    else {}
)

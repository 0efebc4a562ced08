"""DOI landing pages: the optional "Open in VISA" link, and the file list's page size.

PORTAL_VISA_URL_TEMPLATE is the address of the facility's VISA (Virtual Infrastructure for
Scientific Analysis) portal with placeholders, e.g.
``https://visa.example.org/instruments?proposal={proposal_id}&pid={pid}``. Placeholders:
``{pid}``, ``{doi}``, ``{proposal_id}``, ``{beamtime_id}``, ``{facility}``, ``{instrument}``
(values are URL-encoded). Unset: no link. A dataset lacking a value the template needs gets no
link either.
"""

from .environment import env

VISA_URL_TEMPLATE = env.str("PORTAL_VISA_URL_TEMPLATE", default="")

# Files per page on a landing page (its file list pages with ?page=). The whole list is in
# the download manifests; a landing page is read, so it shows fewer rows than the dataset page.
LANDING_FILES_PAGE_SIZE = env.int("PORTAL_LANDING_FILES_PAGE_SIZE", default=50)

# "Download ZIP": datasets (or folders) up to this many bytes are offered as one ZIP archive,
# streamed on the fly (no temporary files; stored, not compressed: HDF5 is compressed inside).
# 0 switches the ZIP off. Bigger datasets are downloaded with a manifest (Metalink, aria2).
ZIP_MAX_BYTES = env.int("PORTAL_ZIP_MAX_BYTES", default=10 * 1024**3)

# The home page's public summary (counts, latest records, facilities; catalogue.selectors.
# home_summary) is cached this many seconds per process, and dropped when datasets change.
# 0 recounts on every request.
HOME_CACHE_SECONDS = env.int("PORTAL_HOME_CACHE_SECONDS", default=60)

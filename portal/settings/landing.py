"""DOI landing pages: the optional "Open in VISA" link.

PORTAL_VISA_URL_TEMPLATE is the address of the facility's VISA (Virtual Infrastructure for
Scientific Analysis) portal with placeholders, e.g.
``https://visa.example.org/instruments?proposal={proposal_id}&pid={pid}``. Placeholders:
``{pid}``, ``{doi}``, ``{proposal_id}``, ``{beamtime_id}``, ``{facility}``, ``{instrument}``
(values are URL-encoded). Unset: no link. A dataset lacking a value the template needs gets no
link either.
"""

from .environment import env

VISA_URL_TEMPLATE = env.str("PORTAL_VISA_URL_TEMPLATE", default="")

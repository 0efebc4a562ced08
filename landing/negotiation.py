"""Proactive content negotiation on the landing URL (RFC 9110 §12.5.1 ``Accept``).

The same media types DOI content negotiation at doi.org uses (DataCite's and Crossref's
documentation), so ``curl -LH "Accept: application/x-bibtex" https://doi.org/<doi>`` ends here
and gets BibTeX. Quality values are honoured; among equal q, the more specific range wins, then
the order of the header; ``q=0`` refuses a type.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MediaRange:
    type: str  # "text/html", "text/*", "*/*"
    q: float = 1.0
    params: dict[str, str] = field(default_factory=dict)
    order: int = 0

    @property
    def specificity(self) -> int:
        if self.type == "*/*":
            return 0
        if self.type.endswith("/*"):
            return 1
        return 2 + bool(self.params)

    def matches(self, media_type: str) -> bool:
        if self.type == "*/*":
            return True
        if self.type.endswith("/*"):
            return media_type.split("/")[0] == self.type.split("/")[0]
        return media_type == self.type


def _split(header: str, sep: str) -> list[str]:
    """Split on ``sep`` outside double quotes."""
    parts, current, quoted = [], [], False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed members are skipped, not fatal."""
    ranges = []
    for order, member in enumerate(_split(header or "", ",")):
        pieces = [p.strip() for p in _split(member, ";")]
        media_type = pieces[0].lower()
        if "/" not in media_type:
            continue
        q, params = 1.0, {}
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif name:
                params[name] = value
        ranges.append(MediaRange(media_type, q, params, order))
    return ranges


def negotiate(header: str | None, offers: list[str]) -> tuple[str, dict[str, str]] | None:
    """The offer to send and the parameters of the range that chose it; None: nothing fits.

    ``offers`` are in the server's order of preference (the first is used for ``*/*``).
    No Accept header at all means ``*/*``.
    """
    ranges = parse_accept(header) if header and header.strip() else [MediaRange("*/*")]
    best: tuple[float, int, int, int] | None = None
    chosen: tuple[str, dict[str, str]] | None = None
    for offer_rank, offer in enumerate(offers):
        # The most specific range that matches an offer decides that offer's q.
        matching = [r for r in ranges if r.matches(offer)]
        if not matching:
            continue
        decisive = max(matching, key=lambda r: (r.specificity, -r.order))
        if decisive.q <= 0:
            continue
        key = (decisive.q, decisive.specificity, -decisive.order, -offer_rank)
        if best is None or key > best:
            best, chosen = key, (offer, decisive.params)
    return chosen

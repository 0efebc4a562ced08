"""FAIR Signposting (profile of 2023-10-02, https://signposting.org/FAIR/) for landing pages.

Level 1: typed links in the landing page's HTTP ``Link`` header (RFC 8288): ``cite-as``,
``describedby`` (each with its ``type``), ``type``, ``author``, ``license``, ``item`` and
``linkset``. Level 2: the same links, complete, as a linkset (RFC 9264) in both serialisations,
``application/linkset+json`` and ``application/linkset``, plus the reverse links a harvester
needs (``describes`` from each metadata document back to the landing page).

The profile advises keeping headers short: above :data:`HEADER_LIMIT` authors or items, the
header carries the first ones and the linkset carries them all.

Pure functions: the view passes URLs in, files arrive as an iterator so a linkset of 100,000
items is written as it is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

HEADER_LIMIT = 5
SCHEMA_DATASET = "https://schema.org/Dataset"
SCHEMA_ABOUT_PAGE = "https://schema.org/AboutPage"
LINKSET_JSON = "application/linkset+json"
LINKSET_TEXT = "application/linkset"


@dataclass(frozen=True)
class Link:
    href: str
    rel: str
    type: str = ""
    profile: str = ""

    def header_value(self, anchor: str = "") -> str:
        """One link-value of RFC 8288 §3 (quoted-string parameters)."""
        parts = [f"<{self.href}>", f'rel="{self.rel}"']
        if self.type:
            parts.append(f'type="{self.type}"')
        if self.profile:
            parts.append(f'profile="{self.profile}"')
        if anchor:
            parts.append(f'anchor="{anchor}"')
        return " ; ".join(parts)

    def target_object(self) -> dict[str, str]:
        """A target object of RFC 9264 §4.2.2."""
        target = {"href": self.href}
        if self.type:
            target["type"] = self.type
        if self.profile:
            target["profile"] = self.profile
        return target


@dataclass(frozen=True)
class Signposts:
    """Everything the landing page says about itself, in profile order."""

    landing_url: str
    cite_as: str
    described_by: tuple[Link, ...]
    types: tuple[str, ...]
    authors: tuple[str, ...]
    license: str
    linksets: tuple[Link, ...]

    def head_links(self, items: Iterable[Link]) -> list[Link]:
        links = [Link(self.cite_as, "cite-as")]
        links += list(self.described_by)
        links += [Link(t, "type") for t in self.types]
        links += [Link(a, "author") for a in self.authors]
        if self.license:
            links.append(Link(self.license, "license"))
        links += list(items)
        links += list(self.linksets)
        return links


def landing_signposts(
    *,
    landing_url: str,
    doi_url: str,
    orcids: Iterable[str],
    license_url: str,
    datacite_xml_url: str,
    datacite_json_url: str,
    jsonld_url: str,
    linkset_json_url: str,
    linkset_text_url: str,
) -> Signposts:
    return Signposts(
        landing_url=landing_url,
        # FAIR Signposting: cite-as is the persistent identifier, but only one that resolves;
        # a DOI reserved locally (not registered at DataCite) sends nobody anywhere, so the
        # landing page itself is the address to cite until it is registered.
        cite_as=doi_url or landing_url,
        described_by=(
            Link(datacite_xml_url, "describedby", "application/vnd.datacite.datacite+xml"),
            Link(datacite_json_url, "describedby", "application/vnd.datacite.datacite+json"),
            Link(jsonld_url, "describedby", "application/ld+json"),
        ),
        # The landing page is an AboutPage about a Dataset (profile: "type").
        types=(SCHEMA_DATASET, SCHEMA_ABOUT_PAGE),
        authors=tuple(orcids),
        license=license_url,
        linksets=(
            Link(linkset_text_url, "linkset", LINKSET_TEXT),
            Link(linkset_json_url, "linkset", LINKSET_JSON),
        ),
    )


def item_link(url: str, media_type: str) -> Link:
    return Link(url, "item", media_type or "application/octet-stream")


def link_header(signposts: Signposts, items: Iterable[Link]) -> str:
    """The ``Link`` header value: at most :data:`HEADER_LIMIT` authors and items."""
    limited = Signposts(
        **{**signposts.__dict__, "authors": signposts.authors[:HEADER_LIMIT]},
    )
    first_items = [i for _, i in zip(range(HEADER_LIMIT), items, strict=False)]
    return " , ".join(link.header_value() for link in limited.head_links(first_items))


def _landing_context(signposts: Signposts) -> list[tuple[str, list[Link]]]:
    """Link sets other than the landing page's: the reverse links of the metadata documents."""
    return [(d.href, [Link(signposts.landing_url, "describes", "text/html")])
            for d in signposts.described_by]  # fmt: skip


def linkset_json(signposts: Signposts, items: Iterable[Link]) -> Iterator[str]:
    """The RFC 9264 §4.2 JSON linkset, written piece by piece (items may be 100,000)."""
    s = signposts
    yield '{"linkset":[{"anchor":' + json.dumps(s.landing_url)
    groups: dict[str, list[Link]] = {}
    for link in s.head_links(()):
        groups.setdefault(link.rel, []).append(link)
    for rel, links in groups.items():
        if rel == "linkset":
            continue  # the linkset does not link to itself
        yield "," + json.dumps(rel) + ":" + json.dumps([link.target_object() for link in links])
    first = True
    for item in items:
        yield (',"item":[' if first else ",") + json.dumps(item.target_object())
        first = False
    if not first:
        yield "]"
    yield "}"
    for anchor, links in _landing_context(s):
        yield ",{" + '"anchor":' + json.dumps(anchor) + ","
        yield ",".join(
            json.dumps(rel) + ":" + json.dumps([link.target_object()])
            for rel, link in ((link.rel, link) for link in links)
        )
        yield "}"
    yield "]}\n"


def linkset_text(signposts: Signposts, items: Iterable[Link]) -> Iterator[str]:
    """The RFC 9264 §4.1 native linkset: RFC 8288 link-values with anchors, one a line."""
    s = signposts
    first = True
    for link in s.head_links(()):
        if link.rel == "linkset":
            continue
        yield ("" if first else ",\n") + link.header_value(anchor=s.landing_url)
        first = False
    for item in items:
        yield ",\n" + item.header_value(anchor=s.landing_url)
    for anchor, links in _landing_context(s):
        for link in links:
            yield ",\n" + link.header_value(anchor=anchor)
    yield "\n"

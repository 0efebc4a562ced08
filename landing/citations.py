"""Citations of a dataset: DataCite's recommended text, CSL styles, BibTeX, RIS and CSL-JSON.

Pure functions of :class:`catalogue.snapshot.DatasetSnapshot`. Formatted citations go through
citeproc-py with official CSL styles (``landing/csl/``, CC BY-SA 3.0, citationstyles.org) from
one CSL-JSON item (:func:`csl_item`), so every style cites the same facts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalogue.snapshot import AgentSnapshot, DatasetSnapshot
from doi.datacite import publication_year

CSL_DIR = Path(__file__).resolve().parent / "csl"


@dataclass(frozen=True)
class CitationStyle:
    key: str
    label: str
    path: Path


def _bundled(name: str) -> Path:
    import citeproc

    return Path(citeproc.__file__).resolve().parent / "data" / "styles" / f"{name}.csl"


STYLES: dict[str, CitationStyle] = {
    s.key: s
    for s in (
        CitationStyle("apa", "APA 7th", CSL_DIR / "apa.csl"),
        CitationStyle("chicago-author-date", "Chicago", CSL_DIR / "chicago-author-date.csl"),
        CitationStyle("harvard-cite-them-right", "Harvard", _bundled("harvard-cite-them-right")),
        CitationStyle("ieee", "IEEE", CSL_DIR / "ieee.csl"),
        CitationStyle(
            "modern-language-association", "MLA 9th", CSL_DIR / "modern-language-association.csl"
        ),
        CitationStyle("nature", "Nature", CSL_DIR / "nature.csl"),
    )
}
# Short names people and DOI content negotiation use (``style=harvard``, ``style=mla``).
STYLE_ALIASES = {
    "harvard": "harvard-cite-them-right",
    "harvard1": "harvard-cite-them-right",
    "mla": "modern-language-association",
    "chicago": "chicago-author-date",
    "apa7": "apa",
}
DATACITE_STYLE = "datacite"
DEFAULT_LOCALE = "en-US"


class UnknownStyle(ValueError):
    """A citation style or locale we do not offer; the message names what we do offer."""


def style_key(name: str | None) -> str:
    key = (name or "apa").strip().lower()
    key = STYLE_ALIASES.get(key, key)
    if key != DATACITE_STYLE and key not in STYLES:
        offered = ", ".join([DATACITE_STYLE, *STYLES])
        raise UnknownStyle(f"Unknown citation style {name!r}; offered: {offered}.")
    return key


def locale_key(name: str | None) -> str:
    """'en-us' / 'en_GB' / 'de' -> a locale citeproc-py ships ('en-US', 'en-GB', 'de-DE')."""
    from citeproc import frontend

    raw = (name or DEFAULT_LOCALE).strip().replace("_", "-")
    locales_dir = Path(frontend.__file__).resolve().parent / "data" / "locales"
    available = {p.stem.removeprefix("locales-"): p for p in locales_dir.glob("locales-*.xml")}
    for candidate in available:
        if candidate.lower() == raw.lower():
            return candidate
    language = raw.split("-")[0].lower()
    for candidate in sorted(available):
        if candidate.lower().split("-")[0] == language:
            return candidate
    raise UnknownStyle(f"Unknown citation locale {name!r}; use a tag such as en-US or de-DE.")


# --------------------------------------------------------------------------- CSL-JSON
def _csl_name(a: AgentSnapshot) -> dict[str, str]:
    if a.name_type == "Personal" and a.family_name:
        name = {"family": a.family_name}
        if a.given_name:
            name["given"] = a.given_name
        return name
    if a.name_type == "Personal" and "," in a.name:
        family, given = (p.strip() for p in a.name.split(",", 1))
        return {"family": family, "given": given}
    return {"literal": a.name}


def csl_item(snapshot: DatasetSnapshot) -> dict[str, Any]:
    """The dataset as one CSL-JSON item (CSL 1.0.2 schema, type ``dataset``)."""
    s = snapshot
    item: dict[str, Any] = {
        "id": s.doi or str(s.pid),
        "type": "dataset",
        "title": s.title,
        "author": [_csl_name(a) for a in s.creators],
        "issued": {"date-parts": [[publication_year(s)]]},
        "publisher": s.publisher,
    }
    if s.doi and s.doi_resolves:
        item["DOI"] = s.doi
        item["URL"] = s.doi_url
    else:
        # A DOI only reserved (not registered) is not printed as a resolver link.
        item["URL"] = s.url
    if s.version:
        item["version"] = s.version
    if s.description:
        item["abstract"] = s.description
    if s.keywords:
        item["keyword"] = ", ".join(s.keywords)
    if s.language:
        item["language"] = s.language
    if s.facility and s.facility.name != s.publisher:
        item["publisher-place"] = s.facility.name
    return item


# --------------------------------------------------------------------------- text styles
def _initial_family(a: AgentSnapshot) -> str:
    """'Okafor, A.' as DataCite's recommended citation lists people."""
    if a.name_type == "Personal" and a.family_name:
        initials = " ".join(f"{p[0]}." for p in re.split(r"[\s-]+", a.given_name) if p)
        return f"{a.family_name}, {initials}" if initials else a.family_name
    return a.name


def datacite_citation(snapshot: DatasetSnapshot) -> str:
    """DataCite's recommended form: Creator (Year). Title. Version. Publisher. Type. DOI.

    https://datacite.org/cite-your-data/ ; withdrawn records say so, as DataCite tombstones do.
    """
    s = snapshot
    creators = "; ".join(_initial_family(a) for a in s.creators) or s.publisher
    parts = [f"{creators} ({publication_year(s)})", s.title.rstrip(".")]
    if s.version:
        parts.append(f"Version {s.version}")
    if s.publisher:
        parts.append(s.publisher)
    parts.append(f"({s.resource_type_general or 'Dataset'})")
    parts.append(s.doi_url or s.url)
    return ". ".join(parts)


@lru_cache(maxsize=32)
def _style(key: str, locale: str):
    """Parsing a CSL style takes tens of milliseconds: parse each (style, locale) once."""
    from citeproc import CitationStylesStyle

    return CitationStylesStyle(str(STYLES[key].path), locale=locale, validate=False)


def _escaped(value: Any) -> Any:
    """Every string of a CSL item HTML-escaped: citeproc-py's HTML formatter escapes the
    style's own text but writes variables (titles, names) verbatim."""
    import html as html_lib

    if isinstance(value, str):
        return html_lib.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k == "id" else _escaped(v) for k, v in value.items()}
    return value


def formatted_citation(
    snapshot: DatasetSnapshot,
    *,
    style: str = "apa",
    locale: str = DEFAULT_LOCALE,
    html: bool = False,
) -> str:
    """The bibliography entry in a CSL style (or ``datacite``); HTML keeps italics."""
    key = style_key(style)
    if key == DATACITE_STYLE:
        text = datacite_citation(snapshot)
        if html:
            import html as html_lib

            return html_lib.escape(text, quote=False)
        return text
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    item = csl_item(snapshot)
    bibliography = CitationStylesBibliography(
        _style(key, locale_key(locale)),
        CiteProcJSON([_escaped(item) if html else item]),
        formatter.html if html else formatter.plain,
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    entry = "".join(str(part) for part in bibliography.bibliography()[0])
    # citeproc-py numbers entries for numeric styles ("[1]", "1."): one dataset needs none.
    return re.sub(r"^\s*(\[1\]|1\.)\s*", "", entry).strip()


# --------------------------------------------------------------------------- BibTeX
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _tex(text: str) -> str:
    return "".join(_BIBTEX_ESCAPES.get(ch, ch) for ch in text.replace("\n", " "))


def bibtex_key(snapshot: DatasetSnapshot) -> str:
    """'okafor2024saxs_esrfnk5mws92': first author, year, first title word, DOI suffix."""
    s = snapshot
    first = s.creators[0] if s.creators else None
    author = _ascii_slug((first.family_name or first.name) if first else s.publisher).lower()
    words = re.findall(r"[A-Za-z0-9]+", _ascii(s.title))
    word = next((w for w in words if len(w) > 3), words[0] if words else "")
    suffix = _ascii_slug((s.doi or str(s.pid)).split("/", 1)[-1]).lower()
    return f"{author or 'dataset'}{publication_year(s)}{word.lower()}_{suffix}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _ascii_slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", _ascii(text))


def _bibtex_name(a: AgentSnapshot) -> str:
    if a.name_type == "Personal" and a.family_name:
        return _tex(f"{a.family_name}, {a.given_name}" if a.given_name else a.family_name)
    if a.name_type == "Personal":
        return _tex(a.name)
    return "{" + _tex(a.name) + "}"  # an organisation: braces keep it one "last name"


def bibtex(snapshot: DatasetSnapshot) -> str:
    """A BibTeX ``@misc`` entry, the type DataCite's own BibTeX export uses for datasets."""
    s = snapshot
    fields: list[tuple[str, str]] = [
        ("author", " and ".join(_bibtex_name(a) for a in s.creators)),
        ("title", "{" + _tex(s.title) + "}"),
        ("year", str(publication_year(s))),
        ("publisher", _tex(s.publisher)),
        ("howpublished", _tex(s.publisher)),
        ("doi", s.doi or ""),
        ("url", s.doi_url or s.url),
        ("version", _tex(s.version)),
        ("keywords", _tex(", ".join(s.keywords))),
        ("language", s.language),
        ("copyright", _tex(s.licence.name) if s.licence else ""),
        (
            "note",
            _tex(
                f"{s.resource_type_general or 'Dataset'}"
                + (f", {s.resource_type}" if s.resource_type else "")
            ),
        ),
    ]
    lines = [f"@misc{{{bibtex_key(s)},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields if value]
    lines[-1] = lines[-1].rstrip(",")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- RIS
def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def ris(snapshot: DatasetSnapshot) -> str:
    """An RIS record of type ``DATA`` (RIS format specification, Research Information Systems)."""
    s = snapshot
    lines = [_ris_line("TY", "DATA")]
    for a in s.creators:
        if a.name_type == "Personal" and a.family_name:
            name = f"{a.family_name}, {a.given_name}" if a.given_name else a.family_name
        else:
            name = a.name
        lines.append(_ris_line("AU", name))
    lines.append(_ris_line("TI", s.title))
    lines.append(_ris_line("PY", str(publication_year(s))))
    if s.published_at:
        lines.append(_ris_line("DA", s.published_at.strftime("%Y/%m/%d")))
    if s.publisher:
        lines.append(_ris_line("PB", s.publisher))
    if s.doi:
        lines.append(_ris_line("DO", s.doi))
    lines.append(_ris_line("UR", s.doi_url or s.url))
    if s.version:
        lines.append(_ris_line("ET", s.version))
    for k in s.keywords:
        lines.append(_ris_line("KW", k))
    for t in s.techniques:
        lines.append(_ris_line("KW", t.label))
    if s.description:
        lines.append(_ris_line("AB", s.description))
    if s.language:
        lines.append(_ris_line("LA", s.language))
    lines.append(_ris_line("M3", s.resource_type_general or "Dataset"))
    if s.licence:
        lines.append(_ris_line("C1", s.licence.spdx))
    lines.append("ER  - ")
    # RIS records end with CRLF line breaks (the format's reference manual).
    return "\r\n".join(lines) + "\r\n"

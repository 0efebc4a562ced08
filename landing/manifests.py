"""Download manifests of a dataset: Metalink 4, aria2 input, wget URL list, checksum files.

Generators of text over an iterator of :class:`ManifestFile`, so a dataset of 100,000 files
streams with flat memory (the view feeds them keyset pages of files). Every manifest keeps the
files' relative paths, so a download rebuilds the dataset's folder tree, and carries the
checksums the portal holds, so the download can be verified.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

METALINK_NS = "urn:ietf:params:xml:ns:metalink"
GENERATOR = "PaN Open Data Portal"

# Hash Function Textual Names (IANA registry, RFC 5854 §4.2.4 ``hash/@type``); aria2 uses the
# same names for ``checksum=``. BLAKE2b has no registered name: such files carry no hash there.
HASH_NAMES = {"md5": "md5", "sha1": "sha-1", "sha256": "sha-256", "sha512": "sha-512"}
# Our algorithm -> the GNU coreutils tool whose ``-c`` reads the checksum file.
CHECKSUM_TOOLS = {
    "sha256": "sha256sum",
    "md5": "md5sum",
    "sha1": "sha1sum",
    "sha512": "sha512sum",
    "blake2b": "b2sum",
}


@dataclass(frozen=True)
class ManifestFile:
    path: str
    url: str
    size: int
    checksum_algorithm: str = ""
    checksum: str = ""
    media_type: str = ""


def metalink(
    files: Iterable[ManifestFile],
    *,
    origin: str,
    published: str = "",
) -> Iterator[str]:
    """A Metalink 4.0 document (RFC 5854): each file's name (relative path), size, hash, URL."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<metalink xmlns="{METALINK_NS}">\n'
    yield f"  <generator>{escape(GENERATOR)}</generator>\n"
    # §4.2.9: where this Metalink itself lives; dynamic="false" as it changes only with
    # the dataset's version.
    yield f'  <origin dynamic="false">{escape(origin)}</origin>\n'
    if published:
        yield f"  <published>{escape(published)}</published>\n"
    for f in files:
        parts = [f"  <file name={quoteattr(f.path)}>\n"]
        parts.append(f"    <size>{f.size}</size>\n")
        hash_name = HASH_NAMES.get(f.checksum_algorithm)
        if hash_name and f.checksum:
            parts.append(f'    <hash type="{hash_name}">{escape(f.checksum.lower())}</hash>\n')
        parts.append(f'    <url priority="1">{escape(f.url)}</url>\n')
        parts.append("  </file>\n")
        yield "".join(parts)
    yield "</metalink>\n"


def aria2_input(files: Iterable[ManifestFile]) -> Iterator[str]:
    """An aria2c ``--input-file``: a URI line, then indented per-download options.

    ``out`` keeps the relative path; ``checksum`` lets aria2 verify (``--check-integrity``).
    """
    for f in files:
        lines = [f.url, f"  out={f.path}"]
        hash_name = HASH_NAMES.get(f.checksum_algorithm)
        if hash_name and f.checksum:
            lines.append(f"  checksum={hash_name}={f.checksum.lower()}")
        yield "\n".join(lines) + "\n"


def url_list(files: Iterable[ManifestFile]) -> Iterator[str]:
    """One URL a line, for ``wget --input-file`` (or ``curl`` with ``xargs``)."""
    for f in files:
        yield f.url + "\n"


def _coreutils_name(path: str) -> tuple[str, str]:
    """GNU coreutils escaping: a name with ``\\`` or a newline is escaped, line prefixed ``\\``."""
    if "\\" in path or "\n" in path or "\r" in path:
        escaped = path.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return "\\", escaped
    return "", path


def checksum_file(files: Iterable[ManifestFile], *, algorithm: str) -> Iterator[str]:
    """``<hex>  <path>`` lines that ``sha256sum -c`` (``md5sum -c`` …) checks.

    Only files whose stored checksum uses ``algorithm`` are listed: the others have no such
    digest to check against.
    """
    for f in files:
        if f.checksum_algorithm == algorithm and f.checksum:
            prefix, name = _coreutils_name(f.path)
            yield f"{prefix}{f.checksum.lower()}  {name}\n"

"""File responses: handed to nginx in production, streamed with ranges in the embedded mode.

In production (PORTAL_FILES_X_ACCEL_PREFIX set, nginx in front) Python never moves file bytes:
once the access gate has said yes, the answer is an empty response whose ``X-Accel-Redirect``
names the file below nginx's ``internal`` location, and nginx serves it with sendfile, ranges
and conditional requests. Without nginx, :func:`file_response` streams the file itself, with
single-range support (RFC 9110 §14) so downloads can resume.

``Content-Disposition`` carries an ASCII ``filename`` and the exact name as RFC 5987
``filename*`` (UTF-8, percent-encoded), as RFC 6266 §4.3 recommends.
"""

import os
import re
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _chunks(path: Path, start: int, length: int, block: int = 1 << 20):
    with open(path, "rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(block, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


def attachment_header(filename: str) -> str:
    """``attachment; filename="..."`` or, for non-ASCII names, RFC 5987 ``filename*=utf-8''``."""
    return content_disposition_header(as_attachment=True, filename=filename)


def accel_response(*, path: Path, filename: str, media_type: str) -> HttpResponse:
    """Let nginx serve ``path`` (a real path below the storage root) after the gate said yes."""
    root = Path(os.path.realpath(settings.STORAGE_ROOT))
    relative = path.relative_to(root).as_posix()
    response = HttpResponse(content_type=media_type or "application/octet-stream")
    # nginx decodes the URI before mapping it onto the internal location's alias.
    response["X-Accel-Redirect"] = f"{settings.FILES_X_ACCEL_PREFIX}/{quote(relative)}"
    response["Content-Disposition"] = attachment_header(filename)
    # Access may change (embargo, withdrawal): caches must ask the portal again each time.
    response["Cache-Control"] = "private, no-cache"
    return response


def file_response(*, path: Path, filename: str, media_type: str, range_header: str | None):
    if settings.FILES_X_ACCEL_PREFIX:
        return accel_response(path=path, filename=filename, media_type=media_type)
    size = os.path.getsize(path)
    match = _RANGE_RE.match(range_header or "")
    if not match or (not match.group(1) and not match.group(2)):
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            as_attachment=True,
            filename=filename,
            content_type=media_type or "application/octet-stream",
        )
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    else:  # suffix range: the last N bytes
        start = max(size - int(last), 0)
        end = size - 1
    if start >= size or end < start:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    length = end - start + 1
    response = StreamingHttpResponse(
        _chunks(path, start, length),
        status=206,
        content_type=media_type or "application/octet-stream",
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = attachment_header(filename)
    return response

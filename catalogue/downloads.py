"""File responses with single-range support (RFC 9110 §14), so downloads can resume."""

import os
import re
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

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


def file_response(*, path: Path, filename: str, media_type: str, range_header: str | None):
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
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""A thin, honest client of DataCite's REST API (``/dois``, JSON:API, HTTP Basic auth).

One ``httpx.Client`` (one connection pool) per client, timeouts on every request, and one
error class per status family, so callers decide by type, never by parsing messages:

* :class:`DataCitePermanentError`: 400/404/405/409/422, with DataCite's ``errors[]``
  (``source``, ``title``): the request will fail again as sent; show it to people.
* :class:`DataCiteConfigurationError`: 401/403, the repository id, password or prefix is
  wrong: no retry will help until an administrator fixes the settings.
* :class:`DataCiteTransientError`: 429, 5xx, timeouts and dropped connections: retry later,
  no sooner than ``retry_after`` when DataCite sent ``Retry-After``.

``PUT /dois/{doi}`` creates or updates (lupo answers 201 when it created, 200 when it updated:
both are success), which makes every write idempotent: a PUT repeated after a lost answer
ends in the same single DOI. Every request first takes a token from the rate limiter
(DataCite allows 3,000 requests per 5 minutes per IP; see ``doi.ratelimit``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import httpx

JSON_API = "application/vnd.api+json"


@dataclass
class DataCiteError(Exception):
    message: str
    status: int | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class DataCitePermanentError(DataCiteError):
    """4xx other than 401/403/429: DataCite refuses this request as it is."""


class DataCiteConfigurationError(DataCiteError):
    """401/403: credentials or prefix wrong (or the client is not configured at all)."""


@dataclass
class DataCiteTransientError(DataCiteError):
    """429, 5xx, timeout, connection lost: try again later."""

    retry_after: float | None = None


@dataclass(frozen=True)
class DoiRecord:
    """What DataCite answered about one DOI (the parts the portal acts on)."""

    doi: str
    state: str  # draft | registered | findable
    url: str | None
    xml: bytes | None
    attributes: dict[str, Any]
    created: bool = False  # 201 on PUT


def _error_message(response: httpx.Response) -> tuple[str, list[dict[str, Any]]]:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        errors = []
    if not isinstance(errors, list):
        errors = []
    parts = []
    for e in errors:
        if isinstance(e, dict):
            source = e.get("source")
            title = e.get("title") or e.get("detail") or ""
            parts.append(f"{source}: {title}" if source else str(title))
    text = "; ".join(p for p in parts if p) or response.reason_phrase or "error"
    return f"DataCite {response.status_code}: {text}", errors


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            import time

            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    message, errors = _error_message(response)
    if status in (401, 403):
        raise DataCiteConfigurationError(message, status, errors)
    if status == 429 or status >= 500:
        raise DataCiteTransientError(message, status, errors, retry_after=_retry_after(response))
    raise DataCitePermanentError(message, status, errors)


def _record(response: httpx.Response) -> DoiRecord:
    try:
        data = response.json()["data"]
        attributes = data["attributes"]
    except (ValueError, KeyError, TypeError) as exc:
        # A 2xx without a JSON:API document: a proxy answered, not DataCite. Try again.
        raise DataCiteTransientError(
            f"DataCite {response.status_code}: answer without a DOI document", response.status_code
        ) from exc
    xml = attributes.get("xml")
    return DoiRecord(
        doi=(attributes.get("doi") or data.get("id") or "").lower(),
        state=attributes.get("state") or "",
        url=attributes.get("url"),
        xml=base64.b64decode(xml) if xml else None,
        attributes=attributes,
        created=response.status_code == 201,
    )


class DataCiteClient:
    def __init__(
        self,
        *,
        base_url: str,
        repository_id: str,
        password: str,
        timeout: float = 20.0,
        rate_limiter=None,
        user_agent: str = "open-data-portal (DOI registration)",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.rate_limiter = rate_limiter
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=(repository_id, password),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": user_agent, "Accept": JSON_API},
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DataCiteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        if self.rate_limiter is not None:
            self.rate_limiter.acquire()
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise DataCiteTransientError(f"DataCite did not answer in time ({exc!r})") from exc
        except httpx.TransportError as exc:
            # Connection refused, reset or closed before the answer: whether DataCite
            # processed the request is unknown, so the caller repeats the (idempotent) PUT.
            raise DataCiteTransientError(f"connection to DataCite lost ({exc!r})") from exc

    def get_doi(self, doi: str) -> DoiRecord | None:
        """``GET /dois/{doi}``: the record, or None when DataCite answers 404."""
        response = self._request("GET", f"/dois/{doi}")
        if response.status_code == 404:
            return None
        raise_for_status(response)
        return _record(response)

    def put_doi(self, doi: str, attributes: dict[str, Any]) -> DoiRecord:
        """``PUT /dois/{doi}``: create (201) or update (200) the DOI with these attributes."""
        body = {"data": {"id": doi, "type": "dois", "attributes": {"doi": doi, **attributes}}}
        response = self._request(
            "PUT", f"/dois/{doi}", json=body, headers={"Content-Type": JSON_API}
        )
        raise_for_status(response)
        return _record(response)

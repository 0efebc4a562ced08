"""A stand-in for DataCite's REST API (``/dois``): a real HTTP server on loopback.

DataCite is the one outside service the tests cannot reach, so this server behaves as its API
documents (lupo ``openapi.yaml`` in tests/data/datacite/datacite-lupo, and the facts in
DataCite's support pages):

* HTTP Basic auth with repository id and password (401 ``Bad credentials.``); DOIs outside
  the repository's prefixes are 403;
* ``GET /dois/{doi}``: 200 with the JSON:API document, 404 for an unknown DOI;
* ``PUT /dois/{doi}``: create-or-update (201 when it created, 200 when it updated), the
  ``event`` state machine of lupo's ``doi.rb`` (register: draft→registered; publish:
  draft|registered→findable; hide: findable→registered; show: registered→findable; an event
  that does not fit is **silently ignored**), ``url`` required once registered or findable
  (422 ``{"errors":[{"source":"url","title":"Can't be blank"}]}``), the XML validated against
  the DataCite 4.6 XSD when registered or findable (422, source ``xml``);
* ``DELETE /dois/{doi}``: 204 for a draft, 405 otherwise.

It is stricter than DataCite where our own output is concerned: every payload's JSON
attributes are validated against the OpenAPI schema and every XML against the XSD, and what
DataCite would accept silently (an invalid XML in a draft) is recorded in ``problems``.

Faults are injected per request from ``faults`` (a deque of names) or ``fault_for``:
``timeout`` (no answer within the client's timeout, nothing stored), ``500``, ``503``,
``429`` (with ``Retry-After``), ``422``, ``drop`` (connection closed, nothing stored) and
``drop_after_store`` (the change is stored, then the connection is closed before the answer).
An optional sliding-window rate limit answers 429 above ``limit`` requests per ``window``.
"""

from __future__ import annotations

import base64
import binascii
import collections
import contextlib
import datetime
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from lxml import etree

DATA = Path(__file__).resolve().parent.parent / "data"
OPENAPI = DATA / "datacite" / "datacite-lupo" / "openapi.yaml"
XSD = DATA / "schemas" / "datacite-4.6" / "metadata.xsd"
DOI_FORMAT = re.compile(r"^10\.\d{4,5}/[-._;()/:a-zA-Z0-9*~$=]+$")
EVENTS = {
    "register": {"draft": "registered"},
    "publish": {"draft": "findable", "registered": "findable"},
    "hide": {"findable": "registered"},
    "show": {"registered": "findable"},
}
PORT_RANGE = range(28350, 28400)  # this worktree's loopback ports (HELPER-RULES)
FAULTS = ("timeout", "500", "503", "429", "422", "drop", "drop_after_store")


def _attribute_schema() -> tuple[dict, set[str]]:
    """The writable ``data.attributes`` of ``PUT /dois/{id}`` (``DoiDetailItem``), and the
    names of every attribute it defines."""
    spec = yaml.safe_load(OPENAPI.read_text())
    components = spec["components"]["schemas"]
    item = components["DoiDetailItem"]["properties"]["data"]["properties"]["attributes"]
    names: set[str] = set()
    for part in item["allOf"]:
        if "$ref" in part:
            part = components[part["$ref"].rsplit("/", 1)[-1]]
        names |= set(part.get("properties", {}))
    return {"allOf": item["allOf"], "components": {"schemas": components}}, names


@dataclass
class StoredDoi:
    doi: str
    state: str = "draft"
    url: str | None = None
    xml: bytes | None = None
    created: str = ""
    updated: str = ""
    metadata_version: int = 0
    history: list[str] = field(default_factory=list)  # every state it has been in


class DataCiteStandIn:
    def __init__(
        self,
        *,
        repository_id: str = "TEST.PORTAL",
        password: str = "secret",  # noqa: S107 (the stand-in's own test account)
        prefixes: tuple[str, ...] = ("10.80001",),
        slow_seconds: float = 0.6,
        retry_after: float = 1.0,
        limit: int | None = None,
        window: float = 300.0,
    ) -> None:
        self.repository_id, self.password = repository_id, password
        self.prefixes = {p.lower() for p in prefixes}
        self.slow_seconds, self.retry_after = slow_seconds, retry_after
        self.limit, self.window = limit, window
        self.dois: dict[str, StoredDoi] = {}
        self.answered: dict[str, list[str]] = collections.defaultdict(list)
        self.faults: collections.deque[str] = collections.deque()
        self.fault_for = None  # optional callable(method, doi) -> fault name or None
        self.problems: list[str] = []
        self.requests: list[tuple[float, str, str, int]] = []
        self.rate_limited = 0
        self._recent: collections.deque[float] = collections.deque()
        self.lock = threading.RLock()
        self.schema, self.attribute_names = _attribute_schema()
        self.validator = jsonschema.Draft7Validator(self.schema)
        self.xsd = etree.XMLSchema(etree.parse(str(XSD)))
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ server
    def start(self) -> DataCiteStandIn:
        handler = type("Handler", (_Handler,), {"standin": self})
        for port in [*PORT_RANGE, 0]:
            try:
                self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
                break
            except OSError:
                continue
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> DataCiteStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        with self.lock:
            self.dois.clear()
            self.answered.clear()
            self.faults.clear()
            self.problems.clear()
            self.requests.clear()
            self._recent.clear()
            self.rate_limited = 0

    # ------------------------------------------------------------------ API
    def document(self, stored: StoredDoi) -> dict[str, Any]:
        prefix, _, suffix = stored.doi.partition("/")
        return {
            "data": {
                "id": stored.doi,
                "type": "dois",
                "attributes": {
                    "doi": stored.doi,
                    "prefix": prefix,
                    "suffix": suffix,
                    "state": stored.state,
                    "isActive": stored.state == "findable",
                    "url": stored.url,
                    "xml": base64.b64encode(stored.xml).decode() if stored.xml else None,
                    "metadataVersion": stored.metadata_version,
                    "created": stored.created,
                    "updated": stored.updated,
                },
                "relationships": {"client": {"data": {"id": self.repository_id.lower()}}},
            }
        }

    def rate_check(self) -> bool:
        """True if the request is within the sliding-window limit (and counts it)."""
        if self.limit is None:
            return True
        now = time.monotonic()
        with self.lock:
            while self._recent and self._recent[0] <= now - self.window:
                self._recent.popleft()
            if len(self._recent) >= self.limit:
                self.rate_limited += 1
                return False
            self._recent.append(now)
            return True

    def next_fault(self, method: str, doi: str) -> str | None:
        with self.lock:
            if self.fault_for is not None:
                return self.fault_for(method, doi)
            return self.faults.popleft() if self.faults else None

    def put(self, doi: str, body: bytes) -> tuple[int, dict]:
        """Validate and apply a PUT; (status, document or error body)."""
        try:
            document = json.loads(body)
            data = document["data"]
            attributes = data["attributes"]
            if data.get("type") != "dois" or not isinstance(attributes, dict):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return 422, _errors(None, "You need to provide a payload following the JSONAPI spec")
        unknown = sorted(set(attributes) - self.attribute_names)
        if unknown:
            return 422, _errors(None, f"found unpermitted parameters: {', '.join(unknown)}")
        for error in self.validator.iter_errors(attributes):
            self.problems.append(f"{doi}: OpenAPI: {error.message}")
            return 422, _errors("/".join(map(str, error.path)) or None, error.message)
        if attributes.get("doi") and attributes["doi"].lower() != doi:
            self.problems.append(f"{doi}: attributes.doi {attributes['doi']!r} differs")
        event = attributes.get("event")
        if event is not None and event not in EVENTS:
            return 422, _errors("event", "Is invalid")
        xml = None
        if attributes.get("xml"):
            try:
                xml = base64.b64decode(attributes["xml"], validate=True)
                root = etree.fromstring(xml)
            except (binascii.Error, etree.XMLSyntaxError) as exc:
                return 422, _errors("xml", f"Invalid XML: {exc}", uid=doi)
            valid = self.xsd.validate(root)
            identifier = root.findtext("{http://datacite.org/schema/kernel-4}identifier")
            if (identifier or "").lower() != doi:
                self.problems.append(f"{doi}: XML identifier {identifier!r}")
        with self.lock:
            stored = self.dois.get(doi)
            created = stored is None
            if created:
                if not DOI_FORMAT.match(doi):
                    return 422, _errors("doi", "Is invalid", uid=doi)
                stored = StoredDoi(doi=doi, created=_now())
            new_state = EVENTS.get(event, {}).get(stored.state, stored.state) if event else None
            state = new_state or stored.state
            url = attributes.get("url", stored.url)
            if state in ("registered", "findable"):
                if not url:
                    return 422, _errors("url", "Can't be blank", uid=doi)
                if xml is not None and not valid:
                    message = "; ".join(e.message for e in self.xsd.error_log)
                    return 422, _errors("xml", message, uid=doi)
                if xml is None and stored.xml is None:
                    return 422, _errors("xml", "Can't be blank", uid=doi)
            elif xml is not None and not valid:
                self.problems.append(f"{doi}: draft XML does not validate")
            stored.state = state
            stored.url = url
            if xml is not None:
                stored.xml = xml
            stored.updated = _now()
            stored.metadata_version += 1
            if not stored.history or stored.history[-1] != state:
                stored.history.append(state)
            self.dois[doi] = stored
            return (201 if created else 200), self.document(stored)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _errors(source: str | None, title: str, **extra) -> dict:
    error = {"title": title, **extra}
    if source:
        error = {"source": source, **error}
    return {"errors": [error]}


class _Handler(BaseHTTPRequestHandler):
    standin: DataCiteStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict | None, headers: dict | None = None) -> None:
        payload = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.api+json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
        self.standin.requests.append((time.monotonic(), self.command, self.path, status))

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self.standin.requests.append((time.monotonic(), self.command, self.path, 0))

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user = password = ""
            if user == self.standin.repository_id and password == self.standin.password:
                return True
        self._send(401, {"errors": [{"status": "401", "title": "Bad credentials."}]})
        return False

    def _handle(self) -> None:
        s = self.standin
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        match = re.fullmatch(r"/dois/(.+)", self.path.split("?", 1)[0])
        if not match:
            self._send(404, _errors(None, "The resource you are looking for doesn't exist."))
            return
        from urllib.parse import unquote

        doi = unquote(match.group(1)).lower()
        if not s.rate_check():
            self._send(429, _errors(None, "Too many requests"), {"Retry-After": "1"})
            return
        fault = s.next_fault(self.command, doi)
        if fault == "timeout":
            time.sleep(s.slow_seconds)
            self._drop()
            return
        if fault == "drop":
            self._drop()
            return
        if fault in ("500", "503"):
            self._send(int(fault), {"errors": [{"status": fault, "title": "Service Unavailable"}]})
            return
        if fault == "429":
            self._send(
                429,
                {"errors": [{"status": "429", "title": "Too Many Requests"}]},
                {"Retry-After": f"{s.retry_after:g}"},
            )
            return
        if not self._authorised():
            return
        if doi.split("/", 1)[0] not in s.prefixes:
            self._send(403, _errors(None, "You are not authorized to access this resource."))
            return
        if self.command == "GET":
            stored = s.dois.get(doi)
            if stored is None:
                self._send(404, _errors(None, "The resource you are looking for doesn't exist."))
            else:
                self._send(200, s.document(stored))
            return
        if self.command == "DELETE":
            stored = s.dois.get(doi)
            if stored is None:
                self._send(404, _errors(None, "The resource you are looking for doesn't exist."))
            elif stored.state != "draft":
                self._send(
                    405,
                    _errors(None, "Method not allowed"),
                    {"Allow": "HEAD, GET, POST, PATCH, PUT, OPTIONS"},
                )
            else:
                with s.lock:
                    del s.dois[doi]
                self._send(204, None)
            return
        if fault == "422":
            self._send(422, _errors("xml", "Simulated refusal", uid=doi))
            return
        status, answer = s.put(doi, body)
        if fault == "drop_after_store":
            self._drop()
            return
        if status < 300:
            s.answered[doi].append(answer["data"]["attributes"]["state"])
        self._send(status, answer)

    def do_GET(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

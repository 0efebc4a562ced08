"""Run by test_embedded.py in a fresh process on SQLite (the embedded mode): publish, withdraw,
harvest across tokens, print what came back as JSON."""

import datetime
import json
import os
import sys

import django

sys.path.insert(0, os.getcwd())
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)

from catalogue.models import Dataset, Status  # noqa: E402
from tests.factories import make_dataset  # noqa: E402
from tests.oaipmh.schemas import NS, validate  # noqa: E402

base = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
public = []
for i in range(7):
    ds = make_dataset(status=Status.PUBLISHED)
    # Equal datestamps in pairs: the keyset tie-break on pid is exercised too.
    Dataset.objects.filter(pk=ds.pk).update(updated_at=base + datetime.timedelta(days=i // 2))
    public.append(str(ds.pid))
withdrawn = str(make_dataset(status=Status.WITHDRAWN).pid)
make_dataset(status=Status.DRAFT)

client = Client()
seen, deleted, params = [], [], {"verb": "ListRecords", "metadataPrefix": "oai_datacite"}
for _ in range(50):
    response = client.get("/oai", params)
    root = validate(b"".join(response.streaming_content))
    for header in root.iterfind(".//oai:header", NS):
        pid = header.findtext("oai:identifier", namespaces=NS).rsplit(":", 1)[1]
        (deleted if header.get("status") == "deleted" else seen).append(pid)
    token = root.find(".//oai:resumptionToken", NS)
    if token is None or not token.text:
        break
    params = {"verb": "ListRecords", "resumptionToken": token.text}
selective = client.get(
    "/oai", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2024-01-02"}
)
root = validate(b"".join(selective.streaming_content))
print(
    json.dumps(
        {
            "public": public,
            "withdrawn": withdrawn,
            "seen": seen,
            "deleted": deleted,
            "until": root.find(".//oai:resumptionToken", NS).get("completeListSize"),
        }
    )
)

"""schemathesis (from PyPI) against /api/v1/schema with a write token: no 5xx, no answer that
contradicts the schema (status codes, content types, headers, bodies).

Runs in-process over WSGI inside the test's transaction, with a small catalogue (a facility,
an instrument, the caller's group and a draft of theirs) so writes reach the writers instead of
only failing validation. Bounded: ``MAX_EXAMPLES`` per operation keeps the run to about a
minute or two.
"""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.tokens import api_token_create
from portal.wsgi import application
from tests.factories import (
    BeamtimeFactory,
    GroupFactory,
    InstrumentFactory,
    ProposalFactory,
    UserFactory,
    make_dataset,
)

MAX_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def web_api(db):
    # Requests run inside this test's transaction: keep Django from closing the connection
    # at the end of each request, as its test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    group = GroupFactory(name="p-2024")
    user = UserFactory(username="schemathesis")
    user.groups.add(group)
    user.groups.add(GroupFactory(name=django_settings.INGESTOR_GROUP))
    instrument = InstrumentFactory(code="p03")
    proposal = ProposalFactory(facility=instrument.facility, proposal_id="P-1")
    beamtime = BeamtimeFactory(proposal=proposal)
    draft = make_dataset(owner_group=group, instrument=instrument, facility=instrument.facility)
    _, secret = api_token_create(owner=user, name="schemathesis", scope="write")
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema?format=json", application)
    loaded.config.headers = {"Authorization": f"Bearer {secret}"}
    # Path parameters name real records (random ones only ever reach the 404 path).
    loaded.known_paths = {
        "pid": str(draft.pid),
        "code": "p03",
        "facility": instrument.facility.code,
        "proposal_id": "P-1",
        "id": beamtime.pk,
    }
    yield loaded
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_v1_keeps_its_openapi_contract(web_api):
    # One test over every operation (schemathesis' from_fixture does not support pytest 9).
    headers = web_api.config.headers
    known = web_api.known_paths
    failures = []
    operations = 0
    seen: dict[str, int] = {}
    for result in web_api.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            if case.path_parameters:
                for name in case.path_parameters:
                    if name in known:
                        case.path_parameters[name] = known[name]
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            key = f"{case.operation.method.upper()} {case.operation.path} {response.status_code}"
            seen[key] = seen.get(key, 0) + 1

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    print("\n".join(f"{n:4d} {k}" for k, n in sorted(seen.items())))
    assert operations >= 20
    # The run reached the writers, not only their validation.
    assert seen.get("POST /datasets 201") or seen.get("POST /api/v1/datasets 201"), seen
    assert not failures, "\n\n".join(failures)

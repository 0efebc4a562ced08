"""schemathesis over the reviewer-link operations of /api/v1/schema, against a live draft of
the caller's (the suite-wide run in test_api_schema.py reaches them after its DELETE of the
draft, i.e. only their 404): no 5xx, every answer as the schema says."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from catalogue.models import ReviewLink
from portal.tokens import api_token_create
from portal.wsgi import application
from tests.catalogue.test_api_schema import CHECKS
from tests.factories import GroupFactory, UserFactory, make_dataset

MAX_EXAMPLES = 40


@pytest.fixture
def review_api(db):
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    group = GroupFactory(name="p-rl")
    user = UserFactory(username="schemathesis-rl")
    user.groups.add(group)
    draft = make_dataset(owner_group=group)
    _, secret = api_token_create(owner=user, name="schemathesis", scope="write")
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema?format=json", application)
    yield loaded, {"Authorization": f"Bearer {secret}"}, draft
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_review_link_operations_keep_the_contract(review_api):
    loaded, headers, draft = review_api
    seen: dict[str, int] = {}
    failures = []
    operations = 0
    for result in loaded.get_all_operations():
        operation = result.ok()
        if "review-links" not in operation.path:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case):
            case.path_parameters["pid"] = str(draft.pid)
            if "link_id" in case.path_parameters:
                link = ReviewLink.objects.filter(dataset=draft).first()
                if link is not None:
                    case.path_parameters["link_id"] = link.pk
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            key = f"{case.operation.method.upper()} {case.operation.path} {response.status_code}"
            seen[key] = seen.get(key, 0) + 1

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    print(seen)
    assert operations == 3
    assert not failures, "\n\n".join(failures)
    # The run reached the writer and the list, not only validation.
    assert seen.get("POST /api/v1/datasets/{pid}/review-links 201"), seen
    assert seen.get("GET /api/v1/datasets/{pid}/review-links 200"), seen
    assert seen.get("DELETE /api/v1/datasets/{pid}/review-links/{link_id} 204"), seen

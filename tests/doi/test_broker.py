"""DOI registration through the real Redis broker and a real worker consuming queue ``doi``."""

import time

import pytest

from catalogue.models import Status
from catalogue.services import lifecycle
from doi.models import DoiRegistration, DoiState
from portal.celery import app
from tests.factories import make_dataset
from tests.workers import broker_tasks, worker


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publication_is_registered_by_a_worker_on_the_doi_queue(datacite, settings):
    assert settings.BROKER_URL.startswith("redis://")
    assert app.amqp.router.route({}, "doi.sync_registration")["queue"].name == "doi"
    datacite.faults.extend([None, "503"])  # the first PUT fails: the task re-queues itself
    with broker_tasks(settings), worker(settings, queues=["doi"]):
        ds = make_dataset(Status.IN_REVIEW)
        ds = lifecycle.dataset_approve(dataset=ds, actor=None)
        ds = lifecycle.dataset_publish(dataset=ds, actor=None)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            reg = DoiRegistration.objects.get(dataset=ds)
            if reg.state == DoiState.FINDABLE:
                break
            time.sleep(0.2)
    assert reg.state == DoiState.FINDABLE and reg.attempts == 0
    assert datacite.dois[ds.doi].state == "findable"
    assert 503 in [code for *_, code in datacite.requests]

"""DataCite stand-in (tests/doi/standin.py) and settings pointing the portal at it."""

import pytest

from tests.doi.standin import DataCiteStandIn

PREFIX = "10.80001"


@pytest.fixture(scope="session")
def _standin_server():
    with DataCiteStandIn(prefixes=(PREFIX,), slow_seconds=1.2) as server:
        yield server


@pytest.fixture
def standin(_standin_server):
    _standin_server.reset()
    _standin_server.fault_for = None
    _standin_server.limit = None
    yield _standin_server
    _standin_server.reset()


@pytest.fixture
def datacite(settings, standin):
    """DataCite registration on, against the stand-in; back-off and rate limit out of the way
    (their arithmetic is tested on its own), short timeouts."""
    settings.DATACITE_ENABLED = True
    settings.DATACITE_URL = standin.url
    settings.DATACITE_REPOSITORY_ID = standin.repository_id
    settings.DATACITE_PASSWORD = standin.password
    settings.DATACITE_PREFIX = settings.DOI_PREFIX = PREFIX
    settings.DATACITE_TIMEOUT = 1.0
    settings.DATACITE_BACKOFF_BASE = 0.0
    settings.DATACITE_RATE_LIMIT = 1_000_000
    settings.DATACITE_RATE_WINDOW = 1.0
    settings.DATACITE_MAX_ATTEMPTS = 8
    return standin


@pytest.fixture
def client(datacite):
    from doi.client import DataCiteClient

    with DataCiteClient(
        base_url=datacite.url,
        repository_id=datacite.repository_id,
        password=datacite.password,
        timeout=1.0,
    ) as c:
        yield c

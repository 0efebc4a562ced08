import pytest


@pytest.fixture(autouse=True)
def _fresh_salts():
    """Each test's database starts without salts; forget the ones a process remembers."""
    from stats import identity

    identity._salts.clear()
    yield
    identity._salts.clear()

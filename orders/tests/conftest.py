import pytest

from .kinds import registered


@pytest.fixture(autouse=True)
def _test_kind():
    """Orders of the tests' own kind, registered for each orders test only."""
    with registered() as kind:
        yield kind

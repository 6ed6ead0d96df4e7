import pytest


@pytest.fixture(autouse=True)
def _media_of_the_test(settings, tmp_path):
    """Documents are stored where the test can leave them behind."""
    settings.MEDIA_ROOT = tmp_path / "media"

import django_rq
import pytest
from django.conf import settings
from django.core.cache import cache
from rq import SimpleWorker

from accounts.models import Role

from .factories import PASSWORD, EnterpriseFactory, UserFactory, role


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine or not settings.REDIS_URL:
        raise pytest.UsageError(
            "The tests run against PostgreSQL and Redis: set DATABASE_URL and REDIS_URL "
            "(the README's test command does)."
        )


@pytest.fixture(autouse=True)
def _clean_cache_and_queue():
    # allauth's rate limits count in the cache; jobs left by one test must not run in another.
    cache.clear()
    django_rq.get_queue("default").empty()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(name="Acme Telecom", account_number="ACC000001")


@pytest.fixture
def other_enterprise(db):
    return EnterpriseFactory(name="Globex", account_number="ACC000002")


@pytest.fixture
def admin_user(enterprise):
    """Alice, Administrator of Acme."""
    return UserFactory(
        email="alice@acme.test",
        name="Alice Admin",
        enterprise=enterprise,
        role=role(Role.ADMINISTRATOR),
    )


@pytest.fixture
def general_user(enterprise):
    """Bob, General User of Acme."""
    return UserFactory(
        email="bob@acme.test",
        name="Bob General",
        enterprise=enterprise,
        role=role(Role.GENERAL_USER),
    )


@pytest.fixture
def read_only_user(enterprise):
    """Rita, Read Only user of Acme."""
    return UserFactory(
        email="rita@acme.test", name="Rita Reader", enterprise=enterprise, role=role(Role.READ_ONLY)
    )


@pytest.fixture
def outsider(other_enterprise):
    """Charlie, Administrator of another enterprise."""
    return UserFactory(
        email="charlie@globex.test",
        name="Charlie Outsider",
        enterprise=other_enterprise,
        role=role(Role.ADMINISTRATOR),
    )


@pytest.fixture
def staff_user(db):
    return UserFactory(
        email="staff@carrier.test",
        name="Sam Staff",
        enterprise=None,
        role=None,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def general_client(client, general_user):
    client.force_login(general_user)
    return client


@pytest.fixture
def run_jobs():
    """Run every queued job in this process, as the RQ worker would; returns the count."""

    def run():
        queue = django_rq.get_queue("default")
        count = queue.count
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        return count

    return run

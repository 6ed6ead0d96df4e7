"""Two Submit Order requests of the same form at the same instant place one order; a routing
policy saved while its trunk is being disconnected waits for it, or the disconnect waits."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from core.tenancy import enterprise_scope
from orders.models import Order
from orders.services import AlreadySubmitted
from trunks import services
from trunks.change_orders import request_disconnect
from trunks.models import Package, RoutingPolicy, Trunk
from trunks.routing import Target, save_policy
from trunks.tests.factories import SIGNALING, active_trunk, form_data, trunk_fields

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "6f1c2b1e-8a51-4c1e-9d5e-0c2b7a3f1a10"


def run_together(*jobs):
    """Run the jobs in threads released at the same moment; return what each returned."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # the test looks at what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_concurrent_requests_place_one_order(admin_user):
    def submit():
        client = Client()
        client.force_login(admin_user)
        return client.post(reverse("trunks:new_package", args=["bundle"]), form_data())

    first, second = run_together(submit, submit)

    order = Order.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("orders:order_detail", args=[order.public_id])
    assert Package.objects.count() == Trunk.objects.count() == 1


def test_the_second_of_two_concurrent_placements_is_told_which_order_won(admin_user):
    def place():
        from django_scopes import scopes_disabled

        with scopes_disabled():
            return services.order_new_package(
                enterprise=admin_user.enterprise,
                by=admin_user,
                submission_key=KEY,
                package_name="Denver Bundle",
                package_type=Package.Type.BUNDLE,
                trunk=trunk_fields(),
                signaling=SIGNALING,
            )

    results = run_together(place, place)

    orders = [result for result in results if isinstance(result, Order)]
    refusals = [result for result in results if isinstance(result, AlreadySubmitted)]
    assert len(orders) == len(refusals) == 1, results
    assert refusals[0].order.pk == orders[0].pk
    assert Order.objects.count() == Package.objects.count() == 1


def wait_for_a_lock_waiter(seconds=3):
    """Wait until another connection waits for a row lock; False if none does in time."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction PostgreSQL would show the same snapshot of the activity.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@pytest.fixture
def usage_trunk(admin_user, staff_user):
    return active_trunk(admin_user, staff_user, name="Usage", type=Package.Type.USAGE)


def save_main_policy(trunk, by):
    return save_policy(
        trunk.package,
        by=by,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 1)],
    )


def test_a_policy_saved_while_its_trunk_is_being_disconnected_is_refused(admin_user, usage_trunk):
    disconnecting = threading.Event()

    def disconnect():
        with enterprise_scope(admin_user.enterprise), transaction.atomic():
            order = request_disconnect(usage_trunk, by=admin_user)
            disconnecting.set()
            # Commit only once the policy's save waits for the trunk (or it never will).
            wait_for_a_lock_waiter()
            return order

    def save():
        disconnecting.wait(timeout=10)
        with enterprise_scope(admin_user.enterprise):
            return save_main_policy(usage_trunk, admin_user)

    ordered, saved = run_together(disconnect, save)

    assert isinstance(ordered, Order), ordered
    assert isinstance(saved, ValidationError), saved
    assert "Disconnect Pending: it takes no calls" in str(saved)
    usage_trunk.refresh_from_db()
    assert usage_trunk.status == Trunk.Status.DISCONNECT_PENDING
    assert not usage_trunk.routing_targets.exists()


def test_a_disconnect_ordered_while_a_policy_takes_the_trunk_is_refused(admin_user, usage_trunk):
    saving = threading.Event()

    def save():
        with enterprise_scope(admin_user.enterprise), transaction.atomic():
            policy = save_main_policy(usage_trunk, admin_user)
            saving.set()
            wait_for_a_lock_waiter()
            return policy

    def disconnect():
        saving.wait(timeout=10)
        with enterprise_scope(admin_user.enterprise):
            return request_disconnect(usage_trunk, by=admin_user)

    saved, ordered = run_together(save, disconnect)

    assert isinstance(saved, RoutingPolicy), saved
    assert isinstance(ordered, ValidationError), ordered
    assert "still receives calls" in str(ordered)
    usage_trunk.refresh_from_db()
    assert usage_trunk.status == Trunk.Status.ACTIVE
    assert usage_trunk.routing_targets.get().policy == saved
    assert Order.objects.count() == 1

"""Two Submit Order requests of the same form at the same instant place one order."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from orders.models import Order
from orders.services import AlreadySubmitted
from trunks import services
from trunks.models import Package, Trunk
from trunks.tests.factories import SIGNALING, form_data, trunk_fields

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

"""The trunks' demo data: a package of each type, a policy, orders in every status."""

import pytest
from django.core.management import call_command

from orders.models import Order
from trunks.models import Package, RoutingPolicy, Trunk
from trunks.order_kind import TRUNK_ORDERS

pytestmark = pytest.mark.django_db


def test_the_demo_data_has_every_package_type_and_order_status_and_e_mails_nobody(
    mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_data", stdout=None)
        call_command("demo_data", stdout=None)
    run_jobs()

    assert sorted(Package.objects.values_list("name", "type")) == [
        ("Chicago Usage", "usage"),
        ("Denver Bundle", "bundle"),
        ("Dialer Outbound", "outbound"),
    ]
    bundle = Trunk.objects.filter(package__name="Denver Bundle")
    assert sorted(bundle.values_list("role", "status")) == [
        ("primary", "active"),
        ("redundant", "active"),
    ]
    assert RoutingPolicy.objects.get().package.name == "Chicago Usage"
    assert set(Order.objects.filter(kind=TRUNK_ORDERS.key).values_list("status", flat=True)) == set(
        TRUNK_ORDERS.lifecycle.statuses
    )
    assert [message.subject for message in mailoutbox] == []

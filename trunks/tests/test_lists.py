"""The trunk and policy lists of a package's page and of its Routing Policy Manager."""

import pytest
from django.urls import reverse

from orders.models import Order
from trunks import services
from trunks.models import Package, Trunk
from trunks.routing import Target, save_policy
from trunks.services import KIND
from trunks.tests.factories import SIGNALING, active_trunk, trunk_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def trunk(admin_user, staff_user):
    trunk = active_trunk(admin_user, staff_user, name="Usage", type=Package.Type.USAGE)
    save_policy(
        trunk.package,
        by=admin_user,
        name="Main <1>",
        is_default=True,
        fallback_number="+13035550100",
        targets=[Target(trunk, 1, 100)],
    )
    return trunk


def pages(package):
    return [
        reverse("trunks:package_detail", args=[package.public_id]),
        reverse("trunks:routing_manager", args=[package.public_id]),
    ]


def test_each_cell_carries_its_column_s_label_for_narrow_screens(admin_client, trunk):
    edit = reverse("trunks:policy_edit", args=[trunk.package.routing_policies.get().public_id])
    for url in pages(trunk.package):
        page = admin_client.get(url).text
        assert '<td data-label="Trunk">Denver SBC 1</td>' in page
        assert '<td data-label="Status"><span class="badge badge--ok">Active</span></td>' in page
        assert '<td data-label="Signaling addresses">34.120.10.5:5060/UDP</td>' in page
        manage = reverse("trunks:trunk_detail", args=[trunk.public_id])
        assert f'href="{manage}" aria-label="Manage Denver SBC 1"' in page
        assert (
            '<td data-label="Policy">Main &lt;1&gt; <span class="badge">Default</span></td>' in page
        )
        assert 'Denver SBC 1 <span class="muted">priority 1, weight 100</span>' in page
        assert '<td data-label="Fallback">(303) 555-0100</td>' in page
        assert f'href="{edit}" aria-label="Edit Main &lt;1&gt;">Edit</a>' in page


def test_only_those_who_may_change_policies_see_their_actions(client, read_only_user, trunk):
    client.force_login(read_only_user)
    for url in pages(trunk.package):
        page = client.get(url).text
        assert '<td data-label="Policy">Main &lt;1&gt;' in page
        assert 'data-label="Actions"' not in page
        assert ">Edit</a>" not in page


def test_the_lists_take_as_many_queries_for_many_rows_as_for_one(
    admin_client, admin_user, staff_user, trunk, django_assert_max_num_queries
):
    counts = []
    for url in pages(trunk.package):
        with django_assert_max_num_queries(20) as queries:
            admin_client.get(url)
        counts.append(len(queries.captured_queries))
    for number in range(2, 6):
        order = services.order_trunk(
            trunk.package,
            by=admin_user,
            trunk=trunk_fields(f"Denver SBC {number}"),
            signaling=[{**SIGNALING[0], "host": f"34.120.10.{number}"}],
        )
        save_policy(
            trunk.package,
            by=admin_user,
            name=f"Policy {number}",
            is_default=False,
            fallback_number="+13035550101",
            targets=[Target(order.trunk_order.trunk, 1, 50), Target(trunk, 2, 50)],
        )
    for url, count in zip(pages(trunk.package), counts, strict=True):
        with django_assert_max_num_queries(count):
            page = admin_client.get(url).text
        assert "Denver SBC 5" in page and "Policy 5" in page


def test_a_status_looks_the_same_on_every_page_and_table(admin_client, trunk):
    trunk_badge = '<span class="badge badge--ok">Active</span>'
    assert trunk.status_badge == trunk_badge
    assert trunk_badge in admin_client.get(reverse("trunks:inventory")).text
    assert (
        trunk_badge in admin_client.get(reverse("trunks:trunk_detail", args=[trunk.public_id])).text
    )
    order = Order.objects.get()
    order_badge = '<span class="badge badge--ok">Completed</span>'
    assert order.status_badge == order_badge
    assert (
        order_badge in admin_client.get(reverse("orders:order_detail", args=[order.public_id])).text
    )
    assert order_badge in admin_client.get(reverse("orders:orders_tab", args=[KIND])).text


@pytest.mark.parametrize(
    ("status", "tone"),
    [
        ("pending", "warn"),
        ("active", "ok"),
        ("disconnect_pending", "danger"),
        ("disconnected", "muted"),
    ],
)
def test_each_trunk_status_has_its_tone(status, tone):
    assert Trunk(status=status).status_badge == (
        f'<span class="badge badge--{tone}">{Trunk.Status(status).label}</span>'
    )

"""Change and disconnect requests: orders with the same lifecycle, applied when completed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from orders import services as orders
from orders.models import Order
from trunks import change_orders
from trunks.changes import current_values
from trunks.models import Package, Trunk, TrunkOrder
from trunks.routing import Target, save_policy
from trunks.tests.factories import active_trunk, new_package

KEY = "9a3c2b1e-8a51-4c1e-9d5e-0c2b7a3f1a10"

# The services each test calls act for Acme, in Acme's scope (conftest's acme_scope).
pytestmark = pytest.mark.usefixtures("acme_scope")


@pytest.fixture
def trunk(admin_user, staff_user):
    return active_trunk(admin_user, staff_user)


def change_data(**changes):
    data = {
        # The trunk's other settings as the change form shows them (factories.trunk_fields).
        "name": "Denver SBC 1",
        "contact_name": "Terry Tester",
        "contact_email": "terry@acme.test",
        "contact_phone": "+13035550199",
        "street": "1801 California St",
        "city": "Denver",
        "state": "CO",
        "zip_code": "80202",
        "country": "United States",
        "switch_vendor": "Ribbon",
        "switch_model": "SBC 5400",
        "dtmf": "rfc2833",
        "max_channels": "46",
        "signaling": "34.120.10.5:5060/UDP\n34.120.10.9:5060/UDP",
        "media": "",
        "auth": "ip",
        "auth_username": "",
        "codecs": ["g711u"],
        "submission_key": KEY,
    }
    data.update(changes)
    return data


def change_url(trunk):
    return reverse("trunks:change_trunk", args=[trunk.public_id])


def disconnect_url(trunk):
    return reverse("trunks:disconnect_trunk", args=[trunk.public_id])


def test_a_change_request_is_an_order_applied_when_staff_complete_it(
    admin_client, trunk, staff_user
):
    form = admin_client.get(change_url(trunk)).context["form"]
    assert form["max_channels"].value() == 23
    assert form["signaling"].value() == "34.120.10.5:5060/UDP"

    response = admin_client.post(change_url(trunk), change_data())

    order = Order.objects.get(trunk_order__type=TrunkOrder.Type.CHANGE)
    assert response.url == reverse("orders:order_detail", args=[order.public_id])
    assert order.trunk_order.requested == {
        "max_channels": 46,
        "signaling": [
            {"host": "34.120.10.5", "port": 5060, "transport": "udp"},
            {"host": "34.120.10.9", "port": 5060, "transport": "udp"},
        ],
    }
    page = admin_client.get(response.url).text
    assert "Change of trunk Denver SBC 1: channels, signaling addresses" in page
    assert "34.120.10.9:5060/UDP" in page
    trunk.refresh_from_db()
    assert trunk.max_channels == 23  # nothing changes before staff complete the order

    orders.complete(order, by=staff_user)

    trunk.refresh_from_db()
    assert trunk.max_channels == 46
    audit = AuditEvent.objects.get(action="trunks.trunk.changed")
    assert audit.changes_in_words == (
        "Channels: 23 → 46; Signaling addresses: 34.120.10.5:5060/UDP → "
        "34.120.10.5:5060/UDP, 34.120.10.9:5060/UDP"
    )
    assert [str(a) for a in trunk.signaling_addresses] == [
        "34.120.10.5:5060/UDP",
        "34.120.10.9:5060/UDP",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_channels", "0", "must be at least 1."),
        ("max_channels", "100000", "must be at most 10000."),
        ("signaling", "192.168.0.5", "private address"),
        ("signaling", "34.120.10.5:0", "outside 1-65535"),
    ],
)
def test_a_bad_change_is_refused_at_the_field(admin_client, trunk, field, value, message):
    response = admin_client.post(change_url(trunk), change_data(**{field: value}))
    assert message in " ".join(response.context["form"].errors[field])
    assert not TrunkOrder.objects.filter(type=TrunkOrder.Type.CHANGE).exists()


def test_a_change_that_changes_nothing_is_refused(admin_client, trunk):
    data = change_data(max_channels="23", signaling="34.120.10.5:5060/UDP")
    response = admin_client.post(change_url(trunk), data)
    assert "Nothing would change" in response.text
    assert Order.objects.count() == 1


def test_a_pending_trunk_cannot_be_changed_yet(admin_client, admin_user):
    pending = new_package(admin_user, name="Pending").trunk_order.trunk
    page = admin_client.get(change_url(pending)).text
    assert "only active trunks can be changed" in page
    admin_client.post(change_url(pending), change_data())
    assert Order.objects.count() == 1


def test_one_open_order_per_trunk(admin_client, trunk):
    admin_client.post(change_url(trunk), change_data())
    response = admin_client.post(disconnect_url(trunk), {"submission_key": KEY.replace("9", "8")})
    assert "is still open" in response.text
    trunk.refresh_from_db()
    assert trunk.status == Trunk.Status.ACTIVE


def test_disconnecting_a_trunk(admin_client, trunk, staff_user):
    response = admin_client.post(disconnect_url(trunk), {"submission_key": KEY, "notes": "Moving"})
    order = Order.objects.get(trunk_order__type=TrunkOrder.Type.DISCONNECT)
    assert response.url == reverse("orders:order_detail", args=[order.public_id])
    trunk.refresh_from_db()
    assert trunk.status == Trunk.Status.DISCONNECT_PENDING

    orders.complete(order, by=staff_user)

    trunk.refresh_from_db()
    assert trunk.status == Trunk.Status.DISCONNECTED
    assert trunk.disconnected_at is not None


def test_a_cancelled_disconnect_leaves_the_trunk_active(admin_client, admin_user, trunk):
    admin_client.post(disconnect_url(trunk), {"submission_key": KEY})
    orders.cancel(Order.objects.get(trunk_order__type="disconnect"), by=admin_user)
    trunk.refresh_from_db()
    assert trunk.status == Trunk.Status.ACTIVE


def test_a_trunk_in_a_routing_policy_cannot_be_disconnected(admin_client, admin_user, staff_user):
    trunk = active_trunk(admin_user, staff_user, name="Usage", type=Package.Type.USAGE)
    for name in ("Main", "Night"):
        save_policy(
            trunk.package,
            by=admin_user,
            name=name,
            is_default=name == "Main",
            fallback_number="",
            targets=[Target(trunk, 1, 1)],
        )

    page = admin_client.get(disconnect_url(trunk)).text
    assert "routing policies “Main”, “Night”" in page
    response = admin_client.post(disconnect_url(trunk), {"submission_key": KEY})

    assert "take it out in the" in response.text
    trunk.refresh_from_db()
    assert trunk.status == Trunk.Status.ACTIVE
    assert not TrunkOrder.objects.filter(type=TrunkOrder.Type.DISCONNECT).exists()


def test_a_bundle_with_a_disconnected_redundant_trunk_may_order_another(
    admin_client, admin_user, staff_user
):
    from trunks import services
    from trunks.tests.factories import trunk_fields

    primary = active_trunk(admin_user, staff_user)
    order = services.order_trunk(
        primary.package,
        by=admin_user,
        trunk=trunk_fields("Second"),
        signaling=[{"host": "34.120.10.6", "port": 5060, "transport": "udp"}],
    )
    orders.reject(order, by=staff_user, reason="Wrong switch.")
    assert services.bundle_refusal(primary.package) is None


def test_read_only_users_see_the_trunk_but_cannot_change_it(client, read_only_user, trunk):
    client.force_login(read_only_user)
    page = client.get(reverse("trunks:trunk_detail", args=[trunk.public_id])).text
    assert "Denver SBC 1" in page and "Request a change" not in page
    assert client.post(change_url(trunk), change_data()).status_code == 403
    assert client.post(disconnect_url(trunk), {"submission_key": KEY}).status_code == 403


def test_another_enterprises_trunk_is_not_found(admin_client, outsider, staff_user):
    with scopes_disabled():
        theirs = active_trunk(outsider, staff_user, name="Theirs")
    for url in (
        reverse("trunks:trunk_detail", args=[theirs.public_id]),
        change_url(theirs),
        disconnect_url(theirs),
    ):
        assert admin_client.post(url, change_data()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Trunk.Status.ACTIVE
    with scopes_disabled():
        assert Order.objects.count() == 1


def test_the_change_service_refuses_a_made_up_place_whatever_the_form(admin_user, trunk):
    values = {**current_values(trunk), "zip_code": "ABCDE"}

    with pytest.raises(ValidationError) as refused:
        change_orders.request_change(trunk, by=admin_user, values=values)

    assert refused.value.message_dict == {
        "zip_code": ["“ABCDE” is not a US ZIP code: it looks like 80202 or 80202-1234."]
    }
    assert not TrunkOrder.objects.filter(type=TrunkOrder.Type.CHANGE).exists()

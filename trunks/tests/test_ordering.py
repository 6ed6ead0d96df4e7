"""The Trunk Order form: Create New Package on each tile, and trunks for existing packages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from orders import services as order_services
from orders.models import Order
from trunks.models import Package, Trunk, TrunkContact, TrunkOrder
from trunks.tests.factories import active_trunk, form_data, new_package, trunk_fields


def new_package_url(type):
    return reverse("trunks:new_package", args=[type])


def nothing_saved():
    return not (Package.objects.exists() or Trunk.objects.exists() or Order.objects.exists())


@pytest.mark.parametrize(
    ("type", "role"),
    [("bundle", "primary"), ("usage", ""), ("outbound", "")],
)
def test_it_creates_the_package_its_pending_trunk_and_the_order(
    admin_client, admin_user, type, role, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(new_package_url(type), form_data(customer_reference="PO-9"))

    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orders:order_detail", args=[order.public_id])
    package = Package.objects.get()
    assert (package.name, package.type, package.enterprise) == (
        "Denver Bundle",
        type,
        admin_user.enterprise,
    )
    trunk = package.trunks.get()
    assert (trunk.name, trunk.role, trunk.status) == ("Denver SBC 1", role, Trunk.Status.PENDING)
    assert trunk.contact_phone == "+13035550199"
    assert trunk.codecs == ["g711u", "g722"]
    assert [str(a) for a in trunk.addresses.all()] == [
        "34.120.10.5:5060/UDP",
        "sbc.acme-telecom.com:5061/TLS",
    ]
    assert order.status == Order.Status.SUBMITTED
    assert order.customer_reference == "PO-9"
    assert order.trunk_order.type == TrunkOrder.Type.NEW
    assert order.events.get().actor_label == "Alice Admin"
    assert AuditEvent.objects.filter(action="orders.order.placed").count() == 1
    assert run_jobs() == 1
    (message,) = mailoutbox
    assert message.to == ["alice@acme.test"]
    assert order.reference in message.subject
    assert "New trunk Denver SBC 1 in Denver Bundle" in message.body

    page = admin_client.get(response.url).text
    assert f"Order {order.reference} was submitted" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("package_name", "", "Enter the package name."),
        ("name", "", "Enter the trunk name."),
        ("street", "", "Enter the street."),
        ("switch_vendor", "", "Enter the switch vendor."),
        ("signaling", "", "Enter the signaling addresses."),
        ("signaling", "10.0.0.5:5060/UDP", "10.0.0.5 is a private address"),
        ("signaling", "127.0.0.1", "127.0.0.1 is a loopback address"),
        ("signaling", "sbc..acme.com", "neither an IP address nor a host name"),
        ("signaling", "34.120.10.5:65536", "Port 65536 is outside 1-65535."),
        ("media", "192.168.1.20", "192.168.1.20 is a private address"),
        ("max_channels", "0", "Maximum concurrent calls must be at least 1."),
        ("max_channels", "20000", "Maximum concurrent calls must be at most 10000."),
        ("max_channels", "ten", "Maximum concurrent calls must be a whole number."),
        ("contact_email", "", "Enter the testing contact"),
        ("contact_phone", "12", "12 is not a valid phone number."),
        ("auth_username", "", "Enter the username your switch signs in with."),
        ("requested_due_date", "2000-01-01", "Choose today or a later day."),
    ],
)
def test_it_refuses_bad_input_at_the_field_and_saves_nothing(admin_client, field, value, message):
    data = form_data(**{field: value})
    if field == "auth_username":
        data["auth"] = "credentials"
    response = admin_client.post(new_package_url("bundle"), data)
    assert response.status_code == 200
    form = response.context["form"]
    # Case aside: the labels say "Package Name" and "Trunk Name", as the guide does.
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert nothing_saved()


def test_it_refuses_a_package_name_taken_in_the_enterprise(admin_client, admin_user, outsider):
    new_package(outsider, name="Denver Bundle")
    new_package(admin_user, name="Main Bundle")
    response = admin_client.post(new_package_url("bundle"), form_data(package_name="main bundle"))
    assert response.context["form"].errors["package_name"] == [
        "You already have a package with this name."
    ]
    # Another enterprise's name is free to use.
    response = admin_client.post(new_package_url("bundle"), form_data())
    assert response.status_code == 302


def test_an_unknown_package_type_is_not_found(admin_client):
    assert admin_client.get(new_package_url("premium")).status_code == 404


def test_a_double_submitted_form_places_one_order(admin_client):
    first = admin_client.post(new_package_url("bundle"), form_data())
    second = admin_client.post(new_package_url("bundle"), form_data(), follow=True)

    order = Order.objects.get()
    assert first.url == reverse("orders:order_detail", args=[order.public_id])
    assert second.redirect_chain[-1][0] == first.url
    assert f"This form was already submitted as order {order.reference}." in second.text
    assert Package.objects.count() == Trunk.objects.count() == 1


def test_each_form_gets_its_own_submission_key(admin_client):
    first = admin_client.get(new_package_url("bundle")).context["form"]
    second = admin_client.get(new_package_url("bundle")).context["form"]
    assert first["submission_key"].value() != second["submission_key"].value()


def test_the_contact_menu_offers_the_user_and_earlier_contacts(admin_client, admin_user, outsider):
    new_package(admin_user, name="Earlier")
    new_package(outsider, name="Theirs", trunk=trunk_fields(contact_email="eve@globex.test"))
    page = admin_client.get(new_package_url("usage")).text
    assert "Me: Alice Admin" in page
    assert "Terry Tester &lt;terry@acme.test&gt;" in page
    assert 'data-email="terry@acme.test"' in page
    assert "eve@globex.test" not in page


def test_choosing_a_contact_fills_in_their_details(admin_client, admin_user):
    admin_user.phone = "+13035550142"
    admin_user.save()
    data = form_data(contact="me", contact_name="", contact_email="", contact_phone="")
    assert admin_client.post(new_package_url("usage"), data).status_code == 302
    trunk = Trunk.objects.get()
    assert (trunk.contact_name, trunk.contact_email, trunk.contact_phone) == (
        "Alice Admin",
        "alice@acme.test",
        "+13035550142",
    )
    assert TrunkContact.objects.get().email == "alice@acme.test"


def test_another_enterprises_contact_is_not_a_valid_choice(admin_client, outsider):
    new_package(outsider, name="Theirs", trunk=trunk_fields(contact_email="eve@globex.test"))
    theirs = TrunkContact.objects.get()
    response = admin_client.post(new_package_url("usage"), form_data(contact=theirs.public_id))
    assert response.context["form"].errors["contact"] == ["Pick a contact from the auto-fill menu."]
    assert not Package.objects.filter(enterprise__name="Acme Telecom").exists()


def test_add_redundant_trunk_orders_the_bundles_second_trunk(admin_client, admin_user, staff_user):
    primary = active_trunk(admin_user, staff_user)
    url = reverse("trunks:add_trunk", args=[primary.package.public_id])
    page = admin_client.get(reverse("trunks:bundle_packages")).text
    assert url in page and "Add Redundant Trunk" in page

    response = admin_client.post(url, form_data(name="Denver SBC 2", package_name=None))

    assert response.status_code == 302
    redundant = Trunk.objects.get(name="Denver SBC 2")
    assert (redundant.role, redundant.status) == (Trunk.Role.REDUNDANT, Trunk.Status.PENDING)
    assert "Add Redundant Trunk" not in admin_client.get(reverse("trunks:bundle_packages")).text


def test_a_bundle_takes_no_third_trunk(admin_client, admin_user, staff_user):
    primary = active_trunk(admin_user, staff_user)
    url = reverse("trunks:add_trunk", args=[primary.package.public_id])
    admin_client.post(url, form_data(name="Denver SBC 2"))

    response = admin_client.post(
        url, form_data(name="Denver SBC 3", submission_key="0b7f9c1e-1111-4c1e-9d5e-0c2b7a3f1a10")
    )

    assert response.status_code == 200
    assert "already has its primary and its redundant trunk" in response.text
    assert Trunk.objects.count() == 2
    assert Order.objects.count() == 2


def test_a_bundle_whose_primary_was_rejected_orders_a_new_primary(
    admin_client, admin_user, staff_user
):
    order = new_package(admin_user)
    order_services.reject(order, by=staff_user, reason="The switch address does not answer.")
    package = Package.objects.get()
    url = reverse("trunks:add_trunk", args=[package.public_id])
    page = admin_client.get(reverse("trunks:package_detail", args=[package.public_id])).text
    assert url in page and "Order Primary Trunk" in page and "Add Redundant Trunk" not in page

    response = admin_client.post(url, form_data(name="Denver SBC 1b", package_name=None))

    assert response.status_code == 302
    new_primary = Trunk.objects.get(name="Denver SBC 1b")
    assert (new_primary.role, new_primary.status) == (Trunk.Role.PRIMARY, Trunk.Status.PENDING)
    page = admin_client.get(reverse("trunks:bundle_packages")).text
    assert "Add Redundant Trunk" in page and "Order Primary Trunk" not in page


def test_outbound_only_add_orders_another_trunk(admin_client, admin_user):
    order = new_package(admin_user, name="Dialer", type=Package.Type.OUTBOUND_ONLY)
    package = order.trunk_order.trunk.package
    page = admin_client.get(reverse("trunks:outbound_packages")).text
    assert "+Add" in page

    response = admin_client.post(
        reverse("trunks:add_trunk", args=[package.public_id]), form_data(name="Dialer 2")
    )

    assert response.status_code == 302
    assert package.trunks.count() == 2


def test_usage_trunks_are_ordered_from_the_routing_policy_manager(admin_client, admin_user):
    package = new_package(
        admin_user, name="Usage", type=Package.Type.USAGE
    ).trunk_order.trunk.package
    add_url = reverse("trunks:add_trunk", args=[package.public_id])
    page = admin_client.get(reverse("trunks:routing_manager", args=[package.public_id])).text
    assert "Create New Trunk" in page and add_url in page

    assert admin_client.post(add_url, form_data(name="Usage 2")).status_code == 302
    assert package.trunks.count() == 2


def test_another_enterprises_package_is_not_found(admin_client, outsider):
    package = new_package(outsider, name="Theirs").trunk_order.trunk.package
    url = reverse("trunks:add_trunk", args=[package.public_id])
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, form_data(name="Sneaky")).status_code == 404
    assert Trunk.objects.count() == 1


def test_read_only_users_cannot_order(client, read_only_user):
    client.force_login(read_only_user)
    assert client.post(new_package_url("bundle"), form_data()).status_code == 403
    assert nothing_saved()
    assert "Create New Package" not in client.get(reverse("trunks:bundle_packages")).text


def test_the_service_refuses_a_made_up_place_whatever_the_form(admin_user):
    with pytest.raises(ValidationError) as refused:
        new_package(admin_user, trunk=trunk_fields(state="ZZ", zip_code="ABCDE"))

    assert refused.value.message_dict == {
        "state": ["“ZZ” is not a US state: enter its two-letter code, e.g. CO, or its name."],
        "zip_code": ["“ABCDE” is not a US ZIP code: it looks like 80202 or 80202-1234."],
    }
    assert nothing_saved()


def test_the_service_stores_the_place_as_the_form_does(admin_user):
    new_package(admin_user, trunk=trunk_fields(state="colorado", zip_code=" 80202 "))
    trunk = Trunk.objects.get()
    assert (trunk.state, trunk.zip_code) == ("CO", "80202")

"""Manage: the Select an Action pop-ups over checked numbers or all numbers matching a filter."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AuditEvent
from core.models import Job
from phone_numbers.models import E911Address, Kind, NumberCount, NumberEvent, PhoneNumber
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from trunks.models import Package
from trunks.routing import Target, save_policy

MANAGE = reverse("phone_numbers:manage")
US = reverse("phone_numbers:us_domestic")


@pytest.fixture
def denver(admin_user):
    return package_of(admin_user, "Denver Usage")


@pytest.fixture
def chicago(admin_user):
    return package_of(admin_user, "Chicago Usage")


@pytest.fixture
def numbers(denver):
    return add_numbers(denver, ["+13035550100", "+13035550101", "+13035550102"])


ACTION_FIELDS = {"package", "routing", "cnam", "e911_address", "forward_to"}


def checked(*numbers, action="move", **extra):
    """The form data of checked numbers; the action's own fields are prefixed change-."""
    return {
        "kind": Kind.US_DOMESTIC.value,
        "action": action,
        "number": [str(n.public_id) for n in numbers],
        **{f"change-{k}" if k in ACTION_FIELDS else k: v for k, v in extra.items()},
    }


def preview(client, data):
    """Post the action's values (Go) and return the confirmation's hidden fields."""
    response = client.post(MANAGE, data)
    assert response.status_code == 200, response.text
    page = response.text
    assert 'name="fingerprint"' in page, page
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    count = page.split('name="count" value="')[1].split('"')[0]
    return page, {**data, "fingerprint": fingerprint, "count": count, "confirm": "1"}


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def package_names(numbers):
    return [PhoneNumber.objects.get(pk=n.pk).package.name for n in numbers]


def test_move_to_another_package(admin_client, numbers, chicago):
    first, second, third = numbers
    response = admin_client.get(MANAGE, checked(first, second))
    assert "Target package" in response.text
    assert "Chicago Usage" in response.text

    page, confirm = preview(admin_client, checked(first, second, package=str(chicago.public_id)))
    assert "Move 2 numbers to Chicago Usage?" in page
    assert "Show Affected Numbers" in page
    assert package_names(numbers) == ["Denver Usage"] * 3

    response = admin_client.post(MANAGE, confirm)
    assert response.status_code == 302
    assert response.url == US
    assert messages_of(response) == ["Moved 2 numbers to Chicago Usage."]
    assert package_names(numbers) == ["Chicago Usage", "Chicago Usage", "Denver Usage"]
    assert NumberEvent.objects.filter(number__in=[first, second]).count() == 2
    (audit,) = AuditEvent.objects.filter(action="phone_numbers.numbers.moved")
    assert audit.details["numbers"] == 2
    counts = {c.package.name: c.count for c in NumberCount.objects.filter(status="active")}
    assert counts == {"Chicago Usage": 2, "Denver Usage": 1}


def test_the_pop_up_opens_in_place_and_redirects_the_page(admin_client, numbers, chicago):
    headers = {"HX-Request": "true", "HX-Target": "modal"}
    response = admin_client.get(MANAGE, checked(numbers[0]), headers=headers)
    assert "<dialog" in response.text
    page, confirm = preview(admin_client, checked(numbers[0], package=str(chicago.public_id)))
    assert "Move 1 number to Chicago Usage?" in page
    response = admin_client.post(MANAGE, confirm, headers=headers)
    assert response.headers["HX-Redirect"] == US


def test_show_affected_numbers_lists_the_selection(admin_client, denver, chicago):
    add_numbers(denver, [f"+1303555{n:04d}" for n in range(60)])
    add_numbers(chicago, ["+13125550100"])
    affected = reverse("phone_numbers:affected")
    query = {"kind": "us_domestic", "all": "1", "package": str(denver.public_id)}
    page = admin_client.get(affected, query).text
    assert "(303) 555-0000" in page
    assert "(303) 555-0049" in page
    assert "(303) 555-0050" not in page
    assert "(312) 555-0100" not in page
    more = page.split("More numbers")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    rest = admin_client.get(more, headers={"HX-Request": "true"}).text
    assert "(303) 555-0050" in rest and "(303) 555-0059" in rest
    assert "More numbers" not in rest


def test_select_all_matching_moves_what_the_filter_shows(admin_client, denver, chicago):
    add_numbers(denver, ["+13035550100", "+13035550101", "+17205550102"])
    data = {"kind": "us_domestic", "action": "move", "all": "1", "prefix": "303"}
    page, confirm = preview(admin_client, {**data, "change-package": str(chicago.public_id)})
    assert "Move 2 numbers to Chicago Usage?" in page
    response = admin_client.post(MANAGE, confirm)
    assert response.url == f"{US}?prefix=303"
    moved = PhoneNumber.objects.filter(package=chicago).values_list("e164", flat=True)
    assert sorted(moved) == ["+13035550100", "+13035550101"]


@pytest.mark.parametrize("filter_by", ["prefix", "package", "nothing"])
def test_a_selection_changed_between_preview_and_confirm_is_refused(
    admin_client, denver, chicago, numbers, filter_by
):
    filters = {"prefix": {"prefix": "303"}, "package": {"package": str(denver.public_id)}}
    data = {
        "kind": "us_domestic",
        "action": "move",
        "all": "1",
        "change-package": str(chicago.public_id),
        **filters.get(filter_by, {}),
    }
    _page, confirm = preview(admin_client, data)
    add_numbers(denver, ["+13035550199"])

    response = admin_client.post(MANAGE, confirm)
    assert response.status_code == 200
    assert (
        "Someone changed these numbers since you looked: the selection holds 4 numbers now, "
        "it held 3 numbers." in response.text
    )
    assert not PhoneNumber.objects.filter(package=chicago).exists()
    # Confirmed again, as it is now.
    _page, confirm = preview(admin_client, data)
    admin_client.post(MANAGE, confirm)
    assert PhoneNumber.objects.filter(package=chicago).count() == 4


def test_a_checked_number_disconnected_meanwhile_is_refused(admin_client, numbers, chicago):
    _page, confirm = preview(admin_client, checked(*numbers, package=str(chicago.public_id)))
    PhoneNumber.objects.filter(pk=numbers[0].pk).update(status=PhoneNumber.Status.DISCONNECTED)
    response = admin_client.post(MANAGE, confirm)
    assert "the selection holds 2 numbers now, it held 3 numbers" in response.text
    assert not PhoneNumber.objects.filter(package=chicago).exists()


def test_change_routing(admin_client, admin_user, numbers, denver):
    trunk = denver.trunks.get()
    policy = save_policy(
        denver,
        by=admin_user,
        name="Main",
        is_default=False,
        fallback_number="",
        targets=[Target(trunk, 1, 100)],
    )
    _page, confirm = preview(
        admin_client, checked(numbers[0], action="routing", routing=f"policy:{policy.public_id}")
    )
    response = admin_client.post(MANAGE, confirm)
    assert messages_of(response) == ["Routed 1 number to the routing policy Main."]
    assert PhoneNumber.objects.get(pk=numbers[0].pk).routing_label == "Policy: Main"


def test_set_caller_id(admin_client, numbers):
    _page, confirm = preview(
        admin_client, checked(*numbers[:2], action="cnam", cnam="Acme Telecom")
    )
    response = admin_client.post(MANAGE, confirm)
    assert messages_of(response) == ["Set the Caller ID of 2 numbers to “Acme Telecom”."]
    assert [PhoneNumber.objects.get(pk=n.pk).cnam for n in numbers] == ["Acme Telecom"] * 2 + [""]


def test_a_caller_id_too_long_is_refused_next_to_the_field(admin_client, numbers):
    response = admin_client.post(
        MANAGE, checked(numbers[0], action="cnam", cnam="Acme Telecom Inc")
    )
    assert "A Caller ID name has at most 15 characters" in response.text
    assert 'name="fingerprint"' not in response.text
    assert PhoneNumber.objects.get(pk=numbers[0].pk).cnam == ""


def test_set_e911_address(admin_client, numbers, enterprise):
    address = E911Address.objects.create(
        enterprise=enterprise,
        street="1801 CALIFORNIA ST",
        city="DENVER",
        state="CO",
        zip_code="80202",
    )
    _page, confirm = preview(
        admin_client, checked(numbers[0], action="e911", e911_address=str(address.public_id))
    )
    response = admin_client.post(MANAGE, confirm)
    assert messages_of(response) == [
        "Set the E911 address of 1 number to 1801 CALIFORNIA ST, DENVER, CO 80202."
    ]
    assert PhoneNumber.objects.get(pk=numbers[0].pk).e911_address == address


def test_remote_call_forward(admin_client, numbers):
    _page, confirm = preview(
        admin_client, checked(numbers[0], action="forward", forward_to="(303) 555-9999")
    )
    response = admin_client.post(MANAGE, confirm)
    assert messages_of(response) == ["Set call forwarding of 1 number to +13035559999."]
    assert PhoneNumber.objects.get(pk=numbers[0].pk).forward_to == "+13035559999"


def test_a_bad_forwarding_number_is_refused(admin_client, numbers):
    response = admin_client.post(MANAGE, checked(numbers[0], action="forward", forward_to="12"))
    assert "Enter a phone number, for example +13035551234." in response.text or (
        "is not a valid phone number" in response.text
    )
    assert PhoneNumber.objects.get(pk=numbers[0].pk).forward_to == ""


def test_disconnect_asks_then_disconnects(admin_client, numbers):
    response = admin_client.get(MANAGE, checked(numbers[0], action="disconnect"))
    page = response.text
    assert "Disconnect 1 number?" in page
    assert "their history is kept" in page
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    response = admin_client.post(
        MANAGE,
        checked(numbers[0], action="disconnect", fingerprint=fingerprint, count="1", confirm="1"),
    )
    assert messages_of(response) == ["Disconnected 1 number."]
    number = PhoneNumber.objects.get(pk=numbers[0].pk)
    assert number.status == PhoneNumber.Status.DISCONNECTED
    assert "(303) 555-0100" not in admin_client.get(US).text


def test_another_enterprises_number_is_not_found(admin_client, outsider, numbers):
    (theirs,) = add_numbers(package_of(outsider, "Globex Usage"), ["+13125550100"])
    assert admin_client.get(MANAGE, checked(numbers[0], theirs)).status_code == 404


def test_another_enterprises_package_is_not_found(admin_client, outsider, numbers):
    theirs = package_of(outsider, "Globex Usage")
    response = admin_client.post(MANAGE, checked(numbers[0], package=str(theirs.public_id)))
    assert response.status_code == 404
    assert package_names(numbers[:1]) == ["Denver Usage"]


def test_an_outbound_only_package_is_refused(admin_client, admin_user, numbers):
    outbound = package_of(admin_user, "Dialer", type=Package.Type.OUTBOUND_ONLY)
    response = admin_client.post(MANAGE, checked(numbers[0], package=str(outbound.public_id)))
    assert response.status_code == 200
    assert 'name="fingerprint"' not in response.text
    assert package_names(numbers[:1]) == ["Denver Usage"]


def test_read_only_users_may_not_manage(client, read_only_user, numbers, chicago):
    client.force_login(read_only_user)
    assert client.get(MANAGE, checked(numbers[0])).status_code == 403
    data = checked(numbers[0], package=str(chicago.public_id), confirm="1", fingerprint="x")
    assert client.post(MANAGE, data).status_code == 403
    assert package_names(numbers[:1]) == ["Denver Usage"]


def test_nothing_selected_or_no_action_says_so(admin_client, numbers):
    page = admin_client.get(MANAGE, {"kind": "us_domestic", "action": "move"}).text
    assert "No numbers are selected" in page
    page = admin_client.get(MANAGE, checked(numbers[0], action="")).text
    assert "Choose what to do from the Select an Action menu." in page


@pytest.mark.django_db(transaction=True)
def test_a_large_selection_runs_in_the_worker(
    client, admin_user, denver, chicago, run_jobs, settings
):
    settings.NUMBER_ACTION_JOB_THRESHOLD = 2
    add_numbers(denver, ["+13035550100", "+13035550101", "+13035550102"])
    client.force_login(admin_user)
    data = {
        "kind": "us_domestic",
        "action": "move",
        "all": "1",
        "change-package": str(chicago.public_id),
    }
    _page, confirm = preview(client, data)

    response = client.post(MANAGE, confirm)
    job = Job.objects.get()
    assert response.url == reverse("job_status", args=[job.public_id])
    assert not PhoneNumber.objects.filter(package=chicago).exists()

    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.result_url == US
    assert PhoneNumber.objects.filter(package=chicago).count() == 3
    assert NumberEvent.objects.count() == 3
    page = client.get(reverse("job_status", args=[job.public_id])).text
    assert "3 of 3" in page

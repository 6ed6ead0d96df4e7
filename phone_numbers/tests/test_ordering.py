"""Get New Number: placing a number order, its completion, cancellation, and the last number."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_scopes import scopes_disabled

from core.tenancy import enterprise_scope
from orders import services as order_services
from orders.models import Order
from phone_numbers.models import Kind, NumberEvent, NumberOrder, PhoneNumber, SupplyReservation
from phone_numbers.ordering import complete_sandbox_orders, order_numbers
from phone_numbers.supply import NotEnough, Search
from phone_numbers.supply.sandbox import SandboxSupplier
from tests.scopes import as_a_server
from trunks.models import Package
from trunks.routing import Target, save_policy
from trunks.tests.factories import active_trunk

from .factories import (
    ADDRESS,
    active_numbers,
    kept_counts,
    order,
    package_for_numbers,
    search,
    true_counts,
)

Status = PhoneNumber.Status


@pytest.fixture
def package(admin_user):
    return package_for_numbers(admin_user)


def test_an_order_reserves_the_numbers_and_adds_them_pending(
    acme_scope, admin_user, package, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        placed = order(admin_user, package, 3, area_code="303", cnam="ACME Sales")
    run_jobs()

    assert placed.kind == "numbers"
    assert placed.reference.startswith("NO-")
    assert placed.status == Order.Status.SUBMITTED
    number_order = NumberOrder.objects.get(order=placed)
    assert (number_order.quantity, number_order.area_code) == (3, "303")
    assert number_order.address_street == "1801 California St"
    numbers = list(PhoneNumber.objects.filter(order=placed))
    assert len(numbers) == 3
    for number in numbers:
        assert number.e164.startswith("+1303")
        assert (number.status, number.package, number.kind) == (
            Status.PENDING,
            package,
            Kind.US_DOMESTIC,
        )
        assert (number.cnam, number.area_code, number.city) == ("ACME Sales", "303", "")
    reserved = SupplyReservation.objects.filter(order_reference=placed.reference)
    assert sorted(reserved.values_list("e164", flat=True)) == sorted(n.e164 for n in numbers)
    assert NumberEvent.objects.filter(number__in=numbers, action="ordered").count() == 3
    assert kept_counts(acme_scope) == {(package.pk, Kind.US_DOMESTIC, Status.PENDING): 3}
    [message] = mailoutbox
    assert placed.reference in message.subject
    assert "3 US Domestic numbers in Denver Usage" in message.body


def test_completing_the_order_puts_the_numbers_in_service_and_says_so(
    acme_scope,
    admin_user,
    staff_user,
    package,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
):
    placed = order(admin_user, package, 2, area_code="303", notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        order_services.complete(placed, by=staff_user)
    run_jobs()

    numbers = PhoneNumber.objects.filter(order=placed)
    assert {(n.status, n.state) for n in numbers} == {(Status.ACTIVE, "CO")}
    assert all(n.activated_at and n.city for n in numbers)
    events = NumberEvent.objects.filter(number__in=numbers, action="activated")
    assert {e.actor_label for e in events} == {"Carrier staff"}
    assert kept_counts(acme_scope) == {(package.pk, Kind.US_DOMESTIC, Status.ACTIVE): 2}
    [message] = mailoutbox
    assert "Completed" in message.subject or "completed" in message.body


def test_a_cancelled_order_gives_its_numbers_back(acme_scope, admin_user, package):
    placed = order(admin_user, package, 2, notify=False)
    e164s = list(PhoneNumber.objects.filter(order=placed).values_list("e164", flat=True))

    order_services.cancel(placed, by=admin_user)

    numbers = PhoneNumber.objects.filter(order=placed)
    assert {n.status for n in numbers} == {Status.DISCONNECTED}
    assert not SupplyReservation.objects.filter(e164__in=e164s).exists()
    assert kept_counts(acme_scope) == {(package.pk, Kind.US_DOMESTIC, Status.DISCONNECTED): 2}
    assert kept_counts(acme_scope) == true_counts(acme_scope)
    # The numbers are free for anyone again: the same search offers them first.
    offered = SandboxSupplier().search(search(2), limit=2)
    assert sorted(offer.e164 for offer in offered) == sorted(e164s)


def test_numbers_of_an_order_are_not_offered_again(acme_scope, admin_user, package):
    wanted = search(3, area_code="720", city="Boulder", state="CO")
    before = [offer.e164 for offer in SandboxSupplier().search(wanted, limit=6)]
    placed = order(admin_user, package, 3, area_code="720", city="Boulder", state="CO")

    ordered = sorted(PhoneNumber.objects.filter(order=placed).values_list("e164", flat=True))
    assert ordered == sorted(before[:3])
    after = [offer.e164 for offer in SandboxSupplier().search(wanted, limit=3)]
    assert after == before[3:6]


def test_the_order_routes_the_numbers_as_asked(acme_scope, admin_user, staff_user):
    trunk = active_trunk(admin_user, staff_user, name="Chicago Usage", type=Package.Type.USAGE)
    policy = save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 100)],
    )
    by_policy = order(admin_user, trunk.package, 1, routing={"routing_policy": policy})
    by_trunk = order(admin_user, trunk.package, 1, routing={"trunk": trunk})

    assert PhoneNumber.objects.get(order=by_policy).routing_label == "Policy: Main"
    assert PhoneNumber.objects.get(order=by_trunk).routing_label == f"Trunk: {trunk.name}"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 101}, "quantity"),
        ({"contains": "FLOWERS"}, "contains"),
        ({"kind": Kind.INTERNATIONAL, "country": "XX"}, "country"),
        ({"cnam": "A name far too long for CNAM"}, "cnam"),
        ({"cnam": "Acme <sales>"}, "cnam"),
        ({"address": {**ADDRESS, "street": ""}}, "address_street"),
    ],
)
def test_what_cannot_be_ordered_is_refused_and_nothing_is_kept(
    acme_scope, admin_user, package, changes, field
):
    changes = dict(changes)
    quantity = changes.pop("quantity", 2)
    with pytest.raises(ValidationError) as refused:
        order(admin_user, package, quantity, **changes)

    assert field in refused.value.message_dict
    assert not Order.objects.filter(kind="numbers").exists()
    assert not PhoneNumber.objects.exists()
    assert not SupplyReservation.objects.exists()


def test_another_enterprises_package_or_an_outbound_only_one_is_refused(
    acme_scope, admin_user, outsider
):
    with scopes_disabled():
        theirs = package_for_numbers(outsider, "Globex Usage")
    outbound = package_for_numbers(admin_user, "Dialer", type=Package.Type.OUTBOUND_ONLY)

    for package in (theirs, outbound):
        with pytest.raises(ValidationError) as refused:
            order(admin_user, package, 1)
        assert "package" in refused.value.message_dict
    with scopes_disabled():
        assert not PhoneNumber.objects.exists()
        assert not Order.objects.filter(kind="numbers").exists()


def test_another_packages_policy_is_refused(acme_scope, admin_user, staff_user, package):
    trunk = active_trunk(admin_user, staff_user, name="Chicago Usage", type=Package.Type.USAGE)
    policy = save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 100)],
    )
    with pytest.raises(ValidationError) as refused:
        order(admin_user, package, 1, routing={"routing_policy": policy})
    assert "routing_policy" in refused.value.message_dict
    assert not PhoneNumber.objects.exists()


def test_more_numbers_than_match_is_not_enough(acme_scope, admin_user, package):
    # FLOWERS at one toll-free prefix is exactly one number.
    [first, *_] = SandboxSupplier().search(search(1, kind=Kind.TOLL_FREE, vanity="FLOWERS"), 10)
    with pytest.raises(NotEnough) as refused:
        order(
            admin_user, package, 2, kind=Kind.TOLL_FREE, vanity="FLOWERS", area_code=first.e164[2:5]
        )
    assert "Only 1 number match your search; you asked for 2" in refused.value.messages[0]
    assert not PhoneNumber.objects.exists()


def test_the_sandbox_completes_its_submitted_orders_after_the_delay(
    acme_scope, admin_user, staff_user, package, settings
):
    settings.NUMBER_ORDERS_COMPLETE_AFTER = 60
    due = order(admin_user, package, 1, notify=False)
    Order.objects.filter(pk=due.pk).update(placed_at=due.placed_at.replace(year=2020))
    recent = order(admin_user, package, 1, notify=False)
    started = order(admin_user, package, 1, notify=False)
    order_services.start(started, by=staff_user, notify=False)
    cancelled = order(admin_user, package, 1, notify=False)
    order_services.cancel(cancelled, by=admin_user)
    Order.objects.filter(pk__in=[cancelled.pk, started.pk]).update(
        placed_at=due.placed_at.replace(year=2020)
    )

    # Run as the cron's worker runs it: with no scope at all.
    with as_a_server():
        assert complete_sandbox_orders() == 1
        assert complete_sandbox_orders() == 0  # a second run finds nothing to do

    for placed in (due, recent, started):
        placed.refresh_from_db()
    assert (due.status, recent.status, started.status) == (
        Order.Status.COMPLETED,
        Order.Status.SUBMITTED,
        Order.Status.IN_PROGRESS,
    )
    assert PhoneNumber.objects.get(order=due).status == Status.ACTIVE
    assert due.events.last().actor_label == "Portal"


def test_counts_follow_every_order_outcome(acme_scope, admin_user, staff_user, package):
    active_numbers(admin_user, staff_user, package, 2)
    order(admin_user, package, 3, notify=False)
    rejected = order(admin_user, package, 1, notify=False)
    order_services.reject(rejected, by=staff_user, reason="No numbers left in that city.")

    assert kept_counts(acme_scope) == true_counts(acme_scope)


@pytest.mark.django_db(transaction=True)
def test_two_orders_for_the_last_number_exactly_one_gets_it(admin_user, outsider):
    with scopes_disabled():
        ours = package_for_numbers(admin_user, "Acme Toll-Free")
        theirs = package_for_numbers(outsider, "Globex Toll-Free")
    # FLOWERS at one toll-free prefix is exactly one number: the last one.
    [last, *_] = SandboxSupplier().search(search(1, kind=Kind.TOLL_FREE, vanity="FLOWERS"), 10)
    wanted = Search(Kind.TOLL_FREE, "US", 1, area_code=last.e164[2:5], vanity="FLOWERS")
    start = threading.Barrier(2)
    outcomes = {}

    def place(user, package):
        try:
            with enterprise_scope(user.enterprise_id):
                start.wait(timeout=10)
                with transaction.atomic():
                    order_numbers(
                        by=user, package=package, search=wanted, address=ADDRESS, notify=False
                    )
                    # Hold the reservation uncommitted while the other order tries for it.
                    time.sleep(0.5)
            outcomes[user.email] = "ordered"
        except NotEnough:
            outcomes[user.email] = "not enough"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=place, args=args)
        for args in [(admin_user, ours), (outsider, theirs)]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["not enough", "ordered"]
    with scopes_disabled():
        [number] = PhoneNumber.objects.all()
        assert number.e164 == last.e164
        assert Order.objects.filter(kind="numbers").count() == 1
        assert list(SupplyReservation.objects.values_list("e164", flat=True)) == [last.e164]
    winner = next(email for email, outcome in outcomes.items() if outcome == "ordered")
    assert number.enterprise == (admin_user if winner == admin_user.email else outsider).enterprise


def test_the_order_page_shows_its_numbers(admin_client, admin_user, package):
    with scopes_disabled():
        placed = order(admin_user, package, 2, area_code="303", notify=False)
        numbers = list(PhoneNumber.objects.filter(order=placed))

    response = admin_client.get(f"/orders/{placed.public_id}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "2 US Domestic numbers in Denver Usage (area code 303)" in page
    for number in numbers:
        assert number.display in page

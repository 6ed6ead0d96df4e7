"""The Manage actions: each changes all the selected numbers or none, with history, counts and
one audit event."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from phone_numbers import manage
from phone_numbers.models import E911Address, NumberEvent, PhoneNumber, SupplyReservation
from trunks.models import Package
from trunks.routing import Target, save_policy
from trunks.tests.factories import active_trunk

from .factories import active_numbers, kept_counts, order, package_for_numbers, true_counts

Status = PhoneNumber.Status


@pytest.fixture
def trunk(admin_user, staff_user):
    """An Active trunk of the package Denver Usage, where the numbers are."""
    return active_trunk(admin_user, staff_user, name="Denver Usage", type=Package.Type.USAGE)


@pytest.fixture
def package(trunk):
    return trunk.package


@pytest.fixture
def policy(admin_user, trunk):
    return save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 100)],
    )


@pytest.fixture
def numbers(admin_user, staff_user, package):
    return active_numbers(admin_user, staff_user, package, 4, area_code="303", notify=False)


@pytest.fixture
def chicago(admin_user):
    return package_for_numbers(admin_user, "Chicago Usage")


def selected(numbers):
    return PhoneNumber.objects.filter(pk__in=[number.pk for number in numbers])


def events(action):
    return NumberEvent.objects.filter(action=action)


def audited(action):
    return list(AuditEvent.objects.filter(action=action))


def snapshot():
    """Every number's changeable values, and how much history and audit there is."""
    return (
        list(PhoneNumber.objects.order_by("pk").values()),
        NumberEvent.objects.count(),
        AuditEvent.objects.filter(action__startswith="phone_numbers.").count(),
        kept_counts_all(),
    )


def kept_counts_all():
    from phone_numbers.models import NumberCount

    return sorted(NumberCount.objects.values_list("package_id", "kind", "status", "count"))


def test_move_to_another_package(acme_scope, admin_user, numbers, package, chicago, policy):
    manage.change_routing(selected(numbers), routing_policy=policy, by=admin_user)
    moving = numbers[:2]

    done = manage.move_to_package(
        selected(moving), chicago, by=admin_user, ip_address="198.51.100.7"
    )

    assert done == 2
    for number in PhoneNumber.objects.filter(pk__in=[n.pk for n in moving]):
        assert (number.package, number.routing_label) == (chicago, "Package default")
    assert PhoneNumber.objects.filter(package=package).count() == 2
    moved = events("moved")
    assert {(e.number_id, e.description, e.actor_label) for e in moved} == {
        (n.pk, "Moved from Denver Usage to Chicago Usage", "Alice Admin") for n in moving
    }
    assert kept_counts(acme_scope) == true_counts(acme_scope)
    [audit] = audited("phone_numbers.numbers.moved")
    assert audit.details["numbers"] == 2
    assert audit.object_repr == "Chicago Usage"
    assert audit.ip_address == "198.51.100.7"


def test_numbers_of_several_packages_are_moved_each_with_its_own_history(
    acme_scope, admin_user, staff_user, numbers, chicago
):
    boulder = package_for_numbers(admin_user, "Boulder Usage")
    [boulder_number] = active_numbers(admin_user, staff_user, boulder, 1, notify=False)
    moving = [numbers[0], boulder_number]

    done = manage.move_to_package(selected(moving), chicago, by=admin_user)

    assert done == 2
    assert set(events("moved").values_list("number_id", "description")) == {
        (numbers[0].pk, "Moved from Denver Usage to Chicago Usage"),
        (boulder_number.pk, "Moved from Boulder Usage to Chicago Usage"),
    }
    assert kept_counts(acme_scope) == true_counts(acme_scope)


def test_a_large_selection_is_changed_in_chunks_with_one_audit_event(
    acme_scope, admin_user, numbers, chicago, monkeypatch
):
    monkeypatch.setattr(manage, "CHUNK", 3)
    progress = []

    done = manage.move_to_package(
        PhoneNumber.objects.all(), chicago, by=admin_user, progress=progress.append
    )

    assert done == 4
    assert progress == [3, 4]
    assert set(PhoneNumber.objects.values_list("package", flat=True)) == {chicago.pk}
    assert events("moved").count() == 4
    assert kept_counts(acme_scope) == true_counts(acme_scope)
    assert len(audited("phone_numbers.numbers.moved")) == 1


def test_numbers_are_not_moved_to_another_enterprises_or_an_outbound_only_package(
    acme_scope, admin_user, outsider, numbers
):
    with scopes_disabled():
        theirs = package_for_numbers(outsider, "Globex Usage")
    outbound = package_for_numbers(admin_user, "Dialer", type=Package.Type.OUTBOUND_ONLY)
    before = snapshot()

    for target in (theirs, outbound):
        with pytest.raises(ValidationError) as refused:
            manage.move_to_package(selected(numbers), target, by=admin_user)
        assert "package" in refused.value.message_dict

    assert snapshot() == before


def test_only_the_enterprises_own_numbers_are_changed(acme_scope, admin_user, outsider, numbers):
    with scopes_disabled():
        theirs = package_for_numbers(outsider, "Globex Usage")
        [their_number] = order(outsider, theirs, 1, notify=False).phone_numbers.all()

    done = manage.set_cnam(PhoneNumber.objects.all(), "ACME", by=admin_user)

    assert done == 4
    with scopes_disabled():
        their_number.refresh_from_db()
        assert their_number.cnam == ""
        assert not NumberEvent.objects.filter(number=their_number, action="cnam").exists()


def test_change_routing_to_a_policy_a_trunk_or_the_package_default(
    acme_scope, admin_user, numbers, policy, trunk
):
    manage.set_forward(selected(numbers), "+13035550123", by=admin_user)

    assert manage.change_routing(selected(numbers), routing_policy=policy, by=admin_user) == 4
    assert {n.routing_label for n in selected(numbers)} == {"Policy: Main"}
    manage.change_routing(selected(numbers), trunk=trunk, by=admin_user)
    assert {n.routing_label for n in selected(numbers)} == {f"Trunk: {trunk.name}"}
    manage.change_routing(selected(numbers), by=admin_user)
    assert {n.routing_label for n in selected(numbers)} == {"Package default"}

    assert [e.description for e in events("routing").order_by("id")[::4]] == [
        "Routed to policy Main",
        f"Routed to trunk {trunk.name}",
        "Routed to the package default",
    ]
    assert len(audited("phone_numbers.numbers.routing_changed")) == 3


def test_routing_to_another_package_or_an_outbound_only_trunk_is_refused(
    acme_scope, admin_user, staff_user, outsider, numbers
):
    chicago_trunk = active_trunk(admin_user, staff_user, name="Chicago", type=Package.Type.USAGE)
    chicago_policy = save_policy(
        chicago_trunk.package,
        by=admin_user,
        name="Chicago main",
        is_default=True,
        fallback_number="",
        targets=[Target(chicago_trunk, 1, 100)],
    )
    outbound_trunk = active_trunk(
        admin_user, staff_user, name="Dialer", type=Package.Type.OUTBOUND_ONLY
    )
    with scopes_disabled():
        their_trunk = active_trunk(outsider, staff_user, name="Globex", type=Package.Type.USAGE)
    before = snapshot()

    for target, message in [
        ({"routing_policy": chicago_policy}, "belongs to Chicago"),
        ({"trunk": chicago_trunk}, "belongs to Chicago"),
        ({"trunk": outbound_trunk}, "Outbound Only"),
        ({"trunk": their_trunk}, "Choose one of your trunks."),
    ]:
        with pytest.raises(ValidationError) as refused:
            manage.change_routing(selected(numbers), by=admin_user, **target)
        assert message in " ".join(refused.value.messages)

    assert snapshot() == before


def test_set_cnam(acme_scope, admin_user, numbers):
    assert manage.set_cnam(selected(numbers[:3]), " Acme  Sales ", by=admin_user) == 3

    assert sorted(PhoneNumber.objects.values_list("cnam", flat=True)) == [""] + ["Acme Sales"] * 3
    assert {e.description for e in events("cnam")} == {"Caller ID set to “Acme Sales”"}
    [audit] = audited("phone_numbers.numbers.cnam_set")
    assert audit.details == {"numbers": 3, "cnam": "Acme Sales"}


@pytest.mark.parametrize("cnam", ["Acme Telecom Sales Dept", "Acme <Sales>"])
def test_a_bad_cnam_changes_nothing(acme_scope, admin_user, numbers, cnam):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        manage.set_cnam(selected(numbers), cnam, by=admin_user)
    assert "cnam" in refused.value.message_dict
    assert snapshot() == before


def test_set_e911(acme_scope, admin_user, outsider, enterprise, numbers):
    address = E911Address.objects.create(
        enterprise=enterprise,
        street="1801 CALIFORNIA ST",
        unit="STE 2400",
        city="DENVER",
        state="CO",
        zip_code="80202",
    )
    with scopes_disabled():
        theirs = E911Address.objects.create(
            enterprise=outsider.enterprise,
            street="1 MAIN ST",
            city="AUSTIN",
            state="TX",
            zip_code="78701",
        )

    assert manage.set_e911(selected(numbers[:1]), address, by=admin_user) == 1

    assert [n.has_e911 for n in PhoneNumber.objects.order_by("e164")].count(True) == 1
    [event] = events("e911")
    assert event.description == "E911 address set to 1801 CALIFORNIA ST STE 2400, DENVER, CO 80202"
    before = snapshot()
    with pytest.raises(ValidationError):
        manage.set_e911(selected(numbers), theirs, by=admin_user)
    assert snapshot() == before


def test_set_forward(acme_scope, admin_user, numbers, policy):
    manage.change_routing(selected(numbers), routing_policy=policy, by=admin_user)

    assert manage.set_forward(selected(numbers[:2]), "(720) 555-0142", by=admin_user) == 2

    forwarded = PhoneNumber.objects.exclude(forward_to="")
    assert {(n.forward_to, n.routing_policy_id) for n in forwarded} == {("+17205550142", None)}
    assert {n.routing_label for n in forwarded} == {"Forward to (720) 555-0142"}
    assert {e.description for e in events("forward")} == {"Calls forwarded to +17205550142"}
    [audit] = audited("phone_numbers.numbers.forward_set")
    assert audit.details["numbers"] == 2
    manage.set_forward(selected(numbers[:2]), "", by=admin_user)
    assert not PhoneNumber.objects.exclude(forward_to="").exists()


def test_forwarding_to_a_number_of_the_selection_or_no_number_is_refused(
    acme_scope, admin_user, numbers
):
    before = snapshot()
    for target in (numbers[0].e164, "555-01"):
        with pytest.raises(ValidationError) as refused:
            manage.set_forward(selected(numbers), target, by=admin_user)
        assert "forward_to" in refused.value.message_dict
    assert snapshot() == before


def test_disconnect(acme_scope, admin_user, numbers, package):
    leaving = numbers[:3]

    assert manage.disconnect(selected(leaving), by=admin_user) == 3

    gone = PhoneNumber.objects.filter(status=Status.DISCONNECTED)
    assert sorted(gone.values_list("pk", flat=True)) == sorted(n.pk for n in leaving)
    assert all(n.disconnected_at for n in gone)
    assert not SupplyReservation.objects.filter(e164__in=[n.e164 for n in leaving]).exists()
    assert SupplyReservation.objects.filter(e164=numbers[3].e164).exists()
    assert events("disconnected").count() == 3
    assert kept_counts(acme_scope) == true_counts(acme_scope)
    [audit] = audited("phone_numbers.numbers.disconnected")
    assert audit.details == {"numbers": 3}
    # Disconnected numbers are kept for their history, and no action touches them again.
    assert manage.set_cnam(selected(leaving), "Gone", by=admin_user) == 0
    assert not audited("phone_numbers.numbers.cnam_set")


def test_numbers_still_being_ordered_are_not_disconnected(acme_scope, admin_user, package, numbers):
    pending = order(admin_user, package, 1, notify=False)
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        manage.disconnect(PhoneNumber.objects.all(), by=admin_user)

    assert "still being ordered" in refused.value.messages[0]
    assert snapshot() == before
    assert PhoneNumber.objects.get(order=pending).status == Status.PENDING

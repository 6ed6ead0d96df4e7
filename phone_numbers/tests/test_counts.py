"""NumberCount stays equal to COUNT(*) through every service, and can be rebuilt."""

import pytest

from orders import services as order_services
from phone_numbers import counts, manage
from phone_numbers.models import Kind, NumberCount, PhoneNumber

from .factories import active_numbers, kept_counts, order, package_for_numbers, true_counts

Status = PhoneNumber.Status


@pytest.fixture
def denver(admin_user):
    return package_for_numbers(admin_user, "Denver Usage")


@pytest.fixture
def chicago(admin_user):
    return package_for_numbers(admin_user, "Chicago Usage")


def test_adjust_creates_adds_and_subtracts(acme_scope, enterprise, denver):
    key = (denver.pk, Kind.TOLL_FREE, Status.ACTIVE)

    counts.adjust(enterprise.pk, {key: 5})
    counts.adjust(enterprise.pk, {key: 2})
    counts.adjust(enterprise.pk, {key: -3})

    assert NumberCount.objects.get().count == 4
    assert kept_counts(enterprise) == {key: 4}


def test_counts_equal_count_star_after_every_service(
    acme_scope, enterprise, admin_user, staff_user, denver, chicago
):
    def check():
        assert kept_counts(enterprise) == true_counts(enterprise)

    local = active_numbers(admin_user, staff_user, denver, 4, notify=False)
    check()
    toll_free = active_numbers(admin_user, staff_user, denver, 2, kind=Kind.TOLL_FREE, notify=False)
    check()
    pending = order(admin_user, chicago, 2, kind=Kind.INTERNATIONAL, country="GB", notify=False)
    check()
    order_services.cancel(pending, by=admin_user)
    check()
    numbers = PhoneNumber.objects.filter(pk__in=[n.pk for n in local[:3] + toll_free[:1]])
    manage.move_to_package(numbers, chicago, by=admin_user)
    check()
    manage.set_cnam(PhoneNumber.objects.all(), "ACME", by=admin_user)
    check()
    manage.disconnect(numbers, by=admin_user)
    check()
    assert kept_counts(enterprise)[(chicago.pk, Kind.US_DOMESTIC, Status.DISCONNECTED)] == 3


def test_recompute_rebuilds_the_counts(acme_scope, enterprise, admin_user, staff_user, denver):
    active_numbers(admin_user, staff_user, denver, 3, notify=False)
    order(admin_user, denver, 2, notify=False)
    NumberCount.objects.all().update(count=99)

    counts.recompute(enterprise.pk)

    assert kept_counts(enterprise) == {
        (denver.pk, Kind.US_DOMESTIC, Status.ACTIVE): 3,
        (denver.pk, Kind.US_DOMESTIC, Status.PENDING): 2,
    }

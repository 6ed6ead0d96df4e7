"""The numbers' demo data: a few hundred numbers of every kind, services, orders pending."""

import pytest
from django.core.management import call_command

from accounts.demo import demo_enterprise
from orders.models import Order
from phone_numbers.models import Kind, NumberEvent, PhoneNumber

from .factories import kept_counts, true_counts

pytestmark = pytest.mark.django_db


def test_the_demo_has_numbers_of_every_kind_with_their_services_and_orders(
    mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_data", stdout=None)
        call_command("demo_data", stdout=None)
    run_jobs()

    enterprise = demo_enterprise()
    numbers = PhoneNumber.objects.filter(enterprise=enterprise)
    assert 200 <= numbers.count() <= 400
    assert set(numbers.values_list("kind", flat=True)) == set(Kind.values)
    assert set(numbers.values_list("status", flat=True)) == set(PhoneNumber.Status.values)
    assert numbers.exclude(cnam="").exists()
    assert numbers.filter(e911_address__isnull=False).exists()
    assert numbers.exclude(forward_to="").exists()
    assert numbers.filter(trunk__isnull=False).exists()
    assert numbers.filter(routing_policy__isnull=False).exists()
    assert NumberEvent.objects.filter(action="moved").exists()
    statuses = set(Order.objects.filter(kind="numbers").values_list("status", flat=True))
    assert {"submitted", "in_progress", "completed", "cancelled"} <= statuses
    assert kept_counts(enterprise) == true_counts(enterprise)
    assert [message.subject for message in mailoutbox] == []

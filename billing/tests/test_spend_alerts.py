"""Spend alerts: crossing a threshold e-mails the Administrators and the billing address at
once, once per month or hour, and staff see it."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from billing.invoicing import month_bounds
from billing.models import BillingProfile, SpendAlert
from billing.spend import check_spend, current_month
from core import schedule

from .test_billing_views import usage_hour

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_hour():
    return timezone.now().replace(minute=0, second=0, microsecond=0)


def checked(django_capture_on_commit_callbacks, run_jobs):
    with django_capture_on_commit_callbacks(execute=True):
        sent = check_spend()
    run_jobs()
    return sent


def test_the_monthly_threshold_crossed_is_e_mailed_once(
    enterprise, admin_user, general_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    BillingProfile.objects.create(
        enterprise=enterprise, billing_email="ap@acme.test", monthly_spend_threshold=Decimal(10)
    )
    since, _until = month_bounds(enterprise, current_month(enterprise))
    usage_hour(enterprise, since, charge=Decimal("6.004"))
    assert checked(django_capture_on_commit_callbacks, run_jobs) == 0

    usage_hour(enterprise, since + timedelta(hours=1), direction="inbound", charge=Decimal(4))
    assert checked(django_capture_on_commit_callbacks, run_jobs) == 1
    assert checked(django_capture_on_commit_callbacks, run_jobs) == 0

    alert = SpendAlert.objects.get()
    assert (alert.kind, alert.period_start, alert.threshold, alert.spent) == (
        SpendAlert.Kind.MONTHLY_SPEND,
        since,
        Decimal(10),
        Decimal("10.00"),
    )
    [message] = mailoutbox
    assert message.to == ["alice@acme.test", "ap@acme.test"]
    assert "has spent $10.00 this month" in message.subject
    assert "past the monthly spend alert of $10.00" in message.body


def test_an_hour_of_international_calls_over_the_threshold_is_e_mailed(
    enterprise, admin_user, this_hour, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    BillingProfile.objects.create(enterprise=enterprise, international_hourly_threshold=Decimal(20))
    usage_hour(enterprise, this_hour, destination_class="international", charge=Decimal(19))
    usage_hour(enterprise, this_hour, destination_class="long_distance", charge=Decimal(50))
    usage_hour(
        enterprise,
        this_hour - timedelta(hours=1),
        destination_class="international",
        charge=Decimal(30),
    )
    usage_hour(
        enterprise,
        this_hour - timedelta(hours=2),
        destination_class="international",
        charge=Decimal(90),
    )

    assert checked(django_capture_on_commit_callbacks, run_jobs) == 1
    alert = SpendAlert.objects.get()
    assert (alert.kind, alert.period_start, alert.spent) == (
        SpendAlert.Kind.INTERNATIONAL_SPIKE,
        this_hour - timedelta(hours=1),
        Decimal("30.00"),
    )

    usage_hour(
        enterprise,
        this_hour,
        destination_class="international",
        direction="inbound",
        charge=Decimal(1),
    )
    assert checked(django_capture_on_commit_callbacks, run_jobs) == 1
    assert SpendAlert.objects.count() == 2
    assert [m.to for m in mailoutbox] == [["alice@acme.test"], ["alice@acme.test"]]
    assert "toll fraud" in mailoutbox[0].body
    hour_there = timezone.localtime(this_hour - timedelta(hours=1), ZoneInfo(enterprise.time_zone))
    assert f"in the hour from {hour_there:%Y-%m-%d %H:%M} {hour_there.tzname()} cost" in (
        mailoutbox[0].body
    )


def test_no_threshold_no_alert(enterprise, other_enterprise, this_hour, mailoutbox):
    BillingProfile.objects.create(enterprise=enterprise)
    usage_hour(enterprise, this_hour, destination_class="international", charge=Decimal(900))

    assert check_spend() == 0
    assert not SpendAlert.objects.exists()


def test_the_check_runs_every_minute():
    [job] = [job for job in schedule.periodic_jobs() if job.func is check_spend]
    assert job.cron == "* * * * *"

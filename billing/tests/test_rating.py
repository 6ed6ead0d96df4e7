"""Rating calls, against PostgreSQL: charges computed by hand, the plan and rate each call
takes, unrated calls flagged, and the re-rate staff start for an open month."""

import os
import signal
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from billing import rating, rollups
from billing.models import CallRecord, Invoice, RatePlan, TaxRate, UsageHour, UsageRate
from core.models import Job
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from tests.workers import start_worker, wait_for

from .test_loading import ACME_NUMBER, call, csv_bytes, load, unanswered
from .test_rollups import stored_hours

GLOBEX_NUMBER = "+12125550100"
NOVEMBER = (datetime(2026, 11, 1, 4, tzinfo=UTC), datetime(2026, 12, 1, 5, tzinfo=UTC))


def plan(name="Standard usage", enterprise=None, *, start=date(2026, 1, 1), end=None, **fields):
    return RatePlan.objects.create(
        name=name,
        package_type="usage",
        enterprise=enterprise,
        effective_from=start,
        effective_to=end,
        **fields,
    )


def rate(plan, per_minute, destination_class="long_distance", prefix="", direction="outbound"):
    return UsageRate.objects.create(
        plan=plan,
        direction=direction,
        destination_class=destination_class,
        prefix=prefix,
        per_minute=Decimal(per_minute),
    )


def answered(call_id, seconds, **changes):
    """An answered call of Nov 20 of `seconds` billable seconds."""
    return call(
        call_id,
        start_time="2026-11-20T15:00:00Z",
        answer_time="2026-11-20T15:00:05Z",
        end_time="2026-11-20T16:00:00Z",
        billable_seconds=str(seconds),
        **changes,
    )


def rated(call_id):
    record = CallRecord.objects.get(call_id=call_id)
    return record.rate_id, record.rated_seconds, record.charge


@pytest.fixture
def acme(admin_user):
    package = package_of(admin_user, "Denver Usage")
    add_numbers(package, [ACME_NUMBER])
    return package


@pytest.fixture
def globex(outsider):
    package = package_of(outsider, "Globex Usage")
    add_numbers(package, [GLOBEX_NUMBER])
    return package


@pytest.mark.parametrize(
    ("first", "following", "billable", "seconds"),
    [
        (6, 6, 1, 6),
        (6, 6, 6, 6),
        (6, 6, 7, 12),
        (6, 6, 60, 60),
        (30, 6, 1, 30),
        (30, 6, 30, 30),
        (30, 6, 31, 36),
        (60, 60, 1, 60),
        (60, 60, 61, 120),
    ],
)
def test_billing_increments(first, following, billable, seconds):
    assert rating.rated_seconds(billable, first, following) == seconds


def test_calls_are_rated_as_they_load_by_the_increments_and_connect_fee(acme):
    six = plan(connect_fee=Decimal("0.015"))
    local = rate(six, "0.012")
    load(
        csv_bytes(
            [
                answered("one", 1),
                answered("seven", 7),
                answered("minute", 60),
                answered("long", 61),
                unanswered(
                    "missed", start_time="2026-11-20T15:00:00Z", end_time="2026-11-20T15:00:30Z"
                ),
            ]
        )
    )

    # 0.015 + 0.012 x seconds / 60
    assert rated("one") == (local.pk, 6, Decimal("0.016200"))
    assert rated("seven") == (local.pk, 12, Decimal("0.017400"))
    assert rated("minute") == (local.pk, 60, Decimal("0.027000"))
    assert rated("long") == (local.pk, 66, Decimal("0.028200"))
    # Not answered: its rate, and nothing to pay (no connect fee).
    assert rated("missed") == (local.pk, 0, Decimal(0))
    hour = UsageHour.objects.get(hour=datetime(2026, 11, 20, 15, tzinfo=UTC))
    assert (hour.rated_seconds, hour.charge, hour.unrated) == (144, Decimal("0.088800"), 0)


@pytest.mark.parametrize(
    ("first", "following", "billable", "charge"),
    [(30, 6, 31, "0.018000"), (60, 60, 61, "0.060000"), (60, 60, 1, "0.030000")],
)
def test_other_increments_in_sql(acme, first, following, billable, charge):
    rate(plan(first_increment=first, next_increment=following), "0.03")
    load(csv_bytes([answered("c", billable)]))

    assert rated("c")[2] == Decimal(charge)


def test_international_calls_take_the_longest_prefix_of_the_far_end(acme):
    standard = plan()
    uk = rate(standard, "0.05", "international", "44")
    uk_mobile = rate(standard, "0.20", "international", "447")
    inbound_uk = rate(standard, "0.01", "international", "44", direction="inbound")
    international = {"destination_class": "international", "destination_country": "GB"}
    load(
        csv_bytes(
            [
                answered("london", 60, to="+442071234567", **international),
                answered("mobile", 60, to="+447700900123", **international),
                # Inbound: rated by the caller; only the plan's 44 matches 447...
                answered(
                    "from-mobile",
                    60,
                    direction="inbound",
                    **{"from": "+447700900123", "to": ACME_NUMBER},
                    **international,
                ),
                answered(
                    "france",
                    60,
                    to="+33142000000",
                    destination_country="FR",
                    destination_class="international",
                ),
            ]
        )
    )

    assert rated("london") == (uk.pk, 60, Decimal("0.050000"))
    assert rated("mobile") == (uk_mobile.pk, 60, Decimal("0.200000"))
    assert rated("from-mobile") == (inbound_uk.pk, 60, Decimal("0.010000"))
    assert rated("france") == (None, None, None)


def test_the_enterprises_own_plan_comes_before_the_standard_plan(acme, globex, enterprise):
    standard_plan = plan()
    standard = rate(standard_plan, "0.02")
    own = plan("Acme contract", enterprise)
    own_rate = rate(own, "0.01")
    # The standard plan's 447 is known: Acme's only 44 still covers a 447 number.
    rate(standard_plan, "0.30", "international", "447")
    own_uk = rate(own, "0.04", "international", "44")
    load(
        csv_bytes(
            [
                answered("acme", 60),
                answered("globex", 60, customer_number=GLOBEX_NUMBER, **{"from": GLOBEX_NUMBER}),
                answered(
                    "acme-mobile",
                    60,
                    to="+447700900123",
                    destination_class="international",
                    destination_country="GB",
                ),
            ]
        )
    )

    assert rated("acme") == (own_rate.pk, 60, Decimal("0.010000"))
    assert rated("globex") == (standard.pk, 60, Decimal("0.020000"))
    assert rated("acme-mobile") == (own_uk.pk, 60, Decimal("0.040000"))
    assert rating.plan_for(enterprise.pk, "usage", date(2026, 11, 20)) == own
    assert rating.plan_for(globex.enterprise_id, "usage", date(2026, 11, 20)) == standard_plan
    assert rating.plan_for(enterprise.pk, "usage", date(2025, 12, 31)) is None


def test_calls_take_the_plan_of_their_day_in_the_enterprises_zone(acme, enterprise):
    assert enterprise.time_zone == "America/New_York"
    before = rate(
        plan("Early November", enterprise, start=date(2026, 11, 1), end=date(2026, 11, 15)), "0.01"
    )
    after = rate(plan("Late November", enterprise, start=date(2026, 11, 16)), "0.02")
    late = {
        "answer_time": "",
        "disposition": "no_answer",
        "billable_seconds": "0",
        "sip_code": "480",
    }
    load(
        csv_bytes(
            [
                # 23:30 on Nov 15 in New York, 04:30 on Nov 16 in UTC.
                call(
                    "15th",
                    start_time="2026-11-16T04:30:00Z",
                    end_time="2026-11-16T04:31:00Z",
                    **late,
                ),
                call(
                    "16th",
                    start_time="2026-11-16T05:30:00Z",
                    end_time="2026-11-16T05:31:00Z",
                    **late,
                ),
            ]
        )
    )

    assert rated("15th")[0] == before.pk
    assert rated("16th")[0] == after.pk


def test_a_call_no_rate_covers_is_flagged_not_charged_zero(acme, enterprise):
    rate(plan(), "0.02", "local")  # no long-distance rate
    load(
        csv_bytes(
            [
                answered("far", 60),
                unanswered(
                    "missed", start_time="2026-11-20T15:10:00Z", end_time="2026-11-20T15:10:30Z"
                ),
            ]
        )
    )

    assert rated("far") == (None, None, None)
    assert rated("missed") == (None, None, None)
    hour = UsageHour.objects.get(hour=datetime(2026, 11, 20, 15, tzinfo=UTC))
    assert (hour.unrated, hour.charge) == (1, 0)
    assert rating.unrated_calls(enterprise.pk, *NOVEMBER) == 1


def test_rating_again_after_staff_add_the_missing_rate(acme, enterprise):
    standard = plan()
    load(csv_bytes([answered("far", 61), answered("near", 7, destination_class="local")]))
    assert rating.unrated_calls(enterprise.pk, *NOVEMBER) == 2

    far = rate(standard, "0.06")
    assert rating.rate_again(enterprise.pk, *NOVEMBER) == 1
    hours = set(UsageHour.objects.values_list("pk", flat=True))
    assert rating.rate_again(enterprise.pk, *NOVEMBER) == 0  # the same again: nothing changes
    assert set(UsageHour.objects.values_list("pk", flat=True)) == hours  # nor are the totals

    assert rated("far") == (far.pk, 66, Decimal("0.066000"))
    assert rated("near") == (None, None, None)
    assert rating.unrated_calls(enterprise.pk, *NOVEMBER) == 1
    assert UsageHour.objects.get(destination_class="long_distance").charge == Decimal("0.066")

    # A rate gone: the call is unrated again, not left with the old charge.
    far.delete()
    assert rating.rate_again(enterprise.pk, *NOVEMBER) == 1
    assert rated("far") == (None, None, None)
    assert rating.unrated_calls(enterprise.pk, *NOVEMBER) == 2


def test_rating_again_counts_again_only_the_hours_of_the_calls_that_changed(acme, enterprise):
    standard = plan()
    rate(standard, "0.06")
    next_day = call(
        "near",
        start_time="2026-11-21T09:00:00Z",
        answer_time="2026-11-21T09:00:05Z",
        end_time="2026-11-21T10:00:00Z",
        billable_seconds="7",
        destination_class="local",
    )
    load(csv_bytes([answered("far", 61), next_day]))
    far_hour = UsageHour.objects.get(destination_class="long_distance")

    near = rate(standard, "0.03", "local")
    assert rating.rate_again(enterprise.pk, *NOVEMBER) == 1

    assert rated("near") == (near.pk, 12, Decimal("0.006000"))
    assert UsageHour.objects.get(destination_class="local").charge == Decimal("0.006")
    assert UsageHour.objects.get(destination_class="long_distance").pk == far_hour.pk


def test_rating_again_keeps_each_call_on_its_page_and_writes_no_index(acme, enterprise):
    """The month's partition keeps room on its pages (CallRecord.partition_fillfactor): each
    call rated again gets its new version beside the old one, a HOT update."""
    far = rate(plan(), "0.06")
    load(csv_bytes([answered(f"far-{n}", 61) for n in range(40)]))
    UsageRate.objects.filter(pk=far.pk).update(per_minute=Decimal("0.07"))

    assert rating.rate_again(enterprise.pk, *NOVEMBER) == 40

    assert rated("far-7") == (far.pk, 66, Decimal("0.077000"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
            " WHERE relname = 'billing_callrecord_2026_11'"
        )
        assert cursor.fetchone() == (40, 40)


def test_rating_again_moves_the_hourly_totals_by_what_changed(acme, enterprise):
    standard = plan()
    local = rate(standard, "0.02", "local")
    far = rate(standard, "0.06")
    classes = ["local", "long_distance", "international"]
    lines = [
        call(
            f"c{n}",
            billable_seconds=str(5 + n),
            start_time=f"2026-11-20T{10 + n % 4:02}:{n:02}:00Z",
            answer_time=f"2026-11-20T{10 + n % 4:02}:{n:02}:05Z",
            end_time=f"2026-11-20T{10 + n % 4:02}:{n:02}:50Z",
            destination_class=classes[n % 3],
            destination_country="GB" if n % 3 == 2 else "",
            to="+442071234567" if n % 3 == 2 else "+13125550111",
        )
        for n in range(30)
    ]
    missed = unanswered("missed", start_time="2026-11-20T11:30:00Z", destination_class="local")
    load(csv_bytes([*lines, missed]))
    UsageRate.objects.filter(pk=local.pk).update(per_minute=Decimal("0.03"))
    far.delete()
    rate(standard, "0.25", "international", prefix="44")

    assert rating.rate_again(enterprise.pk, *NOVEMBER) == 30
    assert stored_hours() == rollups.hours_from_records(CallRecord.objects.all())
    assert rating.unrated_calls(enterprise.pk, *NOVEMBER) == 10

    # A row of the totals missing (no load would leave it so): the hours are counted again.
    UsageHour.objects.filter(destination_class="local").order_by("hour").first().delete()
    UsageRate.objects.filter(pk=local.pk).update(per_minute=Decimal("0.04"))
    assert rating.rate_again(enterprise.pk, *NOVEMBER) == 10
    assert stored_hours() == rollups.hours_from_records(CallRecord.objects.all())


def test_the_python_rating_agrees_with_the_sql(acme, enterprise):
    standard = plan(first_increment=30, connect_fee=Decimal("0.0105"))
    rate(standard, "0.0123")
    rate(standard, "0.05", "international", "44")
    rate(standard, "0.2", "international", "447")
    rate(standard, "0.3", "international", "")
    lines = [
        answered(f"c{n}", n * 7, to=to, destination_class=kind, destination_country=country)
        for n, (to, kind, country) in enumerate(
            [
                ("+13125550111", "long_distance", ""),
                ("+442071234567", "international", "GB"),
                ("+447700900123", "international", "GB"),
                ("+33142000000", "international", "FR"),
                ("+13125550111", "local", ""),
            ]
            * 2
        )
    ]
    load(csv_bytes(lines))
    by_sql = {
        record.call_id: (record.rate_id, record.rated_seconds, record.charge)
        for record in CallRecord.objects.all()
    }
    CallRecord.objects.update(rate=None, rated_seconds=None, charge=None)

    packages = [acme.pk]
    assert rating._rate_python(enterprise.pk, packages, *NOVEMBER)[0] == 8
    by_python = {
        record.call_id: (record.rate_id, record.rated_seconds, record.charge)
        for record in CallRecord.objects.all()
    }
    assert by_python == by_sql
    assert by_sql["c3"][0] is not None  # France: the empty prefix
    assert by_sql["c4"] == (None, None, None)


def test_overlapping_plans_are_refused_with_a_clear_message(enterprise):
    plan(start=date(2026, 1, 1), end=date(2026, 6, 30))
    own = plan("Acme", enterprise, start=date(2026, 3, 1))
    clash = RatePlan(name="New standard", package_type="usage", effective_from=date(2026, 6, 1))

    with pytest.raises(ValidationError) as refused:
        clash.full_clean()

    assert refused.value.message_dict["effective_from"] == [
        "These days overlap standard Usage plan “Standard usage” (Jan 1, 2026 to Jun 30, 2026): "
        "one plan covers each day. End that plan the day before this one starts."
    ]
    clash.effective_from = date(2026, 7, 1)
    clash.full_clean()  # after the standard plan: fine, and the enterprise's own is no matter
    own.full_clean()


def test_a_plan_that_rated_a_closed_month_keeps_its_charges(enterprise):
    standard = plan(connect_fee=Decimal("0.01"))
    invoice(enterprise, date(2026, 10, 1))

    standard.connect_fee = Decimal("0.02")
    standard.effective_to = date(2026, 10, 15)
    with pytest.raises(ValidationError) as refused:
        standard.full_clean()

    assert set(refused.value.message_dict) == {"connect_fee", "effective_to"}
    standard.connect_fee = Decimal("0.01")
    standard.effective_to = date(2026, 11, 30)
    standard.full_clean()  # it may end after the closed month


def invoice(enterprise, month):
    return Invoice.objects.create(
        enterprise=enterprise,
        number=f"{enterprise.account_number}-{month:%Y%m}",
        period_start=month,
        period_end=month.replace(day=28),
        issued_on=month,
        due_on=month,
    )


def test_a_closed_month_is_not_rated_again(enterprise, staff_user):
    invoice(enterprise, date(2026, 11, 1))

    with pytest.raises(rating.ClosedMonth) as refused:
        rating.start_rerate(date(2026, 11, 1), enterprise, by=staff_user)
    assert "November 2026 is closed for Acme Telecom" in refused.value.message
    with pytest.raises(rating.ClosedMonth):
        rating.rate_again(enterprise.pk, *NOVEMBER)
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_staff_rerate_a_month_from_the_back_office_with_a_real_worker(
    client, staff_user, acme, enterprise
):
    standard = plan()
    load(csv_bytes([answered("far", 60)]))
    far = rate(standard, "0.03")
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:billing_rateplan_rerate"), {"month": "2026-11", "enterprise": enterprise.pk}
    )

    job = Job.objects.get()
    assert response.status_code == 302
    worker = start_worker()
    try:
        wait_for(lambda: Job.objects.get().status == Job.Status.SUCCEEDED)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait()
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert rated("far") == (far.pk, 60, Decimal("0.030000"))
    assert rating.unrated_calls(enterprise.pk, *NOVEMBER) == 0


def test_staff_see_the_unrated_calls_with_where_to_add_their_rate(client, staff_user, acme):
    standard = plan()
    load(csv_bytes([answered("far", 60), answered("near", 60, destination_class="local")]))
    client.force_login(staff_user)

    page = client.get(reverse("admin:billing_rateplan_unrated")).content.decode()

    assert "Acme Telecom" in page
    assert "November 2026" in page
    assert "Long distance" in page
    assert page.count("Add a rate to Standard usage") == 2
    assert reverse("admin:billing_rateplan_change", args=[standard.pk]) in page


def test_the_back_office_refuses_to_rerate_a_closed_month(client, staff_user, enterprise):
    invoice(enterprise, date(2026, 11, 1))
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:billing_rateplan_rerate"), {"month": "2026-11", "enterprise": enterprise.pk}
    )

    assert response.status_code == 200
    assert "November 2026 is closed for Acme Telecom" in response.content.decode()
    assert not Job.objects.exists()


def test_a_closed_plan_shows_its_charges_fixed(client, staff_user, enterprise):
    standard = plan()
    rate(standard, "0.02")
    invoice(enterprise, date(2026, 11, 1))
    client.force_login(staff_user)

    page = client.get(reverse("admin:billing_rateplan_change", args=[standard.pk]))

    assert "its charges and rates stay as they are" in page.content.decode()
    assert 'name="connect_fee"' not in page.content.decode()
    assert 'name="effective_to"' in page.content.decode()


def test_the_back_office_refuses_an_overlapping_plan(client, staff_user):
    plan(start=date(2026, 1, 1))
    client.force_login(staff_user)
    inlines = {
        f"{prefix}-{name}": value
        for prefix in ("usage_rates", "number_rates")
        for name, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
    }

    response = client.post(
        reverse("admin:billing_rateplan_add"),
        {
            "name": "Cheaper",
            "package_type": "usage",
            "effective_from": "2026-12-01",
            "first_increment": 6,
            "next_increment": 6,
            **dict.fromkeys(
                ["connect_fee", "package_monthly", "included_channels", "channel_monthly"], 0
            ),
            **dict.fromkeys(["cnam_monthly", "e911_monthly", "port_fee"], 0),
            **inlines,
        },
    )

    assert response.status_code == 200
    assert "These days overlap standard Usage plan “Standard usage”" in response.content.decode()
    assert RatePlan.objects.count() == 1


def test_staff_list_plans_and_taxes_with_their_filters(client, staff_user, enterprise):
    plan("Acme contract", enterprise)
    TaxRate.objects.create(
        kind="sales_tax", state="CO", rate=Decimal("2.9000"), effective_from=date(2026, 1, 1)
    )
    client.force_login(staff_user)

    plans = client.get(
        reverse("admin:billing_rateplan_changelist")
        + "?q=Acme&package_type__exact=usage&enterprise__isempty=0"
    )
    taxes = client.get(reverse("admin:billing_taxrate_changelist") + "?q=CO&kind__exact=sales_tax")

    assert "Acme contract" in plans.text
    assert "2.9000" in taxes.text

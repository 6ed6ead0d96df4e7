"""Spend alerts: an e-mail at once when an enterprise's charges pass the thresholds it set.

Toll fraud shows as a burst of international calls on a trunk: the costliest thing that happens
to a SIP trunk customer, and the sooner someone hears of it the less it costs. An Administrator
sets two thresholds on the Billing page (BillingProfile): the month's charges so far, and the
international charges of one hour. Every minute the cron checks each enterprise that has one
against the hourly totals rating keeps (UsageHour.charge), and e-mails the Administrators and
the billing address when one is crossed. A SpendAlert row, unique per enterprise, kind and
period (the month, or the hour), makes it once however often the check runs or overlaps.
"""

from datetime import UTC, timedelta
from decimal import Decimal
from math import ceil
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from audit.records import Change, record
from core.jobs import queue_email
from core.tenancy import enterprise_scope

from . import actions
from .invoicing import cents, month_bounds
from .models import BillingProfile, DestinationClass, SpendAlert, UsageHour
from .permissions import MANAGE_SPEND_ALERTS

HOUR = timedelta(hours=1)


def usage_hours(enterprise, since, until):
    """The enterprise's hourly totals of the hours that start in [since, until).

    The hours are listed (hour = ANY(...)) rather than bounded (hour >= since AND hour <
    until): PostgreSQL estimates such a range by the whole table, all enterprises together,
    and a big enterprise's month then looks like a good part of the table, read whole instead
    of through the (enterprise, hour) index.
    """
    first = since.astimezone(UTC)
    if first.minute or first.second or first.microsecond:  # a zone half an hour off UTC
        first = first.replace(minute=0, second=0, microsecond=0) + HOUR
    count = max(0, ceil((until - first).total_seconds() / HOUR.total_seconds()))
    hours = [first + n * HOUR for n in range(count)]
    return UsageHour.objects.filter(enterprise=enterprise, hour__in=hours)


def current_month(enterprise):
    """The first day of the enterprise's current month, in its time zone."""
    return timezone.localdate(timezone=ZoneInfo(enterprise.time_zone)).replace(day=1)


def set_thresholds(user, *, monthly_spend, international_hourly):
    """Set (or clear, with None) the enterprise's two spend alert thresholds."""
    if not user.has_perm(MANAGE_SPEND_ALERTS):
        raise PermissionDenied("Your role does not allow this.")
    profile, _created = BillingProfile.objects.get_or_create(enterprise=user.enterprise)
    changes = [
        Change(label, before, after)
        for label, before, after in (
            ("Monthly spend", profile.monthly_spend_threshold, monthly_spend),
            (
                "International spend in an hour",
                profile.international_hourly_threshold,
                international_hourly,
            ),
        )
        if before != after
    ]
    profile.monthly_spend_threshold = monthly_spend
    profile.international_hourly_threshold = international_hourly
    profile.save(update_fields=["monthly_spend_threshold", "international_hourly_threshold"])
    if changes:
        record(actions.SPEND_ALERTS_CHANGED, actor=user, obj=profile, changes=changes)
    return profile


def _charge(enterprise, since, until, **filters):
    spent = (
        usage_hours(enterprise, since, until)
        .filter(**filters)
        .aggregate(charge=Sum("charge", default=Decimal(0)))["charge"]
    )
    return cents(spent)


def crossings(profile, now):
    """The thresholds of profile crossed at now: (kind, period start, threshold, spent)."""
    enterprise = profile.enterprise
    found = []
    if profile.monthly_spend_threshold is not None:
        since, until = month_bounds(enterprise, current_month(enterprise))
        spent = _charge(enterprise, since, until)
        if spent >= profile.monthly_spend_threshold:
            found.append(
                (SpendAlert.Kind.MONTHLY_SPEND, since, profile.monthly_spend_threshold, spent)
            )
    if profile.international_hourly_threshold is not None:
        this_hour = now.replace(minute=0, second=0, microsecond=0)
        # The hour just over too: its last calls may have loaded after it ended.
        for hour in (this_hour - HOUR, this_hour):
            spent = _charge(
                enterprise, hour, hour + HOUR, destination_class=DestinationClass.INTERNATIONAL
            )
            if spent >= profile.international_hourly_threshold:
                found.append(
                    (
                        SpendAlert.Kind.INTERNATIONAL_SPIKE,
                        hour,
                        profile.international_hourly_threshold,
                        spent,
                    )
                )
    return found


def check_spend():
    """Alert each enterprise whose thresholds its charges have crossed (cron, every minute)."""
    now = timezone.now()
    with scopes_disabled():
        enterprise_ids = list(
            BillingProfile.objects.filter(
                Q(monthly_spend_threshold__isnull=False)
                | Q(international_hourly_threshold__isnull=False)
            ).values_list("enterprise_id", flat=True)
        )
    sent = 0
    for enterprise_id in enterprise_ids:
        with enterprise_scope(enterprise_id):
            profile = BillingProfile.objects.select_related("enterprise").get(
                enterprise_id=enterprise_id
            )
            for kind, period_start, threshold, spent in crossings(profile, now):
                sent += _alert(profile, kind, period_start, threshold, spent)
    return sent


def _alert(profile, kind, period_start, threshold, spent):
    """Record the alert and e-mail it, once: a second check finds the row and sends nothing."""
    if SpendAlert.objects.filter(
        enterprise=profile.enterprise, kind=kind, period_start=period_start
    ).exists():
        return 0
    try:
        with transaction.atomic():
            alert = SpendAlert.objects.create(
                enterprise=profile.enterprise,
                kind=kind,
                period_start=period_start,
                threshold=threshold,
                spent=spent,
            )
            _send(profile, alert)
    except IntegrityError:
        return 0  # an overlapping check recorded it first, and e-mails it
    return 1


def recipients(profile):
    """The Administrators' addresses and the billing address, each once."""
    addresses = list(
        profile.enterprise.active_administrators().order_by("email").values_list("email", flat=True)
    )
    if profile.billing_email and profile.billing_email.lower() not in map(str.lower, addresses):
        addresses.append(profile.billing_email)
    return addresses


def _send(profile, alert):
    to = recipients(profile)
    if not to:
        return
    enterprise = profile.enterprise
    context = {
        "alert": alert,
        "enterprise": enterprise,
        "is_monthly": alert.kind == SpendAlert.Kind.MONTHLY_SPEND,
        "billing_url": settings.SITE_URL + reverse("billing:billing"),
        "analytics_url": settings.SITE_URL + reverse("billing:analytics"),
    }
    with timezone.override(ZoneInfo(enterprise.time_zone)):
        subject = " ".join(
            render_to_string("billing/billing/email/spend_alert_subject.txt", context).split()
        )
        body = render_to_string("billing/billing/email/spend_alert_message.txt", context)
    message = EmailMessage(
        settings.EMAIL_SUBJECT_PREFIX + subject, body, settings.DEFAULT_FROM_EMAIL, to
    )
    # Queued when the alert's row commits: never an e-mail for an alert not recorded.
    queue_email(message, enterprise=enterprise)

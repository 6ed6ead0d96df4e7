"""Demo data of usage and billing: the carrier's standard rate plans and taxes, a month of the
demo enterprise's traffic from the traffic simulator, its daily ADR files, and its invoices.

The 30 days before today in the enterprise's time zone (billing.simulator, seed SEED), loaded
as the API loads records, each call rated as it loads; the days before them back to the first
of CLOSED_MONTHS closed months get a fifth of that traffic. The simulator's records are the same
for the same day whatever the run, so a second run stores nothing new and a run on a later day
adds only the days since.

ADR File Delivery is enabled as if ADR_DAYS days ago, with a password login on the secure FTP
site (the demo password): `bin/run` starts the SFTP server and then `manage.py
deliver_adr_files`, which delivers those days' files as the hourly cron would.

The closed months are closed as the cron does on the 1st (their PDFs rendered by the worker):
the oldest invoice is left unpaid, so overdue; the calls of its last day load after its close,
so the next invoice bills them as late usage, and is paid in part by card through the sandbox
gateway; a usage line of the last is disputed.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accounts.demo import demo_enterprise
from accounts.models import Role
from phone_numbers.models import Kind as NumberKind
from phone_numbers.models import PhoneNumber
from trunks.models import Package, Trunk

from . import disputes, invoicing, paying, simulator
from .credentials import account_for
from .gateway.sandbox import CardForm, issue_token
from .invoice_pdf import render_invoice
from .loading import load_rows
from .models import (
    DestinationClass,
    Direction,
    MethodKind,
    NumberRate,
    RatePlan,
    RecordKind,
    SftpCredential,
    TaxRate,
    UsageRate,
)

SEED = 1
DAYS = 30
# A weekday's messages and application events, for each call (settings.DEMO_CALLS_PER_DAY: enough
# for the charts to show their curves, little enough for a quick load).
MESSAGES_PER_CALL = 0.2
EVENTS_PER_CALL = 0.1
# The closed months with an invoice, before the current one, and how much less traffic their
# days before the last DAYS had.
CLOSED_MONTHS = 3
EARLIER_TRAFFIC = 5
ADR_DAYS = 7


def load(run):
    load_rate_plans()  # before the records: each call is rated as it loads
    enterprise = demo_enterprise()
    start, end = simulator.last_days(enterprise, DAYS)
    calls = settings.DEMO_CALLS_PER_DAY
    first_closed = _first_closed_month(end)
    # The months before the last 30 days, lighter: what the closed months' invoices bill. The
    # calls of the first closed month's last day come late, after its close (load_invoices).
    late_day = invoicing.first_of_next(first_closed) - timedelta(days=1)

    def earlier_calls(since, until):
        load_rows(
            RecordKind.CALL,
            simulator.calls(
                enterprise, since, until, seed=SEED, calls_per_day=calls // EARLIER_TRAFFIC
            ),
        )

    earlier_calls(first_closed, late_day)
    earlier_calls(late_day + timedelta(days=1), start)
    load_rows(
        RecordKind.CALL, simulator.calls(enterprise, start, end, seed=SEED, calls_per_day=calls)
    )
    load_rows(
        RecordKind.MESSAGE,
        simulator.messages(
            enterprise, start, end, seed=SEED, messages_per_day=round(calls * MESSAGES_PER_CALL)
        ),
    )
    load_rows(
        RecordKind.APP,
        simulator.app_events(
            enterprise, start, end, seed=SEED, events_per_day=round(calls * EVENTS_PER_CALL)
        ),
    )
    load_adr_delivery(run, enterprise)
    load_invoices(
        run,
        enterprise,
        first_closed,
        late_calls=lambda: earlier_calls(late_day, late_day + timedelta(days=1)),
    )


def load_adr_delivery(run, enterprise):
    if not enterprise.adr_delivery_enabled:
        enterprise.adr_delivery_enabled = True
        enterprise.adr_delivery_changed_at = timezone.now() - timedelta(days=ADR_DAYS)
        enterprise.save(update_fields=["adr_delivery_enabled", "adr_delivery_changed_at"])
    account = account_for(enterprise)
    active = SftpCredential.objects.filter(
        account=account, kind=SftpCredential.Kind.PASSWORD, revoked_at__isnull=True
    )
    if not active.exists():
        SftpCredential.objects.create(
            enterprise=enterprise,
            account=account,
            kind=SftpCredential.Kind.PASSWORD,
            password_hash=run.password.hash,
        )
    site = settings.ADR_SFTP
    run.say(
        f"Secure FTP site of {enterprise.name}'s ADR files: "
        f"sftp -P {site['PUBLIC_PORT']} {account.username}@{site['PUBLIC_HOST']} "
        "(the same password)"
    )


# The standard rate plans (the carrier's price list) and the taxes on invoices, from the start
# of the year before the demo's months.
PLANS_FROM = date(2026, 1, 1)
NUMBER_RATES = {  # kind: (monthly, order fee)
    NumberKind.US_DOMESTIC: ("1.00", "1.00"),
    NumberKind.TOLL_FREE: ("2.00", "2.00"),
    NumberKind.INTERNATIONAL: ("6.00", "10.00"),
    NumberKind.TEMPORARY: ("0.50", "0.00"),
}
# Per minute, by country prefix (the longest one a called number starts with wins).
INTERNATIONAL_RATES = (
    ("52", "Mexico", "0.0190"),
    ("5255", "Mexico City", "0.0120"),
    ("44", "United Kingdom", "0.0150"),
    ("447", "United Kingdom mobile", "0.0450"),
    ("91", "India", "0.0230"),
    ("63", "Philippines", "0.0900"),
    ("49", "Germany", "0.0140"),
    ("33", "France", "0.0160"),
    ("55", "Brazil", "0.0350"),
    ("81", "Japan", "0.0400"),
    ("61", "Australia", "0.0250"),
    ("86", "China", "0.0150"),
)
DOMESTIC_RATES = {  # package type: {(direction, destination class): per minute}
    Package.Type.BUNDLE: {
        (Direction.INBOUND, DestinationClass.LOCAL): "0.0000",
        (Direction.INBOUND, DestinationClass.LONG_DISTANCE): "0.0000",
        (Direction.INBOUND, DestinationClass.TOLL_FREE): "0.0150",
        (Direction.OUTBOUND, DestinationClass.LOCAL): "0.0000",
        (Direction.OUTBOUND, DestinationClass.LONG_DISTANCE): "0.0000",
        (Direction.OUTBOUND, DestinationClass.TOLL_FREE): "0.0000",
    },
    Package.Type.USAGE: {
        (Direction.INBOUND, DestinationClass.LOCAL): "0.0040",
        (Direction.INBOUND, DestinationClass.LONG_DISTANCE): "0.0045",
        (Direction.INBOUND, DestinationClass.TOLL_FREE): "0.0180",
        (Direction.OUTBOUND, DestinationClass.LOCAL): "0.0045",
        (Direction.OUTBOUND, DestinationClass.LONG_DISTANCE): "0.0090",
        (Direction.OUTBOUND, DestinationClass.TOLL_FREE): "0.0000",
    },
    Package.Type.OUTBOUND_ONLY: {
        (Direction.OUTBOUND, DestinationClass.LOCAL): "0.0050",
        (Direction.OUTBOUND, DestinationClass.LONG_DISTANCE): "0.0095",
        (Direction.OUTBOUND, DestinationClass.TOLL_FREE): "0.0000",
    },
}
PLAN_CHARGES = {  # package type: package monthly, included channels, per channel over them
    Package.Type.BUNDLE: ("250.00", 23, "12.00"),
    Package.Type.USAGE: ("0.00", 0, "0.00"),
    Package.Type.OUTBOUND_ONLY: ("0.00", 0, "0.00"),
}


def load_rate_plans():
    for package_type, (monthly, included, per_channel) in PLAN_CHARGES.items():
        plan, created = RatePlan.objects.get_or_create(
            package_type=package_type,
            enterprise=None,
            effective_from=PLANS_FROM,
            defaults={
                "name": f"Standard {package_type.label} {PLANS_FROM.year}",
                "package_monthly": Decimal(monthly),
                "included_channels": included,
                "channel_monthly": Decimal(per_channel),
                "cnam_monthly": Decimal("0.50"),
                "e911_monthly": Decimal("1.50"),
                "port_fee": Decimal("5.00"),
            },
        )
        if not created:
            continue
        NumberRate.objects.bulk_create(
            NumberRate(plan=plan, kind=kind, monthly=Decimal(monthly), order_fee=Decimal(fee))
            for kind, (monthly, fee) in NUMBER_RATES.items()
        )
        rates = [
            UsageRate(
                plan=plan,
                direction=direction,
                destination_class=destination_class,
                per_minute=Decimal(per_minute),
            )
            for (direction, destination_class), per_minute in DOMESTIC_RATES[package_type].items()
        ]
        directions = [Direction.OUTBOUND]
        if package_type != Package.Type.OUTBOUND_ONLY:
            directions.append(Direction.INBOUND)
        rates += [
            UsageRate(
                plan=plan,
                direction=direction,
                destination_class=DestinationClass.INTERNATIONAL,
                prefix=prefix,
                description=description,
                per_minute=Decimal(per_minute),
            )
            for direction in directions
            for prefix, description, per_minute in INTERNATIONAL_RATES
        ]
        UsageRate.objects.bulk_create(rates)
    for kind, state, rate, amount in (
        (TaxRate.Kind.FEDERAL_USF, "", "34.6000", "0"),
        (TaxRate.Kind.E911_FEE, "", "0", "0.7500"),
        (TaxRate.Kind.SALES_TAX, "TX", "6.2500", "0"),
        (TaxRate.Kind.SALES_TAX, "NY", "4.0000", "0"),
        (TaxRate.Kind.SALES_TAX, "CA", "7.2500", "0"),
    ):
        TaxRate.objects.get_or_create(
            kind=kind,
            state=state,
            effective_from=PLANS_FROM,
            defaults={"rate": Decimal(rate), "amount": Decimal(amount)},
        )


def _first_closed_month(today):
    first = today.replace(day=1)
    for _ in range(CLOSED_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def load_invoices(run, enterprise, first_closed, late_calls):
    """The closed months' invoices: the oldest left unpaid (overdue), the next paid in part by
    card through the sandbox gateway (it also bills, as late usage, the calls late_calls()
    loads into the oldest month after its close), a line of the last one disputed."""
    _in_service_since(enterprise, first_closed)
    months = [first_closed]
    while len(months) < CLOSED_MONTHS:
        months.append(invoicing.first_of_next(months[-1]))
    invoices = [invoicing.close_month(enterprise, months[0])]
    late_calls()
    invoices += [invoicing.close_month(enterprise, month) for month in months[1:]]
    if None in invoices:
        run.say(f"A demo month of {enterprise.name} was held: see Invoices > Months not closed.")
        return
    for invoice in invoices:
        # At once, as the worker would once the demo commits (its job then finds them done).
        render_invoice(invoice.pk)
        invoice.refresh_from_db()
    admin = enterprise.users.filter(role__slug=Role.ADMINISTRATOR, is_active=True).first()
    if admin is None:
        return
    partly_paid = invoices[1]
    if partly_paid.balance:
        card = CardForm(
            data={"name": admin.name, "number": "4242424242424242", "expiry": "12/30", "cvc": "123"}
        )
        card.is_valid()
        paying.pay(
            admin,
            partly_paid,
            (partly_paid.balance / 2).quantize(Decimal("0.01")),
            kind=MethodKind.CARD,
            token=issue_token(card.token_details()),
            idempotency_key=f"demo-{partly_paid.number}",
        )
    disputed = invoices[-1]
    line = disputed.lines.filter(destination_class=DestinationClass.INTERNATIONAL).first()
    if line is not None and not disputed.disputes.exists() and not disputes.refusal(line):
        disputes.open_dispute(
            admin,
            line,
            "These international calls were not made by us: our PBX was compromised that "
            "weekend. Please review.",
        )


def _in_service_since(enterprise, first_closed):
    """The demo enterprise has been a customer since the first closed month: what it has in
    service was activated then, as its invoices bill it."""
    since = datetime.combine(first_closed, time(), ZoneInfo(enterprise.time_zone))
    for model in (Trunk, PhoneNumber):
        model.objects.filter(enterprise=enterprise, activated_at__gt=since).update(
            activated_at=since
        )

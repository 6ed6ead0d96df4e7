"""What the carrier charges: rate plans by package type, and the taxes and fees on invoices.

Staff keep them in the back office. A plan is effective from a day to a day (open-ended when it
has no end); plans of the same package type and enterprise never overlap, so one plan covers
each day. A change is a new plan from a later day: a closed month is never rated again, and the
plan that rated it stays as it was. An enterprise's own plan (its contract) comes before the
standard plan of its package type.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import Q

from phone_numbers.models import Kind as NumberKind
from trunks.models import Package

from .usage import DestinationClass, Direction

ZERO = Decimal(0)
NOT_NEGATIVE = [MinValueValidator(ZERO)]


def money(digits=10, places=2, **kwargs):
    return models.DecimalField(
        max_digits=digits, decimal_places=places, default=ZERO, validators=NOT_NEGATIVE, **kwargs
    )


class RatePlan(models.Model):
    """The charges of one package type over a span of days, for everyone or one enterprise."""

    name = models.CharField(max_length=80)
    package_type = models.CharField(max_length=10, choices=Package.Type)
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rate_plans",
        help_text="Empty for the standard plan; an enterprise's own plan comes before it.",
    )
    effective_from = models.DateField()
    effective_to = models.DateField(
        null=True, blank=True, help_text="The last day it applies; empty while it has no end."
    )
    # Billing increments: the first `first_increment` seconds of an answered call are billed
    # whole, then each started `next_increment` seconds (6/6 by default).
    first_increment = models.PositiveSmallIntegerField(default=6, validators=[MinValueValidator(1)])
    next_increment = models.PositiveSmallIntegerField(default=6, validators=[MinValueValidator(1)])
    connect_fee = money(10, 5, help_text="Per answered call.")
    package_monthly = money(help_text="Per package, monthly (a Bundle's charge).")
    included_channels = models.PositiveIntegerField(
        default=0, help_text="Channels (concurrent calls) a package's monthly charge includes."
    )
    channel_monthly = money(help_text="Per channel over the included ones, monthly.")
    cnam_monthly = money(
        verbose_name="CNAM monthly", help_text="Per number with a Caller ID (CNAM) listing."
    )
    e911_monthly = money(
        verbose_name="E911 monthly", help_text="Per number with an E911 registration."
    )
    port_fee = money(help_text="One-time, per number ported in.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["package_type", "enterprise_id", "-effective_from"]
        indexes = [models.Index(fields=["package_type", "enterprise", "effective_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="rate_plan_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name

    # What a plan that has rated a closed month may still change: a change of its charges is a
    # new plan from a later day, and this one ends the day before.
    CHANGEABLE_WHEN_CLOSED = frozenset({"name", "effective_to"})

    def clean(self):
        self._check_closed_months()
        if overlapping := self.overlapping().first():
            whose = "standard" if self.enterprise_id is None else "this enterprise's"
            kind = self.get_package_type_display()
            ends = (
                f"{overlapping.effective_to:%b %-d, %Y}" if overlapping.effective_to else "no end"
            )
            raise ValidationError(
                {
                    "effective_from": f"These days overlap {whose} {kind} plan “{overlapping}” "
                    f"({overlapping.effective_from:%b %-d, %Y} to {ends}): one plan covers each "
                    "day. End that plan the day before this one starts."
                }
            )

    def overlapping(self):
        """The other plans of the same package type and enterprise (or standard) that share a
        day with this one."""
        plans = RatePlan.objects.filter(
            package_type=self.package_type, enterprise_id=self.enterprise_id
        ).exclude(pk=self.pk)
        if self.effective_to is not None:
            plans = plans.filter(effective_from__lte=self.effective_to)
        return plans.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))

    def lock_overlaps(self):
        """Hold, until the transaction ends, every other check of the plans of this package
        type and enterprise: two staff saving overlapping plans at once are taken in turn."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('billing.rateplan'), hashtext(%s))",
                    [f"{self.package_type}:{self.enterprise_id or ''}"],
                )

    def closed_through(self):
        """The last day of the latest invoiced month this plan covers (any enterprise's for a
        standard plan), or None: its calls of those days are billed as it rated them."""
        from .invoices import Invoice

        invoices = Invoice.objects.filter(period_end__gte=self.effective_from)
        if self.effective_to is not None:
            invoices = invoices.filter(period_start__lte=self.effective_to)
        if self.enterprise_id is not None:
            invoices = invoices.filter(enterprise_id=self.enterprise_id)
        last = invoices.order_by("-period_end").values_list("period_end", flat=True).first()
        if last is not None and self.effective_to is not None:
            last = min(last, self.effective_to)
        return last

    def _check_closed_months(self):
        if self.pk is None:
            return
        stored = RatePlan.objects.filter(pk=self.pk).first()
        closed = stored.closed_through() if stored else None
        if closed is None:
            return
        changed = [
            field.name
            for field in self._meta.concrete_fields
            if field.name not in self.CHANGEABLE_WHEN_CLOSED
            and getattr(self, field.attname) != getattr(stored, field.attname)
        ]
        errors = dict.fromkeys(
            changed,
            f"This plan rated calls of invoiced months (through {closed:%b %-d, %Y}): "
            "a change of it is a new plan from a later day.",
        )
        if self.effective_to is not None and self.effective_to < closed:
            errors["effective_to"] = (
                f"This plan rated calls of invoiced months: it can end on {closed:%b %-d, %Y} "
                "at the earliest."
            )
        if errors:
            raise ValidationError(errors)


class NumberRate(models.Model):
    """A plan's charges for a kind of number: monthly, and once when ordered."""

    plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="number_rates")
    kind = models.CharField(max_length=16, choices=NumberKind)
    monthly = money()
    order_fee = money(help_text="One-time, per number ordered.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="number_rate_once")]

    def __str__(self):
        return f"{self.plan}: {self.get_kind_display()}"


class UsageRate(models.Model):
    """A plan's per-minute rate for calls of a direction and destination class.

    International calls take the rate whose prefix (country code and more digits, without the
    +) is the longest one the called number starts with; other classes have one rate with an
    empty prefix.
    """

    plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="usage_rates")
    direction = models.CharField(max_length=8, choices=Direction)
    destination_class = models.CharField(max_length=16, choices=DestinationClass)
    prefix = models.CharField(max_length=10, blank=True)
    description = models.CharField(max_length=80, blank=True)  # "United Kingdom mobile"
    per_minute = money(10, 5)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "direction", "destination_class", "prefix"],
                name="usage_rate_once",
            ),
            models.CheckConstraint(condition=Q(prefix__regex=r"^[0-9]*$"), name="prefix_digits"),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.get_destination_class_display()}" + (
            f" +{self.prefix}" if self.prefix else ""
        )

    def clean(self):
        if self.prefix and self.destination_class != DestinationClass.INTERNATIONAL:
            raise ValidationError(
                {"prefix": "Only international rates have a prefix; leave it empty."}
            )


class TaxRate(models.Model):
    """A tax or regulatory fee on invoices, effective from a day (the latest one started
    applies)."""

    class Kind(models.TextChoices):
        FEDERAL_USF = "federal_usf", "Federal USF (percent of interstate and international usage)"
        E911_FEE = "e911_fee", "E911 fee (per number, monthly)"
        SALES_TAX = "sales_tax", "State sales tax (percent of charges)"

    kind = models.CharField(max_length=12, choices=Kind)
    state = models.CharField(max_length=2, blank=True, help_text="Sales tax: the state's code.")
    rate = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        default=ZERO,
        validators=NOT_NEGATIVE,
        help_text="Percent, for USF and sales tax.",
    )
    amount = money(10, 4, help_text="Per number, for the E911 fee.")
    effective_from = models.DateField()

    class Meta:
        ordering = ["kind", "state", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "state", "effective_from"], name="tax_rate_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.state}".strip()

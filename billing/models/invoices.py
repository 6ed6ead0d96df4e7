"""Invoices: what an enterprise owes for a month, and what it owes still.

On the 1st the worker closes the month that ended for each enterprise (billing.invoicing): one
Invoice per enterprise and month (a unique key: closing twice makes one), its lines itemized
by section, each line's amount rounded once to the cent, and the invoice's totals the sums of
its lines. Payments (billing.payments) and credit notes lower an invoice's balance; the
account's balance is the sum of its invoices' balances.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.tenancy import tenant_manager

ZERO = Decimal(0)


class BillingProfile(models.Model):
    """An enterprise's billing settings: where invoices go, its tax state, AutoPay and spend
    alerts. Made with the enterprise's first invoice or setting."""

    enterprise = models.OneToOneField(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="billing_profile"
    )
    billing_email = models.EmailField(
        blank=True, help_text="Invoices, receipts and alerts go here, and to Administrators."
    )
    address_street = models.CharField("Street", max_length=120, blank=True)
    address_city = models.CharField("City", max_length=60, blank=True)
    address_state = models.CharField(
        "State", max_length=2, blank=True, help_text="Its sales tax applies."
    )
    address_zip = models.CharField("ZIP code", max_length=10, blank=True)
    tax_exempt = models.BooleanField(default=False, help_text="No sales tax (certificate on file).")
    autopay = models.BooleanField("AutoPay", default=False)
    autopay_method = models.ForeignKey(
        "billing.PaymentMethod", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Spend alerts: an e-mail at once when the month's charges so far, or one hour's
    # international charges, pass these.
    monthly_spend_threshold = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    international_hourly_threshold = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )

    objects = tenant_manager()

    def __str__(self):
        return f"Billing of {self.enterprise}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        RENDERING = "rendering", "Being prepared"  # lines made, PDF to come
        OPEN = "open", "Open"
        PAID = "paid", "Paid"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(max_length=30, unique=True)  # "<account number>-YYYYMM"
    period_start = models.DateField()  # the month's first day
    period_end = models.DateField()  # its last day
    # The hours (UTC) whose calls are the month's: its bounds in the enterprise's time zone
    # at the close. A zone changed later does not move them: the calls of the month loaded
    # after its close (late usage) are read from the same hours. Empty on invoices made by hand.
    usage_since = models.DateTimeField(null=True, blank=True)
    usage_until = models.DateTimeField(null=True, blank=True)
    issued_on = models.DateField()
    due_on = models.DateField()  # net 30
    status = models.CharField(max_length=10, choices=Status, default=Status.RENDERING)
    # Sums of the lines, by section, and what came before.
    previous_balance = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    recurring = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    one_time = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    usage = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    taxes = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)  # this month's
    # What has lowered it since: settled payments and credit notes.
    paid = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    credited = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    pdf = models.FileField(upload_to="invoices/%Y/%m/", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "period_start"], name="one_invoice_a_month"
            ),
            models.CheckConstraint(
                condition=Q(paid__lte=F("total") - F("credited")), name="invoice_not_overpaid"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "status", "due_on"])]

    def __str__(self):
        return self.number

    @property
    def balance(self):
        return self.total - self.paid - self.credited

    @property
    def amount_due(self):
        """What the invoice asked for: the balance brought forward and this month's total."""
        return self.previous_balance + self.total

    def settle(self):
        """PAID once nothing is left to pay (after a payment, a credit, or a month of nothing).
        An invoice still being prepared stays so: storing its PDF opens it, then settles it."""
        if self.status != self.Status.RENDERING and self.balance <= 0:
            self.status = self.Status.PAID


class InvoiceLine(models.Model):
    class Section(models.TextChoices):
        RECURRING = "recurring", "Monthly charges"
        ONE_TIME = "one_time", "One-time charges"
        USAGE = "usage", "Usage"
        TAX = "tax", "Taxes and regulatory fees"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    section = models.CharField(max_length=10, choices=Section)
    description = models.CharField(max_length=200)
    package = models.ForeignKey(
        "trunks.Package", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    destination_class = models.CharField(max_length=16, blank=True)
    # Usage lines: the direction of toll-free calls (billed apart; blank for the other classes),
    # and the month whose calls the line bills: the invoice's own, or an earlier invoiced
    # month whose calls loaded after its close (late usage). What a month's calls have been
    # billed is the sum of its lines, however many invoices they are on.
    direction = models.CharField(max_length=8, blank=True)
    usage_month = models.DateField(null=True, blank=True)  # its first day
    calls = models.PositiveIntegerField(null=True, blank=True)  # usage lines
    quantity = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=5, null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    # Whether Federal USF applies to the line (interstate and international usage).
    interstate = models.BooleanField(default=False)

    objects = tenant_manager()

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position")
        ]

    def __str__(self):
        return self.description


class CreditNote(models.Model):
    """An amount staff take off an invoice: a dispute upheld, a goodwill credit."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="credit_notes"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    line = models.ForeignKey(
        InvoiceLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_positive")]

    def __str__(self):
        return f"Credit {self.amount} on {self.invoice}"


class Dispute(models.Model):
    """A customer's objection to an invoice line, until staff resolve it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CREDITED = "credited", "Resolved with a credit"
        REJECTED = "rejected", "Resolved without a credit"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="disputes"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="disputes")
    line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="disputes")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    credit_note = models.OneToOneField(
        CreditNote, on_delete=models.SET_NULL, null=True, blank=True, related_name="dispute"
    )

    objects = tenant_manager()

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=Q(status="open"), name="one_open_dispute_a_line"
            )
        ]

    def __str__(self):
        return f"Dispute of {self.line}"


class SpendAlert(models.Model):
    """A spend threshold crossed: e-mailed at once, once per period, and listed for staff."""

    class Kind(models.TextChoices):
        MONTHLY_SPEND = "monthly_spend", "Monthly spend"
        INTERNATIONAL_SPIKE = "international_spike", "International traffic spike"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="spend_alerts"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    period_start = models.DateTimeField()  # the month, or the hour, that crossed it
    threshold = models.DecimalField(max_digits=12, decimal_places=2)
    spent = models.DecimalField(max_digits=14, decimal_places=2)
    sent_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "period_start"], name="spend_alert_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} over {self.threshold}"

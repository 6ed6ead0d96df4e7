"""Payments of invoices, through the payment gateway (billing.payments).

Card and bank details never reach the portal: the gateway's hosted page takes them and gives
back a token, which is all a saved PaymentMethod holds. Each Payment carries the idempotency key
the gateway is asked with, so a double click, a retried request or a retried job pays once; a
payment whose answer never came (a timeout) stays Pending until the gateway is asked what became
of it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.tenancy import tenant_manager


class MethodKind(models.TextChoices):
    CARD = "card", "Card"
    BANK = "bank", "Bank account (ACH)"


class PaymentMethod(models.Model):
    """A saved card or bank account: the gateway's token and what the customer recognizes it
    by."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="payment_methods"
    )
    kind = models.CharField(max_length=4, choices=MethodKind)
    token = models.CharField(max_length=100)
    label = models.CharField(max_length=60)  # "Visa ending 4242"
    expires = models.DateField(null=True, blank=True)  # cards: the month's last day
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "token"], name="payment_method_once")
        ]

    def __str__(self):
        return self.label


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # asked, no answer yet
        SUCCEEDED = "succeeded", "Paid"
        DECLINED = "declined", "Declined"
        FAILED = "failed", "Failed"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.PROTECT, related_name="payments"
    )
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    kind = models.CharField(max_length=4, choices=MethodKind)
    method = models.ForeignKey(
        PaymentMethod, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    method_label = models.CharField(max_length=60)  # as it was when paid
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    gateway_reference = models.CharField(max_length=64, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    autopay = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    # Asked again for a Pending payment's answer: how often, and when last.
    checks = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["enterprise", "-created_at"]),
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status="pending"),
                name="payment_pending",
            ),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self):
        return f"{self.amount} on {self.invoice}"

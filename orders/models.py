import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from core.tenancy import tenant_manager

from . import kinds

# No 0/O, 1/I/L: a reference read out over the phone cannot be misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6


def new_reference(prefix):
    """A fresh reference such as TO-7K3M9Q; uniqueness is the database's to enforce."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{code}"


class Order(models.Model):
    """An order of any kind (trunks now; numbers and ports later), with the shared lifecycle.

    The kind's own rows hang off it by a one-to-one key (trunks.TrunkOrder.order); the kind is
    registered in orders.kinds, which is how this app reaches them.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        IN_PROGRESS = "in_progress", "In Progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Rejected"

    OPEN = (Status.SUBMITTED, Status.IN_PROGRESS)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="orders"
    )
    reference = models.CharField(max_length=12, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=kinds.choices)
    customer_reference = models.CharField(
        "Order Reference ID",
        max_length=40,
        blank=True,
        help_text="Your own reference for this order, if you have one.",
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.SUBMITTED)
    rejection_reason = models.TextField(blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    placed_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The hidden token of the form that placed the order: a second submit of the same form
    # finds the first order instead of placing another.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = tenant_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "kind", "-placed_at", "-id"]),
            models.Index(fields=["enterprise", "kind", "status", "-placed_at", "-id"]),
            # Search by the customer's Order Reference ID (customer_reference__iexact).
            models.Index(
                F("enterprise"), Upper("customer_reference"), name="order_customer_reference"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "submission_key"],
                condition=Q(submission_key__isnull=False),
                name="order_submitted_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="rejected_order_has_a_reason",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def kind_info(self):
        return kinds.get(self.kind)

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def customer_may_cancel(self):
        """Customers may cancel until carrier staff start work on the order."""
        return self.status == self.Status.SUBMITTED

    def describe(self):
        return self.kind_info.describe(self)


class OrderEvent(models.Model):
    """One line of an order's timeline: who moved it from which status to which, and when."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as written: customers see "Carrier staff", never a staff member's name.
    actor_label = models.CharField(max_length=120)
    from_status = models.CharField(max_length=12, choices=Order.Status, blank=True)
    to_status = models.CharField(max_length=12, choices=Order.Status)
    note = models.TextField(blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at", "id"])]

    def __str__(self):
        return f"{self.order}: {self.get_to_status_display()}"

    @staticmethod
    def label_for(user):
        if user is None:
            return "The portal"
        if user.is_staff:
            return "Carrier staff"
        return user.get_full_name()

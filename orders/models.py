import operator
import secrets
import uuid
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from core.actors import CUSTOMER
from core.badges import badge
from core.tenancy import tenant_manager

from . import kinds
from .statuses import STATUS_LENGTH, OrderStatus

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

    Status = OrderStatus
    # The tone of each status's badge (core.badges), on every page and table; the other
    # statuses show as plain badges.
    STATUS_TONES = {
        Status.COMPLETED: "ok",
        Status.IN_PROGRESS: "warn",
        Status.REJECTED: "danger",
        Status.CANCELLED: "muted",
    }

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
    status = models.CharField(max_length=STATUS_LENGTH, choices=Status, default=Status.SUBMITTED)
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
    def status_tone(self):
        return self.STATUS_TONES.get(self.status, "")

    @property
    def status_badge(self):
        return badge(self.get_status_display(), self.status_tone)

    @property
    def kind_info(self):
        return kinds.get(self.kind)

    @property
    def is_open(self):
        return self.kind_info.lifecycle.is_open(self.status)

    @staticmethod
    def open_filter(path=""):
        """is_open as a filter: the orders open in their kind's lifecycle, Draft and Pending
        Documents too where a kind has them. path leads to the order from a kind's own rows:
        TrunkOrder.objects.filter(Order.open_filter("order__"))."""
        open_in_kind = (
            Q((f"{path}kind", kind.key))
            & Q((f"{path}status__in", sorted(kind.lifecycle.open_statuses)))
            for kind in kinds.all_kinds()
        )
        return reduce(operator.or_, open_in_kind, Q((f"{path}pk__in", [])))

    @property
    def customer_may_cancel(self):
        """What the kind's lifecycle says: by default until carrier staff start work."""
        return self.kind_info.lifecycle.allows(CUSTOMER, self.status, self.Status.CANCELLED)

    @property
    def may_order_again(self):
        return self.status in self.kind_info.lifecycle.order_again_from

    def describe(self):
        return self.kind_info.describe(self)


class OrderEvent(models.Model):
    """One line of an order's timeline: a status change, or an event its kind declares.

    A status change says who moved the order from which status to which, and when; another
    event ("LOA uploaded") may be about one part of the order (a port order's batch).
    """

    STATUS_CHANGED = "status"

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
    event_type = models.CharField(max_length=40, default=STATUS_CHANGED)
    part = models.CharField(max_length=60, blank=True, help_text="e.g. the batch of a port order")
    from_status = models.CharField(max_length=STATUS_LENGTH, choices=Order.Status, blank=True)
    to_status = models.CharField(max_length=STATUS_LENGTH, choices=Order.Status, blank=True)
    note = models.TextField(blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(event_type="status") | ~Q(to_status=""),
                name="status_event_has_a_status",
            ),
        ]

    def __str__(self):
        return f"{self.order}: {self.title}"

    @property
    def title(self):
        """What happened, as the timeline and e-mails say it: "Completed", "LOA uploaded"."""
        if self.event_type == self.STATUS_CHANGED:
            return self.get_to_status_display()
        return self.order.kind_info.event_type(self.event_type).label

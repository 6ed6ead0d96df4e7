"""The statuses of every kind of order: one vocabulary, of which each kind's lifecycle uses some."""

from django.db import models


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_DOCUMENTS = "pending_documents", "Pending Documents"
    SUBMITTED = "submitted", "Submitted"
    IN_PROGRESS = "in_progress", "In Progress"
    FOC_CONFIRMED = "foc_confirmed", "FOC Confirmed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    # For a port order "action required": the customer fixes it and submits again.
    REJECTED = "rejected", "Rejected"


STATUS_LENGTH = 20

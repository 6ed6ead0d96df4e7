"""The lifecycles of a port order and of each of its batches (orders.lifecycle)."""

from orders.lifecycle import Lifecycle
from orders.models import Order

Status = Order.Status

_LIVE = (
    Status.PENDING_DOCUMENTS,
    Status.SUBMITTED,
    Status.FOC_CONFIRMED,
    Status.COMPLETED,
    Status.REJECTED,
)
_OPEN = {Status.PENDING_DOCUMENTS, Status.SUBMITTED, Status.FOC_CONFIRMED, Status.REJECTED}

# Each batch, with its carrier. The portal sends a batch once the order's documents are in and
# follows the carrier's answers; the customer corrects and resubmits a rejected batch (a
# supplement) or cancels it (until 48 hours before its FOC date: submission.cancel_refusal);
# carrier staff make the carrier's moves by hand for a carrier worked by hand.
BATCH_LIFECYCLE = Lifecycle(
    statuses=(*_LIVE, Status.CANCELLED),
    customer_moves={
        Status.SUBMITTED: {Status.REJECTED},
        Status.CANCELLED: _OPEN,
    },
    staff_moves={
        Status.SUBMITTED: {Status.PENDING_DOCUMENTS, Status.REJECTED},
        Status.FOC_CONFIRMED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
        Status.COMPLETED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
        Status.REJECTED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
        Status.CANCELLED: _OPEN,
    },
    system_moves={
        Status.SUBMITTED: {Status.PENDING_DOCUMENTS},
        Status.FOC_CONFIRMED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
        Status.COMPLETED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
        Status.REJECTED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
        Status.CANCELLED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
    },
    initial=Status.PENDING_DOCUMENTS,
)

# The order: a Draft until submitted, then whatever its batches roll up to (the portal makes
# those moves). The customer and staff cancel the whole order; the portal cancels a draft left
# for 30 days (services.expire_drafts).
PORT_LIFECYCLE = Lifecycle(
    statuses=(Status.DRAFT, *_LIVE, Status.CANCELLED),
    customer_moves={
        Status.PENDING_DOCUMENTS: {Status.DRAFT},
        Status.CANCELLED: {Status.DRAFT, *_OPEN},
    },
    staff_moves={Status.CANCELLED: {Status.DRAFT, *_OPEN}},
    system_moves={
        **{to: {status for status in _OPEN if status != to} for to in _LIVE},
        Status.CANCELLED: {Status.DRAFT, *_OPEN},
    },
    initial=Status.DRAFT,
    also_placed_as=frozenset({Status.PENDING_DOCUMENTS}),
    cancelling=(
        "Every batch not ported yet is withdrawn from your current carrier. Once cancelled, "
        "the order cannot be reopened: place a new port order instead."
    ),
    parts=BATCH_LIFECYCLE,
)

"""Placing port orders: saving a draft, submitting, splitting the numbers into batches, and
expiring drafts nobody finished.

A port order is placed as a Draft (Save Draft) or, submitted at once, as Pending Documents: it
waits for the LOA and the invoice before its batches go to the carriers. A draft is submitted
later from its own page; both ways run check_submission() (rules.py) in the transaction.

Lock order: the order's row first (place_order inserts it; _locked_draft locks it), then the
port order's own rows.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone
from django_scopes import scopes_disabled

from core.actors import PORTAL
from core.phones import display_phone
from core.tenancy import enterprise_scope
from orders import services as order_services
from orders.models import Order
from orders.services import place_order
from phone_numbers.models import Kind, PhoneNumber
from phone_numbers.ordering import add_temporary_numbers

from .models import (
    ACCOUNT_FIELDS,
    ADDRESS_FIELDS,
    BATCH_SIZE,
    PortBatch,
    PortKind,
    PortList,
    PortNumber,
    PortOrder,
)
from .rules import check_submission

KIND = "port"
DRAFT_DAYS = 30
# A list the form checked but no order took is kept this long, for a form left open.
UNUSED_LIST_HOURS = 24
Status = Order.Status

# The PortOrder fields the form fills in.
FIELDS = (
    *ADDRESS_FIELDS,
    *ACCOUNT_FIELDS,
    "requested_at",
    "partial",
    "new_btn",
    "cnam",
    "e911_address",
    "notes",
    "temporary_numbers",
    "keep_temporary_numbers",
    "record_differences_confirmed",
)


@transaction.atomic
def save_draft(
    *,
    by,
    package,
    kind,
    values,
    port_list,
    order=None,
    reference="",
    submission_key=None,
    ip_address=None,
):
    """Save the port order as a Draft: a new one, or order (a draft) again. Returns the Order."""
    if order is None:
        order = place_order(
            enterprise=package.enterprise,
            kind=KIND,
            by=by,
            ip_address=ip_address,
            submission_key=submission_key,
            customer_reference=reference,
            details={"package": package.name},
            notify=False,
            status=Status.DRAFT,
        )
        PortOrder.objects.create(enterprise=package.enterprise, order=order, package=package)
    else:
        order = _locked_draft(order)
    _write(order, package=package, kind=kind, values=values, port_list=port_list)
    order.customer_reference = reference
    order.save(update_fields=["customer_reference", "updated_at"])
    return order


@transaction.atomic
def submit(
    *,
    by,
    package,
    kind,
    values,
    port_list,
    order=None,
    reference="",
    submission_key=None,
    ip_address=None,
    now=None,
    notify=True,
):
    """Submit the port order (a new one, or the draft order): it becomes Pending Documents,
    its numbers split into batches. Raises ValidationError by field for what is missing;
    notify=False places it without e-mail (the demo data)."""
    now = now or timezone.now()
    if order is None:
        order = place_order(
            enterprise=package.enterprise,
            kind=KIND,
            by=by,
            ip_address=ip_address,
            submission_key=submission_key,
            customer_reference=reference,
            details={"package": package.name, "numbers": port_list.total if port_list else 0},
            status=Status.PENDING_DOCUMENTS,
            notify=notify,
        )
        PortOrder.objects.create(enterprise=package.enterprise, order=order, package=package)
    else:
        order = _locked_draft(order, submitted_is_done=True)
        if order.status != Status.DRAFT:
            return order  # the same draft submitted twice: the first submit placed it
    if port_list is not None:
        # Locked, so that Remove numbers with errors in another tab waits for the order.
        port_list = PortList.objects.select_for_update().get(pk=port_list.pk)
    check_submission(kind=kind, values=values, port_list=port_list, now=now)
    port_order = _write(order, package=package, kind=kind, values=values, port_list=port_list)
    if order.status == Status.DRAFT:
        order.customer_reference = reference
        order.save(update_fields=["customer_reference", "updated_at"])
        order_services.move(
            order, Status.PENDING_DOCUMENTS, by=by, ip_address=ip_address, notify=notify
        )
    _make_batches(port_order)
    _add_temporary_numbers(order, port_order, by=by)
    return order


def _add_temporary_numbers(order, port_order, *, by):
    """The temporary numbers the order asks for, near the first number it ports; once."""
    quantity = port_order.temporary_numbers
    if not quantity or PhoneNumber.objects.filter(order=order, kind=Kind.TEMPORARY).exists():
        return
    first = PortNumber.objects.filter(port_list=port_order.port_list).values_list("e164", flat=True)
    first = first.first() or ""
    area_code = first[2:5] if port_order.kind == PortKind.US_DOMESTIC and first[:2] == "+1" else ""
    numbers = add_temporary_numbers(
        order=order, package=port_order.package, quantity=quantity, area_code=area_code, by=by
    )
    listed = ", ".join(display_phone(number.e164) for number in numbers[:10])
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    keep = "kept" if port_order.keep_temporary_numbers else "released"
    order_services.note_event(
        order,
        "temporary_numbers",
        by=by,
        message=f"In service until the port completes, then {keep}: {listed}{more}",
    )


def _locked_draft(order, *, submitted_is_done=False):
    """The draft order, locked; ValidationError when it is a draft no more (with
    submitted_is_done, the order as it is when it has just been submitted)."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if submitted_is_done and locked.status == Status.PENDING_DOCUMENTS:
        return locked
    if locked.status != Status.DRAFT:
        raise ValidationError(
            f"Order {locked.reference} is {locked.get_status_display()}: it is no longer a "
            "draft, so it cannot be changed here."
        )
    return locked


def _write(order, *, package, kind, values, port_list):
    port_order = PortOrder.objects.select_for_update().get(order=order)
    previous_list_id = port_order.port_list_id
    if (
        port_list is not None
        and PortOrder.objects.filter(port_list=port_list).exclude(pk=port_order.pk).exists()
    ):
        raise ValidationError(
            {"port_numbers": "These numbers belong to another port order: paste them again."}
        )
    port_order.package = package
    port_order.kind = kind
    port_order.port_list = port_list
    for field in FIELDS:
        default = PortOrder._meta.get_field(field).get_default()
        setattr(port_order, field, values.get(field, default))
    port_order.save()
    order.port = port_order  # what the caller reads of the order is what was saved
    if previous_list_id and previous_list_id != (port_list.pk if port_list else None):
        PortList.objects.filter(pk=previous_list_id).delete()
    return port_order


def _make_batches(port_order):
    """One batch per current carrier, at most BATCH_SIZE numbers each, in the list's order."""
    if port_order.batches.exists():
        return  # submitted already: a second submit of the same draft changes nothing
    numbers = PortNumber.objects.filter(port_list=port_order.port_list)
    carriers = (
        numbers.values("carrier", "spid")
        .annotate(count=Count("id"), first=Min("position"))
        .order_by("first")
    )
    reference = port_order.order.reference
    batches, sequence = [], 0
    for carrier in carriers:
        for start in range(0, carrier["count"], BATCH_SIZE):
            sequence += 1
            batches.append(
                PortBatch(
                    enterprise_id=port_order.enterprise_id,
                    port_order=port_order,
                    sequence=sequence,
                    reference=f"{reference}-{sequence}",
                    carrier=carrier["carrier"],
                    spid=carrier["spid"],
                    number_count=min(BATCH_SIZE, carrier["count"] - start),
                )
            )
    PortBatch.objects.bulk_create(batches)
    _assign_batches(port_order)


def _assign_batches(port_order):
    """Each number's batch: the n-th number of a carrier goes to its carrier's n // 500-th
    batch. One statement, whatever the number of numbers."""
    sql = ASSIGN_BATCHES.format(  # noqa: S608 - names from the models, values as parameters
        numbers=PortNumber._meta.db_table, batches=PortBatch._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"size": BATCH_SIZE, "list": port_order.port_list_id, "order": port_order.pk}
        )


ASSIGN_BATCHES = """
    WITH ranked AS (
        SELECT id, carrier, spid,
               (ROW_NUMBER() OVER (PARTITION BY carrier, spid ORDER BY position) - 1)
               / %(size)s AS chunk
        FROM {numbers}
        WHERE port_list_id = %(list)s
    ),
    numbered AS (
        SELECT id, carrier, spid,
               ROW_NUMBER() OVER (PARTITION BY carrier, spid ORDER BY sequence) - 1 AS chunk
        FROM {batches}
        WHERE port_order_id = %(order)s
    )
    UPDATE {numbers} SET batch_id = numbered.id
    FROM ranked JOIN numbered
      ON numbered.carrier = ranked.carrier AND numbered.spid = ranked.spid
     AND numbered.chunk = ranked.chunk
    WHERE {numbers}.id = ranked.id
"""


def expire_drafts():
    """Cancel the port order drafts nobody has saved for DRAFT_DAYS days, as the portal.

    Daily, from the cron process. cancel() locks each order and does nothing to one submitted
    or cancelled meanwhile, so a run twice, or late, does no harm. Returns how many expired.
    """
    due = timezone.now() - timedelta(days=DRAFT_DAYS)
    with scopes_disabled():
        drafts = list(
            Order.objects.filter(kind=KIND, status=Status.DRAFT, updated_at__lt=due).order_by(
                "updated_at", "id"
            )
        )
    expired = 0
    for order in drafts:
        with enterprise_scope(order.enterprise_id):
            try:
                order_services.move(
                    order,
                    Status.CANCELLED,
                    by=PORTAL,
                    note=f"The draft was not submitted within {DRAFT_DAYS} days.",
                )
            except ValidationError:
                continue
        expired += 1
    return expired


def delete_unused_lists():
    """Delete the Port Numbers lists no order took, once a form left open has surely gone.

    Daily, from the cron process; harmless when run twice.
    """
    due = timezone.now() - timedelta(hours=UNUSED_LIST_HOURS)
    with scopes_disabled():
        deleted, _ = PortList.objects.filter(created_at__lt=due, port_order__isnull=True).delete()
    return deleted

"""Port batches with their carriers: sent once the documents are in, exactly once; followed to
their FOC date and completion; rejected, corrected and resubmitted; cancelled.

Every batch moves by BATCH_LIFECYCLE (order_kind.py) and its order's status follows, rolled up
from its batches' (orders.lifecycle.roll_up). Every exchange with a carrier is a
CarrierExchange for staff, and what it changes is an event on the order's timeline.

Sending a batch happens exactly once per version, however the work is interrupted:
- the batch becomes Submitted in the transaction that completes its documents, which also
  records its sending as a core Job (start_job): queued after the commit, found by the sweep
  when the queueing was lost, run again when its worker died, claimed before each attempt;
- send_batch writes a CarrierExchange "submit" before it calls the carrier. An attempt that
  finds one for the same version may have reached the carrier already: it asks the carrier
  (find) before it sends, and records the carrier's answer if it has one;
- the carrier's answer is recorded with the batch locked, and only for the version it answers.

Lock order: the order's row, then its port order, then its batches by id.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from core.actors import CUSTOMER, PORTAL, as_actor
from core.jobs import retry_policy, start_job
from core.models import Job
from core.tenancy import enterprise_scope
from orders import services as order_services
from orders.lifecycle import roll_up
from orders.models import Order
from phone_numbers.ordering import add_ported_numbers, release_temporary_numbers

from . import calendar
from .carriers import REJECTION_REASONS, CarrierUnavailable, PortRequest, RequestState, gateway
from .lifecycle import BATCH_LIFECYCLE
from .models import (
    ACCOUNT_FIELDS,
    ADDRESS_FIELDS,
    CarrierExchange,
    PortBatch,
    PortDocument,
    PortNumber,
    PortOrder,
)
from .permissions import VIEW_PORTS

Status = Order.Status
# A batch may be cancelled until this long before its FOC date (Eastern, at the start of day).
CANCEL_BEFORE_FOC = timedelta(hours=48)
# FOC reminders are e-mailed this many days before the FOC date.
REMINDER_DAYS = (3, 1)
REQUIRED_DOCUMENTS = {PortDocument.Kind.LOA: "signed LOA", PortDocument.Kind.INVOICE: "invoice"}


def missing_documents(port_order):
    """The words for the documents the order still needs before its batches are sent."""
    present = set(
        port_order.documents.filter(kind__in=REQUIRED_DOCUMENTS).values_list("kind", flat=True)
    )
    return [words for kind, words in REQUIRED_DOCUMENTS.items() if kind not in present]


def documents_added(port_order, *, by, notify=True):
    """Send the order's batches if its documents are now complete; in the caller's transaction.

    Called after each document is stored. Does nothing while a document is missing, or once the
    batches have gone (an invoice uploaded again later).
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=port_order.order_id)
        if order.status != Status.PENDING_DOCUMENTS or missing_documents(port_order):
            return
        batches = (
            PortBatch.objects.select_for_update(of=("self",))
            .select_related("port_order__enterprise")
            .filter(port_order=port_order, status=Status.PENDING_DOCUMENTS)
        )
        for batch in batches.order_by("id"):
            _move(batch, Status.SUBMITTED, by=PORTAL)
            _start_sending(batch, created_by=by)
        _roll_up(order, notify=notify)


def _start_sending(batch, *, created_by=None):
    batch.submit_job = start_job(
        send_batch,
        batch.pk,
        batch.version,
        title=f"Send batch {batch.reference} to {batch.carrier}",
        permission=VIEW_PORTS,
        enterprise=batch.port_order.enterprise,
        created_by=as_actor(created_by).user,
    )
    batch.save(update_fields=["submit_job"])


def _port_request(batch):
    port_order = batch.port_order
    numbers = PortNumber.objects.filter(batch=batch).order_by("position")
    return PortRequest(
        pon=batch.reference,
        version=batch.version,
        kind=port_order.kind,
        carrier=batch.carrier,
        spid=batch.spid,
        numbers=tuple(numbers.values_list("e164", flat=True)),
        has_wireless=numbers.filter(line_type="wireless").exists(),
        account_holder=port_order.account_holder,
        account_number=port_order.account_number,
        account_pin=port_order.account_pin,
        btn=port_order.btn,
        address={
            part: getattr(port_order, f"address_{part}")
            for part in ("number", "street", "unit", "city", "state", "postal_code", "country")
        },
        authorized_name=port_order.authorized_name,
        authorized_title=port_order.authorized_title,
        partial=port_order.partial,
        new_btn=port_order.new_btn,
        requested_at=port_order.requested_at or timezone.now(),
    )


@retry_policy(waits=(30, 120, 600, 1800, 3600), timeout=120)
def send_batch(job, batch_id, version):
    """Send version `version` of the batch to its carrier, unless the carrier has it already.

    Runs outside any transaction, so that what is written before the call stays written if the
    call never returns. CarrierUnavailable is raised again: the job is retried with backoff, and
    staff are alerted when the attempts run out (the batch stays Submitted, waiting for them).
    """
    batch = PortBatch.objects.select_related("port_order__order").get(pk=batch_id)
    order_url = reverse("orders:order_detail", args=[batch.port_order.order.public_id])
    if (
        batch.status != Status.SUBMITTED
        or batch.version != version
        or batch.sent_version == version
    ):
        return order_url  # sent already, superseded by a supplement, or cancelled meanwhile
    carrier = gateway()
    exchanges = CarrierExchange.objects.filter(batch=batch, version=version)
    answer = None
    if exchanges.filter(call=CarrierExchange.Call.SUBMIT).exists():
        answer = _call(
            batch, CarrierExchange.Call.FIND, lambda: carrier.find(batch.reference, version)
        )
    if answer is None:
        answer = _call(
            batch, CarrierExchange.Call.SUBMIT, lambda: carrier.submit(_port_request(batch))
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=batch.port_order.order_id)
        batch = PortBatch.objects.select_for_update().select_related("port_order").get(pk=batch_id)
        if batch.status != Status.SUBMITTED or batch.version != version:
            return order_url
        if batch.sent_version != version:
            batch.sent_version = version
            batch.sent_at = timezone.now()
            batch.carrier_reference = answer.carrier_reference
            batch.save(update_fields=["sent_version", "sent_at", "carrier_reference"])
            supplement = f"supplement {version} " if version else ""
            _note(
                order,
                batch,
                "batch_sent",
                by=PORTAL,
                message=(
                    f"Sent {supplement}to {batch.carrier}: {batch.number_count:,} numbers"
                    + (
                        f", carrier reference {answer.carrier_reference}"
                        if answer.carrier_reference
                        else ""
                    )
                ),
            )
        _apply(order, batch, answer)
    return order_url


def _call(batch, call, ask):
    """Ask the carrier, keeping the exchange: written before the call, completed after it."""
    exchange = CarrierExchange.objects.create(
        enterprise_id=batch.enterprise_id,
        batch=batch,
        call=call,
        version=batch.version,
        ok=False,
        summary="Asked; no answer yet.",
    )
    try:
        answer = ask()
    except CarrierUnavailable as error:
        exchange.summary = f"No answer: {error}"[:300]
        exchange.save(update_fields=["summary"])
        raise
    exchange.ok = True
    exchange.summary = (answer.in_words() if answer else "not known to the carrier")[:300]
    exchange.answer = answer.as_json() if answer else {}
    exchange.save(update_fields=["ok", "summary", "answer"])
    return answer


def poll_carriers():
    """Ask the carriers where each batch they have stands, and record what changed.

    Every minute, from the cron process, as the portal. Each batch is recorded with its order
    locked, and only an answer for the version sent counts, so a run twice, or late, does no
    harm. Returns how many batches changed.
    """
    with scopes_disabled():
        waiting = list(
            PortBatch.objects.filter(
                status__in=[Status.SUBMITTED, Status.FOC_CONFIRMED], sent_version__isnull=False
            )
            .order_by("id")
            .values_list("id", "enterprise_id")
        )
    changed = 0
    carrier = gateway()
    for batch_id, enterprise_id in waiting:
        with enterprise_scope(enterprise_id):
            batch = PortBatch.objects.select_related("port_order__order").get(pk=batch_id)
            try:
                answer = carrier.status(batch.reference, batch.sent_version)
            except CarrierUnavailable:
                continue  # asked again next minute
            if _news(batch, answer):
                CarrierExchange.objects.create(
                    enterprise_id=enterprise_id,
                    batch=batch,
                    call=CarrierExchange.Call.STATUS,
                    version=answer.version,
                    summary=answer.in_words()[:300],
                    answer=answer.as_json(),
                )
                with transaction.atomic():
                    order = Order.objects.select_for_update().get(pk=batch.port_order.order_id)
                    batch = PortBatch.objects.select_for_update().get(pk=batch_id)
                    changed += _apply(order, batch, answer)
    return changed


def _news(batch, answer):
    if answer.version != batch.sent_version:
        return False
    if answer.state == RequestState.FOC:
        return batch.status != Status.FOC_CONFIRMED or batch.foc_date != answer.foc_date
    return answer.state in (RequestState.REJECTED, RequestState.COMPLETED, RequestState.CANCELLED)


def _apply(order, batch, answer):
    """Record the carrier's answer on the locked batch; whether it changed anything."""
    if answer.version != batch.sent_version or batch.status not in (
        Status.SUBMITTED,
        Status.FOC_CONFIRMED,
    ):
        return False
    if answer.state == RequestState.FOC and answer.foc_date:
        set_foc(batch, answer.foc_date, by=PORTAL, order=order)
    elif answer.state == RequestState.REJECTED:
        reject(batch, [(r.code, r.message) for r in answer.rejections], by=PORTAL, order=order)
    elif answer.state == RequestState.COMPLETED:
        complete(batch, by=PORTAL, order=order)
    elif answer.state == RequestState.CANCELLED:
        _cancel_locked(order, batch, by=PORTAL, note="Cancelled by the current carrier.")
        _roll_up(order)
    else:
        return False
    return True


def _move(batch, to_status, *, by):
    actor = as_actor(by)
    if batch.status == to_status and to_status != Status.FOC_CONFIRMED:
        return False
    if not BATCH_LIFECYCLE.allows(actor.role, batch.status, to_status):
        raise ValidationError(
            f"Batch {batch.reference} is {batch.get_status_display()}: it cannot be moved to "
            f"{Status(to_status).label}."
        )
    batch.status = to_status
    batch.save(update_fields=["status"])
    return True


def _locked(batch, order=None):
    """The order (locked first) and the batch, locked; as passed when the caller holds them."""
    if order is not None:
        return order, batch
    order = Order.objects.select_for_update().get(pk=batch.port_order.order_id)
    return order, PortBatch.objects.select_for_update().select_related("port_order").get(
        pk=batch.pk
    )


def _note(order, batch, event_type, *, by, message, ip_address=None):
    """An event of the batch on its order's timeline."""
    order_services.note_event(
        order,
        event_type,
        by=by,
        ip_address=ip_address,
        part=f"Batch {batch.reference}",
        message=message,
    )


def _roll_up(order, note="", notify=True):
    statuses = list(
        PortBatch.objects.filter(port_order__order=order).values_list("status", flat=True)
    )
    if not statuses:
        return
    status = roll_up(statuses)
    if status != order.status:
        order_services.move(order, status, by=PORTAL, note=note, notify=notify)


@transaction.atomic
def set_foc(batch, foc_date, *, by, order=None, notify=True):
    """The carrier's Firm Order Commitment: the batch's numbers are released on foc_date."""
    order, batch = _locked(batch, order)
    changed_date = batch.status == Status.FOC_CONFIRMED and batch.foc_date != foc_date
    if batch.status == Status.FOC_CONFIRMED and not changed_date:
        return batch
    _move(batch, Status.FOC_CONFIRMED, by=by)
    batch.foc_date = foc_date
    batch.foc_confirmed_at = batch.foc_confirmed_at or timezone.now()
    batch.reminded_days_before = None
    batch.save(update_fields=["foc_date", "foc_confirmed_at", "reminded_days_before"])
    _note(
        order,
        batch,
        "batch_foc",
        by=by,
        message=f"{'FOC date moved to' if changed_date else 'FOC date'} {foc_date:%Y-%m-%d}",
    )
    _roll_up(order, note=_foc_dates(order), notify=notify)
    return batch


def _foc_dates(order):
    dates = PortBatch.objects.filter(
        port_order__order=order, status=Status.FOC_CONFIRMED
    ).values_list("reference", "foc_date")
    return "FOC dates: " + ", ".join(f"{ref} on {day:%Y-%m-%d}" for ref, day in dates)


@transaction.atomic
def reject(batch, reasons, *, by, order=None, notify=True):
    """The carrier (or staff, for a carrier worked by hand) rejects the batch.

    reasons: [(code, message)], codes of REJECTION_REASONS; an empty message takes the code's.
    """
    if not reasons:
        raise ValidationError({"reasons": "Give at least one reason: the customer fixes it."})
    rejection = []
    for code, message in reasons:
        if code not in REJECTION_REASONS:
            raise ValidationError({"reasons": f"Unknown rejection reason {code!r}."})
        rejection.append({"code": code, "message": message or REJECTION_REASONS[code][0]})
    order, batch = _locked(batch, order)
    if not _move(batch, Status.REJECTED, by=by):
        return batch
    batch.rejection = rejection
    batch.rejection_count += 1
    batch.foc_date = None
    batch.save(update_fields=["rejection", "rejection_count", "foc_date"])
    words = " ".join(reason["message"] for reason in rejection)
    _note(order, batch, "batch_rejected", by=by, message=words)
    _roll_up(
        order,
        note=f"Batch {batch.reference}: {words} Correct the order and resubmit it.",
        notify=notify,
    )
    return batch


@transaction.atomic
def complete(batch, *, by, order=None, notify=True):
    """The batch's numbers are ported: they go into service in the order's package."""
    order, batch = _locked(batch, order)
    if not _move(batch, Status.COMPLETED, by=by):
        return batch
    batch.completed_at = timezone.now()
    batch.save(update_fields=["completed_at"])
    port_order = PortOrder.objects.select_related("package", "e911_address").get(
        pk=batch.port_order_id
    )
    added = add_ported_numbers(
        order=order,
        package=port_order.package,
        kind=port_order.kind,
        e164s=list(PortNumber.objects.filter(batch=batch).values_list("e164", flat=True)),
        cnam=port_order.cnam,
        e911_address=port_order.e911_address,
        by=by,
    )
    _note(
        order,
        batch,
        "batch_completed",
        by=by,
        message=f"{added:,} numbers ported into {port_order.package.name}",
    )
    _roll_up(order, notify=notify)
    return batch


@transaction.atomic
def staff_send(batch, *, by):
    """Staff send the batch to its carrier (again): after its sending failed for good, or to
    submit a batch still waiting for documents that reached them another way."""
    order, batch = _locked(batch)
    refusal = send_refusal(batch, by=by)
    if refusal:
        raise ValidationError(refusal)
    if batch.status == Status.PENDING_DOCUMENTS:
        _move(batch, Status.SUBMITTED, by=by)
    _start_sending(batch, created_by=by)
    _roll_up(order)
    return batch


def send_refusal(batch, *, by):
    """Why by may not send the batch to its carrier now (staff_send), or None."""
    if batch.status == Status.PENDING_DOCUMENTS:
        if BATCH_LIFECYCLE.allows(as_actor(by).role, batch.status, Status.SUBMITTED):
            return None
        return "Only carrier staff send a batch before its documents are in."
    if not batch.awaits_sending:
        return f"Batch {batch.reference} has nothing to send: it is {batch.get_status_display()}."
    if batch.submit_job and batch.submit_job.status not in Job.FINISHED:
        return f"Batch {batch.reference} is being sent already."
    return None


def cancel_refusal(batch, now=None):
    """Why the batch can no longer be cancelled, or None."""
    if batch.status == Status.FOC_CONFIRMED and batch.foc_date:
        release = datetime.combine(batch.foc_date, time(0), tzinfo=calendar.EASTERN)
        if release - (now or timezone.now()) < CANCEL_BEFORE_FOC:
            return (
                f"Batch {batch.reference} ports on {batch.foc_date:%Y-%m-%d}: within 48 hours "
                "of its FOC date it can no longer be cancelled here. Contact support."
            )
    return None


def order_move_refusal(order, to_status, *, by):
    """OrderKind.move_refusal: an order with batches ported already is not cancelled as a whole,
    and a customer cancels only until 48 hours before a batch's FOC date."""
    if to_status != Status.CANCELLED:
        return None
    batches = PortBatch.objects.filter(port_order__order=order)
    if batches.filter(status=Status.COMPLETED).exists():
        return (
            f"Order {order.reference} has batches ported already: it can no longer be cancelled "
            "as a whole. Contact support to stop the others."
        )
    if by.role != CUSTOMER:
        return None
    for batch in batches.filter(status=Status.FOC_CONFIRMED):
        refusal = cancel_refusal(batch)
        if refusal:
            return refusal
    return None


def on_order_status_changed(order, *, before, by):
    """Cancelling the order (customer or staff) cancels its open batches with it; once the port
    has completed or is cancelled, its temporary numbers are released unless kept."""
    if order.status in (Status.COMPLETED, Status.CANCELLED):
        port_order = PortOrder.objects.get(order=order)
        if not port_order.keep_temporary_numbers:
            words = order.get_status_display().lower()
            release_temporary_numbers(order, by=by, reason=f"Released: the port was {words}")
    if order.status != Status.CANCELLED:
        return
    batches = PortBatch.objects.select_for_update().filter(port_order__order=order).order_by("id")
    for batch in batches:
        if batch.status in (
            Status.PENDING_DOCUMENTS,
            Status.SUBMITTED,
            Status.FOC_CONFIRMED,
            Status.REJECTED,
        ):
            _cancel_locked(order, batch, by=by)


def _cancel_locked(order, batch, *, by, note=""):
    with_carrier = batch.sent_version is not None and batch.status in (
        Status.SUBMITTED,
        Status.FOC_CONFIRMED,
    )
    batch.status = Status.CANCELLED
    batch.save(update_fields=["status"])
    _note(
        order,
        batch,
        "batch_cancelled",
        by=by,
        message=note or ("Withdrawn from the current carrier." if with_carrier else ""),
    )
    if with_carrier and as_actor(by) != PORTAL:
        start_job(
            withdraw_batch,
            batch.pk,
            title=f"Withdraw batch {batch.reference} from {batch.carrier}",
            permission=VIEW_PORTS,
            enterprise=order.enterprise,
        )


@retry_policy(waits=(30, 120, 600, 1800), timeout=120)
def withdraw_batch(job, batch_id):
    """Tell the carrier a cancelled batch is withdrawn; harmless when repeated."""
    batch = PortBatch.objects.get(pk=batch_id)
    _call(
        batch,
        CarrierExchange.Call.CANCEL,
        lambda: gateway().cancel(batch.reference, batch.sent_version),
    )
    return ""


def recover_batches():
    """Start sending the Submitted batches nothing is sending: no sending was recorded, or its
    record was lost. A batch whose sending failed for good is left for staff (Send to carrier).

    Every five minutes, from the cron process; core's sweep (recover_jobs) queues the jobs
    themselves again. Returns how many batches it started.
    """
    with scopes_disabled():
        lost = list(
            PortBatch.objects.filter(status=Status.SUBMITTED, submit_job__isnull=True)
            .filter(Q(sent_version__isnull=True) | ~Q(sent_version=F("version")))
            .values_list("id", "port_order__order_id", "enterprise_id")
        )
    started = 0
    for batch_id, order_id, enterprise_id in lost:
        with enterprise_scope(enterprise_id), transaction.atomic():
            Order.objects.select_for_update().get(pk=order_id)
            batch = (
                PortBatch.objects.select_for_update().select_related("port_order").get(pk=batch_id)
            )
            if batch.awaits_sending and batch.submit_job_id is None:
                _start_sending(batch)
                started += 1
    return started


# What a customer may correct after a rejection, besides uploading a new LOA.
CORRECTABLE = (*ADDRESS_FIELDS, *ACCOUNT_FIELDS, "partial", "new_btn")


def rejected_fields(port_order):
    """{field: [the carrier's messages]} of the order's rejected batches; "" holds the reasons
    that name no field (a new LOA, or the carrier's own words)."""
    fields = {}
    for batch in port_order.batches.filter(status=Status.REJECTED):
        for reason in batch.rejection:
            names = REJECTION_REASONS.get(reason["code"], REJECTION_REASONS["other"])[1] or ("",)
            for name in names:
                messages = fields.setdefault(name, [])
                if reason["message"] not in messages:
                    messages.append(reason["message"])
    return fields


@transaction.atomic
def resubmit(order, values, *, by, ip_address=None):
    """Send the corrected order's rejected batches to their carriers again, as supplements.

    values holds the CORRECTABLE fields as corrected. Refused when nothing the carriers
    rejected has changed: a field they named, or for a reason that names none (an unreadable
    LOA), a new signed LOA or some other correction.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Status.REJECTED:
        raise ValidationError(
            f"Order {order.reference} is {order.get_status_display()}: only a rejected order "
            "is corrected and resubmitted."
        )
    port_order = PortOrder.objects.select_for_update().get(order=order)
    rejected = rejected_fields(port_order)
    changed = {
        name
        for name in CORRECTABLE
        if values.get(name, getattr(port_order, name)) != getattr(port_order, name)
    }
    last_rejection = (
        order.events.filter(event_type="batch_rejected")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    new_loa = bool(
        last_rejection
        and port_order.documents.filter(
            kind=PortDocument.Kind.LOA, uploaded_at__gt=last_rejection
        ).exists()
    )
    named = set(rejected) - {""}
    fixed = bool(changed & named) or ("" in rejected and (new_loa or changed))
    if not fixed and named:
        raise ValidationError(
            dict.fromkeys(
                named, "The current carrier rejected this: correct it before you resubmit."
            )
        )
    if not fixed:
        raise ValidationError("Upload a new signed LOA or correct the order before you resubmit.")
    for name in changed:
        setattr(port_order, name, values[name])
    port_order.save(update_fields=sorted(changed) or None)
    corrected = ", ".join(sorted(PortOrder._meta.get_field(name).verbose_name for name in changed))
    batches = PortBatch.objects.select_for_update().filter(
        port_order=port_order, status=Status.REJECTED
    )
    for batch in batches.order_by("id"):
        _move(batch, Status.SUBMITTED, by=by)
        batch.version += 1
        batch.save(update_fields=["version"])
        _note(
            order,
            batch,
            "batch_resubmitted",
            by=by,
            ip_address=ip_address,
            message=f"Supplement {batch.version}"
            + (f"; corrected: {corrected}" if corrected else ""),
        )
        _start_sending(batch, created_by=by)
    _roll_up(order)
    return order


def remind_foc():
    """E-mail the orderers of batches whose FOC date is 3 days, then 1 day, away (Eastern).

    Daily, from the cron process, as the portal. Each batch records the last reminder sent, so
    a run twice, or late, sends each reminder once. Returns how many reminders it sent.
    """
    today = timezone.now().astimezone(calendar.EASTERN).date()
    sent = 0
    for days in REMINDER_DAYS:
        with scopes_disabled():
            due = list(
                PortBatch.objects.filter(
                    status=Status.FOC_CONFIRMED, foc_date=today + timedelta(days=days)
                )
                .filter(Q(reminded_days_before__isnull=True) | Q(reminded_days_before__gt=days))
                .values_list("id", "port_order__order_id", "enterprise_id")
            )
        for batch_id, order_id, enterprise_id in due:
            with enterprise_scope(enterprise_id), transaction.atomic():
                order = Order.objects.select_for_update().get(pk=order_id)
                batch = PortBatch.objects.select_for_update().get(pk=batch_id)
                if batch.status != Status.FOC_CONFIRMED or (
                    batch.reminded_days_before is not None and batch.reminded_days_before <= days
                ):
                    continue
                batch.reminded_days_before = days
                batch.save(update_fields=["reminded_days_before"])
                _note(
                    order,
                    batch,
                    "foc_reminder",
                    by=PORTAL,
                    message=(
                        f"{batch.number_count:,} numbers port from {batch.carrier} on "
                        f"{batch.foc_date:%Y-%m-%d}, in {days} day{'s' if days != 1 else ''}."
                    ),
                )
                sent += 1
    return sent

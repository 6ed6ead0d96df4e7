"""Port batches with their carriers: sent once the documents are in, exactly once, followed to
FOC and completion; rejections corrected and resubmitted; cancelling; FOC reminders."""

from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from core.actors import PORTAL
from core.jobs import run_job
from core.models import Job
from orders import services as order_services
from orders.models import Order
from phone_numbers.models import NumberCount, PhoneNumber
from porting import submission
from porting.carriers import CarrierUnavailable
from porting.carriers.sandbox import SandboxGateway
from porting.models import CarrierExchange, PortBatch, PortDocument, SandboxPortRequest
from tests.scopes import as_a_server

from .factories import add_document, submitted_order, with_documents

Status = Order.Status
DENVER = [f"+1303747{4100 + n}" for n in range(3)]
CHICAGO = ["+13122630150", "+13122630151"]


class CarrierDown(SandboxGateway):
    """The sandbox, unreachable for port requests."""

    def submit(self, request):
        raise CarrierUnavailable("connection timed out")

    def find(self, pon, version):
        raise CarrierUnavailable("connection timed out")


@pytest.fixture(autouse=True)
def _real_time_carrier(settings):
    settings.PORT_SANDBOX_DAY_SECONDS = 86400


def carrier_time_passes(**since):
    """Move what the sandbox carrier received back in time, as if the time had passed."""
    earlier = timedelta(**since)
    SandboxPortRequest.objects.update(
        received_at=F("received_at") - earlier, completes_at=F("completes_at") - earlier
    )


def batches(order):
    return list(PortBatch.objects.filter(port_order__order=order).order_by("sequence"))


def send(action, capture, run_jobs):
    """Do action, queue what it started after the commit, and run it in the worker."""
    with capture(execute=True):
        result = action()
    run_jobs()
    return result


def poll():
    with as_a_server():
        return submission.poll_carriers()


def test_batches_wait_for_both_the_signed_loa_and_the_invoice(acme_scope, admin_user):
    order = submitted_order(admin_user, entries=[*DENVER, *CHICAGO])
    add_document(order, PortDocument.Kind.LOA_TO_SIGN, admin_user)
    add_document(order, PortDocument.Kind.INVOICE, admin_user)
    order.refresh_from_db()
    assert order.status == Status.PENDING_DOCUMENTS
    assert submission.missing_documents(order.port) == ["signed LOA"]
    assert {batch.status for batch in batches(order)} == {Status.PENDING_DOCUMENTS}
    assert not Job.objects.exists()

    add_document(order, PortDocument.Kind.LOA, admin_user)
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED
    assert [(b.status, b.submit_job.title) for b in batches(order)] == [
        (Status.SUBMITTED, f"Send batch {order.reference}-1 to Lakeshore Telephone Co."),
        (Status.SUBMITTED, f"Send batch {order.reference}-2 to Summit Telephone"),
    ]
    # An invoice uploaded again later sends nothing twice.
    add_document(order, PortDocument.Kind.INVOICE, admin_user)
    assert Job.objects.count() == 2


def test_each_batch_goes_to_its_carrier_once_with_the_order_data(
    acme_scope, admin_user, run_jobs, django_capture_on_commit_callbacks
):
    order = submitted_order(admin_user, entries=[*DENVER, *CHICAGO])
    send(lambda: with_documents(order, admin_user), django_capture_on_commit_callbacks, run_jobs)

    received = SandboxPortRequest.objects.order_by("pon")
    assert [(r.pon, r.version, r.numbers, r.rejected) for r in received] == [
        (f"{order.reference}-1", 0, 3, []),
        (f"{order.reference}-2", 0, 2, []),
    ]
    for batch in batches(order):
        assert batch.sent_version == 0
        assert batch.carrier_reference.startswith("SBX-")
        assert batch.submit_job.status == Job.Status.SUCCEEDED
        exchange = CarrierExchange.objects.get(batch=batch)
        assert (exchange.call, exchange.ok) == (CarrierExchange.Call.SUBMIT, True)
    events = order.events.filter(event_type="batch_sent").values_list("part", "note")
    assert (
        f"Batch {order.reference}-1",
        f"Sent to Lakeshore Telephone Co.: 3 numbers, carrier reference "
        f"{batches(order)[0].carrier_reference}",
    ) in events

    # The same jobs run again (a queue job delivered twice): nothing more reaches the carrier.
    for batch in batches(order):
        Job.objects.filter(pk=batch.submit_job_id).update(status=Job.Status.QUEUED)
        with as_a_server():
            run_job(batch.submit_job_id)
    assert SandboxPortRequest.objects.count() == 2


def test_an_attempt_that_reached_the_carrier_before_its_worker_died_is_not_sent_again(
    acme_scope, admin_user
):
    order = with_documents(submitted_order(admin_user))
    batch = batches(order)[0]
    # The first attempt wrote its exchange and reached the carrier, then its worker died.
    CarrierExchange.objects.create(
        enterprise_id=batch.enterprise_id, batch=batch, call="submit", ok=False, summary="Asked"
    )
    SandboxGateway().submit(submission._port_request(batch))

    job = batch.submit_job
    with as_a_server():
        run_job(job.pk)
    batch.refresh_from_db()
    assert batch.sent_version == 0
    assert SandboxPortRequest.objects.filter(pon=batch.reference).count() == 1
    assert CarrierExchange.objects.filter(batch=batch, call="find", ok=True).exists()


def test_an_attempt_that_never_reached_the_carrier_sends_after_asking(acme_scope, admin_user):
    order = with_documents(submitted_order(admin_user))
    batch = batches(order)[0]
    CarrierExchange.objects.create(
        enterprise_id=batch.enterprise_id, batch=batch, call="submit", ok=False, summary="Asked"
    )
    with as_a_server():
        run_job(batch.submit_job_id)
    assert SandboxPortRequest.objects.filter(pon=batch.reference).count() == 1
    assert list(
        CarrierExchange.objects.filter(batch=batch).order_by("id").values_list("call", "summary")
    )[1:] == [("find", "not known to the carrier"), ("submit", f"received ({_ref(batch)})")]


def _ref(batch):
    batch.refresh_from_db()
    return batch.carrier_reference


def test_a_carrier_that_keeps_failing_is_retried_then_left_to_staff(
    acme_scope, admin_user, settings, run_jobs, django_capture_on_commit_callbacks
):
    settings.PORT_CARRIER_GATEWAY = f"{__name__}.CarrierDown"
    settings.ADMINS = ["ops@carrier.test"]
    order = with_documents(submitted_order(admin_user))
    batch = batches(order)[0]
    job = batch.submit_job
    for attempt in range(1, job.max_attempts + 1):
        Job.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
        last = attempt == job.max_attempts
        with pytest.raises(CarrierUnavailable) if last else nullcontext(), as_a_server():
            run_job(job.pk)
        job.refresh_from_db()
        assert job.attempts == attempt
    assert job.status == Job.Status.FAILED
    assert job.retry_waits == [30, 120, 600, 1800, 3600]
    assert [m.subject for m in mail.outbox if "Job failed" in m.subject]
    batch.refresh_from_db()
    # Never dropped: still Submitted, waiting to be sent, and the sweep leaves it to staff.
    assert batch.awaits_sending and batch.status == Status.SUBMITTED
    with as_a_server():
        assert submission.recover_batches() == 0
    assert CarrierExchange.objects.filter(batch=batch, ok=False).count() == job.max_attempts

    # The carrier is back; staff send the batch again.
    settings.PORT_CARRIER_GATEWAY = "porting.carriers.sandbox.SandboxGateway"
    send(
        lambda: submission.staff_send(batch, by=PORTAL),
        django_capture_on_commit_callbacks,
        run_jobs,
    )
    batch.refresh_from_db()
    assert batch.sent_version == 0
    assert SandboxPortRequest.objects.filter(pon=batch.reference).count() == 1


def test_a_batch_whose_sending_was_never_recorded_is_started_by_the_sweep(
    acme_scope, admin_user, run_jobs, django_capture_on_commit_callbacks
):
    order = with_documents(submitted_order(admin_user))
    batch = batches(order)[0]
    Job.objects.filter(pk=batch.submit_job_id).delete()  # SET_NULL: the record is gone
    with django_capture_on_commit_callbacks(execute=True), as_a_server():
        assert submission.recover_batches() == 1
        assert submission.recover_batches() == 0
    run_jobs()
    assert SandboxPortRequest.objects.filter(pon=batch.reference).count() == 1


def test_the_carrier_confirms_a_foc_date_then_the_numbers_are_ported(
    acme_scope, admin_user, run_jobs, django_capture_on_commit_callbacks
):
    order = submitted_order(admin_user, entries=DENVER, cnam="ACME TELECOM")
    send(lambda: with_documents(order, admin_user), django_capture_on_commit_callbacks, run_jobs)
    assert poll() == 0  # the carrier has not answered yet

    carrier_time_passes(hours=3)
    assert send(poll, django_capture_on_commit_callbacks, run_jobs) == 1
    assert poll() == 0  # nothing new
    order.refresh_from_db()
    batch = batches(order)[0]
    requested = order.port.requested_at
    assert batch.status == Status.FOC_CONFIRMED
    assert batch.foc_date >= requested.astimezone(submission.calendar.EASTERN).date()
    assert order.status == Status.FOC_CONFIRMED
    assert "FOC Confirmed" in mail.outbox[-1].subject
    assert f"{batch.foc_date:%Y-%m-%d}" in mail.outbox[-1].body

    carrier_time_passes(days=40)
    assert send(poll, django_capture_on_commit_callbacks, run_jobs) == 1
    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    numbers = PhoneNumber.objects.filter(order=order)
    assert sorted(numbers.values_list("e164", "status", "cnam", "kind")) == [
        (e164, "active", "ACME TELECOM", "us_domestic") for e164 in DENVER
    ]
    assert {n.package.name for n in numbers} == {order.port.package.name}
    assert (
        NumberCount.objects.get(
            package=order.port.package, kind="us_domestic", status="active"
        ).count
        >= 3
    )
    assert "Completed" in mail.outbox[-1].subject
    assert list(
        order.events.filter(event_type="batch_completed").values_list("note", flat=True)
    ) == [f"3 numbers ported into {order.port.package.name}"]


def test_a_rejection_names_the_fields_to_fix_and_a_correction_goes_back_as_a_supplement(
    acme_scope, admin_user, run_jobs, django_capture_on_commit_callbacks
):
    order = submitted_order(
        admin_user, account_number="ACM-00000", record_differences_confirmed=True
    )
    send(lambda: with_documents(order, admin_user), django_capture_on_commit_callbacks, run_jobs)
    carrier_time_passes(hours=3)
    send(poll, django_capture_on_commit_callbacks, run_jobs)
    order.refresh_from_db()
    assert order.status == Status.REJECTED
    assert "account number does not match" in order.rejection_reason
    assert "Rejected" in mail.outbox[-1].subject
    assert "account number does not match" in mail.outbox[-1].body
    assert submission.rejected_fields(order.port) == {
        "account_number": [
            "The account number does not match the current carrier's record. The current "
            "carrier's record has the account number ACM-55210."
        ]
    }

    # Changing something the carrier did not reject is not a correction.
    with pytest.raises(ValidationError) as refused:
        submission.resubmit(order, {"account_holder": "Acme Telecom Inc."}, by=admin_user)
    assert refused.value.message_dict == {
        "account_number": ["The current carrier rejected this: correct it before you resubmit."]
    }
    assert order.port.account_holder == "Acme Telecom"

    send(
        lambda: submission.resubmit(order, {"account_number": "ACM-55210"}, by=admin_user),
        django_capture_on_commit_callbacks,
        run_jobs,
    )
    order.refresh_from_db()
    batch = batches(order)[0]
    assert (order.status, batch.status, batch.version, batch.sent_version) == (
        Status.SUBMITTED,
        Status.SUBMITTED,
        1,
        1,
    )
    assert list(SandboxPortRequest.objects.order_by("version").values_list("version", "rejected"))[
        1
    ] == (1, [])
    assert order.events.filter(
        event_type="batch_resubmitted", note="Supplement 1; corrected: Account number"
    ).exists()
    carrier_time_passes(hours=3)
    poll()
    order.refresh_from_db()
    assert order.status == Status.FOC_CONFIRMED


def test_the_sandbox_rejects_a_wireless_number_without_the_account_pin_and_a_partial_btn_port():
    sandbox = SandboxGateway()
    record = sandbox.customer_record("+13122630170")
    request = submission.PortRequest(
        pon="PO-TEST01-1",
        version=0,
        kind="us_domestic",
        carrier="Summit Telephone",
        spid="1234",
        numbers=("+13122630170", "+13122630171"),
        has_wireless=True,
        account_holder=record.account_holder,
        account_number=record.account_number,
        account_pin="0000",
        btn=record.btn,
        address=record.address,
        authorized_name="Nora North",
        authorized_title="COO",
        partial=True,
        new_btn="",
        requested_at=timezone.now(),
    )
    codes = [r.code for r in submission_rejections(request, record)]
    assert codes == ["pin_invalid", "btn_ported_partial"]
    assert (
        submission_rejections(
            submission.PortRequest(**{**request.__dict__, "account_pin": "4821", "new_btn": "+1"}),
            record,
        )
        == []
    )


def submission_rejections(request, record):
    from porting.carriers.sandbox import _rejections

    return _rejections(request, record)


def test_the_customer_cancels_until_48_hours_before_the_foc_date(
    acme_scope, admin_user, run_jobs, django_capture_on_commit_callbacks
):
    order = submitted_order(admin_user, entries=[*DENVER, *CHICAGO])
    send(lambda: with_documents(order, admin_user), django_capture_on_commit_callbacks, run_jobs)
    first, second = batches(order)
    submission.set_foc(first, timezone.now().date() + timedelta(days=1), by=PORTAL)
    with pytest.raises(ValidationError, match="within 48 hours of its FOC date"):
        order_services.cancel(order, by=admin_user)
    assert [b.status for b in batches(order)] == [Status.FOC_CONFIRMED, Status.SUBMITTED]

    submission.set_foc(first, timezone.now().date() + timedelta(days=9), by=PORTAL)
    send(
        lambda: order_services.cancel(order, by=admin_user),
        django_capture_on_commit_callbacks,
        run_jobs,
    )
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert [b.status for b in batches(order)] == [Status.CANCELLED, Status.CANCELLED]
    # Both were with their carriers: each is withdrawn.
    assert SandboxPortRequest.objects.filter(cancelled_at__isnull=False).count() == 2
    assert CarrierExchange.objects.filter(call="cancel", ok=True).count() == 2


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.PENDING_DOCUMENTS, "set_foc"),
        (Status.PENDING_DOCUMENTS, "complete"),
        (Status.PENDING_DOCUMENTS, "reject"),
        (Status.REJECTED, "complete"),
        (Status.CANCELLED, "set_foc"),
        (Status.COMPLETED, "reject"),
        (Status.CANCELLED, "staff_send"),
    ],
)
def test_forbidden_batch_moves_are_refused(acme_scope, admin_user, status, action):
    order = submitted_order(admin_user)
    batch = batches(order)[0]
    PortBatch.objects.filter(pk=batch.pk).update(status=status)
    batch.refresh_from_db()
    calls = {
        "set_foc": lambda: submission.set_foc(batch, timezone.now().date(), by=PORTAL),
        "complete": lambda: submission.complete(batch, by=PORTAL),
        "reject": lambda: submission.reject(batch, [("other", "")], by=PORTAL),
        "staff_send": lambda: submission.staff_send(batch, by=PORTAL),
    }
    with pytest.raises(ValidationError):
        calls[action]()
    batch.refresh_from_db()
    assert batch.status == status


def test_a_customer_resubmits_only_a_rejected_order(acme_scope, admin_user):
    order = with_documents(submitted_order(admin_user))
    with pytest.raises(ValidationError, match="only a rejected order"):
        submission.resubmit(order, {"account_number": "X"}, by=admin_user)


def test_foc_reminders_go_three_days_and_one_day_before_once_each(
    acme_scope, admin_user, run_jobs, django_capture_on_commit_callbacks
):
    order = with_documents(submitted_order(admin_user))
    batch = batches(order)[0]
    today = timezone.now().astimezone(submission.calendar.EASTERN).date()
    submission.set_foc(batch, today + timedelta(days=3), by=PORTAL)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), as_a_server():
        assert submission.remind_foc() == 1
        assert submission.remind_foc() == 0
    run_jobs()
    assert len(mail.outbox) == 1
    assert "FOC reminder" in mail.outbox[0].subject
    assert f"on {today + timedelta(days=3):%Y-%m-%d}, in 3 days" in mail.outbox[0].body

    PortBatch.objects.filter(pk=batch.pk).update(foc_date=today + timedelta(days=1))
    with as_a_server():
        assert submission.remind_foc() == 1
        assert submission.remind_foc() == 0


def test_the_submission_email_names_the_order_and_its_batches(
    acme_scope, admin_user, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = submitted_order(admin_user, entries=[*DENVER, *CHICAGO], notify=True)
    run_jobs()
    [email] = [email for email in mail.outbox if order.reference in email.subject]
    for batch in batches(order):
        assert batch.reference in email.body

"""The lifecycle every order shares: references, moves, timeline, audit and e-mails."""

import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from orders import services
from orders.models import REFERENCE_ALPHABET, Order, new_reference

from .kinds import hook_calls, place

Status = Order.Status

# Every test here acts for Acme, in Acme's scope (conftest's acme_scope), as its requests do.
pytestmark = pytest.mark.usefixtures("acme_scope")


@pytest.fixture
def order(general_user):
    return place(general_user)


def test_references_are_short_and_unambiguous():
    reference = new_reference("XO")
    assert re.fullmatch(r"XO-[2-9A-HJKMNP-Z]{6}", reference)
    assert not set("01OIL") & set(REFERENCE_ALPHABET)


def test_a_taken_reference_is_drawn_again(general_user, monkeypatch):
    first = place(general_user)
    drawn = iter([first.reference, "XO-ABCDEF"])
    monkeypatch.setattr("orders.services.new_reference", lambda prefix: next(drawn))
    second = place(general_user)
    assert second.reference == "XO-ABCDEF"


def test_placing_an_order_writes_the_timeline_and_the_audit_log(order, general_user):
    assert order.status == Status.SUBMITTED
    assert order.reference.startswith("XO-")
    event = order.events.get()
    assert (event.actor, event.actor_label, event.from_status, event.to_status) == (
        general_user,
        "Bob General",
        "",
        Status.SUBMITTED,
    )
    audit = AuditEvent.objects.get(action="orders.order.placed")
    assert audit.enterprise == general_user.enterprise
    assert audit.object_repr == order.reference
    assert audit.details["kind"] == "Test order"


def test_staff_start_complete_and_the_customer_is_told_each_time(
    order, staff_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.start(order, by=staff_user)
        services.complete(order, by=staff_user)

    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    assert [(e.from_status, e.to_status, e.actor_label) for e in order.events.all()] == [
        ("", Status.SUBMITTED, "Bob General"),
        (Status.SUBMITTED, Status.IN_PROGRESS, "Carrier staff"),
        (Status.IN_PROGRESS, Status.COMPLETED, "Carrier staff"),
    ]
    changes = AuditEvent.objects.filter(action="orders.order.status_changed").order_by("id")
    assert [event.changes_in_words for event in changes] == [
        "Status: Submitted → In Progress",
        "Status: In Progress → Completed",
    ]
    assert {event.enterprise_id for event in changes} == {order.enterprise_id}
    assert run_jobs() == 2
    assert [m.subject for m in mailoutbox] == [
        f"[Carrier Portal] Test order {order.reference}: In Progress",
        f"[Carrier Portal] Test order {order.reference}: Completed",
    ]
    assert all(m.to == ["bob@acme.test"] for m in mailoutbox)
    assert "Carrier staff" in mailoutbox[1].body
    assert "Test service for Acme Telecom" in mailoutbox[1].body
    # The order's kind was told of each change, in its transaction.
    assert hook_calls == [
        (order.reference, Status.SUBMITTED, Status.IN_PROGRESS, staff_user),
        (order.reference, Status.IN_PROGRESS, Status.COMPLETED, staff_user),
    ]


def test_without_notify_the_timeline_is_written_but_nobody_is_e_mailed(
    general_user, staff_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(general_user, notify=False)
        services.start(order, by=staff_user, notify=False)
        services.reject(order, by=staff_user, reason="No answer.", notify=False)

    assert [e.to_status for e in order.events.all()] == [
        Status.SUBMITTED,
        Status.IN_PROGRESS,
        Status.REJECTED,
    ]
    assert [call[2] for call in hook_calls] == [Status.IN_PROGRESS, Status.REJECTED]
    assert run_jobs() == 0
    assert mailoutbox == []


def test_rejecting_needs_a_reason_that_the_customer_reads(
    order, staff_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        services.reject(order, by=staff_user, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(order, by=staff_user, reason="The switch did not answer.")

    order.refresh_from_db()
    assert order.status == Status.REJECTED
    assert order.rejection_reason == "The switch did not answer."
    assert order.events.last().note == "The switch did not answer."
    run_jobs()
    assert "Reason: The switch did not answer." in mailoutbox[0].body
    assert hook_calls == [(order.reference, Status.SUBMITTED, Status.REJECTED, staff_user)]


def test_the_customer_may_cancel_only_before_work_starts(order, general_user, staff_user):
    services.start(order, by=staff_user)
    with pytest.raises(ValidationError, match="work on it has already started"):
        services.cancel(order, by=general_user)
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS


def test_the_customer_cancels_a_submitted_order(order, general_user):
    services.cancel(order, by=general_user)
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert order.events.last().actor_label == "Bob General"


@pytest.mark.parametrize("move", ["start", "complete"])
def test_customers_cannot_work_orders(order, general_user, move):
    with pytest.raises(ValidationError, match="Only carrier staff"):
        getattr(services, move)(order, by=general_user)
    with pytest.raises(ValidationError, match="Only carrier staff"):
        services.reject(order, by=general_user, reason="no")


def test_a_finished_order_does_not_move_again(order, staff_user):
    services.complete(order, by=staff_user)
    for move in (services.start, services.cancel):
        with pytest.raises(ValidationError, match="is Completed"):
            move(order, by=staff_user)
    assert order.events.count() == 2
    assert len(hook_calls) == 1


def test_a_stale_copy_of_the_order_is_checked_against_the_database(order, staff_user):
    stale = Order.objects.get(pk=order.pk)
    services.cancel(order, by=staff_user)
    with pytest.raises(ValidationError):
        services.start(stale, by=staff_user)
    order.refresh_from_db()
    assert order.status == Status.CANCELLED


def test_the_same_form_twice_places_one_order(general_user):
    key = "6f1c2b1e-8a51-4c1e-9d5e-0c2b7a3f1a10"
    first = place(general_user, submission_key=key)
    with pytest.raises(services.AlreadySubmitted) as again:
        place(general_user, submission_key=key)
    assert again.value.order == first
    assert Order.objects.count() == 1


def test_no_email_for_an_orderer_who_left(
    order, general_user, staff_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    general_user.is_active = False
    general_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.start(order, by=staff_user)
    assert run_jobs() == 0


def test_the_e_mails_show_times_in_the_orderers_zone(
    order, general_user, staff_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    general_user.time_zone = "Asia/Tokyo"
    general_user.save(update_fields=["time_zone"])
    # Staff work in the back office in a zone of their own.
    with timezone.override("America/Los_Angeles"), django_capture_on_commit_callbacks(execute=True):
        services.start(order, by=staff_user)
    run_jobs()
    at = timezone.localtime(order.events.last().at, zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f"{at:%H:%M} JST" in mailoutbox[0].body
    assert "PST" not in mailoutbox[0].body and "PDT" not in mailoutbox[0].body

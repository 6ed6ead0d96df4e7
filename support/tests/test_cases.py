"""The services of support cases: opening one, its conversation, its moves and their rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from phone_numbers.tests.inventory_factories import add_numbers, package_of
from support import cases, notify
from support.models import Case, CaseAttachment, CaseWatcher, Priority, Status
from trunks.models import Trunk

from .factories import open_case
from .files import log, pcap, png_bytes, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sent(monkeypatch):
    """What the case would e-mail: (function, case reference, detail)."""
    calls = []
    monkeypatch.setattr(
        notify, "case_opened", lambda case: calls.append(("opened", case.reference))
    )
    monkeypatch.setattr(
        notify,
        "message_added",
        lambda message: calls.append(("message", message.case.reference, message.body)),
    )
    monkeypatch.setattr(
        notify,
        "status_changed",
        lambda case, event: calls.append(("status", case.reference, event.field, event.new)),
    )
    return calls


@pytest.fixture
def acme_number(admin_user):
    (number,) = add_numbers(package_of(admin_user, "Denver Usage"), ["+13035550100"])
    return number


def test_opening_a_case_keeps_what_it_is_about_and_sets_its_clock(
    acme_scope, general_user, acme_number, sent, django_capture_on_commit_callbacks
):
    trunk = Trunk.objects.get(package=acme_number.package)
    started = timezone.now() - timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(
            general_user,
            priority=Priority.P1,
            numbers=[acme_number],
            trunk=trunk,
            call_examples=[
                {
                    "calling_number": "+13035550100",
                    "called_number": "+17205550111",
                    "started_at": started,
                    "sip_code": 503,
                    "call_id": "c-1",
                }
            ],
            attachments=[pcap()],
        )

    case.refresh_from_db()
    assert case.reference.startswith("CS-")
    assert case.status == Status.NEW
    assert case.opened_by == general_user
    assert case.first_response_due == case.opened_at + timedelta(hours=1)
    assert list(case.numbers.all()) == [acme_number]
    assert case.trunk == trunk
    example = case.call_examples.get()
    assert (example.sip_code, example.call_id, example.started_at) == (503, "c-1", started)
    attachment = case.attachments.get()
    assert (attachment.name, attachment.content_type, attachment.message) == (
        "trace.pcap",
        "application/vnd.tcpdump.pcap",
        None,
    )
    assert attachment.file.name.startswith(f"case-attachments/{case.enterprise_id}/{case.pk}/")
    assert [event.title for event in case.events.all()] == ["Opened"]
    assert sent == [("opened", case.reference)]


def test_another_enterprises_number_is_refused_and_nothing_is_kept(
    acme_scope, general_user, outsider
):
    with scopes_disabled():
        (globex_number,) = add_numbers(package_of(outsider, "Globex Usage"), ["+12125550100"])

    with pytest.raises(ValidationError, match="is not one of your enterprise's"):
        open_case(general_user, numbers=[globex_number])

    assert not Case.objects.exists()


def test_a_file_that_lies_is_refused_and_nothing_is_kept(acme_scope, general_user):
    with pytest.raises(ValidationError) as refusal:
        open_case(general_user, attachments=[log(), upload("shot.pdf", png_bytes())])

    assert refusal.value.messages == [
        "shot.pdf: This file is named like a PDF but it holds a PNG image."
    ]
    assert not Case.objects.exists()
    assert not CaseAttachment.objects.exists()


def test_read_only_users_open_no_case(acme_scope, read_only_user):
    with pytest.raises(PermissionDenied):
        open_case(read_only_user)


def test_the_first_staff_reply_opens_the_case_and_stops_its_clock(
    acme_scope, general_user, staff_user, sent, django_capture_on_commit_callbacks
):
    case = open_case(general_user)

    with django_capture_on_commit_callbacks(execute=True):
        cases.add_message(
            case, author=staff_user, body="Looking at it.", from_staff=True, internal=True
        )
    case.refresh_from_db()
    assert (case.status, case.first_response_at) == (Status.NEW, None)

    with django_capture_on_commit_callbacks(execute=True):
        reply = cases.add_message(case, author=staff_user, body="Found it.", from_staff=True)
    case.refresh_from_db()

    assert case.status == Status.OPEN
    assert case.first_response_at == reply.created_at == case.updated_at
    assert reply.author_label == "Carrier staff"
    assert sent[-2:] == [
        ("status", case.reference, "status", Status.OPEN),
        ("message", case.reference, "Found it."),
    ]


def test_a_customer_reply_to_a_case_waiting_on_them_opens_it(acme_scope, general_user):
    case = open_case(general_user)
    cases.change_status(case, Status.WAITING, actor=None)

    message = cases.add_message(
        case, author=general_user, body="Here is the trace.", attachments=[pcap()]
    )
    case.refresh_from_db()

    assert case.status == Status.OPEN
    assert message.author_label == "Bob General"
    assert message.attachments.get().name == "trace.pcap"


def test_resolve_and_reopen_within_fourteen_days(acme_scope, general_user):
    case = open_case(general_user)

    cases.resolve(case, by=general_user)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.resolved_at

    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=13))
    cases.reopen(case, by=general_user, reason="It fails again.")
    case.refresh_from_db()

    assert (case.status, case.resolved_at) == (Status.OPEN, None)
    assert [(e.title, e.reason) for e in case.events.all()][1:] == [
        ("Status: New to Resolved", "Marked resolved by the customer"),
        ("Status: Resolved to Open", "It fails again."),
    ]


def test_a_reply_to_a_case_closed_over_fourteen_days_ago_opens_a_new_linked_case(
    acme_scope, general_user, admin_user, acme_number
):
    case = open_case(general_user, numbers=[acme_number])
    CaseWatcher.objects.create(enterprise=case.enterprise, case=case, user=admin_user)
    cases.change_status(case, Status.CLOSED, actor=None)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=15))
    case.refresh_from_db()

    with pytest.raises(ValidationError, match="more than 14 days ago"):
        cases.reopen(case, by=general_user)
    message = cases.add_message(case, author=general_user, body="It is back.")

    follow_up = message.case
    case.refresh_from_db()
    assert follow_up != case and case.status == Status.CLOSED
    assert follow_up.follows == case
    assert follow_up.status == Status.NEW
    assert follow_up.subject == f"Follow-up to {case.reference}: Calls to Denver fail"
    assert list(follow_up.numbers.all()) == [acme_number]
    assert list(follow_up.watchers.all()) == [admin_user]
    assert follow_up.opened_by == general_user


def test_raising_the_priority_brings_the_due_time_forward(acme_scope, general_user):
    case = open_case(general_user, priority=Priority.P3)
    before = timezone.now()

    cases.raise_priority(case, Priority.P1, by=general_user, reason="All calls fail now.")
    case.refresh_from_db()

    assert case.priority == Priority.P1
    assert (
        before + timedelta(hours=1)
        <= case.first_response_due
        <= timezone.now() + timedelta(hours=1)
    )
    event = case.events.last()
    assert (event.title, event.reason) == (
        "Priority: P3 - Question or request to P1 - Service down",
        "All calls fail now.",
    )
    with pytest.raises(ValidationError, match="the highest priority"):
        cases.raise_priority(case, Priority.P2, by=general_user, reason="Better now.")


def test_the_sweep_closes_cases_resolved_for_seven_days(acme_scope, general_user):
    old, recent = open_case(general_user), open_case(general_user)
    for case in (old, recent):
        cases.resolve(case, by=general_user)
    Case.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=7, minutes=1))

    assert cases.close_resolved() == 1
    assert cases.close_resolved() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (Status.CLOSED, Status.RESOLVED)
    assert old.events.last().actor_label == "Portal"


def test_general_users_see_their_own_and_watched_cases_administrators_all(
    acme_scope, general_user, admin_user, read_only_user
):
    bobs = open_case(general_user)
    alices = open_case(admin_user)
    watched = open_case(admin_user, watchers=[general_user])

    assert set(cases.visible_cases(general_user)) == {bobs, watched}
    assert set(cases.visible_cases(admin_user)) == {bobs, alices, watched}
    assert set(cases.visible_cases(read_only_user)) == {bobs, alices, watched}


def test_the_demo_has_a_case_in_every_status_with_conversations(
    db, sent, django_capture_on_commit_callbacks
):
    from accounts import demo as accounts_demo
    from core.demo import DemoPassword, DemoRun
    from core.jobs import without_emails
    from support import demo

    run = DemoRun(DemoPassword("demo-password-for-tests"))
    accounts_demo.load(run)
    with django_capture_on_commit_callbacks(execute=True), without_emails():
        demo.load(run)
        demo.load(run)

    assert sorted(Case.objects.values_list("status", flat=True)) == sorted(Status.values)
    p1 = Case.objects.get(priority=Priority.P1)
    assert p1.call_examples.exists() and p1.attachments.exists()
    assert p1.messages.filter(from_staff=True).exists()
    assert Case.objects.get(status=Status.NEW).first_response_at is None
    assert sent == []

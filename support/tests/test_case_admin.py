"""Staff work cases in the back office: the queue by SLA, replies and notes, assignment, merge."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phone_numbers.tests.inventory_factories import add_numbers, package_of
from support.models import (
    CallExample,
    CannedReply,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseMessage,
    CaseNumber,
    Priority,
    Status,
)

from . import files
from .casemail import make_case, watch

QUEUE = reverse("admin:support_case_changelist")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def customer(user):
    client = Client()
    client.force_login(user)
    return client


def page(case):
    return reverse("admin:support_case_change", args=[case.pk])


def test_the_queue_puts_cases_awaiting_a_first_response_first_by_due_time(
    staff_client, enterprise, other_enterprise, admin_user, outsider
):
    now = timezone.now()
    later = make_case(
        enterprise, admin_user, subject="Due later", first_response_due=now + timedelta(hours=3)
    )
    overdue = make_case(
        other_enterprise, outsider, subject="Overdue", first_response_due=now - timedelta(hours=1)
    )
    answered = make_case(
        enterprise,
        admin_user,
        subject="Answered",
        status=Status.OPEN,
        first_response_due=now - timedelta(hours=5),
        first_response_at=now - timedelta(hours=6),
    )
    ended = make_case(
        enterprise,
        admin_user,
        subject="Ended",
        status=Status.RESOLVED,
        first_response_due=now - timedelta(days=2),
        first_response_at=now - timedelta(days=3),
    )

    response = staff_client.get(QUEUE)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [overdue, later, answered, ended]
    assert response.text.count('class="case-breached"') == 1
    assert '<strong class="case-breached">Overdue: due' in response.text

    response = staff_client.get(QUEUE, {"q": "Globex"})
    assert list(response.context["cl"].result_list) == [overdue]


def test_the_queue_costs_the_same_queries_for_more_cases(
    staff_client, enterprise, admin_user, staff_user
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(QUEUE).status_code == 200
        return len(captured)

    make_case(enterprise, admin_user, assigned_to=staff_user)
    queries()  # the first page of the session loads what the later ones reuse
    few = queries()
    for _ in range(5):
        make_case(enterprise, admin_user, assigned_to=staff_user)
    assert queries() == few


@pytest.fixture
def case(enterprise, admin_user, general_user, staff_user):
    case = make_case(enterprise, admin_user)
    watch(case, general_user)
    CaseMessage.objects.create(
        enterprise=enterprise,
        case=case,
        author=admin_user,
        author_label="Alice Admin",
        body="Here is the trace.",
    )
    CaseMessage.objects.create(
        enterprise=enterprise,
        case=case,
        author=staff_user,
        author_label="Carrier staff",
        from_staff=True,
        internal=True,
        body="Looks like the Denver SBC again.",
    )
    return case


def test_the_case_page_shows_the_conversation_with_internal_notes_marked(staff_client, case):
    CannedReply.objects.create(title="Need a PCAP", body="Please attach a packet capture.")
    canned = CannedReply.objects.create(title="Fixed", body="We fixed the route; try again.")

    response = staff_client.get(page(case), {"canned": canned.pk})

    assert response.status_code == 200
    text = response.text
    assert "Here is the trace." in text
    assert '<span class="internal-label">Internal note</span>' in text
    assert "Looks like the Denver SBC again." in text
    assert "Need a PCAP</option>" in text
    assert "We fixed the route; try again.</textarea>" in text


def test_a_staff_reply_is_the_first_response_and_reaches_the_customer(
    staff_client,
    case,
    staff_user,
    admin_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
    run_jobs,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:support_case_reply", args=[case.pk]),
            {"body": "We rerouted your calls."},
        )
    run_jobs()

    assert response.status_code == 302
    message = CaseMessage.objects.get(case=case, body="We rerouted your calls.")
    assert message.from_staff and not message.internal and message.author == staff_user
    case.refresh_from_db()
    assert case.first_response_at == message.created_at
    assert case.status == Status.OPEN
    assert {m.to[0] for m in mailoutbox if "We rerouted" in m.body} == {
        "alice@acme.test",
        "bob@acme.test",
    }
    customer_page = customer(admin_user).get(reverse("support:case", args=[case.public_id]))
    assert "We rerouted your calls." in customer_page.text


def test_staff_attach_files_to_a_reply_and_the_customer_downloads_them(
    staff_client,
    case,
    admin_user,
    staff_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
    run_jobs,
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:support_case_reply", args=[case.pk]),
            {"body": "Our trace of your call.", "attachments": [files.pcap("carrier.pcap")]},
        )
    run_jobs()

    message = CaseMessage.objects.get(case=case, body="Our trace of your call.")
    attachment = CaseAttachment.objects.get(message=message)
    assert (attachment.name, attachment.uploaded_by) == ("carrier.pcap", staff_user)
    assert "1 attachment" in next(m.body for m in mailoutbox if "Our trace" in m.body)
    member = customer(admin_user)
    assert "carrier.pcap" in member.get(reverse("support:case", args=[case.public_id])).text
    download = member.get(reverse("support:attachment", args=[attachment.public_id]))
    assert b"".join(download.streaming_content).startswith(files.PCAP_HEADER)


def test_a_reply_with_a_refused_file_changes_nothing_and_says_why(staff_client, case):
    response = staff_client.post(
        reverse("admin:support_case_reply", args=[case.pk]),
        {"body": "See attached.", "attachments": [files.upload("notes.pdf", b"plain words")]},
        follow=True,
    )

    assert "This file is named like a PDF but it holds a text file." in response.text
    assert not CaseMessage.objects.filter(case=case, body="See attached.").exists()
    assert not CaseAttachment.objects.filter(case=case).exists()


def test_an_internal_note_never_reaches_the_customer(
    staff_client, case, admin_user, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:support_case_reply", args=[case.pk]),
            {"body": "Customer's PBX is misconfigured.", "internal": "on"},
        )
    run_jobs()

    note = CaseMessage.objects.get(case=case, body="Customer's PBX is misconfigured.")
    assert note.internal and note.from_staff
    case.refresh_from_db()
    assert case.first_response_at is None and case.status == Status.NEW
    assert mailoutbox == []
    customer_page = customer(admin_user).get(reverse("support:case", args=[case.public_id]))
    assert customer_page.status_code == 200
    assert "Here is the trace." in customer_page.text
    assert "misconfigured" not in customer_page.text
    assert "Denver SBC" not in customer_page.text


def test_an_empty_reply_changes_nothing_and_says_why(staff_client, case):
    response = staff_client.post(
        reverse("admin:support_case_reply", args=[case.pk]), {"body": "  "}, follow=True
    )

    assert "Reply: Enter the reply." in response.text
    assert CaseMessage.objects.filter(case=case).count() == 2


def test_staff_assign_a_case_and_change_its_status(staff_client, case, staff_user):
    staff_client.post(
        reverse("admin:support_case_assign", args=[case.pk]), {"assigned_to": staff_user.pk}
    )
    staff_client.post(
        reverse("admin:support_case_status", args=[case.pk]),
        {"status": Status.WAITING, "reason": "Send us a PCAP"},
    )

    case.refresh_from_db()
    assert case.assigned_to == staff_user
    assert case.status == Status.WAITING
    events = CaseEvent.objects.filter(case=case)
    assert events.get(field="assigned_to").new == "Sam Staff"
    assert events.get(field="status", new=Status.WAITING).reason == "Send us a PCAP"


def test_staff_without_the_right_to_change_cases_only_look(client, case, staff_user):
    staff_user.is_superuser = False
    staff_user.save()
    staff_user.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(staff_user)

    assert "Reply" not in client.get(page(case)).text.split("Conversation")[1]
    response = client.post(reverse("admin:support_case_reply", args=[case.pk]), {"body": "Hi"})
    assert response.status_code == 403


def merge(staff_client, cases, into, reason=""):
    return staff_client.post(
        QUEUE,
        {
            "action": "merge_cases",
            "_selected_action": [c.pk for c in cases],
            "into": into.pk,
            "reason": reason,
            "apply": "Merge",
        },
    )


def test_merging_moves_everything_to_one_case_and_closes_the_others(
    staff_client, case, enterprise, admin_user, general_user
):
    package = package_of(admin_user, "Denver Usage")
    (number, shared) = add_numbers(package, ["+13035550101", "+13035550102"])
    duplicate = make_case(enterprise, general_user, subject="Denver calls fail too")
    for target in (case, duplicate):
        CaseNumber.objects.create(enterprise=enterprise, case=target, number=shared)
    CaseNumber.objects.create(enterprise=enterprise, case=duplicate, number=number)
    message = CaseMessage.objects.create(
        enterprise=enterprise, case=duplicate, author_label="Bob General", body="Same here."
    )
    attachment = CaseAttachment(
        enterprise=enterprise,
        case=duplicate,
        message=message,
        name="a.log",
        content_type="text/plain",
        size=3,
    )
    attachment.file.save("a.log", ContentFile(b"log"))
    CallExample.objects.create(
        enterprise=enterprise,
        case=duplicate,
        calling_number="+13035550101",
        called_number="+13125550100",
        started_at=timezone.now(),
        sip_code=503,
    )

    response = merge(staff_client, [case, duplicate], into=case, reason="Same outage")

    assert response.status_code == 302
    assert response.url == page(case)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and duplicate.merged_into == case
    assert set(case.messages.values_list("body", flat=True)) == {
        "Here is the trace.",
        "Looks like the Denver SBC again.",
        "Same here.",
    }
    assert list(case.attachments.all()) == [attachment]
    download = staff_client.get(
        reverse("admin:support_case_attachment", args=[case.pk, attachment.public_id])
    )
    assert b"".join(download.streaming_content) == b"log"
    assert set(case.case_numbers.values_list("number", flat=True)) == {number.pk, shared.pk}
    assert case.call_examples.get().sip_code == 503
    assert not duplicate.messages.exists() and not duplicate.call_examples.exists()
    assert case.merged_cases.get() == duplicate
    assert case.events.get(field="merged").old == duplicate.reference
    assert duplicate.events.get(field="merged").reason == "Same outage"
    assert general_user in case.watchers.all()


def test_cases_of_two_enterprises_are_never_merged(staff_client, case, other_enterprise, outsider):
    theirs = make_case(other_enterprise, outsider)

    response = merge(staff_client, [case, theirs], into=case)

    assert response.status_code == 302
    follow = staff_client.get(response.url)
    assert "Only cases of the same enterprise can be merged." in follow.text
    theirs.refresh_from_db()
    assert theirs.status == Status.NEW and theirs.merged_into is None
    assert case.messages.count() == 2


def test_the_merge_action_asks_which_case_to_keep(staff_client, case, enterprise, admin_user):
    duplicate = make_case(enterprise, admin_user, priority=Priority.P3)

    response = staff_client.post(
        QUEUE, {"action": "merge_cases", "_selected_action": [case.pk, duplicate.pk]}
    )

    assert response.status_code == 200
    assert "Merge into" in response.text
    assert Case.objects.filter(merged_into__isnull=False).count() == 0

"""Support Cases pages: the table, Open a Case (with "Report a problem"), a case's page and
its actions, downloads; bad input at its field, other enterprises' rows never reachable."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from phone_numbers.tests.inventory_factories import add_numbers, package_of
from support import cases, notify
from support.models import Case, Priority, Status
from tests.downloads import csv_rows
from trunks.models import Trunk

from .factories import call_record, open_case
from .files import gzipped, log, pcap, png_bytes, upload, zip_bomb

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
LIST_URL = reverse("support:cases")
OPEN_URL = reverse("support:open_case")
SEARCH_URL = reverse("support:call_search")


@pytest.fixture(autouse=True)
def quiet(monkeypatch, settings, tmp_path):
    """No e-mails; files in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path
    for name in ("case_opened", "message_added", "status_changed"):
        monkeypatch.setattr(notify, name, lambda *args: None)


@pytest.fixture
def acme(admin_user):
    package = package_of(admin_user, "Denver Usage")
    (number,) = add_numbers(package, ["+13035550100"])
    trunk = Trunk.objects.get(package=package)
    return number, trunk, trunk.orders.get().order


@pytest.fixture
def globex(outsider):
    package = package_of(outsider, "Globex Usage")
    (number,) = add_numbers(package, ["+12125550100"])
    trunk = Trunk.objects.get(package=package)
    return number, trunk, trunk.orders.get().order


def case_url(case, name="support:case"):
    return reverse(name, args=[case.public_id])


def form_data(**changes):
    data = {
        "category": "calls_not_completing",
        "priority": "p2",
        "subject": "Calls to Denver fail",
        "description": "Fast busy since 9:00.",
        "contact_name": "Bob General",
        "contact_phone": "303 555 0199",
        "contact_email": "bob@acme.test",
        "call-TOTAL_FORMS": "1",
        "call-INITIAL_FORMS": "0",
        "call-0-time_zone": "America/Denver",
    }
    return {**data, **changes}


def test_the_table_shows_general_users_their_own_and_watched_cases(
    general_client, general_user, admin_user
):
    own = open_case(general_user, subject="Mine")
    open_case(admin_user, subject="Alice's")
    watched = open_case(admin_user, subject="Watched", watchers=[general_user])

    page = general_client.get(LIST_URL)

    rows = [row["object"] for row in page.context["table"]["rows"]]
    assert rows == [watched, own]
    assert 'aria-current="page">Support Cases</a>' in page.text
    assert "Open a Case" in page.text


def test_the_table_filters_and_downloads_as_csv(admin_client, admin_user, general_user):
    open_case(general_user, subject="Quality", priority=Priority.P3, category="voice_quality")
    p1 = open_case(admin_user, subject="Down", priority=Priority.P1)

    filtered = admin_client.get(LIST_URL, {"priority": "p1"})
    download = admin_client.get(LIST_URL, {"format": "csv"})

    assert [row["object"] for row in filtered.context["table"]["rows"]] == [p1]
    rows = csv_rows(download)
    assert rows[0] == [
        "Reference",
        "Subject",
        "Status",
        "Priority",
        "Category",
        "Opened",
        "Last update",
    ]
    assert [row[1:5] for row in rows[1:]] == [
        ["Down", "New", "P1 - Service down", "Calls not completing"],
        ["Quality", "New", "P3 - Question or request", "Voice quality"],
    ]


def test_report_a_problem_fills_the_form_with_the_object(general_client, acme, globex):
    number, trunk, order = acme

    by_number = general_client.get(OPEN_URL, {"number": number.public_id}).context["form"]
    by_trunk = general_client.get(OPEN_URL, {"trunk": trunk.public_id}).context["form"]
    page = general_client.get(OPEN_URL, {"order": order.public_id})
    by_order = page.context["form"]
    foreign = general_client.get(OPEN_URL, {"trunk": globex[1].public_id}).context["form"]

    assert (by_number.initial["category"], by_number.initial["numbers"]) == (
        "numbers",
        "+13035550100",
    )
    assert by_number.initial["subject"] == "Problem with number (303) 555-0100"
    assert (by_trunk.initial["trunk"], by_trunk.initial["subject"]) == (
        trunk.pk,
        "Problem with trunk Denver Usage SBC",
    )
    assert by_order.initial["order"] == order.reference
    # The latest orders are offered as the reference is typed.
    assert f'<option value="{order.reference}">Trunk order, ' in page.text
    assert "trunk" not in foreign.initial
    assert by_number.initial["contact_email"] == "bob@acme.test"


def test_it_opens_a_case_with_picked_and_typed_calls_and_files(general_client, general_user, acme):
    number, trunk, order = acme
    started = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    record = call_record(general_user.enterprise, number.e164, started, "acme-call-1")

    found = general_client.get(
        SEARCH_URL,
        {"search-number": "303-555-0100", "search-day": timezone.localdate(started).isoformat()},
    )
    token = found.context["calls"][0]["token"]
    response = general_client.post(
        OPEN_URL,
        form_data(
            numbers="+13035550100",
            trunk=trunk.pk,
            order=order.reference.lower(),
            picked_calls=[token],
            **{
                "call-0-calling_number": "+13035550100",
                "call-0-called_number": "7205550122",
                "call-0-started_at": "2026-12-04T09:15",
                "call-0-sip_code": "486",
            },
            attachments=[pcap(), log()],
        ),
    )

    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case_url(case)
    assert (case.trunk, case.order, case.opened_by) == (trunk, order, general_user)
    assert case.contact_phone == "+13035550199"
    assert list(case.numbers.all()) == [number]
    picked, typed = case.call_examples.order_by("call_id").reverse()
    assert (picked.call_id, picked.started_at, picked.sip_code) == (
        "acme-call-1",
        record.started_at,
        503,
    )
    assert typed.started_at == datetime(
        2026, 12, 4, 9, 15, tzinfo=zoneinfo.ZoneInfo("America/Denver")
    )
    assert (typed.called_number, typed.sip_code, typed.call_id) == ("+17205550122", 486, "")
    assert sorted(case.attachments.values_list("name", flat=True)) == ["sip.log", "trace.pcap"]


def test_the_call_search_finds_only_the_enterprises_calls(general_client, acme, outsider):
    started = timezone.now().replace(microsecond=0)
    with scopes_disabled():
        call_record(outsider.enterprise, "+13035550100", started, "globex-call")

    found = general_client.get(
        SEARCH_URL,
        {"search-number": "+13035550100", "search-day": timezone.localdate(started).isoformat()},
    )

    assert found.context["calls"] == []
    assert "No calls of this number that day" in found.text


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"numbers": "+13035550100, +12125550100"},
            "numbers",
            "Not among your numbers: (212) 555-0100.",
        ),
        ({"order": "GLOBEX"}, "order", "is not one of your orders"),
        ({"port_batch": "PB-NOPE"}, "port_batch", "PB-NOPE is not a batch of your port orders."),
        (
            {"picked_calls": ["2026-12-01T10:00:00+00:00|globex-call"]},
            "picked_calls",
            "not among your call records",
        ),
        (
            {"attachments": [upload("shot.pdf", png_bytes())]},
            "attachments",
            "shot.pdf: This file is named like a PDF but it holds a PNG image.",
        ),
        (
            {"attachments": [zip_bomb()]},
            "attachments",
            "logs.zip: This ZIP archive unpacks to more than",
        ),
        (
            {"attachments": [gzipped(b"\0" * 10_000_000)]},
            "attachments",
            "sip.log.gz: This gzip archive unpacks",
        ),
        ({"contact_phone": "12"}, "contact_phone", "is not a valid phone number"),
    ],
    ids=["number", "order", "batch", "call", "lying-file", "zip-bomb", "gzip-bomb", "phone"],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_opened(
    general_client, acme, globex, changes, field, message
):
    if changes.get("order") == "GLOBEX":
        changes = {"order": globex[2].reference}
    response = general_client.post(OPEN_URL, form_data(**changes))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not Case.objects.exists()


def test_another_enterprises_trunk_is_not_a_choice(general_client, acme, globex):
    response = general_client.post(OPEN_URL, form_data(trunk=globex[1].pk))

    assert response.context["form"].errors["trunk"] == ["Choose the trunk from the list."]
    assert not Case.objects.exists()


def test_a_file_too_large_is_refused(general_client, settings):
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 100

    response = general_client.post(OPEN_URL, form_data(attachments=[log(text="x" * 200)]))

    assert response.context["form"].errors["attachments"] == [
        "sip.log: This file is 200\xa0bytes; the largest accepted is 100\xa0bytes."
    ]


def test_the_case_page_shows_the_conversation_clock_and_history_in_the_users_zone(
    client, general_user, staff_user, settings
):
    general_user.time_zone = "America/Denver"
    general_user.save(update_fields=["time_zone"])
    case = open_case(general_user, priority=Priority.P3, attachments=[pcap()])
    # Opened on Friday, Nov 27, 2026 at 17:30 in Chicago; answered later than due.
    opened = datetime(2026, 11, 27, 17, 30, tzinfo=CHICAGO)
    Case.objects.filter(pk=case.pk).update(
        opened_at=opened, first_response_due=cases.sla.first_response_due(Priority.P3, opened)
    )
    cases.add_message(case, author=staff_user, body="Only for us.", from_staff=True, internal=True)
    cases.add_message(
        case,
        author=staff_user,
        body="We see 503s from the far end.",
        from_staff=True,
        attachments=[log()],
    )
    client.force_login(general_user)

    page = client.get(case_url(case)).text

    assert "Mon 2026-11-30 16:30 MST" in page  # Monday 17:30 in Chicago
    assert "Breached" in page
    assert "We see 503s from the far end." in page
    assert "Only for us." not in page
    assert page.count(reverse("support:attachment", args=[case.attachments.first().public_id])) == 1
    assert "Status: New to Open" in page


def test_another_enterprises_case_and_attachment_are_not_found(
    client, outsider, general_user, admin_user
):
    case = open_case(general_user, attachments=[log()])
    alices = open_case(admin_user)
    attachment = case.attachments.get()
    client.force_login(outsider)

    assert client.get(case_url(case)).status_code == 404
    assert client.get(reverse("support:attachment", args=[attachment.public_id])).status_code == 404
    client.force_login(general_user)
    assert client.get(case_url(alices)).status_code == 404
    download = client.get(reverse("support:attachment", args=[attachment.public_id]))
    assert download["Content-Type"] == "text/plain"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"INVITE")


def test_an_internal_notes_attachment_is_never_downloaded(client, general_user, staff_user):
    case = open_case(general_user)
    note = cases.add_message(
        case, author=staff_user, body="Trace.", from_staff=True, internal=True, attachments=[pcap()]
    )
    client.force_login(general_user)

    url = reverse("support:attachment", args=[note.attachments.get().public_id])

    assert client.get(url).status_code == 404


def test_a_reply_with_a_file_is_added(general_client, general_user):
    case = open_case(general_user)
    cases.change_status(case, Status.WAITING, actor=None)

    response = general_client.post(
        case_url(case, "support:reply"), {"body": "Trace attached.", "attachments": [pcap()]}
    )

    assert response.status_code == 302
    message = case.messages.get()
    assert (message.body, message.attachments.get().name) == ("Trace attached.", "trace.pcap")
    case.refresh_from_db()
    assert case.status == Status.OPEN


def test_a_reply_to_a_case_closed_long_ago_opens_a_new_linked_case(general_client, general_user):
    case = open_case(general_user)
    cases.change_status(case, Status.CLOSED, actor=None)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=20))

    page = general_client.get(case_url(case)).text
    response = general_client.post(case_url(case, "support:reply"), {"body": "Back again."})

    follow_up = Case.objects.get(follows=case)
    assert "your reply opens a new case that follows it" in page
    assert "Reopen" not in page
    assert response.url == case_url(follow_up)
    assert follow_up.messages.get().body == "Back again."
    assert not case.messages.exists()


def test_raise_resolve_and_reopen(general_client, general_user):
    case = open_case(general_user, priority=Priority.P3)

    raised = general_client.post(
        case_url(case, "support:raise_priority"),
        {"priority": "p1", "reason": "Now all calls fail."},
    )
    lowered = general_client.post(
        case_url(case, "support:raise_priority"), {"priority": "p3", "reason": "Better."}
    )
    resolved = general_client.post(case_url(case, "support:resolve"))
    reopened = general_client.post(case_url(case, "support:reopen"), {"reason": "Failing again."})

    assert (raised.status_code, resolved.status_code, reopened.status_code) == (302, 302, 302)
    assert "the highest priority" in lowered.text
    case.refresh_from_db()
    assert (case.priority, case.status) == (Priority.P1, Status.OPEN)
    assert [event.reason for event in case.events.all()][1:] == [
        "Now all calls fail.",
        "Marked resolved by the customer",
        "Failing again.",
    ]


def test_read_only_users_see_the_case_without_its_actions(client, read_only_user, general_user):
    case = open_case(general_user)
    client.force_login(read_only_user)

    page = client.get(case_url(case)).text

    assert "Calls to Denver fail" in page
    assert "Send reply" not in page and "Mark resolved" not in page


def test_report_a_problem_is_offered_on_a_number_trunk_order_and_port_batch(
    client, general_user, read_only_user, acme
):
    from porting.tests.factories import submitted_order

    number, trunk, order = acme
    port = submitted_order(general_user, entries=["+13037474100"])
    batch = port.port.batches.get()
    pages = {
        f"?number={number.public_id}": reverse(
            "phone_numbers:number_detail", args=[number.public_id]
        ),
        f"?trunk={trunk.public_id}": reverse("trunks:trunk_detail", args=[trunk.public_id]),
        f"?order={order.public_id}": reverse("orders:order_detail", args=[order.public_id]),
        f"?port_batch={batch.reference}": reverse("orders:order_detail", args=[port.public_id]),
    }

    client.force_login(general_user)
    for query, page in pages.items():
        assert f'href="{OPEN_URL}{query}">Report a problem</a>' in client.get(page).text, page
    form = client.get(OPEN_URL + f"?port_batch={batch.reference}").context["form"]
    assert (form.initial["category"], form.initial["port_batch"]) == ("porting", batch.reference)
    client.force_login(read_only_user)
    assert "Report a problem" not in client.get(pages[f"?trunk={trunk.public_id}"]).text


def test_a_call_typed_in_part_is_refused_at_its_fields(general_client):
    response = general_client.post(
        OPEN_URL, form_data(**{"call-0-calling_number": "+13035550100", "call-0-sip_code": "99"})
    )

    (errors,) = response.context["formset"].errors
    assert errors == {
        "called_number": ["Enter the called number."],
        "started_at": ["Enter the date and time."],
        "sip_code": ["SIP response must be at least 100."],
    }
    assert not Case.objects.exists()


def test_the_tables_queries_do_not_grow_with_its_rows(admin_client, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(LIST_URL).status_code == 200
        return len(captured)

    open_case(admin_user)
    queries()  # what the first request of a session reads once
    few = queries()
    for _ in range(5):
        open_case(admin_user)

    assert queries() == few


def test_a_member_watches_a_case_and_stops(client, admin_user, general_user):
    case = open_case(admin_user, subject="Echo on long calls")
    url = reverse("support:case", args=[case.public_id])
    watch = reverse("support:watch", args=[case.public_id])
    client.force_login(general_user)
    assert client.get(url).status_code == 404  # neither opened nor watched by Bob

    cases.set_watching(case, general_user, True)
    assert "Stop watching" in client.get(url).text
    response = client.post(watch)
    assert response.url == reverse("support:cases")  # he no longer sees it
    assert not case.case_watchers.filter(user=general_user).exists()

    client.force_login(admin_user)
    assert "Watch this case" in client.get(url).text
    response = client.post(watch, {"watching": "on"}, follow=True)
    assert f"You will get the e-mails of case {case.reference}." in response.text
    assert "Stop watching" in response.text
    assert case.case_watchers.filter(user=admin_user).exists()

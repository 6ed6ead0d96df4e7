"""The e-mails of support cases: who gets which, their signed reply addresses, the P1 alert."""

from contextlib import contextmanager

import pytest
from django.test import override_settings

from support import cases, notify
from support.models import CaseEvent, Priority, Status
from tests.factories import UserFactory

from .casemail import make_case, sent, watch

pytestmark = pytest.mark.usefixtures("acme_scope")

SUPPORT = "support@carrier.test"
ON_CALL = "noc-pager@carrier.test"


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.SUPPORT_EMAIL = SUPPORT
    settings.SUPPORT_ON_CALL_EMAIL = ON_CALL
    settings.SUPPORT_REPLY_DOMAIN = "reply.carrier.test"


@pytest.fixture
def delivered(django_capture_on_commit_callbacks, run_jobs, mailoutbox):
    """A block whose e-mails are queued at its commit and sent by the worker."""

    @contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_jobs()

    return block


@pytest.fixture
def case(enterprise, admin_user, general_user):
    case = make_case(enterprise, admin_user)
    watch(case, general_user)
    return case


def test_it_mails_a_new_case_to_the_contact_the_watchers_and_support(
    case, admin_user, general_user, mailoutbox, delivered
):
    with delivered():
        notify.case_opened(case)

    mails = sent(mailoutbox)
    assert set(mails) == {"alice@acme.test", "bob@acme.test", SUPPORT}
    alice = mails["alice@acme.test"]
    assert alice.subject == f"[Carrier Portal] [{case.reference}] Calls to Denver fail"
    assert alice.body.startswith(notify.MARKER)
    assert "Since 9:00 every call to 303 numbers gets a 503." in alice.body
    assert f"/help/cases/{case.public_id}/" in alice.body
    assert alice.extra_headers["Auto-Submitted"] == "auto-generated"
    # Each person answers through an address of their own.
    assert alice.reply_to == [notify.reply_address(case, admin_user)]
    assert mails["bob@acme.test"].reply_to == [notify.reply_address(case, general_user)]
    # Staff's copy points to the back office and is not answered by e-mail.
    copy = mails[SUPPORT]
    assert f"/admin/support/case/{case.pk}/change/" in copy.body
    assert copy.reply_to == []
    assert notify.MARKER not in copy.body


def test_a_contact_who_is_no_user_replies_through_the_contact_address(
    enterprise, admin_user, mailoutbox, delivered
):
    case = make_case(enterprise, admin_user, contact_email="noc@acme.test", contact_name="NOC")
    with delivered():
        notify.case_opened(case)

    mails = sent(mailoutbox)
    assert set(mails) == {"noc@acme.test", SUPPORT}
    assert mails["noc@acme.test"].reply_to == [notify.reply_address(case, None)]
    assert "Hello NOC," in mails["noc@acme.test"].body


def test_a_watcher_who_is_the_contact_gets_one_email_and_inactive_watchers_none(
    case, enterprise, admin_user, mailoutbox, delivered
):
    watch(case, admin_user)
    gone = UserFactory(email="gone@acme.test", enterprise=enterprise, is_active=False)
    watch(case, gone)
    with delivered():
        notify.status_changed(
            case, CaseEvent(case=case, field="status", old="new", new="open", actor_label="Sam")
        )

    assert set(sent(mailoutbox)) == {"alice@acme.test", "bob@acme.test"}


def test_a_p1_case_alerts_on_call_at_once(enterprise, admin_user, mailoutbox, delivered):
    case = make_case(enterprise, admin_user, priority=Priority.P1, subject="All calls down")
    with delivered():
        notify.case_opened(case)

    alert = sent(mailoutbox)[ON_CALL]
    assert alert.subject == f"[Carrier Portal] P1 opened: [{case.reference}] All calls down"
    assert "Acme Telecom (ACC000001)" in alert.body
    assert f"/admin/support/case/{case.pk}/change/" in alert.body


def test_a_p2_case_does_not_page_on_call(case, mailoutbox, delivered):
    with delivered():
        notify.case_opened(case)

    assert ON_CALL not in sent(mailoutbox)


def test_raising_a_case_to_p1_alerts_on_call(case, admin_user, mailoutbox, delivered):
    with delivered():
        cases.raise_priority(case, Priority.P1, by=admin_user, reason="Now nothing works")

    mails = sent(mailoutbox)
    assert "raised to P1" in mails[ON_CALL].subject
    assert "raised from P2 - Degraded service to P1 - Service down" in mails["alice@acme.test"].body
    assert "Now nothing works" in mails["alice@acme.test"].body


def test_a_staff_reply_goes_to_the_customers_and_a_note_to_nobody(
    case, staff_user, mailoutbox, delivered
):
    with delivered():
        cases.add_message(case, author=staff_user, body="Note: carrier X is down.", internal=True)
    assert mailoutbox == []

    with delivered():
        cases.add_message(case, author=staff_user, body="We rerouted your calls.", from_staff=True)

    replies = [m for m in mailoutbox if "We rerouted your calls." in m.body]
    assert sorted(m.to[0] for m in replies) == ["alice@acme.test", "bob@acme.test"]
    # The reply moves the case from New to Open, which is e-mailed too.
    moved = [m for m in mailoutbox if "is now Open" in m.body]
    assert sorted(m.to[0] for m in moved) == ["alice@acme.test", "bob@acme.test"]
    assert len(mailoutbox) == 4
    assert all("carrier X" not in m.body for m in mailoutbox)


def test_a_customer_reply_goes_to_the_assigned_staff_member(
    case, admin_user, staff_user, mailoutbox, delivered
):
    case.assigned_to = staff_user
    case.save()
    with delivered():
        cases.add_message(case, author=admin_user, body="Still failing at 10:15.")

    (mail,) = mailoutbox
    assert mail.to == ["staff@carrier.test"]
    assert "Still failing at 10:15." in mail.body
    assert mail.reply_to == [notify.reply_address(case, staff_user)]


def test_a_customer_reply_to_an_unassigned_case_goes_to_support(
    case, admin_user, mailoutbox, delivered
):
    with delivered():
        cases.add_message(case, author=admin_user, body="Still failing at 10:15.")

    (mail,) = mailoutbox
    assert mail.to == [SUPPORT]
    assert mail.reply_to == []


def test_a_status_change_mails_the_customers_in_their_time_zone(
    case, admin_user, staff_user, mailoutbox, delivered
):
    admin_user.time_zone = "Asia/Tokyo"
    admin_user.save()
    with delivered():
        cases.change_status(case, Status.WAITING, actor=staff_user, reason="Send a PCAP")

    alice = sent(mailoutbox)["alice@acme.test"]
    assert f"Your support case {case.reference} is now Waiting on Customer" in alice.body
    assert "Send a PCAP" in alice.body
    assert "JST" in alice.body


def test_a_reply_address_reads_back_as_its_case_and_recipient(case, admin_user):
    address = notify.reply_address(case, admin_user)
    local = address.split("@")[0]
    assert len(local) <= 64
    assert notify.read_reply_address(address) == (case.public_id, admin_user.pk)
    # Mail servers may change the case of letters.
    assert notify.read_reply_address(address.upper()) == (case.public_id, admin_user.pk)
    assert notify.read_reply_address(notify.reply_address(case)) == (case.public_id, None)


def test_a_changed_reply_address_is_refused(case, admin_user, general_user):
    address = notify.reply_address(case, admin_user)
    prefix, user_id, signature = address.split("@")[0].split(".")
    other_user = f"{prefix}.{general_user.pk}.{signature}@reply.carrier.test"
    other_signature = f"{prefix}.{user_id}.{'a' * 16}@reply.carrier.test"
    for forged in [other_user, other_signature, address.replace("reply.carrier", "evil")]:
        with pytest.raises(notify.BadReplyAddress):
            notify.read_reply_address(forged)


def test_changing_the_key_revokes_the_addresses_given_out(case, admin_user):
    address = notify.reply_address(case, admin_user)
    with override_settings(SUPPORT_REPLY_KEY="a-new-key"), pytest.raises(notify.BadReplyAddress):
        notify.read_reply_address(address)

"""Replies by e-mail: real RFC 822 messages posted to the inbound endpoint as a mail server does."""

import logging
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.utils import timezone

from support import inbound, notify
from support.models import Case, CaseAttachment, CaseMessage, Status

from .casemail import make_case

URL = "/help/inbound-mail/"
SECRET = "the-mail-servers-secret"
SUPPORT = "support@carrier.test"
PCAP = b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00" + bytes(16) + b"\xff\xff\x00\x00\x01\x00\x00\x00"


@pytest.fixture(autouse=True)
def _inbound(settings):
    settings.SUPPORT_INBOUND_SECRET = SECRET
    settings.SUPPORT_EMAIL = SUPPORT
    settings.SUPPORT_REPLY_DOMAIN = "reply.carrier.test"


@pytest.fixture
def case(enterprise, admin_user):
    return make_case(enterprise, admin_user, status=Status.WAITING)


def reply(case, user, *, sender=None, body="It works again, thanks.", message_id="<r1@acme.test>"):
    mail = EmailMessage()
    mail["From"] = f"Alice Admin <{sender or user.email}>"
    mail["To"] = f"Carrier Portal <{notify.reply_address(case, user)}>"
    mail["Subject"] = f"Re: [Carrier Portal] [{case.reference}] {case.subject}"
    mail["Message-ID"] = message_id
    mail.set_content(body)
    return mail


def post(client, mail, secret=SECRET):
    return client.post(
        URL,
        data=bytes(mail),
        content_type="message/rfc822",
        headers={"X-Support-Inbound-Secret": secret},
    )


def test_a_reply_to_the_cases_email_is_added_without_the_quote(
    client, case, admin_user, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    with django_capture_on_commit_callbacks(execute=True):
        notify.status_changed(
            case,
            case.events.create(enterprise=case.enterprise, field="status", new="waiting"),
        )
    run_jobs()
    sent = next(m for m in mailoutbox if m.to == [admin_user.email])
    quoted = "\n".join(f"> {line}" for line in sent.body.splitlines())
    mail = EmailMessage()
    mail["From"] = "Alice Admin <ALICE@acme.test>"
    mail["To"] = sent.reply_to[0]
    mail["Subject"] = f"Re: {sent.subject}"
    mail["Message-ID"] = "<reply-1@mail.acme.test>"
    mail.set_content(
        "The capture is attached.\nCalls fail from 10:02.\n\n-- \nAlice Admin\nAcme Telecom\n\n"
        f"On Mon, Dec 7, 2026 at 10:00 AM Carrier Portal\n<portal@carrier.test> wrote:\n{quoted}\n"
    )

    response = post(client, mail)

    assert response.status_code == 200, response.text
    assert response.text == f"added to {case.reference} from alice@acme.test\n"
    message = CaseMessage.objects.get(case=case)
    assert message.body == "The capture is attached.\nCalls fail from 10:02."
    assert message.author == admin_user
    assert message.by_email and not message.from_staff and not message.internal
    assert message.email_message_id == "<reply-1@mail.acme.test>"
    case.refresh_from_db()
    assert case.status == Status.OPEN  # the customer answered


def test_a_multipart_reply_keeps_its_checked_attachments_and_names_those_refused(
    client, case, admin_user
):
    mail = reply(case, admin_user, body="Capture and screenshot attached.")
    mail.add_alternative("<p>Capture and screenshot attached.</p>", subtype="html")
    mail.add_attachment(PCAP, maintype="application", subtype="octet-stream", filename="x.pcap")
    mail.add_attachment(b"not a png", maintype="image", subtype="png", filename="screen.png")

    response = post(client, mail)

    assert response.status_code == 200, response.text
    message = CaseMessage.objects.get(case=case)
    assert message.body.startswith("Capture and screenshot attached.\n\nAttachment not kept: ")
    assert "screen.png: This file is named like a PNG image" in message.body
    (attachment,) = CaseAttachment.objects.filter(message=message)
    assert (attachment.name, attachment.size) == ("x.pcap", len(PCAP))
    assert attachment.content_type == "application/vnd.tcpdump.pcap"
    assert attachment.file.read() == PCAP


def test_an_html_only_reply_is_added_as_text(client, case, admin_user):
    mail = reply(case, admin_user)
    mail.set_content(
        "<html><head><style>p {color: red}</style></head><body><div>Still failing &amp; "
        "<b>urgent</b>.</div><div>Alice</div><div class='gmail_quote'>On Monday Carrier Portal "
        "wrote:<blockquote>##- Reply above this line -##<br>Old text</blockquote></div>"
        "</body></html>",
        subtype="html",
    )

    assert post(client, mail).status_code == 200

    assert CaseMessage.objects.get(case=case).body == "Still failing & urgent.\nAlice"


def test_the_contacts_address_may_be_nobodys_account(client, enterprise, admin_user):
    case = make_case(enterprise, admin_user, contact_email="noc@acme.test", contact_name="NOC")
    mail = reply(case, None, sender="NOC@acme.test")

    assert post(client, mail).status_code == 200

    message = CaseMessage.objects.get(case=case)
    assert (message.author, message.author_label) == (None, "NOC")


def test_a_message_delivered_twice_is_added_once(client, case, admin_user):
    mail = reply(case, admin_user)

    assert post(client, mail).status_code == 200
    response = post(client, mail)

    assert response.status_code == 200
    assert response.text == "<r1@acme.test> was added to the case already\n"
    assert CaseMessage.objects.filter(case=case).count() == 1


def test_a_reply_to_a_case_closed_long_ago_opens_one_that_follows_it(client, case, admin_user):
    ended = timezone.now() - timedelta(days=20)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, resolved_at=ended, closed_at=ended)

    response = post(client, reply(case, admin_user, body="It is back!"))

    assert response.status_code == 200
    follow_up = Case.objects.get(follows=case)
    assert response.text == f"added to {follow_up.reference} from alice@acme.test\n"
    assert follow_up.messages.get().body == "It is back!"
    assert not case.messages.exists()


def test_a_reply_to_a_merged_case_goes_to_the_case_it_was_merged_into(
    client, enterprise, case, admin_user
):
    kept = make_case(enterprise, admin_user)
    Case.objects.filter(pk=case.pk).update(merged_into=kept)

    assert post(client, reply(case, admin_user)).status_code == 200

    assert kept.messages.get().body == "It works again, thanks."


def refused(client, mail, mailoutbox, capture, run_jobs):
    with capture(execute=True):
        response = post(client, mail)
    run_jobs()
    assert response.status_code == 406
    (copy,) = mailoutbox
    assert copy.to == [SUPPORT]
    ((name, content, _type),) = copy.attachments
    assert (name, content) == ("refused-message.eml", bytes(mail))
    return response.text, copy


def _with_signature_changed(address):
    # The signature's last character made another: "b" unless it is one already (one address
    # in 32 or so would otherwise stay as signed, and be taken).
    at = address.index("@")
    other = "c" if address[at - 1] == "b" else "b"
    return address[: at - 1] + other + address[at:]


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda a: a.replace(".", "x", 1), "not a reply address"),
        (_with_signature_changed, "forged or was changed"),
        (lambda a: a.replace("reply.carrier.test", "other.test"), "not an address of the reply"),
    ],
    ids=["mangled", "bad-signature", "other-domain"],
)
def test_a_forged_or_changed_address_is_refused_and_handed_to_staff(
    client,
    case,
    admin_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
    run_jobs,
    caplog,
    change,
    reason,
):
    mail = reply(case, admin_user)
    mail.replace_header("To", change(notify.reply_address(case, admin_user)))

    with caplog.at_level(logging.WARNING, logger="support.inbound"):
        text, copy = refused(client, mail, mailoutbox, django_capture_on_commit_callbacks, run_jobs)

    assert reason in text
    assert reason in copy.subject and reason in caplog.text
    assert not CaseMessage.objects.exists()


def test_another_address_of_the_case_is_refused_for_someone_else(
    client, case, admin_user, general_user, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    # Bob sends to the address given to Alice.
    mail = reply(case, admin_user, sender=general_user.email)

    text, _copy = refused(client, mail, mailoutbox, django_capture_on_commit_callbacks, run_jobs)

    assert (
        text == f"refused: bob@acme.test is not the address {case.reference}'s reply was sent to\n"
    )
    assert not CaseMessage.objects.exists()


def test_an_out_of_office_answer_is_not_added(
    client, case, admin_user, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    mail = reply(case, admin_user, body="I am out of the office until Monday.")
    mail["Auto-Submitted"] = "auto-replied"

    text, _copy = refused(client, mail, mailoutbox, django_capture_on_commit_callbacks, run_jobs)

    assert "automatic reply" in text
    assert not CaseMessage.objects.exists()


def test_the_endpoint_needs_the_mail_servers_secret(client, case, admin_user, settings):
    mail = reply(case, admin_user)

    assert post(client, mail, secret="guess").status_code == 403
    assert client.post(URL, data=bytes(mail), content_type="message/rfc822").status_code == 403
    settings.SUPPORT_INBOUND_SECRET = ""
    assert post(client, mail, secret="").status_code == 403
    assert client.get(URL).status_code == 405
    assert not CaseMessage.objects.exists()


def test_a_message_too_large_is_refused(client, case, admin_user, settings):
    settings.SUPPORT_INBOUND_MAX_BYTES = 1000
    mail = reply(case, admin_user, body="x" * 2000)

    assert post(client, mail).status_code == 413


@pytest.mark.parametrize(
    "text, kept",
    [
        ("Fine now.\n\nOn Tue, Dec 8, 2026, Carrier Portal <p@c.test> wrote:\n> old", "Fine now."),
        ("Fine now.\nOn Monday it failed again.", "Fine now.\nOn Monday it failed again."),
        ("Fine now.\n\nSent from my phone\n> old", "Fine now."),
        ("Fine now.\r\n> ##- Reply above this line -##\r\n> old", "Fine now."),
    ],
)
def test_only_what_is_written_above_the_quote_is_kept(text, kept):
    assert inbound.reply_text(text) == kept


def test_a_staff_member_answers_the_customer_by_email(client, case, staff_user):
    mail = reply(case, staff_user, body="We rerouted your calls.")

    assert post(client, mail).status_code == 200

    message = CaseMessage.objects.get(case=case)
    assert message.from_staff and not message.internal
    assert message.author == staff_user

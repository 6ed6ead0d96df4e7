"""The e-mails of support cases: to the customer's contact and watchers, and to staff.

A new case, each staff reply and each status change e-mail the case's contact and watchers;
each customer reply e-mails the staff member the case is assigned to, or the support address.
A P1 case alerts the on-call address at once, when opened and when raised to P1. Internal
notes are never e-mailed.

Every e-mail to a person has its own Reply-To, a signed address of the case and that person
(`reply_address`): the inbound endpoint (support.inbound) adds what they answer above the
marker line to the case. The signature is an HMAC of SUPPORT_REPLY_KEY: changing the key
revokes every address given out.
"""

import base64
import hmac
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.jobs import queue_email
from core.phones import display_phone

from .models import Priority, Status

# The plain-text e-mails start with it; the inbound endpoint keeps what is written above it.
MARKER = "##- Reply above this line -##"
# Mail servers may change the case of an address's local part: everything in it is lower case.
ADDRESS_PATTERN = re.compile(r"^case\+([0-9a-f]{32})\.(\d+|c)\.([a-z2-7]{16})$")
CONTACT = "c"  # the recipient part of the case's contact address, when it is nobody's account


@dataclass(frozen=True)
class Recipient:
    email: str
    user: User | None  # None: the case's contact address, which is no user's


class BadReplyAddress(Exception):
    """A reply address that is not one the portal gave out."""


def _signature(value):
    signer = signing.Signer(
        key=settings.SUPPORT_REPLY_KEY, salt="support.reply-address", algorithm="sha256"
    )
    digest = signing.b64_decode(signer.signature(value).encode())
    # 80 bits in base32: short enough for the 64 characters of a local part, and case-free.
    return base64.b32encode(digest[:10]).decode().lower()


def reply_address(case, user=None):
    """The address that adds a reply to case as user (None: as the case's contact)."""
    value = f"{case.public_id.hex}.{user.pk if user else CONTACT}"
    return f"case+{value}.{_signature(value)}@{settings.SUPPORT_REPLY_DOMAIN}"


def read_reply_address(address):
    """(case public id, recipient user id or None for the contact) of a signed reply address.

    Raises BadReplyAddress for an address of another form, another domain or a wrong signature.
    """
    local, _, domain = address.strip().lower().rpartition("@")
    if domain != settings.SUPPORT_REPLY_DOMAIN.lower():
        raise BadReplyAddress("not an address of the reply domain")
    match = ADDRESS_PATTERN.match(local)
    if not match:
        raise BadReplyAddress("not a reply address")
    case_hex, recipient, signature = match.groups()
    if not hmac.compare_digest(signature, _signature(f"{case_hex}.{recipient}")):
        raise BadReplyAddress("the reply address is forged or was changed (bad signature)")
    return uuid.UUID(case_hex), None if recipient == CONTACT else int(recipient)


def customers(case):
    """The contact, then each active watcher: once per address."""
    contact_user = (
        User.objects.filter(
            enterprise_id=case.enterprise_id, email__iexact=case.contact_email, is_active=True
        )
        .order_by("pk")
        .first()
    )
    recipients = [Recipient(case.contact_email, contact_user)]
    watchers = case.case_watchers.select_related("user").filter(user__is_active=True)
    recipients += [Recipient(watcher.user.email, watcher.user) for watcher in watchers]
    seen, unique = set(), []
    for recipient in recipients:
        if recipient.email.lower() not in seen:
            seen.add(recipient.email.lower())
            unique.append(recipient)
    return unique


def case_opened(case):
    """E-mail a new case to its contact and watchers, a copy to support; P1 alerts on-call."""
    for recipient in customers(case):
        _send_to_customer(case, recipient, "case_opened", {})
    _send_to_staff(case, settings.SUPPORT_EMAIL, "case_opened_staff", {})
    if case.priority == Priority.P1:
        _alert_on_call(case, "opened")


def message_added(message):
    """E-mail a staff reply to the customers, a customer reply to staff; never a note."""
    case = message.case
    if message.internal:
        return
    context = {"message": message}
    if message.from_staff:
        for recipient in customers(case):
            _send_to_customer(case, recipient, "staff_reply", context)
        return
    assignee = case.assigned_to
    if assignee is not None and assignee.is_active:
        _send_to_staff(case, Recipient(assignee.email, assignee), "customer_reply", context)
    else:
        _send_to_staff(case, settings.SUPPORT_EMAIL, "customer_reply", context)


def status_changed(case, event):
    """E-mail a change of status (or of priority) to the customers; raised to P1 alerts on-call."""
    old, new = event_labels(event)
    change = {"old": old, "new": new}
    for recipient in customers(case):
        _send_to_customer(case, recipient, "status_changed", {"event": event, "change": change})
    if event.field == "priority" and event.new == Priority.P1:
        _alert_on_call(case, "raised to P1")


def inbound_refused(reason, raw):
    """Hand staff an e-mail the inbound endpoint refused, with the reason: nothing is lost."""
    if not settings.SUPPORT_EMAIL:
        return  # the log has it
    body = render_to_string("support/email/inbound_refused.txt", {"reason": reason})
    subject = f"{settings.EMAIL_SUBJECT_PREFIX}Refused reply e-mail: {reason}"
    # As bytes, exactly as received: a message refused as malformed might not survive a parse.
    message = _message(_one_line(subject), body, settings.SUPPORT_EMAIL)
    message.attach("refused-message.eml", raw, "application/octet-stream")
    queue_email(message)


def case_url(case):
    return settings.SITE_URL + reverse("support:case", args=[case.public_id])


def admin_url(case):
    return settings.SITE_URL + reverse("admin:support_case_change", args=[case.pk])


def _send_to_customer(case, recipient, template, extra):
    context = {"case": case, "recipient": recipient, "url": case_url(case), **extra}
    _render_and_queue(case, recipient, template, context)


def _send_to_staff(case, to, template, extra):
    """To a staff member (a Recipient, who may reply by e-mail) or a team's address."""
    recipient = to if isinstance(to, Recipient) else Recipient(to, None)
    context = {"case": case, "recipient": recipient, **_staff_context(case), **extra}
    _render_and_queue(case, recipient, template, context, reply=recipient.user is not None)


def _staff_context(case):
    return {"url": admin_url(case), "contact_phone": display_phone(case.contact_phone)}


def _alert_on_call(case, what):
    context = {"case": case, "what": what, **_staff_context(case)}
    with timezone.override(settings.SUPPORT_TIME_ZONE):
        body = render_to_string("support/email/on_call_alert.txt", context)
    subject = f"{settings.EMAIL_SUBJECT_PREFIX}P1 {what}: [{case.reference}] {case.subject}"
    _queue(case, _one_line(subject), body, settings.SUPPORT_ON_CALL_EMAIL, reply_to="")


def _render_and_queue(case, recipient, template, context, reply=True):
    # Times in the reader's zone; a team's address reads the support team's.
    user = recipient.user
    zone = user.zone if user is not None else settings.SUPPORT_TIME_ZONE
    reply_to = reply_address(case, user) if reply else ""
    with timezone.override(zone):
        body = render_to_string(
            f"support/email/{template}.txt", {**context, "marker": MARKER if reply_to else ""}
        )
    subject = f"{settings.EMAIL_SUBJECT_PREFIX}[{case.reference}] {case.subject}"
    _queue(case, _one_line(subject), body, recipient.email, reply_to=reply_to)


def _queue(case, subject, body, to, reply_to):
    if not to:
        return  # a team address left empty in the settings
    # One thread per case in the reader's mail program.
    headers = {"References": f"<case-{case.public_id.hex}@{settings.SUPPORT_REPLY_DOMAIN}>"}
    queue_email(_message(subject, body, to, reply_to, headers), enterprise=case.enterprise)


def event_labels(event):
    """The old and new values of a CaseEvent as people read them ("Waiting on Customer")."""
    choices = {"status": Status, "priority": Priority}.get(event.field)
    if choices is None:
        return event.old, event.new
    return tuple(choices(v).label if v in choices.values else v for v in (event.old, event.new))


def _one_line(text):
    # A header holds no line breaks, and a subject typed by a customer might.
    return " ".join(text.split())[:200]


def _message(subject, body, to, reply_to="", headers=None):
    return EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [to],
        reply_to=[reply_to] if reply_to else None,
        # Automatic replies (out of office) must not answer it back to the case.
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )

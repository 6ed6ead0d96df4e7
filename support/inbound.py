"""Replies by e-mail: a raw RFC 822 message the mail server hands over, added to its case.

The message must be addressed (To, Cc, Delivered-To or X-Original-To) to a signed reply address
that support.notify gave out, and come from the person it was given to (or from the case's
contact address). What is written above the marker line is kept, without the quoted e-mail and
the signature; its attachments go through the same checks as those uploaded on the page
(support.attachments), and those refused are named in the message. The Message-ID makes a
message delivered twice count once.

A message refused (a forged or changed address, an unknown sender, nothing written) is logged
with the reason and handed to the support address as received, so that nothing is lost; the
mail server is told it is refused (support.views_inbound).
"""

import email
import hashlib
import logging
import re
from dataclasses import dataclass
from email import policy
from email.utils import getaddresses
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from accounts.models import User
from core.tenancy import enterprise_scope

from . import attachments as attached_files
from . import cases, notify
from .models import Case, CaseMessage

logger = logging.getLogger(__name__)

ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")
SIGNATURES = re.compile(r"^(-- ?|sent from my .*|get outlook for .*)$", re.IGNORECASE)
MERGES_FOLLOWED = 5


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    reason: str  # what happened, for the mail server and the log
    message: CaseMessage | None = None


class Refused(Exception):
    pass


def receive(raw):
    """Add the reply e-mail raw (bytes) to its case; say what happened.

    Refused messages are logged and handed to staff, never raised to the caller.
    """
    try:
        outcome = _receive(raw)
    except Refused as refusal:
        reason = str(refusal)
        logger.warning("Reply e-mail refused: %s", reason)
        notify.inbound_refused(reason, raw)
        return Outcome(False, reason)
    logger.info("Reply e-mail: %s", outcome.reason)
    return outcome


def _receive(raw):
    try:
        mail = email.message_from_bytes(raw, policy=policy.default)
        sender = _sender(mail)
        address = _reply_address(mail)
        message_id = str(mail.get("Message-ID", "")).strip()[:250]
        automatic = str(mail.get("Auto-Submitted", "no")).strip().lower() != "no"
    except (ValueError, TypeError, IndexError) as error:  # headers the parser cannot read
        raise Refused(f"the message cannot be read ({error})") from None
    if automatic:
        # An out-of-office answer to a case's e-mail: not the customer's reply.
        raise Refused(f"an automatic reply (Auto-Submitted) from {sender}")
    try:
        case_id, user_id = notify.read_reply_address(address)
    except notify.BadReplyAddress as error:
        raise Refused(f"{address}: {error}") from None
    # Identical bytes without a Message-ID are the same delivery again.
    message_id = message_id or f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    with scopes_disabled():
        # Only to learn the case's enterprise; the rest happens in its scope.
        enterprise_id = (
            Case.objects.filter(public_id=case_id).values_list("enterprise_id", flat=True).first()
        )
    if enterprise_id is None:
        raise Refused(f"{address}: the case no longer exists")
    with enterprise_scope(enterprise_id):
        case = _current(Case.objects.get(public_id=case_id))
        author, label = _author(case, user_id, sender)
        if CaseMessage.objects.filter(email_message_id=message_id).exists():
            return Outcome(True, f"{message_id} was added to the case already")
        body = reply_text(_body_text(mail))
        files, refused_files = _attachments(mail)
        if refused_files:
            body += "\n\n" + "\n".join(f"Attachment not kept: {error}" for error in refused_files)
        if not body.strip() and not files:
            raise Refused(f"nothing was written above the line in the reply from {sender}")
        try:
            with transaction.atomic():
                message = cases.add_message(
                    case,
                    author=author,
                    author_label=label,
                    body=body.strip(),
                    from_staff=author is not None and author.is_staff,
                    by_email=True,
                    email_message_id=message_id,
                    attachments=files,
                )
        except IntegrityError:
            with scopes_disabled():
                delivered = CaseMessage.objects.filter(email_message_id=message_id).exists()
            if not delivered:
                raise
            # The same message, delivered twice at once: the other delivery added it.
            return Outcome(True, f"{message_id} was added to the case already")
    if refused_files:
        notify.inbound_refused(
            f"attachments not kept on {message.case.reference}: {'; '.join(refused_files)}", raw
        )
    return Outcome(True, f"added to {message.case.reference} from {sender}", message)


def _sender(mail):
    addresses = mail["From"].addresses if mail["From"] else ()
    if len(addresses) != 1 or not addresses[0].addr_spec:
        raise Refused("the message has no single sender (From)")
    return addresses[0].addr_spec.lower()


def _reply_address(mail):
    """The reply address the message was sent to: one of the reply domain first."""
    values = [str(value) for name in ADDRESS_HEADERS for value in mail.get_all(name) or ()]
    candidates = [
        address for _name, address in getaddresses(values) if address.lower().startswith("case+")
    ]
    if not candidates:
        raise Refused("the message is not addressed to a case's reply address")
    domain = "@" + settings.SUPPORT_REPLY_DOMAIN.lower()
    return next((a for a in candidates if a.lower().endswith(domain)), candidates[0])


def _current(case):
    """The case a reply goes to: the one a merged case was merged into."""
    for _ in range(MERGES_FOLLOWED):
        if case.merged_into_id is None:
            break
        case = case.merged_into
    return case


def _author(case, user_id, sender):
    """(user, label) of the reply's author: the person the address was given to, whose own
    address (or the case's contact address) must have sent it."""
    if user_id is None:
        if sender != case.contact_email.lower():
            raise Refused(f"{sender} is not the contact address of {case.reference}")
        user = User.objects.filter(
            enterprise_id=case.enterprise_id, email__iexact=sender, is_active=True
        ).first()
        return user, "" if user else case.contact_name
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not (user.is_staff or user.enterprise_id == case.enterprise_id):
        raise Refused(f"the reply address of {case.reference} names no active user of the case")
    own = {user.email.lower()} | (set() if user.is_staff else {case.contact_email.lower()})
    if sender not in own:
        raise Refused(f"{sender} is not the address {case.reference}'s reply was sent to")
    if not user.is_staff and not cases.visible_cases(user).filter(pk=case.pk).exists():
        raise Refused(f"{user.email} may no longer see {case.reference}")
    return user, ""


def _body_text(mail):
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    return html_text(text) if part.get_content_type() == "text/html" else text


def reply_text(text):
    """What the person wrote: above the marker line, without the quote and the signature."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if notify.MARKER in line or SIGNATURES.match(line.strip()):
            break
        kept.append(line.rstrip())
    # Then the quoted e-mail, and the line introducing it ("On ..., ... wrote:"), from the end.
    _drop_last(kept, lambda line: not line.strip() or line.lstrip().startswith(">"))
    if kept and kept[-1].strip().lower().endswith("wrote:"):
        introduction = kept.pop().strip().lower()
        starts = introduction.startswith("on ")
        if not starts and kept and kept[-1].strip().lower().startswith("on "):
            kept.pop()  # its first line, when the mail program broke it in two
    _drop_last(kept, lambda line: not line.strip())
    return "\n".join(kept).strip()


def _drop_last(lines, test):
    while lines and test(lines[-1]):
        lines.pop()


def _attachments(mail):
    """(files to add, messages about those refused): each checked by its content."""
    files, refused = [], []
    for part in mail.iter_attachments():
        name = attached_files.short_name(part.get_filename() or "attachment")
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):
            refused.append(f"{name}: an attached e-mail, not a file")
            continue
        file = ContentFile(content, name=name)
        try:
            attached_files.check(file)
        except ValidationError as error:
            refused.append(" ".join(error.messages))
            continue
        files.append(file)
    return files, refused


class _HtmlText(HTMLParser):
    """The text of an HTML e-mail, one line per block; quoted e-mails (blockquote) left out."""

    BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul", "ol"}
    HIDDEN = {"blockquote", "style", "script", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self._line_break()

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self._line_break()

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))

    def _line_break(self):
        # A block starts a line: one break between two blocks, not two.
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")


def html_text(html):
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

"""Demo data of Help & Support: Contact Us entries (the FAQs come from each app's faqs.py), and
the demo enterprise's support cases, one in each status, with their conversations.

Cases are opened and answered through support.cases, without e-mails, then moved back in time
so that their ages and clocks look lived in: a P1 about the Denver Bundle's trunk with call
examples picked from the demo traffic and a log attached, answered by staff (Open); a voice
quality case waiting for the customer's capture (Waiting on Customer); a question nobody has
answered yet (New); a port question resolved by the customer (Resolved); an invoice question
closed a while ago (Closed). Each is added once, by its subject.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from accounts.demo import demo_enterprise
from accounts.models import User
from billing.models import CallRecord
from trunks.models import Trunk

from . import cases
from .models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseMessage,
    Category,
    Contact,
    Priority,
    Status,
)

CONTACTS = [
    # team, label, phone, email, hours
    (
        Contact.Team.SUPPORT,
        "Network Operations Center",
        "+1 877-555-0100",
        "support@carrier.example",
        "24 hours a day, 7 days a week",
    ),
    (
        Contact.Team.SUPPORT,
        "Porting desk",
        "+1 877-555-0110",
        "porting@carrier.example",
        "Monday to Friday, 9:00 AM to 5:30 PM ET",
    ),
    (
        Contact.Team.SALES,
        "Account management",
        "+1 877-555-0120",
        "sales@carrier.example",
        "Monday to Friday, 8:00 AM to 6:00 PM MT",
    ),
    (
        Contact.Team.BILLING,
        "Billing and payments",
        "+1 877-555-0130",
        "billing@carrier.example",
        "Monday to Friday, 8:00 AM to 5:00 PM MT",
    ),
]

SIP_LOG = (
    "2026-12-01 14:02:11.120 INVITE sip:+13125550142@sip.carrier.example SIP/2.0\n"
    "2026-12-01 14:02:11.188 SIP/2.0 100 Trying\n"
    "2026-12-01 14:02:14.904 SIP/2.0 503 Service Unavailable\n"
)


def load(run):
    for team, label, phone, email, hours in CONTACTS:
        Contact.objects.get_or_create(
            team=team, label=label, defaults={"phone": phone, "email": email, "hours": hours}
        )
    enterprise = demo_enterprise()
    users = {user.email: user for user in User.objects.filter(enterprise=enterprise)}
    staff = User.objects.filter(email="staff@carrier.example").first()
    existing = set(Case.objects.filter(enterprise=enterprise).values_list("subject", flat=True))
    for subject, make in CASES.items():
        if subject not in existing:
            make(subject, users, staff, enterprise)


def _open(subject, user, **fields):
    return cases.open_case(
        user,
        subject=subject,
        contact_name=user.get_full_name(),
        contact_phone=user.phone or "+13035550199",
        contact_email=user.email,
        **fields,
    )


def _staff_reply(case, staff, body):
    return cases.add_message(case, author=staff, body=body, from_staff=True)


def _backdate(case, delta):
    """Move everything of the case delta into the past, as if it had happened then."""
    Case.objects.filter(pk=case.pk).update(
        opened_at=F("opened_at") - delta,
        updated_at=F("updated_at") - delta,
        first_response_due=F("first_response_due") - delta,
        first_response_at=F("first_response_at") - delta,
        resolved_at=F("resolved_at") - delta,
        closed_at=F("closed_at") - delta,
    )
    CaseMessage.objects.filter(case=case).update(created_at=F("created_at") - delta)
    CaseEvent.objects.filter(case=case).update(at=F("at") - delta)
    CaseAttachment.objects.filter(case=case).update(uploaded_at=F("uploaded_at") - delta)


def _failed_calls(enterprise):
    """A few failed calls of the demo traffic (the last week's), to show as call examples."""
    since = timezone.now() - timedelta(days=7)
    return list(
        CallRecord.objects.filter(
            enterprise=enterprise, started_at__gte=since, sip_code__gte=400
        ).order_by("-started_at")[:2]
    )


def _p1_trunk_down(subject, users, staff, enterprise):
    admin = users["admin@demo.example"]
    trunk = Trunk.objects.filter(enterprise=enterprise, package__name="Denver Bundle").first()
    examples = [
        {
            "calling_number": record.from_number,
            "called_number": record.to_number,
            "started_at": record.started_at,
            "sip_code": record.sip_code,
            "call_id": record.call_id,
        }
        for record in _failed_calls(enterprise)
    ] or [
        {
            "calling_number": "+13035550100",
            "called_number": "+13125550142",
            "started_at": timezone.now() - timedelta(hours=3),
            "sip_code": 503,
        }
    ]
    case = _open(
        subject,
        admin,
        category=Category.CALLS_NOT_COMPLETING,
        priority=Priority.P1,
        description="Since 14:00 every outbound call through our primary trunk gets a 503. "
        "Inbound calls still arrive.",
        trunk=trunk,
        call_examples=examples,
        attachments=[ContentFile(SIP_LOG.encode(), name="sbc-503.log")],
    )
    _staff_reply(
        case,
        staff,
        "We see the 503s on our Denver session border controller and have moved your traffic "
        "to the redundant path while we replace a failed card. We will update you within the "
        "hour.",
    )
    cases.add_message(case, author=admin, body="Thanks: calls go through again for now.")
    _backdate(case, timedelta(hours=2))


def _p2_waiting(subject, users, staff, enterprise):
    user = users["user@demo.example"]
    case = _open(
        subject,
        user,
        category=Category.VOICE_QUALITY,
        priority=Priority.P2,
        description="Callers to our Chicago office say our voice breaks up, mostly mornings.",
    )
    _staff_reply(
        case,
        staff,
        "Could you send a packet capture (PCAP) of one such call from your SBC, with the time "
        "of the call? Attach it to this case.",
    )
    cases.change_status(case, Status.WAITING, actor=staff)
    _backdate(case, timedelta(days=1))


def _p3_new(subject, users, staff, enterprise):
    _open(
        subject,
        users["user@demo.example"],
        category=Category.NUMBERS,
        priority=Priority.P3,
        description="Can our toll-free numbers show our company name to the people we call?",
    )


def _resolved(subject, users, staff, enterprise):
    admin = users["admin@demo.example"]
    case = _open(
        subject,
        admin,
        category=Category.PORTING,
        priority=Priority.P3,
        description="Our port batch was rejected for the account number: which one is meant?",
    )
    _staff_reply(
        case,
        staff,
        "The losing carrier wants the account number on your invoice from them, not the BTN.",
    )
    cases.resolve(case, by=admin)
    _backdate(case, timedelta(days=3))


def _closed(subject, users, staff, enterprise):
    billing = users["billing@demo.example"]
    case = _open(
        subject,
        billing,
        category=Category.BILLING,
        priority=Priority.P3,
        description="Why does last month's invoice show two lines for the Denver Bundle?",
    )
    _staff_reply(
        case,
        staff,
        "The bundle changed on the 14th: the two lines are the days before and after it.",
    )
    cases.change_status(case, Status.CLOSED, actor=staff)
    _backdate(case, timedelta(days=20))


CASES = {
    "Outbound calls fail with 503 on the Denver trunk": _p1_trunk_down,
    "Choppy audio on calls to Chicago": _p2_waiting,
    "Caller name on toll-free numbers": _p3_new,
    "Which account number for the port?": _resolved,
    "Two lines for the Denver Bundle on the invoice": _closed,
}

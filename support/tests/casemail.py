"""Cases and e-mails for the tests of support's e-mail and back office."""

from datetime import timedelta

from django.utils import timezone

from support.models import Case, CaseWatcher, Category, Priority, Status

_count = iter(range(100_000, 1_000_000))


def make_case(enterprise, opened_by, **fields):
    """A case of enterprise as open_case leaves it, without its e-mails."""
    now = timezone.now()
    values = {
        "reference": f"CS-T{next(_count)}",
        "category": Category.CALLS_NOT_COMPLETING,
        "priority": Priority.P2,
        "status": Status.NEW,
        "subject": "Calls to Denver fail",
        "description": "Since 9:00 every call to 303 numbers gets a 503.",
        "contact_name": opened_by.name if opened_by else "Pat Contact",
        "contact_phone": "+13035550100",
        "contact_email": opened_by.email if opened_by else "pat@acme.test",
        "opened_by": opened_by,
        "opened_at": now,
        "updated_at": now,
        "first_response_due": now + timedelta(hours=4),
        **fields,
    }
    return Case.objects.create(enterprise=enterprise, **values)


def watch(case, user):
    CaseWatcher.objects.create(enterprise_id=case.enterprise_id, case=case, user=user)


def sent(mailoutbox):
    """{recipient: the one message sent to them}."""
    by_recipient = {}
    for message in mailoutbox:
        (to,) = message.to
        assert to not in by_recipient, f"{to} got two e-mails"
        by_recipient[to] = message
    return by_recipient

"""Cases for the support tests, opened through the service as a customer would, and the
call records a case's call examples are picked from."""

from datetime import timedelta

from billing.models import CallRecord
from core.partitions import ensure_partitions
from support import cases
from support.models import Category, Priority


def open_case(user, **changes):
    fields = {
        "category": Category.CALLS_NOT_COMPLETING,
        "priority": Priority.P2,
        "subject": "Calls to Denver fail",
        "description": "Since 9:00 every call to 303 numbers gets a fast busy.",
        "contact_name": user.get_full_name(),
        "contact_phone": "+13035550199",
        "contact_email": user.email,
    }
    return cases.open_case(user, **{**fields, **changes})


def call_record(enterprise, number, started_at, call_id, **changes):
    """A failed outbound call of enterprise's number, in a partition made for its month."""
    ensure_partitions(CallRecord, started_at.date(), started_at.date())
    fields = {
        "call_id": call_id,
        "started_at": started_at,
        "ended_at": started_at + timedelta(seconds=3),
        "duration": 3,
        "billable_seconds": 0,
        "direction": "outbound",
        "from_number": number,
        "to_number": "+17205550111",
        "enterprise": enterprise,
        "number": number,
        "destination_class": "local",
        "disposition": "failed",
        "sip_code": 503,
    }
    return CallRecord.objects.create(**{**fields, **changes})

"""Port orders for tests, made through the services as the form makes them."""

from django.utils import timezone

from phone_numbers.tests.inventory_factories import package_of
from porting import calendar, checking, documents, services, submission
from porting.models import PortDocument, PortKind

# The account the sandbox carrier holds a Customer Service Record for (+12122671400).
ACME_ACCOUNT = {
    "address_number": "120",
    "address_street": "Broadway",
    "address_unit": "Floor 12",
    "address_city": "New York",
    "address_state": "NY",
    "address_postal_code": "10271",
    "address_country": "US",
    "current_carrier": "Lakeshore Telephone Co.",
    "account_holder": "Acme Telecom",
    "btn": "+12122671400",
    "account_number": "ACM-55210",
    "authorized_name": "Alice Admin",
    "authorized_title": "CTO",
    "partial": True,
}


def port_list(user, entries, kind=PortKind.US_DOMESTIC):
    return checking.check_list(user.enterprise, kind, entries, by=user)


def first_slot(kind=PortKind.US_DOMESTIC):
    return calendar.slots(kind, timezone.now())[0]


def draft_order(user, entries=("+13037474100",), package_name="Port Usage"):
    return services.save_draft(
        by=user,
        package=package_of(user, package_name),
        kind=PortKind.US_DOMESTIC,
        values=dict(ACME_ACCOUNT),
        port_list=port_list(user, list(entries)),
        reference="DRAFT-1",
    )


def submitted_order(user, entries=None, package_name="Port Usage", notify=False, **values):
    entries = entries or [f"+1303747{4100 + n}" for n in range(3)]
    return services.submit(
        by=user,
        package=package_of(user, package_name),
        kind=PortKind.US_DOMESTIC,
        values={**ACME_ACCOUNT, "requested_at": first_slot(), **values},
        port_list=port_list(user, entries),
        reference="PORT-1",
        notify=notify,
    )


def add_document(order, kind, user=None, content=b"%PDF-1.4\n%%EOF\n"):
    """A document of the order, stored as an upload stores it; then what adding it triggers."""
    port_order = order.port
    document = documents.store(
        port_order, kind, content, name=f"{kind}.pdf", content_type="application/pdf", by=user
    )
    submission.documents_added(port_order, by=user)
    return document


def with_documents(order, user=None):
    """The order with its signed LOA and invoice: its batches are sent to the carriers."""
    add_document(order, PortDocument.Kind.LOA, user)
    add_document(order, PortDocument.Kind.INVOICE, user)
    order.refresh_from_db()
    return order

"""Demo data of porting: port orders in every state, made through the services, with no e-mail.

- MOVE-DENVER, Pending Documents: numbers of two carriers (two batches), with its LOA produced
  to sign, waiting for the signed LOA and the invoice;
- DENVER-SALES, Submitted: its documents are in, so the worker sends it to the sandbox carrier,
  which confirms a FOC date and completes it within minutes (PORT_SANDBOX_DAY_SECONDS);
- BOULDER-MAIN, FOC Confirmed; GOLDEN-OFFICE, Completed (its numbers are in the Inventory);
- CHICAGO-MOVE, Rejected: the carrier's account number and postal code differ, to correct and
  resubmit from the order's page;
- LAKEWOOD-TRIAL, Cancelled; AURORA-OFFICE, a draft; and a draft whose numbers have errors.

The accounts are those the sandbox carrier holds a Customer Service Record for (BTN
+13037474100), so the pre-checks pass; each order is added once, by its reference.
"""

from django.utils import timezone
from django.utils.html import escape
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from accounts.demo import demo_enterprise
from accounts.models import User
from core.actors import PORTAL
from orders import services as order_services
from orders.models import Order
from trunks.models import Package

from . import calendar, checking, documents, loa, services, submission
from .models import PortBatch, PortDocument, PortKind

ACCOUNT = {
    "address_number": "1600",
    "address_street": "Glenarm Pl",
    "address_unit": "Suite 400",
    "address_city": "Denver",
    "address_state": "CO",
    "address_postal_code": "80202",
    "address_country": "US",
    "current_carrier": "Lakeshore Telephone Co.",
    "account_holder": "Demo Communications Inc.",
    "btn": "+13037474100",
    "account_number": "8842-1107",
    "authorized_name": "Dana Demo",
    "authorized_title": "IT Director",
}
SUBMITTED_NUMBERS = [f"+1303747{4100 + n}" for n in range(12)] + [
    f"+1312263{150 + n:04d}" for n in range(6)
]
DRAFT_NUMBERS = [f"+1720555{n:04d}" for n in (2301, 2302, 2303, 2304, 2305)]
# Not in E.164, disconnected (ends 13), toll-free in a US Domestic port, listed twice.
NUMBERS_WITH_ERRORS = [
    "+13037474200",
    "(303) 747-4201",
    "+13037474213",
    "+18005550199",
    "+13037474202",
    "+13037474202",
]


def load(run):
    enterprise = demo_enterprise()
    admin = User.objects.get(email="admin@demo.example")
    package = Package.objects.get(enterprise=enterprise, name="Denver Bundle")
    now = timezone.now()
    kind = PortKind.US_DOMESTIC
    requested_at = calendar.slots(kind, now)[4]
    placed = set(
        Order.objects.filter(enterprise=enterprise, kind=services.KIND).values_list(
            "customer_reference", flat=True
        )
    )

    def submit(reference, numbers, **values):
        if reference in placed:
            return None
        return services.submit(
            by=admin,
            package=package,
            kind=kind,
            values={**ACCOUNT, "requested_at": requested_at, "partial": True, **values},
            port_list=_checked(enterprise, numbers, admin),
            reference=reference,
            now=now,
            notify=False,
        )

    def with_documents(order):
        _store(order, PortDocument.Kind.LOA, admin, signed=True)
        _store(order, PortDocument.Kind.INVOICE, admin)
        submission.documents_added(order.port, by=admin, notify=False)
        return order

    def batches(order):
        return PortBatch.objects.filter(port_order__order=order).order_by("id")

    pending = submit("MOVE-DENVER", SUBMITTED_NUMBERS, partial=False)
    if pending:
        _store(pending, PortDocument.Kind.LOA_TO_SIGN, admin)
    sent = submit("DENVER-SALES", [f"+1303747{5100 + n}" for n in range(4)], temporary_numbers=2)
    if sent:
        with_documents(sent)
    foc = submit("BOULDER-MAIN", [f"+1303747{6100 + n}" for n in range(5)])
    if foc:
        for batch in batches(with_documents(foc)):
            submission.set_foc(batch, requested_at.date(), by=PORTAL, notify=False)
    ported = submit("GOLDEN-OFFICE", [f"+1303747{8100 + n}" for n in range(3)], cnam="DEMO COMMS")
    if ported:
        for batch in batches(with_documents(ported)):
            submission.set_foc(batch, now.date(), by=PORTAL, notify=False)
            submission.complete(batch, by=PORTAL, notify=False)
    rejected = submit(
        "CHICAGO-MOVE",
        [f"+1303747{9100 + n}" for n in range(3)],
        account_number="8842-1170",
        record_differences_confirmed=True,
    )
    if rejected:
        for batch in batches(with_documents(rejected)):
            submission.reject(
                batch,
                [
                    ("account_number_mismatch", ""),
                    ("address_mismatch", "The carrier has the postal code as 80203."),
                ],
                by=PORTAL,
                notify=False,
            )
    cancelled = submit("LAKEWOOD-TRIAL", [f"+1303747{9200 + n}" for n in range(2)])
    if cancelled:
        order_services.cancel(cancelled, by=admin, notify=False)
    if "AURORA-OFFICE" not in placed:
        services.save_draft(
            by=admin,
            package=package,
            kind=kind,
            values={**ACCOUNT, "btn": "", "account_number": "", "partial": True},
            port_list=_checked(enterprise, DRAFT_NUMBERS, admin),
            reference="AURORA-OFFICE",
        )
    if "" not in placed:
        services.save_draft(
            by=admin,
            package=package,
            kind=kind,
            values={**ACCOUNT, "partial": True, "requested_at": requested_at},
            port_list=_checked(enterprise, NUMBERS_WITH_ERRORS, admin),
        )


def _checked(enterprise, entries, by):
    return checking.check_list(enterprise, PortKind.US_DOMESTIC, entries, by=by)


def _store(order, kind, by, signed=False):
    """A document of the order: the LOA as the portal renders it, or a one-page invoice."""
    port_order = order.port
    signature = None
    if signed:
        signature = {
            "name": ACCOUNT["authorized_name"],
            "title": ACCOUNT["authorized_title"],
            "signed_at": timezone.now().isoformat(),
            "ip": "203.0.113.7",
        }
    if kind == PortDocument.Kind.INVOICE:
        content = render_invoice(port_order)
        name = "Lakeshore invoice.pdf"
    else:
        content = loa.render_loa(port_order, signature=signature)
        name = f"LOA {order.reference}{' signed' if signed else ''}.pdf"
    documents.store(
        port_order,
        kind,
        content,
        name=name,
        content_type="application/pdf",
        by=by,
        signed=loa.signed_by(signature) if signature else None,
    )


def render_invoice(port_order):
    """A current carrier's bill, as a customer would upload it: one page."""
    account = ", ".join(
        (port_order.account_number, port_order.account_holder, port_order.address_in_words())
    )
    html = (
        "<h1>Lakeshore Telephone Co.</h1>"
        f"<p>Invoice for account {escape(account)}</p><p>Monthly service: $412.50</p>"
    )
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()

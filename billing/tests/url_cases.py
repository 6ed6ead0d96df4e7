from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from billing.models import AdrFile, Invoice, InvoiceLine, SftpAccount, SftpCredential
from tests.url_cases import ADMIN_ONLY, Case

from . import payment_cases

# The ADR files are for Administrators, Billing and Read Only users; only Administrators manage
# the secure FTP site's credentials.
NOT_GENERAL = {"general": 403}
ADR_DAY = date(2026, 12, 1)


def objects(enterprise, admin_user, general_user):
    account = SftpAccount.objects.create(enterprise=enterprise, username="adr-acme")
    credential = SftpCredential.objects.create(
        enterprise=enterprise,
        account=account,
        kind=SftpCredential.Kind.PASSWORD,
        password_hash="!",
        created_by=admin_user,
    )
    AdrFile.objects.create(enterprise=enterprise, day=ADR_DAY, name="adr-2026-12-01.csv")
    return {
        **billing_objects(enterprise),
        **payment_cases.objects(enterprise, admin_user, general_user),
        "sftp_credential": {"pk": credential.pk},
        "adr_file": {"day": ADR_DAY.isoformat()},
    }


def billing_objects(enterprise):
    """An open invoice of Acme, issued a week ago (its lines can be disputed), with its PDF."""
    issued = timezone.localdate() - timedelta(days=7)
    invoice = Invoice.objects.create(
        enterprise=enterprise,
        number="ACC000001-202609",
        period_start=date(2026, 9, 1),
        period_end=date(2026, 9, 30),
        issued_on=issued,
        due_on=issued + timedelta(days=30),
        status=Invoice.Status.OPEN,
        recurring=Decimal("25.00"),
        total=Decimal("25.00"),
    )
    line = InvoiceLine.objects.create(
        enterprise=enterprise,
        invoice=invoice,
        position=1,
        section=InvoiceLine.Section.RECURRING,
        description="Local numbers",
        quantity=10,
        unit_price=Decimal("2.5"),
        amount=Decimal("25.00"),
    )
    invoice.pdf.save("ACC000001-202609.pdf", ContentFile(b"%PDF-1.4 url cases"))
    return {
        "invoice": {"number": invoice.number},
        "invoice_line": {"number": invoice.number, "position": line.position},
        "billing_month": {"month": "2026-09"},
    }


# Billing: Administrators and Billing users; a month's downloads are the user's own
# enterprise's month, so an outsider gets theirs (empty).
NOT_BILLING = {"general": 403, "read_only": 403}
BILLING_MONTH = {"kwargs": "billing_month", "names_object": False, "allowed": NOT_BILLING}

CASES = {
    "billing:billing": Case(allowed=NOT_BILLING),
    "billing:spend_alerts": Case(allowed=ADMIN_ONLY),
    "billing:month_summary": Case(**BILLING_MONTH),
    "billing:month_calls": Case(**BILLING_MONTH),
    "billing:month_messages": Case(**BILLING_MONTH),
    "billing:invoice": Case(kwargs="invoice", allowed=NOT_BILLING),
    "billing:invoice_pdf": Case(kwargs="invoice", allowed=NOT_BILLING),
    "billing:dispute_line": Case(kwargs="invoice_line", allowed=NOT_BILLING),
    "billing:analytics": Case(),
    # The records themselves are for Billing, Administrators and Read Only users.
    "billing:records": Case(allowed={"general": 403}),
    "billing:adr_files": Case(allowed=NOT_GENERAL),
    # The file is still being delivered, so there is nothing to download yet: the download
    # itself is tested against a real secure FTP site in test_adr_views.py.
    "billing:adr_file_download": Case(kwargs="adr_file", allowed=NOT_GENERAL, default=404),
    "billing:sftp_add_key": Case(allowed=ADMIN_ONLY),
    "billing:sftp_set_password": Case(allowed=ADMIN_ONLY),
    "billing:sftp_revoke": Case(kwargs="sftp_credential", allowed=ADMIN_ONLY),
    **payment_cases.CASES,
}

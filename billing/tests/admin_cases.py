from datetime import UTC, date, datetime
from decimal import Decimal

from billing.models import (
    AdrFile,
    BillingProfile,
    CreditNote,
    Dispute,
    Invoice,
    InvoiceLine,
    RatePlan,
    RecordFile,
    RecordKind,
    RecordRetention,
    SftpAccount,
    SftpCredential,
    SpendAlert,
    TaxRate,
    UnmatchedRecord,
)
from tests.admin_cases import Changelist
from trunks.models import Package

from . import payment_cases

CHANGELISTS = {
    "billing.recordfile": Changelist(
        "calls-2026-12-01", "kind__exact=call&status__exact=loaded", "calls-2026-12-01.csv"
    ),
    "billing.unmatchedrecord": Changelist("ADMIN-CALL-1", "kind__exact=call", "ADMIN-CALL-1"),
    "billing.recordretention": Changelist("13", "", "13 months"),
    "billing.adrfile": Changelist("adr-2026-12-06", "status__exact=failed", "adr-2026-12-06.csv"),
    "billing.sftpaccount": Changelist("adr-admin-1", "", "adr-admin-1"),
    "billing.dispute": Changelist(
        "ACC000001-202502",
        "status__exact=open&enterprise__id__exact={ent}",
        "ACC000001-202502",
    ),
    "billing.invoice": Changelist(
        "ACC000001-202503", "status__exact=rendering&month=2025-03", "ACC000001-202503"
    ),
    "billing.creditnote": Changelist("ACC000001-202503", "", "Goodwill for the outage"),
    "billing.billingprofile": Changelist(
        "ACC000001", "tax_exempt__exact=0&address_state=CO", "billing@acme.test"
    ),
    "billing.spendalert": Changelist(
        "ACC000001", "kind__exact=international_spike&enterprise__id__exact={ent}", "1234.56"
    ),
    "billing.rateplan": Changelist(
        "Standard Usage", "package_type__exact=usage&enterprise__isempty=1", "Standard Usage"
    ),
    "billing.taxrate": Changelist("CO", "kind__exact=sales_tax", "2.9000"),
    **payment_cases.CHANGELISTS,
}


def records(enterprise, admin_user, general_user):
    RecordRetention.current()
    record_file = RecordFile.objects.create(
        kind=RecordKind.CALL,
        name="calls-2026-12-01.csv",
        sha256="0" * 64,
        size=1234,
        status=RecordFile.Status.LOADED,
        lines=3,
        loaded=1,
        unmatched=1,
        rejected=1,
        report=[{"line": 3, "error": "duration: -5 is negative"}],
    )
    UnmatchedRecord.objects.create(
        kind=RecordKind.CALL,
        record_id="ADMIN-CALL-1",
        at="2026-12-01T10:00:00Z",
        number="+14155550199",
        line={"call_id": "ADMIN-CALL-1"},
        file=record_file,
    )
    account = SftpAccount.objects.create(enterprise=enterprise, username="adr-admin-1")
    SftpCredential.objects.create(
        enterprise=enterprise,
        account=account,
        kind=SftpCredential.Kind.PUBLIC_KEY,
        public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEXAMPLE admin@acme",
        fingerprint="SHA256:example",
        created_by=admin_user,
    )
    AdrFile.objects.create(
        enterprise=enterprise,
        day="2026-12-06",
        name="adr-2026-12-06.csv",
        status=AdrFile.Status.FAILED,
        error="The secure FTP site at 127.0.0.1:2222 did not answer: Connection refused.",
    )
    dispute_and_spend_alert(enterprise, admin_user)
    invoice_credit_and_profile(enterprise)
    payment_cases.records(enterprise, admin_user, general_user)
    RatePlan.objects.create(
        name="Standard Usage", package_type=Package.Type.USAGE, effective_from=date(2026, 1, 1)
    )
    TaxRate.objects.create(
        kind=TaxRate.Kind.SALES_TAX,
        state="CO",
        rate=Decimal("2.9000"),
        effective_from=date(2026, 1, 1),
    )
    return {}


def invoice_credit_and_profile(enterprise):
    invoice = Invoice.objects.create(
        enterprise=enterprise,
        number="ACC000001-202503",
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        issued_on=date(2025, 4, 1),
        due_on=date(2025, 5, 1),
        total=Decimal("10.00"),
        credited=Decimal("2.00"),
    )
    CreditNote.objects.create(
        enterprise=enterprise,
        invoice=invoice,
        amount=Decimal("2.00"),
        reason="Goodwill for the outage",
    )
    BillingProfile.objects.create(
        enterprise=enterprise, billing_email="billing@acme.test", address_state="CO"
    )


def dispute_and_spend_alert(enterprise, admin_user):
    invoice = Invoice.objects.create(
        enterprise=enterprise,
        number="ACC000001-202502",
        period_start=date(2025, 2, 1),
        period_end=date(2025, 2, 28),
        issued_on=date(2025, 3, 1),
        due_on=date(2025, 3, 31),
        status=Invoice.Status.OPEN,
        total=Decimal("10.00"),
    )
    line = InvoiceLine.objects.create(
        enterprise=enterprise,
        invoice=invoice,
        position=1,
        section=InvoiceLine.Section.USAGE,
        description="International calls",
        amount=Decimal("10.00"),
    )
    Dispute.objects.create(
        enterprise=enterprise, invoice=invoice, line=line, reason="Fraud", raised_by=admin_user
    )
    SpendAlert.objects.create(
        enterprise=enterprise,
        kind=SpendAlert.Kind.INTERNATIONAL_SPIKE,
        period_start=datetime(2026, 12, 6, 14, tzinfo=UTC),
        threshold=Decimal("100.00"),
        spent=Decimal("1234.56"),
    )

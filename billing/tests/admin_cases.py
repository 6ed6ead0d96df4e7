from billing.models import (
    AdrFile,
    RecordFile,
    RecordKind,
    RecordRetention,
    SftpAccount,
    SftpCredential,
    UnmatchedRecord,
)
from tests.admin_cases import Changelist

CHANGELISTS = {
    "billing.recordfile": Changelist(
        "calls-2026-12-01", "kind__exact=call&status__exact=loaded", "calls-2026-12-01.csv"
    ),
    "billing.unmatchedrecord": Changelist("ADMIN-CALL-1", "kind__exact=call", "ADMIN-CALL-1"),
    "billing.recordretention": Changelist("13", "", "13 months"),
    "billing.adrfile": Changelist("adr-2026-12-06", "status__exact=failed", "adr-2026-12-06.csv"),
    "billing.sftpaccount": Changelist("adr-admin-1", "", "adr-admin-1"),
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
    return {}

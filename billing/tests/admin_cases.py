from billing.models import RecordFile, RecordKind, RecordRetention, UnmatchedRecord
from tests.admin_cases import Changelist

CHANGELISTS = {
    "billing.recordfile": Changelist(
        "calls-2026-12-01", "kind__exact=call&status__exact=loaded", "calls-2026-12-01.csv"
    ),
    "billing.unmatchedrecord": Changelist("ADMIN-CALL-1", "kind__exact=call", "ADMIN-CALL-1"),
    "billing.recordretention": Changelist("13", "", "13 months"),
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
    return {}

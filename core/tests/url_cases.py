from core.jobs import start_job
from tests.url_cases import ADMIN_ONLY, Case

# Permissions are codes: a job of a kind that only Administrators may follow.
ADMINISTRATORS_ONLY = "audit.view_audit_log"


def _noop(job):
    return ""


def objects(enterprise, admin_user, general_user):
    job = start_job(
        _noop, title="Test job", permission="", enterprise=enterprise, created_by=admin_user
    )
    export = start_job(
        _noop,
        title="Download audit-log.csv",
        permission=ADMINISTRATORS_ONLY,
        enterprise=enterprise,
        created_by=admin_user,
    )
    return {
        "job": {"public_id": job.public_id},
        "table": {"table_name": "users"},
        "export": {"public_id": export.public_id, "filename": "audit-log.csv"},
    }


CASES = {
    "job_status": Case(kwargs="job"),
    "table_columns": Case(method="post", kwargs="table", names_object=False, default=302),
    # The export job has written no file (core/tests/test_exports.py downloads real ones).
    "export_download": Case(kwargs="export", allowed=ADMIN_ONLY, default=404),
    # Every persona may see a tab (trunks): Inventory sends them to the first one.
    "inventory": Case(default=302),
}

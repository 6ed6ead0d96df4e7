from core.jobs import start_job
from tests.url_cases import Case


def _noop(job):
    return ""


def objects(enterprise, admin_user, general_user):
    job = start_job(
        _noop, title="Test job", permission="", enterprise=enterprise, created_by=admin_user
    )
    return {"job": {"public_id": job.public_id}, "table": {"table_name": "users"}}


CASES = {
    "job_status": Case(kwargs="job"),
    "table_columns": Case(method="post", kwargs="table", names_object=False, default=302),
}

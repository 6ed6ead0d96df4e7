from core.models import Job
from tests.admin_cases import Changelist

CHANGELISTS = {
    "core.job": Changelist(
        "export", "status__exact=failed&enterprise__id__exact={ent}", "Exporting numbers"
    ),
}


def records(enterprise, admin_user, general_user):
    Job.objects.create(
        title="Exporting numbers",
        function="x.y",
        enterprise=enterprise,
        status=Job.Status.FAILED,
        message="ConnectionError: boom",
    )
    return {}

from accounts.models import Application, Invitation, Role
from tests.admin_cases import Changelist
from tests.factories import role

CHANGELISTS = {
    "accounts.enterprise": Changelist(
        "acme", "status__exact=active&applications__id__exact={application}", "ACC000001"
    ),
    "accounts.user": Changelist(
        "alice", "is_active__exact=1&enterprise__id__exact={ent}", "alice@acme.test"
    ),
    "accounts.role": Changelist("admin", "", "Administrator"),
    "accounts.application": Changelist("eng", "", "https://apps.example.com/engage"),
    "accounts.invitation": Changelist("new@", "enterprise__id__exact={ent}", "new@acme.test"),
}


def records(enterprise, admin_user, general_user):
    engage = Application.objects.create(
        name="Engage", icon="EN", launch_url="https://apps.example.com/engage"
    )
    enterprise.applications.add(engage)
    invitation = Invitation(
        enterprise=enterprise,
        email="new@acme.test",
        role=role(Role.GENERAL_USER),
        invited_by=admin_user,
    )
    invitation.issue_token()
    invitation.save()
    return {"application": engage.pk}

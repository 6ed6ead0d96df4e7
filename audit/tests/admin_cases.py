from audit.records import record
from tests.admin_cases import Changelist

from . import actions

CHANGELISTS = {
    "audit.auditevent": Changelist("alice", "enterprise__id__exact={ent}", "alice@acme.test"),
}


def records(enterprise, admin_user, general_user):
    record(actions.SIGN_IN, actor=admin_user, obj=admin_user)
    return {}

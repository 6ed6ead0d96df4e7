from tests.admin_cases import Changelist

from .factories import submitted_order

CHANGELISTS = {
    "porting.portorder": Changelist(
        "Lakeshore", "kind__exact=us_domestic&enterprise__id__exact={ent}", "Lakeshore"
    ),
}


def records(enterprise, admin_user, general_user):
    submitted_order(admin_user)
    return {}

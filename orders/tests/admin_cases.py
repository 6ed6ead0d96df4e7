from tests.admin_cases import Changelist

from .kinds import KEY, place, registered

CHANGELISTS = {
    "orders.order": Changelist(
        "PO-08",
        f"status__exact=submitted&kind__exact={KEY}&enterprise__id__exact={{ent}}",
        "PO-0815",
    ),
}


def in_place():
    # The order below is of the tests' own kind, which exists only while it is registered.
    return registered()


def records(enterprise, admin_user, general_user):
    place(general_user, customer_reference="PO-0815")
    return {}

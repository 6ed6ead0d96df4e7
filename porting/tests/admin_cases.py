from porting.models import PortBatch, SandboxPortRequest
from tests.admin_cases import Changelist

from .factories import submitted_order

CHANGELISTS = {
    "porting.portorder": Changelist(
        "Lakeshore", "kind__exact=us_domestic&enterprise__id__exact={ent}", "Lakeshore"
    ),
    # Carriers are a filter of the list: the row is told apart by its batch ID.
    "porting.portbatch": Changelist(
        "PO-ADMIN1-1",
        "status__exact=pending_documents&carrier=Lakeshore+Telephone+Co.",
        "PO-ADMIN1-1",
    ),
    "porting.sandboxportrequest": Changelist("SANDBX", "version=0", "PO-SANDBX-1"),
}


def records(enterprise, admin_user, general_user):
    order = submitted_order(admin_user)
    PortBatch.objects.filter(port_order__order=order).update(reference="PO-ADMIN1-1")
    SandboxPortRequest.objects.create(
        pon="PO-SANDBX-1", version=0, carrier_reference="SBX-0815ABCD", numbers=3
    )
    return {}

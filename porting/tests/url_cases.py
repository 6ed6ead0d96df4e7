from core.actors import PORTAL
from porting import submission
from porting.models import PortDocument
from porting.tests.factories import (
    add_document,
    draft_order,
    port_list,
    submitted_order,
    with_documents,
)
from tests.url_cases import Case


def objects(enterprise, admin_user, general_user):
    draft = draft_order(general_user)
    numbers = port_list(general_user, ["+13037474100", "3037474101"])
    pending = submitted_order(
        general_user, entries=["+13037474160", "+13037474161"], package_name="Port Pending"
    )
    # Stored in the folder phone_numbers' in_place() gives MEDIA_ROOT for all the cases: a
    # second folder of ours would hide its bulk upload.
    invoice = add_document(pending, PortDocument.Kind.INVOICE, general_user)
    rejected = with_documents(
        submitted_order(general_user, entries=["+13037474190"], package_name="Port Rejected")
    )
    submission.reject(rejected.port.batches.get(), [("btn_mismatch", "")], by=PORTAL)
    return {
        "draft": {"public_id": draft.public_id},
        "list": {"public_id": numbers.public_id},
        "pending": {"public_id": pending.public_id},
        "document": {"public_id": invoice.public_id},
        "rejected": {"public_id": rejected.public_id},
    }


# Read Only users see port orders (View Orders) but place none.
CASES = {
    "porting:add": Case(allowed={"read_only": 403}),
    "porting:edit": Case(kwargs="draft", allowed={"read_only": 403}),
    "porting:review": Case(kwargs="list", allowed={"read_only": 403}),
    "porting:review_download": Case(kwargs="list", allowed={"read_only": 403}),
    # Read Only users download an order's documents but upload none.
    "porting:documents": Case(kwargs="pending", allowed={"read_only": 403}),
    "porting:document": Case(kwargs="document"),
    "porting:resubmit": Case(kwargs="rejected", allowed={"read_only": 403}),
}

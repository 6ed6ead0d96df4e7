"""The permissions of the porting app: see port orders, place them, their documents."""

from core.permissions import ADMINISTRATOR, BILLING, GENERAL_USER, READ_ONLY, declare

VIEW_PORTS = declare(
    "porting.view_ports",
    "See port orders, their numbers and batches",
    roles=[ADMINISTRATOR, GENERAL_USER, BILLING, READ_ONLY],
)
PLACE_PORTS = declare(
    "porting.place_ports",
    "Port numbers in from another carrier: draft, submit and cancel port orders",
    roles=[ADMINISTRATOR, GENERAL_USER],
    implies=[VIEW_PORTS],
)
UPLOAD_PORT_DOCUMENTS = declare(
    "porting.upload_port_documents",
    "Produce a port order's LOA and upload the signed LOA and the invoice",
    roles=[ADMINISTRATOR, GENERAL_USER],
    implies=[VIEW_PORTS],
)
SIGN_LOA = declare(
    "porting.sign_loa",
    "Sign a port order's LOA in the portal, as the person authorized on the account",
    roles=[ADMINISTRATOR],
    implies=[UPLOAD_PORT_DOCUMENTS],
)

"""The permissions of the porting app: see port orders, place them."""

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

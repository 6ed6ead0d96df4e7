"""The audit actions of the numbers app (number orders record theirs in orders.actions).

A Manage action is one audit event however many numbers it changes: its details carry the count.
"""

from audit.actions import declare

NUMBERS_MOVED = declare("phone_numbers.numbers.moved", "Numbers moved to another package")
ROUTING_CHANGED = declare("phone_numbers.numbers.routing_changed", "Number routing changed")
CNAM_SET = declare("phone_numbers.numbers.cnam_set", "Caller ID (CNAM) set")
E911_SET = declare("phone_numbers.numbers.e911_set", "E911 address set")
FORWARD_SET = declare("phone_numbers.numbers.forward_set", "Remote Call Forward set")
NUMBERS_DISCONNECTED = declare("phone_numbers.numbers.disconnected", "Numbers disconnected")

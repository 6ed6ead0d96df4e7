"""Who acts: a person, carrier staff, the portal itself (a job, cron, a carrier callback) or,
later, an API key. Services take `by=` and turn it into an Actor with as_actor(), so the
timeline, the audit log and the e-mails can say who it was.

    services.complete(order, by=request.user)          # a person; staff are "Carrier staff"
    services.complete(order, by=PORTAL)                  # a job or cron
    services.complete(order, by=Actor.portal("Carrier callback"))
"""

from dataclasses import dataclass
from typing import Any

# Whose rules apply to a move: customers (people and their API keys), carrier staff, or the
# portal itself.
CUSTOMER = "customer"
STAFF = "staff"
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    USER = "user"
    STAFF = "staff"
    PORTAL = "portal"
    API_KEY = "api_key"

    kind: str
    user: Any = None  # the User, for USER and STAFF
    label: str = ""  # what a machine is called: "Carrier callback", an API key's name

    @classmethod
    def of_user(cls, user):
        return cls(cls.STAFF if user.is_staff else cls.USER, user=user)

    @classmethod
    def portal(cls, label=""):
        return cls(cls.PORTAL, label=label)

    @classmethod
    def api_key(cls, label):
        return cls(cls.API_KEY, label=label)

    @property
    def role(self):
        """Whose moves this actor may make: CUSTOMER, STAFF or SYSTEM."""
        if self.kind == self.STAFF:
            return STAFF
        return SYSTEM if self.kind == self.PORTAL else CUSTOMER

    @property
    def is_staff(self):
        return self.kind == self.STAFF

    @property
    def display(self):
        """As customers read it: a person's name, never a staff member's."""
        if self.kind == self.USER:
            return self.user.get_full_name()
        if self.kind == self.STAFF:
            return "Carrier staff"
        if self.kind == self.API_KEY:
            return f"API key {self.label}"
        return "Portal"

    @property
    def email(self):
        return self.user.email if self.user is not None else ""

    def __str__(self):
        return self.display


def as_actor(by):
    """The Actor of by: an Actor, a User, or None for the portal itself."""
    if isinstance(by, Actor):
        return by
    if by is None:
        return PORTAL
    return Actor.of_user(by)


PORTAL = Actor.portal()

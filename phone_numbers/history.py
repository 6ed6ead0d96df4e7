"""A number's history (NumberEvent): who did what to it, when, by which order or action.

The Manage actions write one row per number in one INSERT ... SELECT over the numbers they
change (`write_for`), never row by row; an order's few numbers use `write`.
"""

from django.db import connection
from django.db.models import CharField, DateTimeField, F, IntegerField, Value
from django.utils import timezone

from core.actors import as_actor

from .models import NumberEvent

# Action names, as NumberEvent.action stores them.
ORDERED = "ordered"
ACTIVATED = "activated"
RELEASED = "released"
MOVED = "moved"
ROUTING = "routing"
CNAM = "cnam"
E911 = "e911"
FORWARD = "forward"
DISCONNECTED = "disconnected"


def write(numbers, action, description, *, by, order=None, at=None):
    """One event per number of the list numbers, all saying description."""
    actor = as_actor(by)
    at = at or timezone.now()
    NumberEvent.objects.bulk_create(
        NumberEvent(
            enterprise_id=number.enterprise_id,
            number=number,
            at=at,
            actor=actor.user,
            actor_label=actor.display,
            action=action,
            description=description,
            order=order,
        )
        for number in numbers
    )


def write_for(numbers, action, description, *, by, order=None, at=None):
    """One event per number of the queryset numbers, in one INSERT ... SELECT; returns how many.

    description is a text or an expression over the number's row (Concat(Value("Moved from "),
    F("package__name"), ...)), read before the caller changes the rows.
    """
    actor = as_actor(by)
    at = at or timezone.now()
    if isinstance(description, str):
        description = Value(description, output_field=CharField())
    # Every column is an annotation, so the SELECT has them in this order.
    columns = {
        "enterprise_id": "_event_enterprise",
        "number_id": "_event_number",
        "at": "_event_at",
        "actor_id": "_event_actor",
        "actor_label": "_event_actor_label",
        "action": "_event_action",
        "description": "_event_description",
        "order_id": "_event_order",
    }
    values = {
        "_event_enterprise": F("enterprise_id"),
        "_event_number": F("id"),
        "_event_at": Value(at, output_field=DateTimeField()),
        "_event_actor": Value(actor.user.pk if actor.user else None, output_field=IntegerField()),
        "_event_actor_label": Value(actor.display, output_field=CharField()),
        "_event_action": Value(action, output_field=CharField()),
        "_event_description": description,
        "_event_order": Value(order.pk if order else None, output_field=IntegerField()),
    }
    select = numbers.order_by().annotate(**values).values(*values)
    sql, params = select.query.sql_with_params()
    table = NumberEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) {sql}",  # noqa: S608
            params,
        )
        return cursor.rowcount

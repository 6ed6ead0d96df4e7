"""A number's history (NumberEvent): who did what to it, when, by which order or action.

The Manage actions write one row per number in the same statement as their UPDATE
(`insert_from`), never row by row; an order's few numbers use `write`.
"""

from django.utils import timezone

from core.actors import as_actor
from trunks.models import Package

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


def insert_from(changed, action, description, *, by, at):
    """The INSERT that writes one event per row of the statement's CTE changed (columns id,
    enterprise_id, package_id), and its parameters: a Manage action runs it in the same
    statement as its UPDATE.

    description is the text of each event, or a pair (before, after) around the name of the
    package the number was in (`changed.package_id`).
    """
    actor = as_actor(by)
    if isinstance(description, str):
        text, join, params = "%s", "", [description]
    else:
        text = "%s || package.name || %s"
        join = f"JOIN {Package._meta.db_table} package ON package.id = {changed}.package_id"
        params = list(description)
    table = NumberEvent._meta.db_table
    sql = (
        f"INSERT INTO {table} "  # noqa: S608 - names from the models, values as parameters
        "(enterprise_id, number_id, at, actor_id, actor_label, action, description) "
        f"SELECT {changed}.enterprise_id, {changed}.id, %s, %s, %s, %s, {text} "
        f"FROM {changed} {join}"
    )
    return sql, [at, actor.user.pk if actor.user else None, actor.display, action, *params]

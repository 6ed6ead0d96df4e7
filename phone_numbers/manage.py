"""The Manage actions: set-based changes to any number of an enterprise's numbers.

Each service takes a queryset of numbers (read in the enterprise's scope), the acting user and
the client's address, and changes all of them in one transaction, or none: it first checks the
target (another enterprise's package or policy, an Outbound Only package's trunk, a bad Caller
ID are refused with ValidationError before anything changes), then reads the selected
numbers' ids and changes them in chunks of CHUNK ids, each in one statement: a data-modifying
WITH that locks the chunk's numbers in id order, UPDATEs them RETURNING what they were, and
INSERTs their history rows from what it returned; the kept counts are then adjusted from the
same rows. One audit event says what was done and to how many numbers. It returns how many
numbers it changed; progress(done), if given, is called after each chunk.

Lock order: the numbers by id, chunk by chunk (an order's hook locks the order first).
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Enterprise
from audit.records import record
from core.actors import as_actor
from trunks.models import Package, RoutingPolicy, Trunk

from . import actions, counts, history
from .cnam import clean_cnam
from .models import E911Address, NumberEvent, PhoneNumber
from .rules import forward_target
from .supply import supplier

# Numbers per statement: progress is reported per chunk, and a chunk's rows stay within the
# server's work_mem (bigger chunks spill to disk and were slower at 100,000 numbers).
CHUNK = 10_000
Status = PhoneNumber.Status


@transaction.atomic
def move_to_package(numbers, package, *, by, ip_address=None, progress=None):
    """Move the numbers to package; their routing there starts from the package default."""
    package = _own(Package, package, "package", "Choose one of your own packages.")
    if not package.takes_inbound_calls:
        raise ValidationError(
            {"package": "An Outbound Only package takes no numbers: choose another package."}
        )
    done, enterprise_id = _apply(
        numbers.exclude(package=package),
        {"package": package, "routing_policy": None, "trunk": None},
        history.MOVED,
        ("Moved from ", f" to {package.name}"),
        by=by,
        progress=progress,
        recount=lambda key: (package.pk, key[1], key[2]),
    )
    _audit(
        actions.NUMBERS_MOVED,
        done,
        enterprise_id,
        by,
        ip_address,
        obj=package,
        details={"to": package.name},
    )
    return done


@transaction.atomic
def change_routing(numbers, *, routing_policy=None, trunk=None, by, ip_address=None, progress=None):
    """Route the numbers to a policy or a trunk of their own package, or (neither) its default."""
    if routing_policy is not None and trunk is not None:
        raise ValidationError("Route the numbers to a routing policy or to a trunk, not both.")
    if routing_policy is not None:
        routing_policy = _own(
            RoutingPolicy, routing_policy, "routing_policy", "Choose one of your routing policies."
        )
        target, package_id = f"policy {routing_policy.name}", routing_policy.package_id
    elif trunk is not None:
        trunk = _own(Trunk, trunk, "trunk", "Choose one of your trunks.")
        _check_routable(trunk)
        target, package_id = f"trunk {trunk.name}", trunk.package_id
    else:
        target, package_id = "the package default", None
    in_service = numbers.exclude(status=Status.DISCONNECTED)
    if package_id is not None and in_service.exclude(package_id=package_id).exists():
        package = Package.objects.get(pk=package_id)
        raise ValidationError(
            f"The {target} belongs to {package.name}: calls can be routed there only from numbers "
            "of that package."
        )
    done, enterprise_id = _apply(
        numbers,
        {"routing_policy": routing_policy, "trunk": trunk, "forward_to": ""},
        history.ROUTING,
        f"Routed to {target}",
        by=by,
        progress=progress,
    )
    _audit(actions.ROUTING_CHANGED, done, enterprise_id, by, ip_address, details={"to": target})
    return done


@transaction.atomic
def set_cnam(numbers, cnam, *, by, ip_address=None, progress=None):
    """Set the numbers' Caller ID (CNAM) name; an empty one removes it."""
    try:
        cnam = clean_cnam(cnam)
    except ValidationError as error:
        raise ValidationError({"cnam": error.messages}) from None
    description = f"Caller ID set to “{cnam}”" if cnam else "Caller ID removed"
    done, enterprise_id = _apply(
        numbers, {"cnam": cnam}, history.CNAM, description, by=by, progress=progress
    )
    _audit(actions.CNAM_SET, done, enterprise_id, by, ip_address, details={"cnam": cnam})
    return done


@transaction.atomic
def set_e911(numbers, address, *, by, ip_address=None, progress=None):
    """Attach the (validated) E911 address to the numbers; None removes theirs."""
    if address is not None:
        address = _own(E911Address, address, "e911_address", "Choose one of your E911 addresses.")
    description = f"E911 address set to {address}" if address else "E911 address removed"
    done, enterprise_id = _apply(
        numbers, {"e911_address": address}, history.E911, description, by=by, progress=progress
    )
    _audit(
        actions.E911_SET,
        done,
        enterprise_id,
        by,
        ip_address,
        details={"address": str(address or "none")},
    )
    return done


@transaction.atomic
def set_forward(numbers, forward_to, *, by, ip_address=None, progress=None):
    """Forward the numbers' calls to forward_to (Remote Call Forward); "" stops forwarding.

    Forwarding replaces the numbers' routing; stopping it leaves them on the package default.
    """
    try:
        forward_to = forward_target(forward_to, numbers)
    except ValidationError as error:
        raise ValidationError({"forward_to": error.messages}) from None
    description = f"Calls forwarded to {forward_to}" if forward_to else "Call forwarding stopped"
    done, enterprise_id = _apply(
        numbers,
        {"forward_to": forward_to, "routing_policy": None, "trunk": None},
        history.FORWARD,
        description,
        by=by,
        progress=progress,
    )
    _audit(
        actions.FORWARD_SET,
        done,
        enterprise_id,
        by,
        ip_address,
        details={"forward_to": forward_to or "off"},
    )
    return done


@transaction.atomic
def disconnect(numbers, *, by, ip_address=None, progress=None):
    """Take the numbers out of service: kept, disconnected, for their history; given back to
    the supplier, so the number is free for anyone again."""
    pending = numbers.filter(status=Status.PENDING).count()
    if pending:
        raise ValidationError(
            f"{pending} of these numbers {'is' if pending == 1 else 'are'} still being ordered: "
            "cancel the order instead, or wait until it is completed."
        )
    done, enterprise_id = _apply(
        numbers,
        {"status": Status.DISCONNECTED, "disconnected_at": timezone.now()},
        history.DISCONNECTED,
        "Disconnected",
        by=by,
        progress=progress,
        recount=lambda key: (key[0], key[1], Status.DISCONNECTED),
        after_chunk=supplier().release,
    )
    _audit(actions.NUMBERS_DISCONNECTED, done, enterprise_id, by, ip_address)
    return done


def _own(model, obj, field, message):
    """obj read again in the current enterprise's scope: another enterprise's is refused."""
    found = model.objects.filter(pk=obj.pk).first()
    if found is None:
        raise ValidationError({field: message})
    return found


def _check_routable(trunk):
    if trunk.status == Trunk.Status.DISCONNECTED:
        raise ValidationError({"trunk": f"The trunk {trunk.name} is disconnected."})
    if not trunk.package.takes_inbound_calls:
        raise ValidationError(
            {"trunk": f"The trunk {trunk.name} is Outbound Only: it takes no inbound calls."}
        )


def _apply(numbers, changes, action, description, *, by, progress, recount=None, after_chunk=None):
    """Change the numbers in chunks; see the module's docstring. Returns how many changed, and
    their enterprise's id (None when there were none).

    description is the events' text, or a pair (before, after) around the number's package name
    before the change. recount(key) maps a number's (package_id, kind, status) before the change
    to the one after; after_chunk(e164s) runs after each chunk with the numbers it changed.
    """
    ids = list(
        PhoneNumber.objects.filter(pk__in=numbers.order_by().values("pk"))
        .exclude(status=Status.DISCONNECTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    done = 0
    enterprise_id = None
    for start in range(0, len(ids), CHUNK):
        groups = _change_chunk(
            ids[start : start + CHUNK], changes, action, description, by, now, after_chunk
        )
        before, e164s = Counter(), []
        for group_enterprise_id, package_id, kind, status, count, changed_e164s in groups:
            enterprise_id = group_enterprise_id
            before[package_id, kind, status] += count
            e164s += changed_e164s or []
        if recount:
            after = Counter()
            for key, count in before.items():
                after[recount(key)] += count
            counts.adjust(enterprise_id, counts.moved(before, after))
        if after_chunk:
            after_chunk(e164s)
        done += before.total()
        if progress:
            progress(done)
    return done, enterprise_id


def _change_chunk(ids, changes, action, description, by, now, after_chunk):
    """One statement: lock the numbers ids in id order and read them (as another action may have
    left them), UPDATE them and INSERT their history; returns what they were, grouped: rows
    (enterprise_id, package_id, kind, status, count, their e164s if after_chunk)."""
    if connection.vendor != "postgresql":
        return _change_chunk_in_steps(ids, changes, action, description, by, now, after_chunk)
    table = PhoneNumber._meta.db_table
    assignments, values = [], []
    for name, value in changes.items():
        field = PhoneNumber._meta.get_field(name)
        if hasattr(value, "prepare_database_save"):
            value = value.prepare_database_save(field)
        assignments.append(f"{field.column} = %s")
        values.append(field.get_db_prep_save(value, connection))
    events, event_params = history.insert_from("changed", action, description, by=by, at=now)
    e164s = "array_agg(e164)" if after_chunk else "NULL"
    sql = (
        f"WITH selected AS (SELECT id, package_id, kind, status FROM {table} "  # noqa: S608
        "WHERE id = ANY(%s::bigint[]) AND status <> %s ORDER BY id FOR NO KEY UPDATE), "
        f"changed AS (UPDATE {table} phone SET {', '.join(assignments)} FROM selected "
        "WHERE phone.id = selected.id "
        "RETURNING phone.id, phone.enterprise_id, phone.e164, selected.package_id, "
        "selected.kind, selected.status), "
        f"events AS ({events}) "
        f"SELECT enterprise_id, package_id, kind, status, count(*), {e164s} FROM changed "
        "GROUP BY enterprise_id, package_id, kind, status"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, Status.DISCONNECTED, *values, *event_params])
        return cursor.fetchall()


def _change_chunk_in_steps(ids, changes, action, description, by, now, after_chunk):
    """_change_chunk in a few statements, for SQLite (`make run` without DATABASE_URL), which
    has neither arrays nor UPDATE ... RETURNING inside a WITH."""
    numbers = list(
        PhoneNumber.objects.select_for_update()
        .filter(pk__in=ids)
        .exclude(status=Status.DISCONNECTED)
        .select_related("package")
        .order_by("pk")
    )
    PhoneNumber.objects.filter(pk__in=[number.pk for number in numbers]).update(**changes)
    actor = as_actor(by)
    NumberEvent.objects.bulk_create(
        NumberEvent(
            enterprise_id=number.enterprise_id,
            number_id=number.pk,
            at=now,
            actor=actor.user,
            actor_label=actor.display,
            action=action,
            description=description
            if isinstance(description, str)
            else f"{description[0]}{number.package.name}{description[1]}",
        )
        for number in numbers
    )
    groups = {}
    for number in numbers:
        key = (number.enterprise_id, number.package_id, number.kind, number.status)
        groups.setdefault(key, []).append(number.e164)
    return [(*key, len(e164s), e164s if after_chunk else None) for key, e164s in groups.items()]


def _audit(action, done, enterprise_id, by, ip_address, *, obj=None, details=None):
    if not done:
        return
    record(
        action,
        actor=by,
        ip_address=ip_address,
        enterprise=Enterprise.objects.get(pk=enterprise_id),
        obj=obj,
        details={"numbers": done, **(details or {})},
    )

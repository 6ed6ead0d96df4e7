"""Get New Number: ordering numbers from the supplier, and what the order's outcome does to them.

order_numbers() places an orders.Order of the kind "numbers" (reference NO-...), reserves the
numbers from the supplier (phone_numbers.supply) and adds them to the package as Pending. When
the order is completed (carrier staff, or the sandbox by itself: complete_sandbox_orders) they
become Active; when it is rejected or cancelled they are disconnected, kept for the order's
history, and given back to the supplier.

A port order's numbers come in through add_ported_numbers, and the temporary numbers it may
ask for meanwhile through add_temporary_numbers (released by release_temporary_numbers).

Lock order: the order's row (place_order inserts it first; move() locks it), then the numbers.
"""

from dataclasses import replace
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from phonenumbers import geocoder

from core.actors import PORTAL
from core.tenancy import enterprise_scope
from orders import services as order_services
from orders.models import Order
from orders.services import place_order
from trunks.addresses import COUNTRY_NAMES, check_location
from trunks.models import Package, RoutingPolicy, Trunk

from . import counts, history
from .cnam import clean_cnam
from .models import E911Address, Kind, NumberOrder, PhoneNumber
from .supply import HOME_COUNTRY, NotEnough, Search, check_search, supplier
from .supply.sandbox import SandboxSupplier

KIND = "numbers"
# The service and billing address, as order_numbers() takes it.
ADDRESS_FIELDS = ("street", "unit", "city", "state", "zip", "country")
# check_location()'s fields, as order_numbers() names them in its errors.
ADDRESS_ERRORS = {"state": "address_state", "zip_code": "address_zip", "country": "address_country"}
Status = PhoneNumber.Status


@transaction.atomic
def order_numbers(
    *,
    by,
    package,
    search,
    address,
    routing_policy=None,
    trunk=None,
    cnam="",
    e911_address=None,
    reference="",
    submission_key=None,
    ip_address=None,
    notify=True,
):
    """Order search.quantity numbers matching search into package; return the Order.

    address is the service and billing address {"street", "unit", "city", "state", "zip",
    "country"}. The numbers are reserved at once (NotEnough, a ValidationError, when another
    order has just taken them) and added as Pending with the routing, Caller ID and E911
    address they will have. Raises ValidationError by field for what cannot be ordered.
    """
    search = check_search(search)
    package = _check_package(package)
    routing_policy, trunk = _check_routing(package, routing_policy, trunk)
    try:
        cnam = clean_cnam(cnam)
    except ValidationError as error:
        raise ValidationError({"cnam": error.messages}) from None
    if e911_address is not None:
        e911_address = E911Address.objects.filter(pk=e911_address.pk).first()
        if e911_address is None:
            raise ValidationError({"e911_address": "Choose one of your E911 addresses."})
    address = _check_address(address)
    order = place_order(
        enterprise=package.enterprise,
        kind=KIND,
        by=by,
        ip_address=ip_address,
        submission_key=submission_key,
        customer_reference=reference,
        details={"quantity": search.quantity, "package": package.name},
        notify=notify,
    )
    NumberOrder.objects.create(
        enterprise=package.enterprise,
        order=order,
        package=package,
        kind=search.kind,
        country=search.country,
        quantity=search.quantity,
        area_code=search.area_code,
        city=search.city,
        state=search.state,
        contains=search.contains,
        vanity=search.vanity,
        consecutive=search.consecutive,
        routing_policy=routing_policy,
        trunk=trunk,
        cnam=cnam,
        e911_address=e911_address,
        **{f"address_{field}": address[field] for field in ADDRESS_FIELDS},
    )
    offers = supplier().reserve(search, order.reference)
    numbers = PhoneNumber.objects.bulk_create(
        PhoneNumber(
            enterprise=package.enterprise,
            e164=offer.e164,
            kind=search.kind,
            country=search.country,
            package=package,
            status=Status.PENDING,
            routing_policy=routing_policy,
            trunk=trunk,
            cnam=cnam,
            e911_address=e911_address,
            area_code=_area_code(offer.e164),
            order=order,
        )
        for offer in offers
    )
    history.write(numbers, history.ORDERED, f"Ordered in {order.reference}", by=by, order=order)
    counts.adjust(package.enterprise_id, {(package.pk, search.kind, Status.PENDING): len(numbers)})
    return order


def _check_package(package):
    found = Package.objects.filter(pk=package.pk).select_related("enterprise").first()
    if found is None:
        raise ValidationError({"package": "Choose one of your own packages."})
    if not found.takes_inbound_calls:
        raise ValidationError(
            {"package": "An Outbound Only package takes no numbers: choose another package."}
        )
    return found


def _check_routing(package, routing_policy, trunk):
    if routing_policy is not None and trunk is not None:
        raise ValidationError("Route the numbers to a routing policy or to a trunk, not both.")
    if routing_policy is not None:
        routing_policy = RoutingPolicy.objects.filter(pk=routing_policy.pk, package=package).first()
        if routing_policy is None:
            raise ValidationError({"routing_policy": "Choose a routing policy of this package."})
    if trunk is not None:
        trunk = (
            Trunk.objects.filter(pk=trunk.pk, package=package)
            .exclude(status=Trunk.Status.DISCONNECTED)
            .first()
        )
        if trunk is None:
            raise ValidationError({"trunk": "Choose a trunk of this package in service."})
    return routing_policy, trunk


def _check_address(address):
    """The service address as stored (country as its ISO code); ValidationError by field."""
    address = {field: " ".join(str(address.get(field) or "").split()) for field in ADDRESS_FIELDS}
    country = address["country"].upper() or "US"
    errors = {
        f"address_{field}": f"Enter the {field} of the service address."
        for field in ("street", "city")
        if not address[field]
    }
    try:
        address["state"], address["zip"], _ = check_location(
            state=address["state"],
            zip_code=address["zip"],
            country=COUNTRY_NAMES.get(country, country),
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors[ADDRESS_ERRORS[field]] = messages
    if errors:
        raise ValidationError(errors)
    return {**address, "country": country}


def _area_code(e164):
    """The NPA of a NANP number; "" for other countries."""
    return e164[2:5] if e164.startswith("+1") else ""


def _place(e164):
    """("Denver", "CO") for a NANP number, ("Essen", "") abroad, from the geocoder."""
    description = geocoder.description_for_number(phonenumbers.parse(e164), "en")
    city, _, state = description.rpartition(", ")
    if city and len(state) == 2 and state.isupper():
        return city, state
    return description[:64], ""


def on_order_status_changed(order, *, before, by):
    """Do to the order's numbers what its new status means; in the transaction of the move."""
    numbers = PhoneNumber.objects.filter(order=order, status=Status.PENDING)
    if order.status == Order.Status.COMPLETED:
        _activate(order, numbers, by=by)
    elif order.status in (Order.Status.REJECTED, Order.Status.CANCELLED):
        _release(order, numbers, by=by)


def _activate(order, numbers, *, by):
    now = timezone.now()
    activated = list(numbers.select_for_update())
    for number in activated:
        number.status = Status.ACTIVE
        number.activated_at = now
        number.city, number.state = _place(number.e164)
    PhoneNumber.objects.bulk_update(activated, ["status", "activated_at", "city", "state"])
    history.write(activated, history.ACTIVATED, "In service", by=by, order=order, at=now)
    _recount(order, activated, Status.ACTIVE)


def _release(order, numbers, *, by, reason=None, from_status=Status.PENDING):
    """Disconnect the numbers (a queryset) and give them back to the supplier; return them."""
    now = timezone.now()
    released = list(numbers.select_for_update())
    PhoneNumber.objects.filter(pk__in=[number.pk for number in released]).update(
        status=Status.DISCONNECTED, disconnected_at=now
    )
    supplier().release([number.e164 for number in released])
    if reason is None:
        reason = f"Not taken: the order was {order.get_status_display().lower()}"
    history.write(released, history.RELEASED, reason, by=by, order=order, at=now)
    _recount(order, released, Status.DISCONNECTED, from_status=from_status)
    return released


def _recount(order, numbers, to_status, from_status=Status.PENDING):
    changes = {}
    for number in numbers:
        for key, change in (
            ((number.package_id, number.kind, from_status), -1),
            ((number.package_id, number.kind, to_status), 1),
        ):
            changes[key] = changes.get(key, 0) + change
    counts.adjust(order.enterprise_id, changes)


def complete_sandbox_orders():
    """Complete the Submitted number orders placed NUMBER_ORDERS_COMPLETE_AFTER seconds ago.

    What the sandbox supplier does by itself; an order carrier staff have started (In Progress)
    is theirs to finish. Run every minute by the cron process, as the portal. complete() locks
    each order and does nothing to one completed meanwhile, so a run twice, or two at once,
    completes it once and sends one e-mail. Returns how many orders it completed.
    """
    if not isinstance(supplier(), SandboxSupplier):
        return 0
    due = timezone.now() - timedelta(seconds=settings.NUMBER_ORDERS_COMPLETE_AFTER)
    with scopes_disabled():
        orders = list(
            Order.objects.filter(
                kind=KIND, status=Order.Status.SUBMITTED, placed_at__lte=due
            ).order_by("placed_at", "id")
        )
    completed = 0
    for order in orders:
        with enterprise_scope(order.enterprise_id):
            try:
                order_services.complete(order, by=PORTAL)
            except ValidationError:
                continue  # cancelled or rejected since it was read: nothing to complete
        completed += 1
    return completed


@transaction.atomic
def add_ported_numbers(*, order, package, kind, e164s, cnam="", e911_address=None, by):
    """Put the numbers order has ported in into package, in service at once; how many it added.

    They follow the package's default routing and get the Caller ID and E911 address the order
    asked for. A number in service meanwhile (which the port order's checks would have refused)
    is skipped rather than failing the whole batch. Run again, it adds nothing twice.
    """
    now = timezone.now()
    candidates = []
    for e164 in e164s:
        city, state = _place(e164)
        candidates.append(
            PhoneNumber(
                enterprise_id=order.enterprise_id,
                e164=e164,
                kind=kind,
                country=phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or "",
                package=package,
                status=Status.ACTIVE,
                cnam=cnam,
                e911_address=e911_address,
                area_code=_area_code(e164),
                city=city,
                state=state,
                order=order,
                created_at=now,
                activated_at=now,
            )
        )
    # ON CONFLICT DO NOTHING: the numbers in service already, this order's included, stay as
    # they are.
    PhoneNumber.objects.bulk_create(candidates, ignore_conflicts=True)
    added = list(
        PhoneNumber.objects.filter(
            order=order, e164__in=e164s, activated_at=now, status=Status.ACTIVE
        )
    )
    history.write(
        added, history.ACTIVATED, f"Ported in by {order.reference}", by=by, order=order, at=now
    )
    counts.adjust(order.enterprise_id, {(package.pk, kind, Status.ACTIVE): len(added)})
    return len(added)


@transaction.atomic
def add_temporary_numbers(*, order, package, quantity, area_code="", by):
    """Put quantity temporary numbers into package, in service at once, for order (a port
    still pending): near area_code when the supplier has some there. Returns the numbers."""
    package = _check_package(package)
    search = check_search(Search(Kind.TEMPORARY, HOME_COUNTRY, quantity, area_code=area_code))
    try:
        offers = supplier().reserve(search, order.reference)
    except NotEnough:
        if not area_code:
            raise
        offers = supplier().reserve(replace(search, area_code=""), order.reference)
    now = timezone.now()
    numbers = PhoneNumber.objects.bulk_create(
        PhoneNumber(
            enterprise=package.enterprise,
            e164=offer.e164,
            kind=Kind.TEMPORARY,
            country=HOME_COUNTRY,
            package=package,
            status=Status.ACTIVE,
            area_code=_area_code(offer.e164),
            city=offer.city,
            state=offer.state,
            order=order,
            created_at=now,
            activated_at=now,
        )
        for offer in offers
    )
    history.write(
        numbers, history.ACTIVATED, f"Temporary, for {order.reference}", by=by, order=order, at=now
    )
    counts.adjust(order.enterprise_id, {(package.pk, Kind.TEMPORARY, Status.ACTIVE): len(numbers)})
    return numbers


@transaction.atomic
def release_temporary_numbers(order, *, by, reason):
    """Disconnect the temporary numbers order took and give them back to the supplier."""
    temporary = PhoneNumber.objects.filter(order=order, kind=Kind.TEMPORARY, status=Status.ACTIVE)
    return _release(order, temporary, by=by, reason=reason, from_status=Status.ACTIVE)

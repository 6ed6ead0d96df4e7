"""Numbers for tests, ordered and completed through the services as the pages do."""

from django.db.models import Count

from orders import services as order_services
from phone_numbers.models import Kind, NumberCount, PhoneNumber
from phone_numbers.ordering import order_numbers
from phone_numbers.supply import Search
from trunks.models import Package
from trunks.tests.factories import new_package, trunk_fields

ADDRESS = {
    "street": "1801 California St",
    "unit": "Ste 2400",
    "city": "Denver",
    "state": "CO",
    "zip": "80202",
    "country": "US",
}

SEARCH_FIELDS = (
    "kind",
    "country",
    "area_code",
    "city",
    "state",
    "contains",
    "vanity",
    "consecutive",
)


def package_for_numbers(user, name="Denver Usage", *, type=Package.Type.USAGE):
    """A package of user's enterprise (with its pending trunk) to put numbers in."""
    order = new_package(user, name=name, type=type, trunk=trunk_fields(f"{name} SBC"))
    return order.trunk_order.trunk.package


def search(quantity=3, kind=Kind.US_DOMESTIC, country="US", **filters):
    return Search(kind=kind, country=country, quantity=quantity, **filters)


def order(by, package, quantity=3, *, routing=None, address=ADDRESS, **fields):
    """Place a number order as by; fields are order_numbers()' own or the search's filters."""
    search_fields = {key: fields.pop(key) for key in list(fields) if key in SEARCH_FIELDS}
    return order_numbers(
        by=by,
        package=package,
        search=search(quantity, **search_fields),
        address=address,
        **(routing or {}),
        **fields,
    )


def active_numbers(by, staff, package, quantity=3, **fields):
    """Numbers ordered into package and in service (their order completed by staff)."""
    placed = order(by, package, quantity, **fields)
    order_services.complete(placed, by=staff)
    return list(PhoneNumber.objects.filter(order=placed).order_by("e164"))


def kept_counts(enterprise):
    """{(package id, kind, status): count} as NumberCount keeps them, zeros left out."""
    return {
        (row.package_id, row.kind, row.status): row.count
        for row in NumberCount.objects.filter(enterprise=enterprise)
        if row.count
    }


def true_counts(enterprise):
    """The same, counted with COUNT(*)."""
    rows = (
        PhoneNumber.objects.filter(enterprise=enterprise)
        .values("package_id", "kind", "status")
        .annotate(count=Count("id"))
    )
    return {(row["package_id"], row["kind"], row["status"]): row["count"] for row in rows}

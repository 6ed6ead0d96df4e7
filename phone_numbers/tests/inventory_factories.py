"""Numbers in packages for the Inventory and Manage tests, with their kept counts true."""

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from phone_numbers import counts
from phone_numbers.models import Kind, PhoneNumber
from trunks.models import Package
from trunks.tests.factories import new_package, trunk_fields


def package_of(user, name, *, type=Package.Type.USAGE):
    """A new package of user's enterprise (with its pending trunk)."""
    order = new_package(user, name=name, type=type, trunk=trunk_fields(f"{name} SBC"))
    return order.trunk_order.trunk.package


def add_numbers(
    package, e164s, *, kind=Kind.US_DOMESTIC, status=PhoneNumber.Status.ACTIVE, **fields
):
    """Numbers of package's enterprise, added a minute apart in the order given."""
    start = timezone.now() - timedelta(days=1)
    numbers = PhoneNumber.objects.bulk_create(
        PhoneNumber(
            enterprise_id=package.enterprise_id,
            package=package,
            e164=e164,
            kind=kind,
            country="US",
            status=status,
            created_at=start + timedelta(minutes=position),
            **fields,
        )
        for position, e164 in enumerate(e164s)
    )
    counts.adjust(package.enterprise_id, Counter((n.package_id, n.kind, n.status) for n in numbers))
    return numbers

"""NumberCount: how many numbers each package holds per kind and status, kept exact.

Every service that adds numbers, moves them or changes their status adjusts the counts in the
same transaction, so the dashboard and the package pages read a few rows instead of counting a
million. `tally(numbers)` groups the numbers a service is about to change; `adjust()` applies
the differences; `recompute()` rebuilds an enterprise's counts from its numbers (demo data,
generated benchmarks, a repair).
"""

from collections import Counter

from django.db import connection
from django.db.models import Count, F

from .models import NumberCount, PhoneNumber


def tally(numbers):
    """Counter {(package_id, kind, status): how many} of the queryset numbers."""
    rows = numbers.order_by().values("package_id", "kind", "status").annotate(count=Count("id"))
    return Counter({(row["package_id"], row["kind"], row["status"]): row["count"] for row in rows})


def adjust(enterprise_id, changes):
    """Add changes {(package_id, kind, status): +n or -n} to the enterprise's counts."""
    table = NumberCount._meta.db_table
    for (package_id, kind, status), change in sorted(changes.items()):
        if change > 0:
            # An upsert: the first number of a package, kind and status creates its row.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (enterprise_id, package_id, kind, status, count) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT (enterprise_id, package_id, kind, status) "
                    f"DO UPDATE SET count = {table}.count + EXCLUDED.count",
                    [enterprise_id, package_id, kind, status, change],
                )
        elif change < 0:
            NumberCount.objects.filter(
                enterprise_id=enterprise_id, package_id=package_id, kind=kind, status=status
            ).update(count=F("count") + change)


def moved(before, after):
    """The changes that turn the tally before into the tally after."""
    changes = Counter(after)
    changes.subtract(before)
    return {key: change for key, change in changes.items() if change}


def recompute(enterprise_id):
    """Rebuild the enterprise's counts from its numbers (COUNT(*) once, not per request)."""
    NumberCount.objects.filter(enterprise_id=enterprise_id).delete()
    NumberCount.objects.bulk_create(
        NumberCount(
            enterprise_id=enterprise_id,
            package_id=package_id,
            kind=kind,
            status=status,
            count=count,
        )
        for (package_id, kind, status), count in tally(
            PhoneNumber.objects.filter(enterprise_id=enterprise_id)
        ).items()
    )

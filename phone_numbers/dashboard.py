"""My Numbers: Local, International and Toll-Free Numbers with their counts, +Add and Manage,
on the dashboard (per package) and on each package's page, which also lists its first numbers.

The counts are read from NumberCount, which the services keep (counts.py): a page never counts
the numbers themselves, however many an enterprise has.
"""

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.http import urlencode

from core import dashboard
from core.dashboard import DashboardSection
from trunks.models import Package

from .models import Kind, PhoneNumber
from .permissions import ORDER_NUMBERS, VIEW_NUMBERS
from .tables import STATUS_TONES

# The guide's sections, in its order; each kind's Inventory tab is the URL named as the kind.
SECTIONS = [
    (Kind.US_DOMESTIC, "Local Numbers"),
    (Kind.INTERNATIONAL, "International Numbers"),
    (Kind.TOLL_FREE, "Toll-Free Numbers"),
]
# Disconnected numbers are history, not inventory.
COUNTED = [PhoneNumber.Status.ACTIVE, PhoneNumber.Status.PENDING]
# A package page lists this many numbers of each kind; its "Show all" link opens the tab.
LISTED = 10


def register():
    """Add My Numbers to the dashboard and to every package page (called from apps.py)."""
    dashboard.register(
        DashboardSection(
            "phone_numbers/_my_numbers.html",
            order=30,
            permission=VIEW_NUMBERS,
            context=my_numbers,
        )
    )
    dashboard.register(
        DashboardSection(
            "phone_numbers/_package_numbers.html",
            page="package",
            permission=VIEW_NUMBERS,
            context=package_numbers,
        )
    )


def _counted(packages):
    """packages, each with its NumberCount sums as attributes (us_domestic_active, ...), in
    one query: a package has at most a row per kind and status, however many numbers."""
    sums = {
        f"{kind}_{status}": Sum(
            "number_counts__count",
            filter=Q(number_counts__kind=kind, number_counts__status=status),
            default=0,
        )
        for kind, _title in SECTIONS
        for status in COUNTED
    }
    return packages.annotate(**sums)


def _links(kind, package=None):
    query = f"?{urlencode({'package': package.public_id})}" if package else ""
    add = {"kind": kind, **({"package": package.public_id} if package else {})}
    return {
        "add_url": f"{reverse('phone_numbers:add')}?{urlencode(add)}",
        "manage_url": f"{reverse(f'phone_numbers:{kind}')}{query}",
    }


def _tally(package, kind):
    return {status.value: getattr(package, f"{kind}_{status}") for status in COUNTED}


def my_numbers(request):
    """The dashboard's My Numbers: per kind, its total and each package's numbers."""
    packages = _counted(Package.objects.exclude(type=Package.Type.OUTBOUND_ONLY))
    packages = list(packages.order_by("name", "id"))
    sections = []
    for kind, title in SECTIONS:
        rows = []
        for package in packages:
            rows.append(
                {
                    "package": package,
                    **_tally(package, kind),
                    **_links(kind, package),
                }
            )
        sections.append(
            {
                "kind": kind,
                "title": title,
                "active": sum(row["active"] for row in rows),
                "pending": sum(row["pending"] for row in rows),
                "packages": rows,
                **_links(kind),
            }
        )
    return {"sections": sections, "can_order": request.user.has_perm(ORDER_NUMBERS)}


# Each kind's first LISTED numbers of a package, by number. Each part reads the (enterprise,
# kind, package, id) index and stops after LISTED rows, so the first ones the package received:
# no index orders a package's numbers by number, and sorting them all would read them all.
# These few are shown by number, as the tab behind "Show all" shows the rest. One statement,
# written out: the ORM's union of a queryset per kind cost more to build than to run.
_FIRST_OF_KIND = (
    "SELECT * FROM (SELECT id, public_id, e164, kind, status FROM phone_numbers_phonenumber"
    " WHERE enterprise_id = %s AND kind = %s AND package_id = %s AND status IN (%s, %s)"
    " ORDER BY id LIMIT %s) AS first_of_kind"
)
_FIRST_NUMBERS_SQL = " UNION ALL ".join([_FIRST_OF_KIND] * len(SECTIONS)) + " ORDER BY e164, id"


def _first_numbers(package):
    """Each kind's first LISTED numbers of the package, by number (see _FIRST_NUMBERS_SQL)."""
    params = []
    for kind, _title in SECTIONS:
        params += [package.enterprise_id, kind, package.pk, *COUNTED, LISTED]
    numbers = {kind: [] for kind, _title in SECTIONS}
    for number in PhoneNumber.objects.raw(_FIRST_NUMBERS_SQL, params):
        numbers[number.kind].append({"number": number, "tone": STATUS_TONES[number.status]})
    return numbers


def package_numbers(request, package):
    """My Numbers on a package's page: its own numbers of each kind, the first ones listed."""
    if not package.takes_inbound_calls:
        return None
    counted = _counted(Package.objects.filter(pk=package.pk)).get()
    numbers = _first_numbers(package)
    sections = []
    for kind, title in SECTIONS:
        tally = _tally(counted, kind)
        sections.append(
            {
                "kind": kind,
                "title": title,
                **tally,
                "total": sum(tally.values()),
                "numbers": numbers[kind],
                **_links(kind, package),
            }
        )
    return {
        "package": package,
        "sections": sections,
        "can_order": request.user.has_perm(ORDER_NUMBERS),
    }

"""Demo data of porting: a submitted port order, a draft, and a draft whose numbers have errors.

Made through the services, as a customer would, with no e-mail. The submitted order ports
numbers of two carriers (so it has two batches) with the account the sandbox carrier holds a
Customer Service Record for (BTN +13037474100), so its pre-check passes.
"""

from django.utils import timezone

from accounts.demo import demo_enterprise
from accounts.models import User
from trunks.models import Package

from . import calendar, checking, services
from .models import PortKind, PortOrder

ACCOUNT = {
    "address_number": "1600",
    "address_street": "Glenarm Pl",
    "address_unit": "Suite 400",
    "address_city": "Denver",
    "address_state": "CO",
    "address_postal_code": "80202",
    "address_country": "US",
    "current_carrier": "Lakeshore Telephone Co.",
    "account_holder": "Demo Communications Inc.",
    "btn": "+13037474100",
    "account_number": "8842-1107",
    "authorized_name": "Dana Demo",
    "authorized_title": "IT Director",
}
SUBMITTED_NUMBERS = [f"+1303747{4100 + n}" for n in range(12)] + [
    f"+1312263{150 + n:04d}" for n in range(6)
]
DRAFT_NUMBERS = [f"+1720555{n:04d}" for n in (2301, 2302, 2303, 2304, 2305)]
# Not in E.164, disconnected (ends 13), toll-free in a US Domestic port, listed twice.
NUMBERS_WITH_ERRORS = [
    "+13037474200",
    "(303) 747-4201",
    "+13037474213",
    "+18005550199",
    "+13037474202",
    "+13037474202",
]


def load(run):
    enterprise = demo_enterprise()
    if PortOrder.objects.filter(enterprise=enterprise).exists():
        return
    admin = User.objects.get(email="admin@demo.example")
    package = Package.objects.get(enterprise=enterprise, name="Denver Bundle")
    now = timezone.now()
    kind = PortKind.US_DOMESTIC
    requested_at = calendar.slots(kind, now)[4]

    services.submit(
        by=admin,
        package=package,
        kind=kind,
        values={**ACCOUNT, "requested_at": requested_at, "partial": False},
        port_list=_checked(enterprise, SUBMITTED_NUMBERS, admin),
        reference="MOVE-DENVER",
        now=now,
        notify=False,
    )
    services.save_draft(
        by=admin,
        package=package,
        kind=kind,
        values={**ACCOUNT, "btn": "", "account_number": "", "partial": True},
        port_list=_checked(enterprise, DRAFT_NUMBERS, admin),
        reference="AURORA-OFFICE",
    )
    services.save_draft(
        by=admin,
        package=package,
        kind=kind,
        values={**ACCOUNT, "partial": True, "requested_at": requested_at},
        port_list=_checked(enterprise, NUMBERS_WITH_ERRORS, admin),
    )


def _checked(enterprise, entries, by):
    return checking.check_list(enterprise, PortKind.US_DOMESTIC, entries, by=by)

from phone_numbers.models import E911Address, Kind, PhoneNumber, SupplyReservation
from tests.admin_cases import Changelist

from .factories import order, package_for_numbers

CHANGELISTS = {
    "phone_numbers.phonenumber": Changelist(
        "303-555-0142",
        "status__exact=active&kind__exact=us_domestic&enterprise__id__exact={ent}",
        "+13035550142",
    ),
    "phone_numbers.numberorder": Changelist(
        "Denver", "kind__exact=us_domestic&enterprise__id__exact={ent}", "Denver Usage"
    ),
    "phone_numbers.e911address": Changelist(
        "california", "state__exact=CO&enterprise__id__exact={ent}", "1801 CALIFORNIA ST"
    ),
    # The pool has nothing to filter by: it is one list of numbers.
    "phone_numbers.supplyreservation": Changelist("5550142", "", "NO-ADMIN1"),
}


def records(enterprise, admin_user, general_user):
    package = package_for_numbers(admin_user, "Denver Usage")
    order(admin_user, package, 2, area_code="720", notify=False)
    PhoneNumber.objects.create(
        enterprise=enterprise,
        package=package,
        e164="+13035550142",
        kind=Kind.US_DOMESTIC,
        country="US",
        status=PhoneNumber.Status.ACTIVE,
    )
    SupplyReservation.objects.create(e164="+13035550142", order_reference="NO-ADMIN1")
    E911Address.objects.create(
        enterprise=enterprise,
        street="1801 CALIFORNIA ST",
        city="DENVER",
        state="CO",
        zip_code="80202",
    )
    return {}

"""Demo data of numbers: a few hundred numbers of every kind in the demo's packages.

Ordered from the sandbox supplier and completed through the services, as a customer and carrier
staff would, with notify=False: loading the demo e-mails nobody. Some numbers get a Caller ID,
an E911 address, a routing or a forward, some are moved or disconnected, so their history shows
something; one number order stays Submitted (the sandbox completes it after
NUMBER_ORDERS_COMPLETE_AFTER, when the cron process runs) and one In Progress.
"""

from accounts.demo import demo_enterprise
from accounts.models import User
from orders import services as orders
from trunks.models import Package, RoutingPolicy, Trunk

from . import manage
from .models import E911Address, Kind, NumberOrder, PhoneNumber
from .ordering import order_numbers
from .supply import Search

ADDRESS = {
    "street": "1801 California St",
    "unit": "Ste 2400",
    "city": "Denver",
    "state": "CO",
    "zip": "80202",
    "country": "US",
}
CHICAGO_ADDRESS = {
    "street": "233 S Wacker Dr",
    "unit": "",
    "city": "Chicago",
    "state": "IL",
    "zip": "60606",
    "country": "US",
}

# (package, search, extras): the routing policy and Caller ID the numbers get, and the order's
# fate, completed unless it says otherwise.
ORDERS = [
    ("Denver Bundle", Search(Kind.US_DOMESTIC, "US", 60, area_code="303"), {"cnam": "DEMO COMMS"}),
    ("Denver Bundle", Search(Kind.US_DOMESTIC, "US", 40, area_code="720"), {}),
    ("Denver Bundle", Search(Kind.TEMPORARY, "US", 10, area_code="303"), {}),
    (
        "Chicago Usage",
        Search(Kind.US_DOMESTIC, "US", 80, city="Chicago", state="IL"),
        {"policy": "Main"},
    ),
    (
        "Chicago Usage",
        Search(Kind.US_DOMESTIC, "US", 20, area_code="312", consecutive=True),
        {"policy": "Main", "cnam": "DEMO SALES"},
    ),
    ("Chicago Usage", Search(Kind.TOLL_FREE, "US", 18), {"policy": "Main"}),
    ("Chicago Usage", Search(Kind.TOLL_FREE, "US", 1, vanity="DEMOCOM"), {"cnam": "DEMO COMMS"}),
    ("Chicago Usage", Search(Kind.INTERNATIONAL, "GB", 20), {}),
    ("Chicago Usage", Search(Kind.INTERNATIONAL, "DE", 10, city="Essen"), {}),
    ("Denver Bundle", Search(Kind.US_DOMESTIC, "US", 5, area_code="720"), {"fate": "submitted"}),
    ("Chicago Usage", Search(Kind.TOLL_FREE, "US", 3), {"fate": "in_progress"}),
    ("Denver Bundle", Search(Kind.US_DOMESTIC, "US", 2, area_code="303"), {"fate": "cancelled"}),
]


def load(run):
    enterprise = demo_enterprise()
    if NumberOrder.objects.filter(enterprise=enterprise).exists():
        return
    admin = User.objects.get(email="admin@demo.example")
    general = User.objects.get(email="user@demo.example")
    staff = User.objects.get(email="staff@carrier.example")
    packages = {p.name: p for p in Package.objects.filter(enterprise=enterprise)}
    e911 = E911Address.objects.create(
        enterprise=enterprise,
        label="Denver office",
        street="1801 CALIFORNIA ST",
        unit="STE 2400",
        city="DENVER",
        state="CO",
        zip_code="80202",
    )
    for package_name, search, extras in ORDERS:
        package = packages[package_name]
        policy = None
        if "policy" in extras:
            policy = RoutingPolicy.objects.get(package=package, name=extras["policy"])
        order = order_numbers(
            by=general if package_name == "Chicago Usage" else admin,
            package=package,
            search=search,
            address=ADDRESS if package_name == "Denver Bundle" else CHICAGO_ADDRESS,
            routing_policy=policy,
            cnam=extras.get("cnam", ""),
            e911_address=e911 if search.kind == Kind.US_DOMESTIC and search.area_code else None,
            notify=False,
        )
        fate = extras.get("fate", "completed")
        if fate == "completed":
            orders.complete(order, by=staff, notify=False)
        elif fate == "in_progress":
            orders.start(order, by=staff, notify=False)
        elif fate == "cancelled":
            orders.cancel(order, by=admin, notify=False)
    _manage(enterprise, admin, packages)


def _manage(enterprise, admin, packages):
    """A few Manage actions, so that numbers have a history beyond their order."""
    denver, chicago = packages["Denver Bundle"], packages["Chicago Usage"]
    active = PhoneNumber.objects.filter(enterprise=enterprise, status=PhoneNumber.Status.ACTIVE)
    local = active.filter(kind=Kind.US_DOMESTIC, package=denver).order_by("e164")
    primary = Trunk.objects.get(package=denver, role=Trunk.Role.PRIMARY)
    manage.change_routing(_ids(local[:20]), trunk=primary, by=admin)
    manage.set_forward(_ids(local[20:25]), "+13035550100", by=admin)
    manage.move_to_package(_ids(local[25:35]), chicago, by=admin)
    manage.disconnect(_ids(local[35:40]), by=admin)


def _ids(numbers):
    """The numbers of a slice, as a queryset the services can update."""
    return PhoneNumber.objects.filter(pk__in=list(numbers.values_list("pk", flat=True)))

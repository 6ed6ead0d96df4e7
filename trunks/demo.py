"""Demo data of trunks: a package of each type, a routing policy, orders in every status.

The orders are placed and moved with notify=False: loading the demo e-mails nobody.
"""

from accounts.demo import demo_enterprise
from accounts.models import User
from orders import services as orders

from . import change_orders, services
from .models import Package
from .routing import Target, save_policy

SIGNALING = {
    "denver-1": [{"host": "34.120.10.5", "port": 5060, "transport": "udp"}],
    "denver-2": [{"host": "34.120.10.6", "port": 5060, "transport": "udp"}],
    # Not a host name: the demo's own .example names are special-use, refused as signaling hosts.
    "chicago": [{"host": "35.190.20.8", "port": 5061, "transport": "tls"}],
    "dialer": [{"host": "35.190.20.7", "port": 5060, "transport": "tcp"}],
}


def trunk(name, **changes):
    return {
        "name": name,
        "street": "1801 California St",
        "city": "Denver",
        "state": "CO",
        "zip_code": "80202",
        "country": "United States",
        "switch_vendor": "Ribbon",
        "switch_model": "SBC 5400",
        "max_channels": 23,
        "auth": "ip",
        "auth_username": "",
        "codecs": ["g711u", "g729"],
        "dtmf": "rfc2833",
        "t38_fax": False,
        "srtp": False,
        "contact_name": "Dana Admin",
        "contact_email": "admin@demo.example",
        "contact_phone": "+13035550142",
        **changes,
    }


def load(run):
    enterprise = demo_enterprise()
    admin = User.objects.get(email="admin@demo.example")
    general = User.objects.get(email="user@demo.example")
    staff = User.objects.get(email="staff@carrier.example")
    existing = set(Package.objects.filter(enterprise=enterprise).values_list("name", flat=True))

    if "Denver Bundle" not in existing:
        order = services.order_new_package(
            enterprise=enterprise,
            by=admin,
            package_name="Denver Bundle",
            package_type=Package.Type.BUNDLE,
            trunk=trunk("Denver SBC 1"),
            signaling=SIGNALING["denver-1"],
            customer_reference="PO-2026-001",
            notify=False,
        )
        orders.start(order, by=staff, notify=False)
        orders.complete(order, by=staff, notify=False)
        package = order.trunk_order.trunk.package
        redundant = services.order_trunk(
            package,
            by=admin,
            trunk=trunk("Denver SBC 2"),
            signaling=SIGNALING["denver-2"],
            notify=False,
        )
        orders.complete(redundant, by=staff, notify=False)
        change = change_orders.request_change(
            order.trunk_order.trunk,
            by=general,
            values={**change_orders.current_values(order.trunk_order.trunk), "max_channels": 46},
            notify=False,
        )
        orders.start(change, by=staff, notify=False)
        orders.complete(change, by=staff, notify=False)

    if "Chicago Usage" not in existing:
        order = services.order_new_package(
            enterprise=enterprise,
            by=general,
            package_name="Chicago Usage",
            package_type=Package.Type.USAGE,
            trunk=trunk(
                "Chicago SBC", city="Chicago", state="IL", zip_code="60601", max_channels=100
            ),
            signaling=SIGNALING["chicago"],
            notify=False,
        )
        orders.complete(order, by=staff, notify=False)
        chicago = order.trunk_order.trunk
        package = chicago.package
        save_policy(
            package,
            by=admin,
            name="Main",
            is_default=True,
            fallback_number="+13035550100",
            targets=[Target(chicago, 1, 100)],
        )
        second = services.order_trunk(
            package,
            by=general,
            trunk=trunk("Chicago SBC 2", city="Chicago", state="IL", zip_code="60601"),
            signaling=[{"host": "35.190.20.8", "port": 5060, "transport": "udp"}],
            notify=False,
        )
        orders.start(second, by=staff, notify=False)
        lab = services.order_trunk(
            package,
            by=general,
            trunk=trunk("Chicago Lab", city="Chicago", state="IL", zip_code="60601"),
            signaling=[{"host": "35.190.20.9", "port": 5060, "transport": "udp"}],
            notify=False,
        )
        orders.reject(
            lab,
            by=staff,
            reason="The switch did not answer our test calls; please check it.",
            notify=False,
        )

    if "Dialer Outbound" not in existing:
        order = services.order_new_package(
            enterprise=enterprise,
            by=admin,
            package_name="Dialer Outbound",
            package_type=Package.Type.OUTBOUND_ONLY,
            trunk=trunk("Dialer 1", max_channels=200),
            signaling=SIGNALING["dialer"],
            notify=False,
        )
        orders.complete(order, by=staff, notify=False)
        package = order.trunk_order.trunk.package
        services.order_trunk(
            package,
            by=admin,
            trunk=trunk("Dialer 2", max_channels=200),
            signaling=[{"host": "35.190.20.10", "port": 5060, "transport": "tcp"}],
            notify=False,
        )
        spare = services.order_trunk(
            package,
            by=admin,
            trunk=trunk("Dialer spare"),
            signaling=[{"host": "35.190.20.11", "port": 5060, "transport": "tcp"}],
            notify=False,
        )
        orders.cancel(spare, by=admin, notify=False)

"""Packages, trunks and trunk orders for tests, made through the services like the pages do."""

from trunks import services
from trunks.models import Package

SIGNALING = [{"host": "34.120.10.5", "port": 5060, "transport": "udp"}]


def trunk_fields(name="Denver SBC 1", **changes):
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
        "codecs": ["g711u"],
        "dtmf": "rfc2833",
        "t38_fax": False,
        "srtp": False,
        "contact_name": "Terry Tester",
        "contact_email": "terry@acme.test",
        "contact_phone": "+13035550199",
        **changes,
    }


def new_package(by, *, name="Denver Bundle", type=Package.Type.BUNDLE, trunk=None, **kwargs):
    """Order a new package as by; return the order (its trunk is order.trunk_order.trunk)."""
    return services.order_new_package(
        enterprise=by.enterprise,
        by=by,
        package_name=name,
        package_type=type,
        trunk=trunk or trunk_fields(),
        signaling=kwargs.pop("signaling", SIGNALING),
        **kwargs,
    )


def active_trunk(by, staff, **kwargs):
    """A package with one Active trunk, its order completed by staff; returns the trunk."""
    from orders import services as order_services

    order = new_package(by, **kwargs)
    order_services.complete(order, by=staff)
    trunk = order.trunk_order.trunk
    trunk.refresh_from_db()
    return trunk


def form_data(**changes):
    """What a filled-in Trunk Order form posts."""
    data = {
        "package_name": "Denver Bundle",
        "name": "Denver SBC 1",
        "contact": "",
        "contact_name": "Terry Tester",
        "contact_email": "terry@acme.test",
        "contact_phone": "(303) 555-0199",
        "street": "1801 California St",
        "city": "Denver",
        "state": "CO",
        "zip_code": "80202",
        "country": "United States",
        "switch_vendor": "Ribbon",
        "switch_model": "SBC 5400",
        "signaling": "34.120.10.5:5060/UDP\nsbc.acme-telecom.com:5061/TLS",
        "media": "",
        "max_channels": "23",
        "auth": "ip",
        "auth_username": "",
        "codecs": ["g711u", "g722"],
        "dtmf": "rfc2833",
        "customer_reference": "",
        "requested_due_date": "",
        "notes": "",
        "submission_key": "6f1c2b1e-8a51-4c1e-9d5e-0c2b7a3f1a10",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}

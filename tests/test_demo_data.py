"""The demo_data command that `make run` loads: idempotent, and its printed logins work."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Application, Enterprise, Role, User
from core.demo import DEFAULT_PASSWORD
from support.models import Contact, Faq

pytestmark = pytest.mark.django_db


def demo_data(*args):
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def printed_logins(output):
    return re.findall(r"^\s+(\S+@\S+)\s", output, flags=re.MULTILINE)


def snapshot():
    """Everything the command writes, as plain values."""
    return {
        "applications": list(Application.objects.values()),
        "enterprises": [
            (e.account_number, e.name, e.time_zone, sorted(a.name for a in e.applications.all()))
            for e in Enterprise.objects.prefetch_related("applications")
        ],
        "users": list(
            User.objects.values_list(
                "email", "name", "phone", "password", "enterprise_id", "role_id", "is_staff"
            )
        ),
        "addresses": list(EmailAddress.objects.values_list("email", "verified", "primary")),
        "faqs": list(Faq.objects.values()),
        "contacts": list(Contact.objects.values()),
    }


# Loading the demo takes a while: a test loads it as few times as what it checks needs.
LANDING_PAGES = {
    "admin@demo.example": "/",
    "user@demo.example": "/",
    "admin@northwind.example": "/",
    "staff@carrier.example": "/admin/",
}


def test_it_creates_the_demo_enterprises_and_the_logins_it_prints_work(client):
    output = demo_data()

    demo = Enterprise.objects.get(account_number="DEMO-0001")
    assert demo.name == "Demo Communications Inc."
    assert demo.time_zone == "America/Denver"
    assert sorted(app.name for app in demo.applications.all()) == [
        "Engage",
        "Insights",
        "List Management",
        "SmartFlows",
    ]
    assert demo.applications.get(name="Engage").launch_url == "https://apps.example.com/engage"
    roles = dict(demo.users.values_list("email", "role__slug"))
    assert roles["admin@demo.example"] == Role.ADMINISTRATOR
    assert roles["user@demo.example"] == Role.GENERAL_USER
    assert Role.READ_ONLY in roles.values()
    assert Enterprise.objects.exclude(pk=demo.pk).get().users.count() == 1
    staff = User.objects.get(email="staff@carrier.example")
    assert staff.is_staff and staff.is_superuser and staff.enterprise is None
    assert not EmailAddress.objects.filter(verified=False).exists()
    assert all(user.name for user in User.objects.all())

    # The FAQs come from each app's faqs.py, not from demo data.
    assert not Faq.objects.exists()
    assert set(Contact.objects.values_list("team", flat=True)) == {"support", "sales", "billing"}

    assert DEFAULT_PASSWORD in output
    assert set(printed_logins(output)) == set(User.objects.values_list("email", flat=True))

    for email, lands_on in LANDING_PAGES.items():
        response = client.post(
            reverse("account_login"), {"login": email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        assert response.url == lands_on
        client.logout()

    client.force_login(User.objects.get(email="admin@northwind.example"))
    page = client.get("/").text
    assert "Northwind Voice LLC" in page
    assert "Demo Communications Inc." not in page
    assert "apps.example.com/engage" not in page


def test_running_it_again_changes_nothing_keeps_what_staff_changed_and_the_password(client):
    first = demo_data()
    before = snapshot()
    second = demo_data()
    assert snapshot() == before
    assert second == first

    contact = Contact.objects.get(label="Network Operations Center")
    contact.hours = "Edited by staff."
    contact.save()
    Application.objects.filter(name="Engage").update(launch_url="https://engage.example.net/")
    demo_data("--password", "another demo passphrase")
    contact.refresh_from_db()
    assert contact.hours == "Edited by staff."
    assert Application.objects.get(name="Engage").launch_url == "https://engage.example.net/"
    assert User.objects.get(email="user@demo.example").check_password("another demo passphrase")

    demo_data()
    response = client.post(
        reverse("account_login"), {"login": "user@demo.example", "password": DEFAULT_PASSWORD}
    )
    assert response.url == "/"


def test_it_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="PORTAL_ENV=production"):
        demo_data()
    assert not User.objects.exists()

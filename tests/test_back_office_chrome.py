"""What every back-office page carries, and the staff's own words on the forms they fill in."""

import pytest
from django.templatetags.static import static
from django.urls import reverse


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("admin:accounts_enterprise_changelist"),
        reverse("admin:accounts_invitation_add"),
        reverse("admin:password_change"),
    ],
)
def test_every_page_has_the_portals_icon(staff_client, url):
    page = staff_client.get(url).text
    assert f'<link rel="icon" href="{static("portal/favicon.svg")}" type="image/svg+xml">' in page


def test_pages_say_which_time_zone_times_are_in(staff_client, staff_user):
    page = staff_client.get(reverse("admin:accounts_enterprise_changelist")).text
    assert 'Times are in <strong id="time-zone">UTC</strong>.' in page
    staff_user.time_zone = "America/Denver"
    staff_user.save()
    page = staff_client.get(reverse("admin:accounts_enterprise_changelist")).text
    assert 'Times are in <strong id="time-zone">America/Denver</strong>.' in page


def test_the_invitation_form_speaks_to_staff(staff_client):
    page = staff_client.get(reverse("admin:accounts_invitation_add")).text
    assert "Portal lets the user sign in here" not in page
    assert "Portal lets the user sign in to the customer portal" in page

"""Enterprise Settings: the switches, the time zone, and turning Require MFA on."""

import re

import pytest
from django.urls import reverse

from accounts import actions
from audit.models import AuditEvent
from tests.totp import enable_totp

SETTINGS_URL = reverse("accounts:enterprise_settings")
MFA_SETUP_URL = reverse("mfa_activate_totp")
SAVED = {"time_zone": "America/New_York"}
CONFIRM_TEXT = "You will be asked to set up an authenticator app right away"


def _switch_state(page, field):
    """The words next to a switch, and what they become when it is flipped."""
    label = page[page.index(f'<label class="switch" for="id_{field}">') :]
    label = label[: label.index("</label>")]
    state = re.search(
        r'<span data-switch-state data-on="([^"]*)" data-off="([^"]*)">([^<]*)<', label
    )
    on, off, shown = state.groups()
    return {"shown": shown, "on": on, "off": off}


def test_both_switches_are_the_same_component_and_show_the_saved_state(admin_client, enterprise):
    page = admin_client.get(SETTINGS_URL).text
    assert _switch_state(page, "adr_delivery_enabled") == {
        "shown": "Disabled",
        "on": "Enabled when you save (now Disabled)",
        "off": "Disabled",
    }
    assert _switch_state(page, "require_mfa") == {
        "shown": "Not required",
        "on": "Required for all users when you save (now Not required)",
        "off": "Not required",
    }


def test_a_saved_switch_says_so_until_the_change_is_saved(admin_client, enterprise):
    enterprise.adr_delivery_enabled = True
    enterprise.save()
    state = _switch_state(admin_client.get(SETTINGS_URL).text, "adr_delivery_enabled")
    assert state == {
        "shown": "Enabled",
        "on": "Enabled",
        "off": "Disabled when you save (now Enabled)",
    }


def test_every_described_by_points_to_an_element_on_the_page(admin_client):
    page = admin_client.get(SETTINGS_URL).text
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    # The settings form's three fields; other apps' sections on the page follow the form.
    settings_form = re.search(r"<form [^>]*data-warn-unsaved.*?</form>", page, re.DOTALL)[0]
    assert len(re.findall(r'aria-describedby="', settings_form)) == 3
    for ids in described:
        for element_id in ids.split():
            assert f'id="{element_id}"' in page


def test_the_form_warns_before_leaving_with_unsaved_changes(admin_client):
    page = admin_client.get(SETTINGS_URL).text
    assert re.search(r"<form [^>]*data-warn-unsaved", page)


def test_it_changes_the_time_zone_and_records_it_in_words(admin_client, admin_user, enterprise):
    enterprise.time_zone = "America/Denver"
    enterprise.save()
    page = admin_client.get(SETTINGS_URL).text
    assert '<option value="America/Denver" selected>' in page

    response = admin_client.post(SETTINGS_URL, {"time_zone": "America/Chicago"}, follow=True)
    assert "Enterprise Settings were saved." in response.text
    enterprise.refresh_from_db()
    assert enterprise.time_zone == "America/Chicago"
    event = AuditEvent.objects.get(action=actions.SETTINGS_CHANGED)
    assert event.actor == admin_user
    assert event.changes_in_words == "Time zone: America/Denver → America/Chicago"


@pytest.mark.parametrize(
    ("time_zone", "message"),
    [("", "Choose a time zone."), ("Mars/Olympus", "Choose a time zone from the list.")],
)
def test_it_refuses_a_time_zone_not_in_the_list(admin_client, enterprise, time_zone, message):
    response = admin_client.post(
        SETTINGS_URL, {"adr_delivery_enabled": "on", "time_zone": time_zone}
    )
    assert response.status_code == 200
    page = response.text
    error_at = page.index('id="id_time_zone_error"')
    assert message in page[error_at : error_at + 200]
    # The flipped switch is shown as flipped, and as not saved.
    assert _switch_state(page, "adr_delivery_enabled")["shown"] == (
        "Enabled when you save (now Disabled)"
    )
    enterprise.refresh_from_db()
    assert (enterprise.time_zone, enterprise.adr_delivery_enabled) == ("America/New_York", False)


def test_read_only_sees_the_time_zone(client, read_only_user, enterprise):
    enterprise.time_zone = "America/Denver"
    enterprise.save()
    client.force_login(read_only_user)
    page = client.get(SETTINGS_URL).text
    assert "America/Denver" in page
    assert 'name="time_zone"' not in page


# Turning Require MFA on


def test_an_admin_without_mfa_is_asked_before_requiring_it(admin_client, enterprise):
    response = admin_client.post(
        SETTINGS_URL, SAVED | {"require_mfa": "on", "adr_delivery_enabled": "on"}
    )
    assert response.status_code == 200
    assert CONFIRM_TEXT in response.text
    assert "Require MFA and set up my app" in response.text
    # Nothing is saved yet; the confirmation carries what was chosen.
    enterprise.refresh_from_db()
    assert (enterprise.require_mfa, enterprise.adr_delivery_enabled) == (False, False)
    assert not AuditEvent.objects.filter(action=actions.SETTINGS_CHANGED).exists()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', response.text))
    assert hidden["require_mfa"] == "True"
    assert hidden["adr_delivery_enabled"] == "True"
    assert hidden["time_zone"] == "America/New_York"

    # Confirming saves and takes the admin to the setup of the authenticator app.
    response = admin_client.post(SETTINGS_URL, hidden)
    assert response.status_code == 302
    assert response.url == MFA_SETUP_URL
    enterprise.refresh_from_db()
    assert (enterprise.require_mfa, enterprise.adr_delivery_enabled) == (True, True)
    assert AuditEvent.objects.filter(action=actions.SETTINGS_CHANGED).count() == 1


def test_cancelling_the_confirmation_saves_nothing(admin_client, enterprise):
    response = admin_client.post(SETTINGS_URL, SAVED | {"require_mfa": "on"})
    assert f'<a class="button button--secondary" href="{SETTINGS_URL}">Cancel</a>' in (
        response.text
    )
    admin_client.get(SETTINGS_URL)
    enterprise.refresh_from_db()
    assert enterprise.require_mfa is False


def test_an_admin_with_mfa_just_saves(admin_client, admin_user, enterprise):
    enable_totp(admin_user)
    response = admin_client.post(SETTINGS_URL, SAVED | {"require_mfa": "on"})
    assert response.status_code == 302
    assert response.url == SETTINGS_URL
    enterprise.refresh_from_db()
    assert enterprise.require_mfa is True

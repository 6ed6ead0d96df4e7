"""The time zones users pick from: current names, readable, and older names still valid."""

from django.urls import reverse

from accounts.models import Enterprise, User, offered_time_zones, time_zone_choices

MY_ACCOUNT_URL = reverse("accounts:my_account")


def test_it_offers_current_names_only():
    offered = dict(offered_time_zones())
    assert offered["America/New_York"] == "America/New York"
    assert offered["Asia/Kolkata"] == "Asia/Kolkata"
    assert offered["America/Argentina/Buenos_Aires"] == "America/Argentina/Buenos Aires"
    assert "UTC" in offered
    for older in ("Asia/Calcutta", "US/Mountain", "US/Eastern", "America/Buenos_Aires"):
        assert older not in offered
    assert not [name for name in offered if name.startswith(("Etc/", "SystemV/", "posix/"))]
    assert len(offered) < 450


def test_utc_comes_first_then_the_zones_in_order():
    names = [name for name, _ in offered_time_zones()]
    assert names[0] == "UTC"
    assert names[1:] == sorted(names[1:])


def test_older_names_stay_valid_for_rows_that_hold_them():
    *current, (group, older) = time_zone_choices()
    assert group == "Older names"
    assert ("US/Mountain", "US/Mountain (now America/Denver)") in older
    assert ("Asia/Calcutta", "Asia/Calcutta (now Asia/Kolkata)") in older
    assert current == offered_time_zones()
    for model in (User, Enterprise):
        model._meta.get_field("time_zone").clean("US/Mountain", None)  # no ValidationError


def test_a_form_offers_an_older_name_only_to_who_holds_it():
    assert offered_time_zones("US/Mountain")[-1] == (
        "US/Mountain",
        "US/Mountain (now America/Denver)",
    )
    assert offered_time_zones("America/Denver") == offered_time_zones()


def test_my_account_says_which_zone_the_enterprise_uses(general_client, general_user):
    enterprise = general_user.enterprise
    enterprise.time_zone = "America/Denver"
    enterprise.save(update_fields=["time_zone"])
    page = general_client.get(MY_ACCOUNT_URL).text
    # The help names the empty choice as the menu shows it.
    assert "“Your enterprise's time zone” follows the enterprise's setting" in page
    assert '<option value="" selected>Your enterprise&#x27;s time zone (America/Denver)' in page
    assert '<option value="America/New_York">America/New York</option>' in page
    assert 'value="US/Mountain"' not in page
    assert 'value="Asia/Calcutta"' not in page


def test_my_account_refuses_an_older_name_nobody_holds(general_client, general_user):
    response = general_client.post(
        MY_ACCOUNT_URL, {"name": "Bob General", "phone": "", "time_zone": "US/Mountain"}
    )
    assert response.status_code == 200
    assert "Choose the time zone from the list." in response.text
    general_user.refresh_from_db()
    assert general_user.time_zone == ""


def test_a_user_who_holds_an_older_name_keeps_it(general_client, general_user):
    general_user.time_zone = "US/Mountain"
    general_user.save(update_fields=["time_zone"])
    page = general_client.get(MY_ACCOUNT_URL).text
    assert '<option value="US/Mountain" selected>US/Mountain (now America/Denver)' in page

    response = general_client.post(
        MY_ACCOUNT_URL, {"name": "Bob Builder", "phone": "", "time_zone": "US/Mountain"}
    )
    assert response.status_code == 302
    general_user.refresh_from_db()
    assert (general_user.name, general_user.time_zone) == ("Bob Builder", "US/Mountain")
    assert str(general_user.zone) == "US/Mountain"

    # Once they pick a current name, the older one is no longer offered.
    general_client.post(
        MY_ACCOUNT_URL, {"name": "Bob Builder", "phone": "", "time_zone": "America/Denver"}
    )
    assert 'value="US/Mountain"' not in general_client.get(MY_ACCOUNT_URL).text


def test_enterprise_settings_offer_current_names_and_keep_an_older_one(admin_client, enterprise):
    url = reverse("accounts:enterprise_settings")
    page = admin_client.get(url).text
    assert '<option value="America/New_York" selected>America/New York</option>' in page
    assert 'value="US/Eastern"' not in page

    enterprise.time_zone = "US/Eastern"
    enterprise.save(update_fields=["time_zone"])
    page = admin_client.get(url).text
    assert '<option value="US/Eastern" selected>US/Eastern (now America/New York)' in page

"""The Trunk Order and change forms: every setting changeable, real places, every bad line."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from orders import services as orders
from orders.models import Order
from trunks.forms.trunk import ChangeTrunkForm, NewPackageForm, TrunkOrderForm
from trunks.models import Package, Trunk, TrunkOrder
from trunks.tests.factories import active_trunk, form_data

KEY = "5b7e2c1e-8a51-4c1e-9d5e-0c2b7a3f1a10"
NEW_BUNDLE = reverse("trunks:new_package", args=["bundle"])


@pytest.fixture
def trunk(admin_user, staff_user):
    return active_trunk(admin_user, staff_user)


def change_url(trunk):
    return reverse("trunks:change_trunk", args=[trunk.public_id])


def as_shown(form):
    """What the change form posts when nothing is edited: each field's value as shown."""
    data = {}
    for field in form:
        value = field.value()
        if field.name in ("signaling", "media"):
            value = field.field.prepare_value(value)
        if value in (None, False):
            continue
        data[field.name] = "on" if value is True else value
    return data


def test_the_change_form_shows_every_setting_of_the_trunk(admin_client, trunk):
    response = admin_client.get(change_url(trunk))

    form = response.context["form"]
    shown = {name: form[name].value() for name in form.fields}
    assert shown["name"] == "Denver SBC 1"
    assert shown["dtmf"] == "rfc2833"
    assert (shown["t38_fax"], shown["srtp"]) == (False, False)
    assert (shown["contact_name"], shown["contact_email"], shown["contact_phone"]) == (
        "Terry Tester",
        "terry@acme.test",
        "+13035550199",
    )
    assert (shown["street"], shown["city"], shown["state"], shown["zip_code"]) == (
        "1801 California St",
        "Denver",
        "CO",
        "80202",
    )
    assert shown["country"] == "United States"
    assert (shown["switch_vendor"], shown["switch_model"]) == ("Ribbon", "SBC 5400")
    for label in ("Trunk Name", "DTMF mode", "T.38 fax", "SRTP", "Switch vendor", "Country"):
        assert label in response.text


def test_every_setting_can_be_changed_and_is_applied_when_staff_complete(
    admin_client, trunk, staff_user
):
    data = as_shown(admin_client.get(change_url(trunk)).context["form"])
    data.update(
        name="Toronto SBC",
        dtmf="inband",
        t38_fax="on",
        srtp="on",
        contact_name="Robin Ringer",
        contact_email="robin@acme.test",
        contact_phone="(416) 555-0142",
        street="1 Front St W",
        city="Toronto",
        state="ontario",
        zip_code="m5j2x5",
        country="Canada",
        switch_vendor="AudioCodes",
        switch_model="Mediant 4000",
        submission_key=KEY,
    )

    response = admin_client.post(change_url(trunk), data)

    order = Order.objects.get(trunk_order__type=TrunkOrder.Type.CHANGE)
    assert response.url == reverse("orders:order_detail", args=[order.public_id])
    assert order.trunk_order.requested == {
        "name": "Toronto SBC",
        "contact_name": "Robin Ringer",
        "contact_email": "robin@acme.test",
        "contact_phone": "+14165550142",
        "street": "1 Front St W",
        "city": "Toronto",
        "state": "ON",
        "zip_code": "M5J 2X5",
        "country": "Canada",
        "switch_vendor": "AudioCodes",
        "switch_model": "Mediant 4000",
        "dtmf": "inband",
        "t38_fax": True,
        "srtp": True,
    }
    page = admin_client.get(response.url).text
    assert "New DTMF mode" in page and "Inband" in page
    assert "New trunk name" in page and "Toronto SBC" in page
    trunk.refresh_from_db()
    assert trunk.name == "Denver SBC 1"  # nothing changes before staff complete the order

    orders.complete(order, by=staff_user)

    trunk.refresh_from_db()
    assert (trunk.name, trunk.dtmf, trunk.t38_fax, trunk.srtp) == (
        "Toronto SBC",
        "inband",
        True,
        True,
    )
    assert trunk.location == "1 Front St W, Toronto, ON M5J 2X5, Canada"
    assert (trunk.switch_vendor, trunk.switch_model) == ("AudioCodes", "Mediant 4000")
    assert (trunk.contact_name, trunk.contact_phone) == ("Robin Ringer", "+14165550142")
    assert trunk.max_channels == 23 and trunk.codecs == ["g711u"]  # what was not edited stays
    words = AuditEvent.objects.get(action="trunks.trunk.changed").changes_in_words
    assert "Trunk name: Denver SBC 1 → Toronto SBC" in words
    assert "DTMF mode: RFC 2833 → Inband" in words
    assert "T.38 fax: No → Yes" in words
    assert "SRTP: No → Yes" in words
    assert "Testing contact phone: (303) 555-0199 → +1 416-555-0142" in words


def test_a_change_form_sent_as_shown_changes_nothing(admin_client, trunk):
    data = as_shown(admin_client.get(change_url(trunk)).context["form"])
    response = admin_client.post(change_url(trunk), {**data, "submission_key": KEY})
    assert "Nothing would change: edit at least one value." in response.text
    assert not TrunkOrder.objects.filter(type=TrunkOrder.Type.CHANGE).exists()


def test_a_change_to_a_made_up_place_is_refused_at_the_fields(admin_client, trunk):
    data = as_shown(admin_client.get(change_url(trunk)).context["form"])
    data.update(state="ZZ", zip_code="ABCDE", submission_key=KEY)

    response = admin_client.post(change_url(trunk), data)

    errors = response.context["form"].errors
    assert errors["state"] == [
        "“ZZ” is not a US state: enter its two-letter code, e.g. CO, or its name."
    ]
    assert errors["zip_code"] == [
        "“ABCDE” is not a US ZIP code: it looks like 80202 or 80202-1234."
    ]
    assert "“ZZ” is not a US state" in response.text
    assert not TrunkOrder.objects.filter(type=TrunkOrder.Type.CHANGE).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"state": "ZZ"}, "state", "“ZZ” is not a US state"),
        ({"zip_code": "ABCDE"}, "zip_code", "“ABCDE” is not a US ZIP code"),
        ({"country": "Narnia"}, "country", "Choose the country from the list."),
        ({"zip_code": "K1A 0B1"}, "zip_code", "is not a US ZIP code"),
        ({"country": "Canada", "state": "CO"}, "state", "“CO” is not a Canadian province"),
    ],
)
def test_the_order_form_refuses_made_up_places(admin_client, changes, field, message):
    response = admin_client.post(NEW_BUNDLE, form_data(**changes))
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.text
    assert not Package.objects.exists()


def test_the_order_form_offers_the_iso_countries(admin_client):
    page = admin_client.get(NEW_BUNDLE).text
    assert '<option value="United States" selected>United States</option>' in page
    assert '<option value="Canada">Canada</option>' in page
    assert "Narnia" not in page


def test_the_order_form_reports_every_bad_signaling_line_at_once(admin_client):
    signaling = "34.120.10.5:5060/UDP\nSBC.Localhost:5061/tls\n192.168.1.20\nsbc.acme.net:5060/SCTP"

    response = admin_client.post(NEW_BUNDLE, form_data(signaling=signaling))

    assert response.context["form"].errors["signaling"] == [
        "Line 2, “SBC.Localhost:5061/tls”: “SBC.Localhost” is under “localhost”, a special-use "
        "name that no public DNS answers: our network cannot reach it. Enter a public address "
        "or host name.",
        "Line 3, “192.168.1.20”: 192.168.1.20 is a private address: our network cannot reach "
        "it. Enter a public address.",
        "Line 4, “sbc.acme.net:5060/SCTP”: “SCTP” is not UDP, TCP or TLS.",
    ]
    assert "Line 4, “sbc.acme.net:5060/SCTP”" in response.text
    assert 'href="#id_signaling"' in response.text  # the summary at the top links to the field
    assert 'value="Denver Bundle"' in response.text  # the rest of the form is kept
    assert not Package.objects.exists()


def test_unticking_every_codec_is_refused_not_read_as_our_default(admin_client):
    data = form_data()
    del data["codecs"]

    response = admin_client.post(NEW_BUNDLE, data)

    assert response.context["form"].errors["codecs"] == [
        "Choose at least one codec: calls need one that your switch and ours both have."
    ]
    assert not Package.objects.exists()


def test_a_change_that_unticks_every_codec_is_refused(admin_client, trunk):
    data = as_shown(admin_client.get(change_url(trunk)).context["form"])
    del data["codecs"]
    response = admin_client.post(change_url(trunk), {**data, "submission_key": KEY})
    assert "Choose at least one codec" in response.text
    assert not TrunkOrder.objects.filter(type=TrunkOrder.Type.CHANGE).exists()


def test_the_sip_username_is_only_for_authentication_by_username(admin_client):
    page = admin_client.get(NEW_BUNDLE).text
    assert 'data-shown-with-auth="credentials"' in page  # static/trunks/order-form.js hides it
    assert "Only with authentication by username and password" in page

    # Without JavaScript the field shows: a username typed with authentication by IP is ignored.
    admin_client.post(NEW_BUNDLE, form_data(auth="ip", auth_username="pbx-denver"))
    assert Trunk.objects.get().auth_username == ""

    response = admin_client.post(
        NEW_BUNDLE,
        form_data(auth="credentials", auth_username="", submission_key=KEY),
    )
    assert response.context["form"].errors["auth_username"] == [
        "Enter the username your switch signs in with."
    ]
    assert Package.objects.count() == 1


def test_the_error_summary_lists_the_fields_in_the_order_of_the_page(admin_client):
    response = admin_client.post(NEW_BUNDLE, form_data(name="", city="", signaling="192.168.1.20"))

    summary = response.text.split('class="error-summary"')[1].split("</ul>")[0]
    links = [part.split('"')[0] for part in summary.split('href="#')[1:]]
    # Trunk, then Switch Physical Location, then Switch Information: the page's sections.
    assert links == ["id_name", "id_city", "id_signaling"]


@pytest.mark.parametrize("url", [NEW_BUNDLE, "change"])
def test_fields_needed_in_some_cases_are_not_marked_optional(admin_client, trunk, url):
    page = admin_client.get(change_url(trunk) if url == "change" else url).text

    for label in ("SIP username", "State / province", "ZIP / postal code", "Contact email"):
        assert f">{label}</label>" in page
    assert '>Media addresses <span class="field__optional">(optional)</span>' in page


@pytest.mark.parametrize("form_class", [NewPackageForm, TrunkOrderForm, ChangeTrunkForm])
def test_the_sections_show_every_field_once(admin_user, form_class):
    # The page and its error summary show only the fields of the sections.
    kwargs = {} if form_class is ChangeTrunkForm else {"user": admin_user}
    form = form_class(**kwargs)
    shown = [field.name for _, fields in form.sections() for field in fields]
    assert sorted(shown) == sorted(field.name for field in form.visible_fields())

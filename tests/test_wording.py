"""Words that read right whatever the data: a name ending in a period, one name for MFA, form
errors that name their field, one date format."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone

from accounts.models import Invitation, Role
from core import navigation

PAGES = [
    "dashboard",
    "accounts:my_account",
    "accounts:enterprise_settings",
    "accounts:users",
    "accounts:roles",
    "accounts:invite_user",
    "audit:audit_log",
    "support:help",
    "support:contact",
    "trunks:inventory",
]


@pytest.mark.parametrize("url_name", PAGES)
def test_a_name_ending_in_a_period_gets_no_second_one(admin_client, enterprise, url_name):
    enterprise.name = "Demo Communications Inc."
    enterprise.save(update_fields=["name"])
    page = admin_client.get(reverse(url_name)).text
    assert "Demo Communications Inc." in page
    assert "Inc.." not in page


def test_the_page_refused_names_the_enterprise_once(client, general_user, enterprise):
    enterprise.name = "Demo Communications Inc."
    enterprise.save(update_fields=["name"])
    client.force_login(general_user)
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 403
    assert "Demo Communications Inc." in response.text
    assert "Inc.." not in response.text


def test_mfa_has_one_name_in_the_menu(admin_client):
    labels = [entry.label for entry in navigation.entries()]
    assert "Multi-factor authentication (MFA)" in labels
    page = admin_client.get(reverse("dashboard")).text
    assert "Multi-factor authentication (MFA)" in page
    assert "Two-Factor" not in page and "two-factor" not in page


# Form errors in plain words that name the field (core/forms.py)


class _TrunkLikeForm(forms.Form):
    channels = forms.IntegerField(label="Channels", min_value=1, max_value=500)
    package = forms.ChoiceField(label="Package", choices=[("a", "Denver Bundle")])
    codecs = forms.MultipleChoiceField(label="Codecs", choices=[("g711", "G.711")])
    sip_username = forms.CharField(label="SIP username", max_length=5)
    email = forms.EmailField(error_messages={"required": "Enter the address to write to."})
    agree = forms.BooleanField(label="I agree")
    due = forms.DateField(label="Due date")


def test_djangos_messages_name_the_field():
    form = _TrunkLikeForm({"package": "bogus", "sip_username": "far-too-long", "due": "soon"})
    assert form.errors == {
        "channels": ["Enter the channels."],
        "package": ["Choose the package from the list."],
        "codecs": ["Choose at least one of the codecs."],
        "sip_username": ["SIP username must be at most 5 characters long (it has 12)."],
        # A form's own words stay.
        "email": ["Enter the address to write to."],
        "agree": ["Tick “I agree” to go on."],
        "due": ["Due date: enter a date, e.g. 2026-12-31."],
    }
    assert _TrunkLikeForm({"channels": "0"}).errors["channels"] == ["Channels must be at least 1."]
    assert _TrunkLikeForm({"channels": "501"}).errors["channels"] == [
        "Channels must be at most 500."
    ]
    assert _TrunkLikeForm({"channels": "2.5"}).errors["channels"] == [
        "Channels must be a whole number."
    ]
    assert _TrunkLikeForm({}).errors["package"] == ["Choose the package."]


def test_a_form_with_errors_lists_them_at_its_top_linked_to_the_fields(admin_client):
    response = admin_client.post(
        reverse("accounts:my_account"), {"name": "", "phone": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    page = response.text
    summary = page[
        page.index('class="error-summary"') : page.index("</ul>", page.index("error-summary"))
    ]
    assert "Please correct 2 fields" in summary
    assert '<a href="#id_name" data-focus-field>Enter your name.</a>' in summary
    assert (
        '<a href="#id_time_zone" data-focus-field>Choose the time zone from the list.</a>'
        in summary
    )
    # ...and each beside its field, outlined.
    assert page.count("Enter your name.") == 2
    assert page.count("field--invalid") == 2


def test_optional_fields_say_so_and_required_ones_do_not(admin_client):
    page = admin_client.get(reverse("accounts:my_account")).text
    assert 'for="id_phone">Phone <span class="field__optional">(optional)</span></label>' in page
    assert 'for="id_name">Name</label>' in page


def test_the_cancel_dialog_says_keep_the_order_not_cancel(admin_client):
    page = render_to_string(
        "components/confirm_form.html",
        {"confirm_label": "Cancel the order", "cancel_label": "Keep the order", "cancel_url": "/"},
    )
    assert "Keep the order" in page and ">Cancel<" not in page
    assert ">Cancel<" in render_to_string(
        "components/confirm_form.html", {"confirm_label": "Deactivate", "cancel_url": "/"}
    )


# One format for dates and one for date-times, in the reader's zone


def test_dates_and_times_have_one_format():
    moment = datetime(2026, 12, 3, 19, 5, tzinfo=UTC)
    with timezone.override(zoneinfo.ZoneInfo("America/Denver")):
        assert formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") == (
            "2026-12-03 12:05 MST"
        )
        assert Template("{{ moment }} · {{ moment.date|date }}").render(
            Context({"moment": moment})
        ) == ("2026-12-03 12:05 MST · 2026-12-03")


def test_the_invitation_email_names_the_role_and_the_expiry_in_the_enterprises_zone(
    admin_client, admin_user, enterprise, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    enterprise.time_zone = "Asia/Tokyo"
    enterprise.save(update_fields=["time_zone"])
    admin_user.time_zone = "America/Denver"
    admin_user.save(update_fields=["time_zone"])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("accounts:invite_user"),
            {
                "email": "nina@acme.test",
                "name": "Nina New",
                "role": Role.objects.get(slug=Role.GENERAL_USER).pk,
                "access_types": ["portal_access"],
            },
        )
    run_jobs()
    (message,) = mailoutbox
    assert "with the General User role." in message.body
    expires = timezone.localtime(
        Invitation.objects.get().expires_at, zoneinfo.ZoneInfo("Asia/Tokyo")
    )
    assert f"expires on {expires:%Y-%m-%d %H:%M} JST." in message.body


def test_a_field_needed_only_sometimes_and_a_checkbox_are_not_marked_optional():
    class AuthenticationForm(forms.Form):
        password = forms.CharField(required=False)
        srtp = forms.BooleanField(label="SRTP", required=False)
        notes = forms.CharField(required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["password"].sometimes_required = True

    page = str(AuthenticationForm())
    assert page.count("(optional)") == 1
    assert 'for="id_notes">Notes <span class="field__optional">(optional)</span>' in page

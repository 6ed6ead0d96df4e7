from allauth.account import forms as allauth_forms
from django import forms

from accounts.models import User, offered_time_zones
from accounts.services import is_used_by_another_account
from core.phones import normalize_phone


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "phone", "time_zone"]
        labels = {"time_zone": "Time zone"}
        error_messages = {"name": {"required": "Enter your name."}}
        help_texts = {
            "phone": "Where we can reach you, in international format, e.g. +13035551234.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Other people see the name in User Management and the audit log.
        self.fields["name"].required = True
        # Current zone names only, plus an older name (US/Mountain...) the user already holds.
        enterprise_zone = self.instance.enterprise.time_zone
        self.fields["time_zone"].choices = [
            ("", f"Your enterprise's time zone ({enterprise_zone})")
        ] + offered_time_zones(self.instance.time_zone)
        self.fields["time_zone"].help_text = (
            "Times in the portal are shown in this zone. "
            "“Your enterprise's time zone” follows the enterprise's setting, also when it changes."
        )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""


class EnterpriseSettingsForm(forms.Form):
    adr_delivery_enabled = forms.BooleanField(
        label="Application Data Record File Delivery",
        required=False,
        help_text="When enabled, ADR record files are generated daily as .csv files, available "
        "for download for the last 45 days via your secure FTP site.",
    )
    require_mfa = forms.BooleanField(
        label="Require MFA for all users",
        required=False,
        help_text="Every user must set up an authenticator app before using the portal.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        error_messages={
            "required": "Choose a time zone.",
            "invalid_choice": "Choose a time zone from the list.",
        },
        help_text="Times in the portal are shown in this zone to users who have not chosen "
        "their own in My Account.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Current zone names only, plus an older name the enterprise already holds.
        self.fields["time_zone"].choices = offered_time_zones(self.initial.get("time_zone", ""))


class AddEmailForm(allauth_forms.AddEmailForm):
    """My Account > Email: the address to change to, refused when another account uses it.

    The sign-in library would store it unverified and mail its owner a confirmation carrying
    this user's name; the address stays theirs either way, so say so at once instead.
    """

    def clean_email(self):
        email = self.cleaned_data["email"]
        if is_used_by_another_account(email, user=self.user):
            raise forms.ValidationError(
                "Another account already uses this email address. Choose a different one.",
                code="email_taken",
            )
        return super().clean_email()

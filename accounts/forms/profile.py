from django import forms

from accounts.models import User
from core.phones import normalize_phone


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "phone", "time_zone"]
        labels = {"time_zone": "Time zone"}
        help_texts = {
            "phone": "Where we can reach you, in international format, e.g. +13035551234.",
            "time_zone": "Times in the portal are shown in this zone. "
            "Leave empty to use your enterprise's.",
        }

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

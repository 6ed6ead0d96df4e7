"""Add Optional Services: the Caller ID (CNAM) and E911 address numbers get when ordered or
ported in. The number forms mix it in and list SERVICES in a section of their own."""

from django import forms

from .. import e911
from ..cnam import clean_cnam
from ..models import E911Address


class OptionalServicesForm(forms.Form):
    cnam = forms.CharField(
        label="Caller ID (CNAM)",
        max_length=40,
        required=False,
        help_text="The name called parties see, at most 15 characters.",
    )
    e911_address = forms.ModelChoiceField(
        label="E911 address",
        queryset=E911Address.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="None, or a new address entered below",
    )
    e911_street = forms.CharField(label="E911 street", max_length=120, required=False)
    e911_unit = forms.CharField(label="E911 unit", max_length=60, required=False)
    e911_city = forms.CharField(label="E911 city", max_length=60, required=False)
    e911_state = forms.CharField(label="E911 state", max_length=40, required=False)
    e911_zip = forms.CharField(label="E911 ZIP code", max_length=10, required=False)

    NEW_E911 = ["e911_street", "e911_unit", "e911_city", "e911_state", "e911_zip"]
    SERVICES = ["cnam", "e911_address", *NEW_E911]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["e911_address"].queryset = E911Address.objects.filter(
            enterprise=user.enterprise
        )

    def clean_cnam(self):
        return clean_cnam(self.cleaned_data["cnam"])

    def clean(self):
        data = super().clean()
        self._check_e911(data)
        return data

    def _check_e911(self, data):
        """A new address entered below the choice, in USPS form: cleaned_data["new_e911"]."""
        entered = {name.removeprefix("e911_"): data.get(name, "") for name in self.NEW_E911}
        entered["zip_code"] = entered.pop("zip")
        data["new_e911"] = None
        if not any(entered.values()):
            return
        if data.get("e911_address"):
            self.add_error(
                "e911_street", "Either choose an E911 address or enter a new one, not both."
            )
            return
        try:
            data["new_e911"] = e911.normalize(entered)
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                name = "e911_zip" if field == "zip_code" else f"e911_{field}"
                self.add_error(name, messages)

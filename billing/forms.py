"""The Traffic Analytics filter: what the page's numbers are about."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.phones import normalize_phone
from phone_numbers.models import PhoneNumber
from trunks.models import Package, Trunk

from .analytics import DAY, HOUR, MONTH
from .models import DestinationClass, Direction

DEFAULT_DAYS = 30
# The longest range the page reads: a year, by month (or by day).
MAX_DAYS = 366
# The most days charted by hour: 744 bars already.
MAX_HOURLY_DAYS = 31


def default_range(today=None):
    """The last DEFAULT_DAYS days, today included, in the reader's time zone."""
    today = today or timezone.localdate()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


class AnalyticsFilterForm(forms.Form):
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    package = forms.ModelChoiceField(
        queryset=Package.objects.none(), required=False, empty_label="All packages"
    )
    trunk = forms.ModelChoiceField(
        queryset=Trunk.objects.none(), required=False, empty_label="All trunks"
    )
    direction = forms.ChoiceField(
        choices=[("", "Both directions"), *Direction.choices], required=False
    )
    destination_class = forms.ChoiceField(
        label="Destination",
        choices=[("", "All destinations"), *DestinationClass.choices],
        required=False,
    )
    number = forms.CharField(
        label="Number", required=False, max_length=30, widget=forms.TextInput(attrs={"size": 14})
    )
    # Empty: by hour up to 2 days, by month over 92, else by day (analytics.Filters.bucket).
    show_by = forms.ChoiceField(
        label="Show by",
        choices=[("", "Automatic"), (HOUR, "Hour"), (DAY, "Day"), (MONTH, "Month")],
        required=False,
    )

    def __init__(self, data, *, enterprise):
        date_from, date_to = default_range()
        # The page opens on the default range; a filter given in the address replaces it.
        data = {"date_from": date_from, "date_to": date_to, **data.dict()}
        super().__init__(data)
        # Only the enterprise's own: another enterprise's id is "not one of the choices".
        self.fields["package"].queryset = Package.objects.filter(enterprise=enterprise).order_by(
            "name"
        )
        self.fields["trunk"].queryset = Trunk.objects.filter(enterprise=enterprise).order_by("name")
        self.enterprise = enterprise

    def clean_number(self):
        value = self.cleaned_data["number"].strip()
        if not value:
            return ""
        e164 = normalize_phone(value)
        # One of the enterprise's own numbers, in service or not any more.
        if not PhoneNumber.objects.filter(enterprise=self.enterprise, e164=e164).exists():
            raise ValidationError("Enter one of your own numbers.")
        return e164

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_from > date_to:
                self.add_error("date_to", "To must be on or after From.")
            elif (date_to - date_from).days + 1 > MAX_DAYS:
                self.add_error(
                    "date_to",
                    f"Choose at most {MAX_DAYS} days: this range has "
                    f"{(date_to - date_from).days + 1}.",
                )
            elif (
                cleaned.get("show_by") == HOUR and (date_to - date_from).days + 1 > MAX_HOURLY_DAYS
            ):
                self.add_error(
                    "show_by",
                    f"Show by hour a range of at most {MAX_HOURLY_DAYS} days, "
                    "or choose Day or Month.",
                )
        return cleaned

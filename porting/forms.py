"""The Add/Port Numbers form, Order Type Move/Port Current Numbers.

The form checks what each field holds (a BTN in E.164, a port date in porting hours); what an
order needs before it is submitted is checked by rules.check_submission, whose errors the form
shows beside the same fields. The Port Numbers list is the view's: it is checked and stored as
a PortList when its text changes (checking.py), and the form carries it as port_list.
"""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from orders.forms import OrderForm
from phone_numbers.forms.services import OptionalServicesForm
from phone_numbers.rules import check_e164
from trunks.addresses import COUNTRIES, COUNTRY_CHOICES, COUNTRY_NAMES
from trunks.models import Package

from . import calendar
from .models import ACCOUNT_FIELDS, ADDRESS_FIELDS, PortKind
from .rules import REQUIRED
from .services import FIELDS
from .submission import CORRECTABLE

PARTIAL_PORT_HELP = (
    "A partial port moves only some services; a full port moves all your services to us. "
    "Only clear this check box if you are leaving no other services with your existing carrier."
)


class PortOrderForm(OptionalServicesForm, OrderForm):
    # The Order Type menu (phone_numbers.order_types): the view sets it.
    order_type = forms.ChoiceField(required=False)
    package = forms.ModelChoiceField(
        queryset=Package.objects.none(),
        empty_label="Choose a package",
        to_field_name="public_id",
        help_text="The package whose trunks the numbers' calls will come in on.",
    )
    kind = forms.ChoiceField(label="Number type", choices=PortKind.choices)

    address_number = forms.CharField(label="House number", max_length=20, required=False)
    address_street = forms.CharField(label="Street", max_length=120, required=False)
    address_unit = forms.CharField(
        label="Unit", max_length=60, required=False, help_text="Suite, floor or apartment."
    )
    address_city = forms.CharField(label="City", max_length=60, required=False)
    address_state = forms.CharField(
        label="State / region",
        max_length=40,
        required=False,
        help_text="In the United States and Canada its two-letter code, e.g. CO or ON.",
    )
    address_postal_code = forms.CharField(label="Postal code", max_length=12, required=False)
    address_country = forms.ChoiceField(
        label="Country", choices=COUNTRY_CHOICES, initial=COUNTRY_NAMES["US"]
    )

    current_carrier = forms.CharField(
        label="Current Carrier/Provider", max_length=80, required=False
    )
    account_holder = forms.CharField(
        label="Account holder name",
        max_length=120,
        required=False,
        help_text="The company or person the current carrier bills, as its bill shows it.",
    )
    btn = forms.CharField(
        label="Billing Telephone Number (BTN)",
        max_length=40,
        required=False,
        help_text="The account's main number, in E.164, e.g. +13075551212.",
    )
    account_number = forms.CharField(
        label="Account number", max_length=40, required=False, help_text="With the current carrier."
    )
    account_pin = forms.CharField(
        label="Account PIN",
        max_length=20,
        required=False,
        help_text="Required when any of the numbers is wireless (a cell phone).",
    )
    authorized_name = forms.CharField(
        label="Authorized person's name", max_length=80, required=False
    )
    authorized_title = forms.CharField(
        label="Authorized person's title", max_length=80, required=False
    )

    port_numbers = forms.CharField(
        label="Port Numbers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "data-drop-text": ""}),
        help_text="Separate the numbers by spaces, line breaks, commas or semicolons. Numbers "
        "must be in E.164 format, e.g. +13075551212.",
    )
    port_file = forms.FileField(
        label="Or a .txt or .csv file of numbers",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.csv,text/plain,text/csv"}),
    )
    port_list = forms.UUIDField(required=False, widget=forms.HiddenInput)

    # A select of the valid slots; the value is checked again, as the time may have passed.
    requested_at = forms.CharField(
        label="Requested Port Date/Time",
        required=False,
        widget=forms.Select,
        help_text="Standing porting hours are Monday through Friday, 9:00 AM to 5:30 PM ET, "
        "except US federal holidays.",
    )
    partial = forms.BooleanField(
        label="Partial Port", required=False, initial=True, help_text=PARTIAL_PORT_HELP
    )
    new_btn = forms.CharField(
        label="New BTN",
        max_length=40,
        required=False,
        help_text="Needed when a partial port moves the BTN: the number the services that stay "
        "will be billed to, in E.164.",
    )
    temporary_numbers = forms.IntegerField(
        label="Temporary numbers",
        min_value=0,
        max_value=100,
        initial=0,
        required=False,
        help_text="New numbers in the same package to use while the port is pending, near the "
        "first number you port. They are in service as soon as you submit the order.",
    )
    keep_temporary_numbers = forms.BooleanField(
        label="Keep the temporary numbers after the port",
        required=False,
        help_text="Otherwise they are released when the port completes.",
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    record_differences_confirmed = forms.BooleanField(
        label="My entries are right: the current carrier's record is out of date",
        required=False,
    )

    SECTIONS = [
        ("Order", ["order_type", "package", "kind", "customer_reference"]),
        ("Service/Billing Address", ADDRESS_FIELDS),
        ("Provide Port Information", ACCOUNT_FIELDS),
    ]
    LATER_SECTIONS = [
        ("Requested Port Date/Time", ["requested_at"]),
        ("Partial or Full Port", ["partial", "new_btn"]),
        ("Temporary Numbers", ["temporary_numbers", "keep_temporary_numbers"]),
        ("Add Optional Services", OptionalServicesForm.SERVICES),
        ("Notes or Special Instructions", ["notes"]),
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["package"].queryset = Package.objects.filter(
            enterprise=user.enterprise
        ).exclude(type=Package.Type.OUTBOUND_ONLY)
        # Needed to submit; the state and postal code where the country has them.
        for name in (*REQUIRED, "address_state", "address_postal_code"):
            self.fields[name].sometimes_required = True
        kind = self.data.get("kind") or self.initial.get("kind")
        kind = kind if kind in PortKind.values else PortKind.US_DOMESTIC
        self.fields["requested_at"].widget.choices = [
            ("", "Choose a date and time"),
            *calendar.slot_choices(kind, timezone.now(), user.zone),
        ]

    def sections(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.SECTIONS]

    def later_sections(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.LATER_SECTIONS]

    def error_fields(self):
        return [field for field in self if field.errors]

    def clean_address_country(self):
        return COUNTRIES[self.cleaned_data["address_country"]]

    def clean_btn(self):
        return self._e164("btn")

    def clean_new_btn(self):
        return self._e164("new_btn")

    def _e164(self, name):
        value = self.cleaned_data[name].strip()
        if value:
            check_e164(value)
        return value

    def clean_temporary_numbers(self):
        return self.cleaned_data["temporary_numbers"] or 0

    def clean_requested_at(self):
        value = self.cleaned_data["requested_at"]
        if not value:
            return None
        when = calendar.parse_slot(value)
        kind = self.data.get("kind")
        kind = kind if kind in PortKind.values else PortKind.US_DOMESTIC
        try:
            return calendar.check_slot(kind, when, timezone.now())
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def values(self):
        """The PortOrder fields as entered (the view sets e911_address to a new one)."""
        return {name: self.cleaned_data[name] for name in FIELDS}


class CorrectionForm(forms.Form):
    """Correct a port order the current carrier rejected: the fields a carrier checks, each
    named by a rejection saying so beside it."""

    def __init__(self, *args, port_order, rejected, **kwargs):
        initial = {name: getattr(port_order, name) for name in CORRECTABLE}
        initial["address_country"] = COUNTRY_NAMES.get(port_order.address_country, "")
        super().__init__(*args, initial=initial, **kwargs)
        for name in CORRECTABLE:
            self.fields[name] = copy.deepcopy(PortOrderForm.base_fields[name])
            if name in rejected:
                field = self.fields[name]
                field.help_text = " ".join(["Rejected:", *rejected[name], field.help_text])

    clean_address_country = PortOrderForm.clean_address_country
    clean_btn = PortOrderForm.clean_btn
    clean_new_btn = PortOrderForm.clean_new_btn
    _e164 = PortOrderForm._e164

    def sections(self):
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in (
                ("Service/Billing Address", ADDRESS_FIELDS),
                ("Provide Port Information", ACCOUNT_FIELDS),
                ("Partial or Full Port", ["partial", "new_btn"]),
            )
        ]

    def error_fields(self):
        return [field for field in self if field.errors]

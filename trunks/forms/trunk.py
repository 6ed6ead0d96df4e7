"""The Trunk Order form and the change and disconnect request forms."""

from django import forms
from django.utils import timezone

from core.phones import normalize_phone
from orders.forms import OrderForm

from ..addresses import COUNTRY_CHOICES, check_location
from ..changes import CHANGE_LABELS
from ..models import MAX_CHANNELS, Package, Trunk, TrunkContact
from ..services import TRUNK_FIELDS
from .fields import MediaAddressesField, SignalingAddressesField

SIGNALING_HELP = (
    "One per line: a public IP address or host name, then the port and transport, "
    "e.g. 34.120.10.5:5060/UDP or sbc.example.com:5061/TLS."
)


class ContactSelect(forms.Select):
    """The auto-fill menu: each option carries the contact's details for static/trunks JS."""

    def __init__(self, *args, details=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.details = details or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.details:
            for key, detail in zip(("name", "email", "phone"), self.details[value], strict=True):
                option["attrs"][f"data-{key}"] = detail
        return option


class OrderFields(OrderForm):
    """What every trunk order form asks besides the trunk: OrderForm's, a due date, notes."""

    requested_due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_requested_due_date(self):
        day = self.cleaned_data["requested_due_date"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return day

    def order_kwargs(self):
        return {
            **super().order_kwargs(),
            "requested_due_date": self.cleaned_data["requested_due_date"],
            "notes": self.cleaned_data["notes"],
        }


class SwitchFields(forms.Form):
    signaling = SignalingAddressesField(label="Signaling addresses", help_text=SIGNALING_HELP)
    media = MediaAddressesField(
        label="Media addresses",
        required=False,
        help_text="One public IP address per line, when media comes from other addresses.",
    )
    max_channels = forms.IntegerField(
        label="Maximum concurrent calls", min_value=1, max_value=MAX_CHANNELS
    )
    auth = forms.ChoiceField(
        label="Authentication", choices=Trunk.Auth.choices, widget=forms.RadioSelect
    )
    auth_username = forms.CharField(
        label="SIP username",
        max_length=60,
        required=False,
        help_text="Only with authentication by username and password. Our engineers agree the "
        "password with your testing contact; the portal never stores it.",
        # static/trunks/order-form.js hides it unless that authentication is chosen.
        widget=forms.TextInput(attrs={"data-shown-with-auth": Trunk.Auth.CREDENTIALS}),
    )
    # Needed with authentication by username and password (see clean()).
    auth_username.sometimes_required = True
    codecs = forms.MultipleChoiceField(
        choices=Trunk.Codec.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The codecs your switch offers; calls use one that both sides have.",
        error_messages={
            "required": "Choose at least one codec: calls need one that your switch and ours "
            "both have."
        },
    )

    def clean(self):
        data = super().clean()
        if data.get("auth") == Trunk.Auth.CREDENTIALS and not data.get("auth_username"):
            self.add_error("auth_username", "Enter the username your switch signs in with.")
        if data.get("auth") == Trunk.Auth.IP:
            data["auth_username"] = ""
        return data


class TrunkFields(SwitchFields):
    """Everything a trunk is: what the Trunk Order form sets and a change request changes."""

    name = forms.CharField(label="Trunk Name", max_length=80)
    contact_name = forms.CharField(label="Contact name", max_length=120)
    contact_email = forms.EmailField(label="Contact email")
    contact_phone = forms.CharField(label="Contact phone", max_length=30)
    street = forms.CharField(max_length=120)
    city = forms.CharField(max_length=80)
    state = forms.CharField(
        label="State / province",
        max_length=40,
        required=False,
        help_text="In the United States and Canada its two-letter code, e.g. CO or ON.",
    )
    zip_code = forms.CharField(label="ZIP / postal code", max_length=12, required=False)
    # Needed where addresses.check_location knows the country has them (a US address has both).
    state.sometimes_required = zip_code.sometimes_required = True
    country = forms.ChoiceField(choices=COUNTRY_CHOICES, initial="United States")
    switch_vendor = forms.CharField(label="Switch vendor", max_length=60)
    switch_model = forms.CharField(label="Switch model", max_length=60)
    dtmf = forms.ChoiceField(label="DTMF mode", choices=Trunk.Dtmf.choices)
    t38_fax = forms.BooleanField(label="T.38 fax", required=False)
    srtp = forms.BooleanField(label="SRTP (encrypted media)", required=False)

    CONTACT = ["contact_name", "contact_email", "contact_phone"]
    LOCATION = ["street", "city", "state", "zip_code", "country"]
    SWITCH = [
        "switch_vendor",
        "switch_model",
        "signaling",
        "media",
        "max_channels",
        "auth",
        "auth_username",
    ]
    ORDER = ["customer_reference", "requested_due_date", "notes"]
    SECTIONS = [
        ("Trunk", ["name"]),
        ("Trunk Testing Contact", CONTACT),
        ("Switch Physical Location", LOCATION),
        ("Switch Information", SWITCH),
        ("Options", ["codecs", "dtmf", "t38_fax", "srtp", *ORDER]),
    ]

    def sections(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.SECTIONS]

    def error_fields(self):
        """The fields with errors in the order the page shows them, for the summary at its top."""
        return [field for _, fields in self.sections() for field in fields if field.errors]

    def clean_contact_phone(self):
        value = self.cleaned_data["contact_phone"].strip()
        return normalize_phone(value) if value else ""

    def clean(self):
        data = super().clean()
        if not any(field in self.errors for field in ("state", "zip_code", "country")):
            try:
                data["state"], data["zip_code"], data["country"] = check_location(
                    state=data["state"], zip_code=data["zip_code"], country=data["country"]
                )
            except forms.ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return data


class TrunkOrderForm(TrunkFields, OrderFields):
    """A new trunk: the Trunk Order form without the package (Add Redundant Trunk, +Add)."""

    contact = forms.ChoiceField(
        label="Auto-fill from",
        required=False,
        error_messages={"invalid_choice": "Pick a contact from the auto-fill menu."},
    )
    # Filled from the auto-fill menu when left empty: checked in clean().
    contact_name = forms.CharField(label="Contact name", max_length=120, required=False)
    contact_email = forms.EmailField(label="Contact email", required=False)
    contact_phone = forms.CharField(label="Contact phone", max_length=30, required=False)
    contact_name.sometimes_required = contact_email.sometimes_required = True
    contact_phone.sometimes_required = True

    SECTIONS = [
        ("Trunk", ["name"]),
        ("Trunk Testing Contact", ["contact", *TrunkFields.CONTACT]),
        *TrunkFields.SECTIONS[2:],
    ]

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {"auth": Trunk.Auth.IP, "codecs": ["g711u"], **kwargs["initial"]}
        super().__init__(*args, **kwargs)
        self.user = user
        self.contacts = {
            str(contact.public_id): contact
            for contact in TrunkContact.objects.filter(enterprise=user.enterprise).order_by(
                "-last_used_at"
            )[:50]
        }
        details = {"me": (user.name, user.email, user.phone)}
        details.update({key: (c.name, c.email, c.phone) for key, c in self.contacts.items()})
        field = self.fields["contact"]
        field.choices = [
            ("", "Enter the contact's details below"),
            ("me", f"Me: {user.get_full_name()}"),
            *[(key, str(contact)) for key, contact in self.contacts.items()],
        ]
        field.widget = ContactSelect(
            choices=field.choices, details=details, attrs={"data-contact-autofill": ""}
        )

    def clean(self):
        data = super().clean()
        chosen = data.get("contact")
        if chosen == "me":
            source = (self.user.get_full_name(), self.user.email, self.user.phone)
        elif chosen:
            contact = self.contacts[chosen]
            source = (contact.name, contact.email, contact.phone)
        else:
            source = ("", "", "")
        for field, fallback in zip(
            ("contact_name", "contact_email", "contact_phone"), source, strict=True
        ):
            if field in self.errors:
                continue
            value = data.get(field) or fallback
            if not value:
                self.add_error(field, "Enter the testing contact's details or pick a contact.")
                continue
            if field == "contact_phone":
                try:
                    value = normalize_phone(value)
                except forms.ValidationError as error:
                    self.add_error(field, error)
                    continue
            data[field] = value
        return data

    def trunk_fields(self):
        return {key: self.cleaned_data[key] for key in TRUNK_FIELDS}


class NewPackageForm(TrunkOrderForm):
    """Create New Package: the Trunk Order form with the package's name."""

    package_name = forms.CharField(label="Package Name", max_length=80)

    SECTIONS = [("Package", ["package_name"]), *TrunkOrderForm.SECTIONS]

    def clean_package_name(self):
        name = self.cleaned_data["package_name"].strip()
        if Package.objects.filter(enterprise=self.user.enterprise, name__iexact=name).exists():
            raise forms.ValidationError("You already have a package with this name.")
        return name


class ChangeTrunkForm(TrunkFields, OrderFields):
    """A change request: any of the trunk's settings, shown as they are now."""

    def values(self):
        return {key: self.cleaned_data[key] for key in CHANGE_LABELS}


class DisconnectForm(OrderFields):
    """A disconnect request."""

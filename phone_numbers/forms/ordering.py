"""The Add/Port Numbers form, Order Type Get New Number: which numbers, where they are served,
how calls to them are routed, and their Caller ID and E911 services."""

import re
from dataclasses import fields

import pycountry
from django import forms

from orders.forms import OrderForm
from trunks.addresses import COUNTRIES, COUNTRY_CHOICES, check_location
from trunks.models import Package, RoutingPolicy, Trunk

from ..models import Kind
from ..supply import HOME_COUNTRY, MAX_QUANTITY, Search, check_search, international_countries
from .services import OptionalServicesForm

ORDERABLE_KINDS = [Kind.US_DOMESTIC, Kind.INTERNATIONAL, Kind.TOLL_FREE]
# A toll-free prefix typed before the vanity word: 1-800-FLOWERS, 888 FLOWERS, 1800FLOWERS.
TOLL_FREE_PREFIX = re.compile(r"^1?[\s-]*(8(00|33|44|55|66|77|88))[\s-]*(?=[A-Za-z0-9])")


def _country_name(alpha_2):
    country = pycountry.countries.get(alpha_2=alpha_2)
    return country.name if country else alpha_2


def number_country_choices():
    """The United States, then the countries International numbers come from."""
    others = sorted(
        ((code, _country_name(code)) for code in international_countries()),
        key=lambda choice: choice[1],
    )
    return [(HOME_COUNTRY, _country_name(HOME_COUNTRY)), *others]


class NumberSearchForm(forms.Form):
    """Which numbers: what Preview numbers looks for and Submit Order reserves.

    The search's rules are the supplier's (supply.check_search); this form shows its errors
    beside the fields.
    """

    kind = forms.ChoiceField(
        label="Number type", choices=[(kind.value, kind.label) for kind in ORDERABLE_KINDS]
    )
    country = forms.ChoiceField(
        choices=number_country_choices,
        initial=HOME_COUNTRY,
        help_text="Where the numbers are: the United States for US Domestic and Toll-Free.",
    )
    quantity = forms.IntegerField(
        label="Quantity",
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages={
            "min_value": "Order at least 1 number.",
            "max_value": f"Order at most {MAX_QUANTITY} numbers at a time.",
        },
    )

    area_code = forms.CharField(
        max_length=3,
        required=False,
        help_text="Three digits, e.g. 303; for Toll-Free the prefix, e.g. 888.",
    )
    city = forms.CharField(label="City of the numbers", max_length=64, required=False)
    state = forms.CharField(
        label="State of the numbers",
        max_length=2,
        required=False,
        help_text="Its two-letter code, e.g. CO.",
    )
    contains = forms.CharField(
        label="Numbers containing",
        max_length=16,
        required=False,
        help_text="Digits the numbers contain, e.g. 2026.",
    )
    vanity = forms.CharField(
        label="Vanity letters",
        max_length=20,
        required=False,
        help_text="Toll-Free: the word your number spells, e.g. FLOWERS for 1-800-FLOWERS.",
    )
    consecutive = forms.BooleanField(
        label="A consecutive block (numbers in one run, e.g. ...0100 to ...0109)", required=False
    )

    SEARCH = ["area_code", "city", "state", "contains", "vanity", "consecutive"]

    def clean(self):
        data = super().clean()
        self._split_vanity_prefix(data)
        if all(name in data for name in ("kind", "country", "quantity", *self.SEARCH)):
            try:
                data["search"] = check_search(
                    Search(**{field.name: data[field.name] for field in fields(Search)})
                )
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data

    def _split_vanity_prefix(self, data):
        """1-888-FLOWERS: the prefix is the area code, unless one is given."""
        match = TOLL_FREE_PREFIX.match(data.get("vanity", ""))
        if match:
            data["vanity"] = data["vanity"][match.end() :]
            data["area_code"] = data.get("area_code") or match.group(1)

    def search(self):
        """The supplier's search for the numbers this form asks for."""
        return self.cleaned_data["search"]


class GetNewNumberForm(NumberSearchForm, OptionalServicesForm, OrderForm):
    """The whole order: the numbers, where they are served, their routing and services."""

    # The Order Type menu (order_types): the view sets it, with the other types it may lead to.
    order_type = forms.ChoiceField(required=False)
    package = forms.ModelChoiceField(
        queryset=Package.objects.none(),
        empty_label="Choose a package",
        to_field_name="public_id",
        help_text="The package whose trunks the numbers' calls come in on.",
    )
    address_street = forms.CharField(label="Street", max_length=120)
    address_unit = forms.CharField(
        label="Unit", max_length=60, required=False, help_text="Suite, floor or apartment."
    )
    address_city = forms.CharField(label="City", max_length=60)
    address_state = forms.CharField(
        label="State / province",
        max_length=40,
        required=False,
        help_text="In the United States and Canada its two-letter code, e.g. CO or ON.",
    )
    address_zip = forms.CharField(label="ZIP / postal code", max_length=12, required=False)
    address_country = forms.ChoiceField(
        label="Country", choices=COUNTRY_CHOICES, initial="United States"
    )
    address_state.sometimes_required = address_zip.sometimes_required = True

    routing = forms.ChoiceField(
        label="Routing",
        required=False,
        help_text="Where calls to the numbers go; without a choice, the package's default "
        "routing policy.",
    )

    ADDRESS = [
        "address_street",
        "address_unit",
        "address_city",
        "address_state",
        "address_zip",
        "address_country",
    ]
    SECTIONS = [
        ("Order", ["order_type", "package", "kind", "country", "quantity", "customer_reference"]),
        ("Service/Billing Address", ADDRESS),
        ("Optional Number Information", NumberSearchForm.SEARCH),
        ("Routing", ["routing"]),
        ("Add Optional Services", OptionalServicesForm.SERVICES),
    ]

    field_order = [name for _legend, names in SECTIONS for name in names]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["package"].queryset = Package.objects.filter(
            enterprise=user.enterprise
        ).exclude(type=Package.Type.OUTBOUND_ONLY)
        self.fields["routing"].choices = self._routing_choices()

    def _routing_choices(self):
        """The routing policies and trunks of every package, grouped by package: the package
        may be changed on the page, so order_numbers checks the choice is the chosen one's."""
        groups = {}
        policies = RoutingPolicy.objects.filter(enterprise=self.user.enterprise).select_related(
            "package"
        )
        for policy in policies.order_by("package__name", "package_id", "-is_default", "name"):
            groups.setdefault(policy.package.name, []).append(
                (f"policy:{policy.public_id}", f"Policy: {policy.name}")
            )
        trunks = (
            Trunk.objects.filter(enterprise=self.user.enterprise)
            .exclude(status=Trunk.Status.DISCONNECTED)
            .exclude(package__type=Package.Type.OUTBOUND_ONLY)
            .select_related("package")
        )
        for trunk in trunks.order_by("package__name", "package_id", "name"):
            groups.setdefault(trunk.package.name, []).append(
                (f"trunk:{trunk.public_id}", f"Trunk: {trunk.name}")
            )
        return [("", "Package default"), *groups.items()]

    def sections(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.SECTIONS]

    def error_fields(self):
        return [field for field in self if field.errors]

    def clean(self):
        data = super().clean()
        self._check_address(data)
        self._check_routing(data)
        return data

    def _check_address(self, data):
        names = ("address_state", "address_zip", "address_country")
        if any(name in self.errors for name in names):
            return
        try:
            state, zip_code, country = check_location(
                state=data["address_state"],
                zip_code=data["address_zip"],
                country=data["address_country"],
            )
        except forms.ValidationError as error:
            form_fields = {"state": "address_state", "zip_code": "address_zip"}
            for field, messages in error.message_dict.items():
                self.add_error(form_fields.get(field, "address_country"), messages)
            return
        data["address_state"], data["address_zip"] = state, zip_code
        data["address_country"] = COUNTRIES[country]

    def _check_routing(self, data):
        """The chosen policy or trunk; order_numbers checks it is one of the package's."""
        what, _, public_id = data.get("routing", "").partition(":")
        data["routing_policy"] = data["trunk"] = None
        if what == "policy":
            data["routing_policy"] = RoutingPolicy.objects.filter(
                enterprise=self.user.enterprise, public_id=public_id
            ).first()
        elif what == "trunk":
            data["trunk"] = Trunk.objects.filter(
                enterprise=self.user.enterprise, public_id=public_id
            ).first()

    def address(self):
        """The service/billing address, as ordering.order_numbers takes it."""
        return {name.removeprefix("address_"): self.cleaned_data[name] for name in self.ADDRESS}

"""The Manage actions of the "Select an Action" menu: each one's form and the service it calls.

A form only validates what the user chose; `apply` hands its values to the service of
phone_numbers/manage.py, which changes all the selected numbers in one transaction. The job that
runs an action over a large selection validates the same form again from the posted data.
"""

from dataclasses import dataclass

from django import forms

from core.phones import normalize_phone
from trunks.models import Package, RoutingPolicy, Trunk

from .. import manage
from ..cnam import clean_cnam
from ..models import E911Address


class MoveForm(forms.Form):
    package = forms.ModelChoiceField(
        label="Target package",
        queryset=Package.objects.none(),
        to_field_name="public_id",
        empty_label="Choose a package",
        error_messages={"required": "Choose the package to move the numbers to."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The tenant scope keeps the list to the enterprise's own packages.
        self.fields["package"].queryset = Package.objects.exclude(
            type=Package.Type.OUTBOUND_ONLY
        ).order_by("name", "id")

    def apply(self, numbers, *, by, ip_address, progress=None):
        return manage.move_to_package(
            numbers, self.cleaned_data["package"], by=by, ip_address=ip_address, progress=progress
        )

    def describe(self):
        return f"to {self.cleaned_data['package'].name}"


PACKAGE_DEFAULT = "default"


class RoutingForm(forms.Form):
    routing = forms.ChoiceField(
        label="Route calls to",
        help_text="A routing policy or a trunk of the numbers' own package.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        policies = RoutingPolicy.objects.select_related("package").order_by(
            "package__name", "name", "id"
        )
        trunks = (
            Trunk.objects.select_related("package")
            .exclude(status=Trunk.Status.DISCONNECTED)
            .exclude(package__type=Package.Type.OUTBOUND_ONLY)
            .order_by("package__name", "name", "id")
        )
        self.targets = {f"policy:{p.public_id}": p for p in policies}
        self.targets |= {f"trunk:{t.public_id}": t for t in trunks}
        self.fields["routing"].choices = [
            ("", "Choose where calls go"),
            (PACKAGE_DEFAULT, "Package default"),
            (
                "Routing policies",
                [
                    (key, f"{p.package.name}: {p.name}")
                    for key, p in self.targets.items()
                    if key.startswith("policy:")
                ],
            ),
            (
                "Trunks",
                [
                    (key, f"{t.package.name}: {t.name}")
                    for key, t in self.targets.items()
                    if key.startswith("trunk:")
                ],
            ),
        ]

    def apply(self, numbers, *, by, ip_address, progress=None):
        target = self.targets.get(self.cleaned_data["routing"])
        return manage.change_routing(
            numbers,
            routing_policy=target if isinstance(target, RoutingPolicy) else None,
            trunk=target if isinstance(target, Trunk) else None,
            by=by,
            ip_address=ip_address,
            progress=progress,
        )

    def describe(self):
        target = self.targets.get(self.cleaned_data["routing"])
        if isinstance(target, RoutingPolicy):
            return f"to the routing policy {target.name}"
        if isinstance(target, Trunk):
            return f"to the trunk {target.name}"
        return "to their package's default"


class CnamForm(forms.Form):
    cnam = forms.CharField(
        label="Caller ID / CNAM",
        required=False,
        max_length=40,
        help_text="The name called parties see, at most 15 characters. Leave empty to remove it.",
    )

    def clean_cnam(self):
        return clean_cnam(self.cleaned_data["cnam"])

    def apply(self, numbers, *, by, ip_address, progress=None):
        return manage.set_cnam(
            numbers, self.cleaned_data["cnam"], by=by, ip_address=ip_address, progress=progress
        )

    def describe(self):
        cnam = self.cleaned_data["cnam"]
        return f"to “{cnam}”" if cnam else "to none"


class E911Form(forms.Form):
    e911_address = forms.ModelChoiceField(
        label="E911 address",
        queryset=E911Address.objects.none(),
        to_field_name="public_id",
        empty_label="Choose an address",
        error_messages={"required": "Choose the E911 address."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["e911_address"].queryset = E911Address.objects.all()

    def apply(self, numbers, *, by, ip_address, progress=None):
        return manage.set_e911(
            numbers,
            self.cleaned_data["e911_address"],
            by=by,
            ip_address=ip_address,
            progress=progress,
        )

    def describe(self):
        return f"to {self.cleaned_data['e911_address']}"


class ForwardForm(forms.Form):
    forward_to = forms.CharField(
        label="Forward calls to",
        required=False,
        max_length=30,
        help_text="Another number, e.g. +13035551234. Leave empty to stop forwarding.",
    )

    def clean_forward_to(self):
        value = self.cleaned_data["forward_to"].strip()
        return normalize_phone(value) if value else ""

    def apply(self, numbers, *, by, ip_address, progress=None):
        return manage.set_forward(
            numbers,
            self.cleaned_data["forward_to"],
            by=by,
            ip_address=ip_address,
            progress=progress,
        )

    def describe(self):
        forward_to = self.cleaned_data["forward_to"]
        return f"to {forward_to}" if forward_to else "off"


class DisconnectForm(forms.Form):
    def apply(self, numbers, *, by, ip_address, progress=None):
        return manage.disconnect(numbers, by=by, ip_address=ip_address, progress=progress)

    def describe(self):
        return ""


# The action's fields are named change-package, change-cnam...: the selection's filters
# (package, status...) travel in the same form.
PREFIX = "change"


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    form_class: type[forms.Form]
    # What the confirmation asks and the message says: "Move 12 numbers to Chicago Usage".
    verb: str
    done: str
    danger: bool = False

    def form(self, data=None):
        return self.form_class(data, prefix=PREFIX)


ACTIONS = {
    action.key: action
    for action in [
        Action("move", "Move to Another Package", MoveForm, "Move", "Moved"),
        Action("routing", "Change Routing", RoutingForm, "Route", "Routed"),
        Action(
            "cnam", "Set Caller ID / CNAM", CnamForm, "Set the Caller ID of", "Set the Caller ID of"
        ),
        Action(
            "e911",
            "Set E911 Address",
            E911Form,
            "Set the E911 address of",
            "Set the E911 address of",
        ),
        Action(
            "forward",
            "Remote Call Forward / translation",
            ForwardForm,
            "Set call forwarding of",
            "Set call forwarding of",
        ),
        Action(
            "disconnect", "Disconnect", DisconnectForm, "Disconnect", "Disconnected", danger=True
        ),
    ]
}

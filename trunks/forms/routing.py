"""The routing policy form: a name, the default flag, a fallback and the ordered trunks."""

from django import forms

from core.phones import normalize_phone

from ..models import Trunk
from ..routing import MAX_PRIORITY, MAX_WEIGHT, ROUTABLE, Target


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=80)
    is_default = forms.BooleanField(
        label="Package default",
        required=False,
        help_text="Numbers of the package without a policy of their own follow this one.",
    )
    fallback_number = forms.CharField(
        label="Fallback number",
        max_length=30,
        required=False,
        help_text="When no trunk answers, forward the call to this number, e.g. +13035551234.",
    )

    def clean_fallback_number(self):
        value = self.cleaned_data["fallback_number"].strip()
        return normalize_phone(value) if value else ""


class TargetForm(forms.Form):
    trunk = forms.ModelChoiceField(queryset=Trunk.objects.none(), to_field_name="public_id")
    priority = forms.IntegerField(
        min_value=1, max_value=MAX_PRIORITY, help_text="1 is tried first."
    )
    weight = forms.IntegerField(
        min_value=1,
        max_value=MAX_WEIGHT,
        initial=100,
        help_text="Trunks of the same priority share calls by weight.",
    )

    def __init__(self, *args, package, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this package's trunks that take calls: any other id is not a valid choice.
        self.fields["trunk"].queryset = package.trunks.filter(status__in=ROUTABLE).order_by("name")


class BaseTargetFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            trunk = form.cleaned_data.get("trunk")
            if trunk is None or form.cleaned_data.get("DELETE"):
                continue
            if trunk.pk in seen:
                form.add_error("trunk", f"{trunk.name} is already in this policy.")
            seen.add(trunk.pk)
        if not seen:
            raise forms.ValidationError("Add at least one trunk.")

    def targets(self):
        return sorted(
            (
                Target(
                    form.cleaned_data["trunk"],
                    form.cleaned_data["priority"],
                    form.cleaned_data["weight"],
                )
                for form in self.forms
                if form.cleaned_data.get("trunk") and not form.cleaned_data.get("DELETE")
            ),
            key=lambda target: (target.priority, -target.weight),
        )


TargetFormSet = forms.formset_factory(
    TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)

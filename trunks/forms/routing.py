"""The routing policy form: a name, the default flag, a fallback and the ordered trunks."""

from django import forms

from core.phones import normalize_phone

from ..models import Trunk
from ..routing import MAX_PRIORITY, MAX_WEIGHT, NO_TRUNK, ROUTABLE, Target

# Rows of trunks the form shows at first; "Add row" adds more, up to MAX_ROWS.
FIRST_ROWS = 3
MAX_ROWS = 20
DEFAULT_HELP = "Numbers of the package without a policy of their own follow this one."


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=80)
    is_default = forms.BooleanField(label="Package default", required=False)
    fallback_number = forms.CharField(
        label="Fallback number",
        max_length=30,
        required=False,
        help_text="When no trunk answers, forward the call to this number, e.g. +13035551234.",
    )

    def __init__(self, *args, package, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A package has one default policy: making this one the default takes the flag from it.
        others = package.routing_policies.filter(is_default=True)
        if policy is not None:
            others = others.exclude(pk=policy.pk)
        self.current_default = others.first()
        help_text = DEFAULT_HELP
        if self.current_default is not None:
            help_text += (
                f" The package has one default: ticking this takes the flag from "
                f"“{self.current_default.name}”."
            )
        self.fields["is_default"].help_text = help_text

    def clean_fallback_number(self):
        value = self.cleaned_data["fallback_number"].strip()
        return normalize_phone(value) if value else ""

    def replaces_default(self):
        """The policy that stops being the default when this form is saved, or None."""
        return self.current_default if self.cleaned_data.get("is_default") else None


class TargetForm(forms.Form):
    """One row of trunks; a row without a trunk is ignored, whatever else it holds."""

    trunk = forms.ModelChoiceField(
        queryset=Trunk.objects.none(), to_field_name="public_id", required=False
    )
    priority = forms.IntegerField(
        min_value=1, max_value=MAX_PRIORITY, required=False, help_text="1 is tried first."
    )
    weight = forms.IntegerField(
        min_value=1,
        max_value=MAX_WEIGHT,
        initial=100,
        required=False,
        help_text="Trunks of the same priority share calls by weight.",
    )

    def __init__(self, *args, package, row=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this package's trunks that take calls: any other id is not a valid choice.
        self.fields["trunk"].queryset = package.trunks.filter(status__in=ROUTABLE).order_by("name")
        self.fields["trunk"].empty_label = "No trunk (row ignored)"
        # A new row is tried after the rows above it, unless the customer says otherwise.
        if row is not None:
            self.initial.setdefault("priority", row)

    def has_changed(self):
        # A row counts once it names a trunk: one without is not checked (empty_permitted).
        return bool(self.data.get(self.add_prefix("trunk")))

    def clean(self):
        data = super().clean()
        if data.get("trunk") is None:
            return data
        for field in ("priority", "weight"):
            if field not in self.errors and data.get(field) is None:
                self.add_error(field, f"Enter the {field} of {data['trunk'].name}.")
        return data


class BaseTargetFormSet(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": f"A policy has at most {MAX_ROWS} trunks."}

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        # Every row may be left without a trunk, the rows first shown too.
        kwargs["empty_permitted"] = True
        if index is not None:
            kwargs["row"] = index + 1
        return kwargs

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            trunk = form.cleaned_data.get("trunk")
            if trunk is None or self._should_delete_form(form):
                continue
            if trunk.pk in seen:
                form.add_error("trunk", f"{trunk.name} is already in this policy.")
            seen.add(trunk.pk)
        if not seen:
            raise forms.ValidationError(NO_TRUNK)

    def targets(self):
        return sorted(
            (
                Target(
                    form.cleaned_data["trunk"],
                    form.cleaned_data["priority"],
                    form.cleaned_data["weight"],
                )
                for form in self.forms
                if form.cleaned_data.get("trunk") and not self._should_delete_form(form)
            ),
            key=lambda target: (target.priority, -target.weight),
        )


TargetFormSet = forms.formset_factory(
    TargetForm,
    formset=BaseTargetFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
)


def posted_rows(data, prefix):
    """The rows as they were posted, to show them again with one more (Add row, without JS)."""
    try:
        count = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), MAX_ROWS)
    except ValueError:
        count = 0
    fields = ("trunk", "priority", "weight")
    rows = []
    for index in range(count):
        row = {field: data.get(f"{prefix}-{index}-{field}", "") for field in fields}
        row["DELETE"] = bool(data.get(f"{prefix}-{index}-DELETE"))
        rows.append(row)
    return rows

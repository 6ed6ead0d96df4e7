from django import forms
from django.forms.renderers import TemplatesSetting

# Django's own messages ("This field is required.", "Select a valid choice. bogus is not one of
# the available choices.") do not say which field they are about: in a summary at the top of a
# form they mean nothing. These name the field. A form's own message for a code stays.
_OUT_OF_RANGE = {
    "min_value": "{Label} must be at least %(limit_value)s.",
    "max_value": "{Label} must be at most %(limit_value)s.",
    "min_length": "{Label} must be at least %(limit_value)d characters long.",
    "max_length": (
        "{Label} must be at most %(limit_value)d characters long (it has %(show_value)d)."
    ),
}
_NOT_READABLE = {
    forms.IntegerField: "{Label} must be a whole number.",
    forms.DecimalField: "{Label} must be a number.",
    forms.FloatField: "{Label} must be a number.",
    forms.DateField: "{Label}: enter a date, e.g. 2026-12-31.",
    forms.TimeField: "{Label}: enter a time, e.g. 14:30.",
    forms.DateTimeField: "{Label}: enter a date and time, e.g. 2026-12-31 14:30.",
    forms.URLField: "{Label}: enter a web address, e.g. https://example.com.",
}


def _required_message(field):
    if isinstance(field.widget, forms.CheckboxInput):
        return "Tick “{Label}” to go on."
    if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        return "Choose at least one of the {label}."
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return "Choose the {label}."
    if isinstance(field, forms.FileField):
        return "Choose a file for the {label}."
    return "Enter the {label}."


def _django_defaults(field):
    messages = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _in_sentence(label):
    # "Email address" reads "email address" mid-sentence; "SIP username" and "Trunk Name" stay.
    ordinary = label[1:2].islower() and label[1:] == label[1:].lower()
    return label[:1].lower() + label[1:] if ordinary else label


def plain_error_messages(field, label):
    """The messages of field's errors in words that name it, for the codes Django words."""
    templates = {"required": _required_message(field)}
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        templates["invalid_choice"] = "Choose the {label} from the list."
        templates["invalid_pk_value"] = "Choose the {label} from the list."
    for field_class, template in _NOT_READABLE.items():
        if isinstance(field, field_class):
            templates["invalid"] = template
    for code, template in _OUT_OF_RANGE.items():
        if getattr(field, code, None) is not None:
            templates[code] = template
    defaults = _django_defaults(field)
    messages = {}
    for code, template in templates.items():
        current = field.error_messages.get(code)
        if current is not None and current != defaults.get(code):
            continue  # the form's own words
        name, in_sentence = label, _in_sentence(label)
        if code in _OUT_OF_RANGE:
            # Formatted again with the limit: a % in the label must stay a %.
            name, in_sentence = name.replace("%", "%%"), in_sentence.replace("%", "%%")
        messages[code] = template.format(Label=name, label=in_sentence)
    return messages


class PortalBoundField(forms.BoundField):
    """A form's field as the portal shows it: its errors name it, optional fields say so."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        # Each form holds its own copy of its fields: changing the messages here changes them
        # for this form only, before it is validated.
        if self.label:
            field.error_messages.update(plain_error_messages(field, str(self.label)))

    @property
    def is_optional(self):
        """Whether the label says "(optional)". A field the form needs only in some cases (a
        password when authentication is by password) is not optional: it is marked with
        `field.sometimes_required = True`."""
        return not (
            self.field.required
            or self.widget_type == "checkbox"
            or getattr(self.field, "sometimes_required", False)
        )


class PortalFormRenderer(TemplatesSetting):
    """Render every form with the portal's field markup: error summary, then for each field its
    label, input, help text and errors."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"
    bound_field_class = PortalBoundField

    def render(self, template_name, context, request=None):
        # A form's template (not a field's) gets the fields with errors, for the summary at its
        # top (components/error_summary.html).
        if "fields" in context and "form" in context:
            context = {
                **context,
                "error_fields": [field for field, errors in context["fields"] if errors],
            }
        return super().render(template_name, context, request)

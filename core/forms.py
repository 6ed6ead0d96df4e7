from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Render every form with the portal's field markup: label, input, help, then errors."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"

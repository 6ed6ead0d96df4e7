from django import template

from portal.phones import display_phone

register = template.Library()


@register.filter
def phone(value):
    """Format an E.164 number for display."""
    return display_phone(value)

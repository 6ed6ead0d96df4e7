"""{% port_documents port as section %}: what a port order's page shows of its documents."""

from django import template

from porting import documents, submission

register = template.Library()


@register.simple_tag
def port_documents(port_order):
    return {
        "documents": port_order.documents.select_related("uploaded_by"),
        "open": documents.refusal(port_order.order) is None,
        "needed": submission.missing_documents(port_order),
    }

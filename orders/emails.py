"""The e-mails to the person who placed an order: when it is placed and at each change."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.jobs import queue_email


def _send(order, template, extra):
    orderer = order.placed_by
    if orderer is None or not orderer.is_active:
        return
    context = {
        "order": order,
        "orderer": orderer,
        "kind": order.kind_info,
        "summary": order.describe(),
        "order_url": settings.SITE_URL + reverse("orders:order_detail", args=[order.public_id]),
        **extra,
    }
    # Times in the orderer's zone, not in that of the staff member who moved the order.
    with timezone.override(orderer.zone):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}_message.txt", context)
        html = render_to_string(f"{template}_message.html", context)
    message = EmailMultiAlternatives(
        settings.EMAIL_SUBJECT_PREFIX + subject, text, settings.DEFAULT_FROM_EMAIL, [orderer.email]
    )
    message.attach_alternative(html, "text/html")
    queue_email(message, enterprise=order.enterprise)


def send_placed(order):
    _send(order, "orders/email/placed", {})


def send_status_changed(order, event):
    _send(order, "orders/email/status_changed", {"event": event})


def send_event(order, event):
    _send(order, "orders/email/event", {"event": event})

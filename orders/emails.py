"""The e-mails to the person who placed an order: when it is placed and at each change."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

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
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        settings.EMAIL_SUBJECT_PREFIX + subject,
        render_to_string(f"{template}_message.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [orderer.email],
    )
    message.attach_alternative(render_to_string(f"{template}_message.html", context), "text/html")
    queue_email(message, enterprise=order.enterprise)


def send_placed(order):
    _send(order, "orders/email/placed", {})


def send_status_changed(order, event):
    _send(order, "orders/email/status_changed", {"event": event})

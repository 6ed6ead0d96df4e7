"""The Add/Port Numbers tab, Order Type Move/Port Current Numbers, and its pop-ups.

"+Add" under Local, International or Toll-Free Numbers and Order Type "Move/Port Current
Numbers" open the form: /porting/add/?package=<public_id>&kind=us_domestic. Every button of the
form posts all of it, so nothing typed is lost, whether or not JavaScript runs:

- Save (in the Port Numbers pop-up): the numbers are checked and kept as a PortList;
- Remove numbers with errors: only the numbers with errors leave the list;
- Save Draft: the order is kept as a Draft, to be resumed from its page (/porting/<id>/edit/);
- Submit Order: the order is placed, Pending Documents.

A rejected order is corrected and sent back to the carrier from /porting/<id>/resubmit/.

The list is checked again only when its text or the number type changed (PortList.digest).
Review Numbers (/porting/lists/<id>/review/) pages through the numbers with errors, with a
.txt download of them.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode

from audit.records import client_ip
from core.htmx import wants_modal
from core.tenancy import enterprise_permission_required, get_for_member, stream_within_request
from orders.models import Order
from orders.placing import submit_order_form
from orders.services import AlreadySubmitted
from phone_numbers.e911 import add_address
from phone_numbers.order_types import order_type_field, other_type_url, package_of
from trunks.addresses import COUNTRY_NAMES

from . import checking, services, submission
from .forms import CorrectionForm, PortOrderForm
from .models import BATCH_SIZE, PortKind, PortList
from .permissions import PLACE_PORTS

PORT = "port"  # this form's Order Type
REVIEW_PAGE_SIZE = 50
Status = Order.Status


@enterprise_permission_required(PLACE_PORTS)
def add(request):
    other_type = other_type_url(request, PORT)
    if other_type:
        return redirect(other_type)
    package = package_of(request, PLACE_PORTS)
    kind = request.GET.get("kind") or PortKind.US_DOMESTIC
    if kind not in PortKind.values:
        raise Http404
    initial = {
        "package": package,
        "kind": kind,
        "account_holder": request.enterprise.name,
        "address_country": COUNTRY_NAMES["US"],
        "partial": True,
    }
    return _port_form(request, initial=initial, package=package)


@enterprise_permission_required(PLACE_PORTS)
def edit(request, public_id):
    """A draft, resumed."""
    order = get_for_member(
        request,
        Order.objects.filter(kind=services.KIND).select_related("port__port_list"),
        permission=PLACE_PORTS,
        public_id=public_id,
    )
    if order.status != Status.DRAFT:
        messages.info(request, f"Order {order.reference} is no longer a draft.")
        return redirect("orders:order_detail", order.public_id)
    port = order.port
    initial = {
        **{field: getattr(port, field) for field in services.FIELDS},
        "package": port.package,
        "kind": port.kind,
        "customer_reference": order.customer_reference,
        "address_country": COUNTRY_NAMES.get(port.address_country, COUNTRY_NAMES["US"]),
        "requested_at": port.requested_at.isoformat() if port.requested_at else "",
    }
    if port.port_list is not None:
        initial["port_list"] = port.port_list.public_id
        initial["port_numbers"] = checking.list_text(port.port_list)
    return _port_form(request, initial=initial, order=order, package=port.package)


def _port_form(request, *, initial, order=None, package=None):
    form, port_list = _bound_form(request, initial)
    action = request.POST.get("action", "submit") if request.method == "POST" else None
    if action == "draft" and form.is_valid():
        response = _save_draft(request, form, port_list, order)
        if response:
            return response
    elif action == "submit":
        response = submit_order_form(request, form, lambda: _place(request, form, port_list, order))
        if response:
            return response
    return _page(request, form, port_list, order=order, package=package)


def _bound_form(request, initial):
    """The form, and the Port Numbers list it holds: checked anew when its text changed."""
    if request.method != "POST":
        form = PortOrderForm(user=request.user, initial=initial)
        form.fields["order_type"] = order_type_field(request, PORT)
        return form, _list_of(initial.get("port_list"))
    data = request.POST.copy()
    port_list = _list_of(data.get("port_list"))
    kind = data.get("kind") if data.get("kind") in PortKind.values else PortKind.US_DOMESTIC
    text = data.get("port_numbers", "")
    uploads = request.FILES.getlist("port_file")
    numbers_error = None
    changed = (
        uploads
        or port_list is None
        or (checking.digest_of(text) != port_list.digest or port_list.kind != kind)
    )
    checking_asked = request.POST.get("action") == "check"
    if changed and (text.strip() or uploads or checking_asked):
        try:
            entries = checking.read_entries(text, uploads)
        except ValidationError as error:
            numbers_error = error
        else:
            port_list = checking.check_list(request.enterprise, kind, entries, by=request.user)
            data["port_list"] = str(port_list.public_id)
            data["port_numbers"] = checking.list_text(port_list)
    elif changed:
        port_list = None  # the list was emptied
        data["port_list"] = ""
    if request.POST.get("action") == "remove_errors" and port_list is not None:
        removed = checking.remove_errors(port_list, pin_given=_pin_given(data))
        data["port_numbers"] = checking.list_text(port_list)
        messages.success(
            request,
            f"Removed {removed:,} number{'s' if removed != 1 else ''} with errors; the other "
            f"{port_list.total:,} remain.",
        )
    form = PortOrderForm(data, request.FILES, user=request.user, initial=initial)
    form.fields["order_type"] = order_type_field(request, PORT)
    if numbers_error is not None:
        form.is_valid()
        form.add_error("port_numbers", numbers_error)
    return form, port_list


def _list_of(public_id):
    """The enterprise's list public_id, unless a submitted order holds it: the form changes
    the lists of drafts and of forms being filled in, never a placed order's numbers."""
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        PortList.objects.filter(public_id=public_id)
        .filter(Q(port_order__isnull=True) | Q(port_order__order__status=Status.DRAFT))
        .first()
    )


def _pin_given(data):
    return bool(data.get("account_number", "").strip() and data.get("account_pin", "").strip())


def _values(request, form):
    """The form's values, with a new E911 address added (kept only with the order)."""
    values = form.values()
    if form.cleaned_data["new_e911"]:
        values["e911_address"] = add_address(
            request.enterprise, form.cleaned_data["new_e911"], by=request.user
        )
    return values


def _place(request, form, port_list, order):
    with transaction.atomic():
        return services.submit(
            by=request.user,
            ip_address=client_ip(request),
            package=form.cleaned_data["package"],
            kind=form.cleaned_data["kind"],
            values=_values(request, form),
            port_list=port_list,
            order=order,
            reference=form.cleaned_data["customer_reference"],
            submission_key=None if order else form.cleaned_data["submission_key"],
        )


def _save_draft(request, form, port_list, order):
    try:
        with transaction.atomic():
            order = services.save_draft(
                by=request.user,
                ip_address=client_ip(request),
                package=form.cleaned_data["package"],
                kind=form.cleaned_data["kind"],
                values=_values(request, form),
                port_list=port_list,
                order=order,
                reference=form.cleaned_data["customer_reference"],
                submission_key=None if order else form.cleaned_data["submission_key"],
            )
    except AlreadySubmitted as duplicate:
        order = duplicate.order
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(
        request,
        f"Draft {order.reference} saved. Resume it from View Orders > Port Orders; drafts not "
        f"submitted within {services.DRAFT_DAYS} days are cancelled.",
    )
    return redirect("porting:edit", order.public_id)


def _page(request, form, port_list, *, order, package):
    pin_given = _pin_given(form.data) if form.is_bound else _pin_given(form.initial)
    summary = checking.summary(port_list, pin_given=pin_given) if port_list else None
    query = urlencode({"pin": 1} if pin_given else {})
    return render(
        request,
        "porting/port_form.html",
        {
            "form": form,
            "order": order,
            "package": package,
            "port_list": port_list,
            "summary": summary,
            "batch_size": BATCH_SIZE,
            "review_url": (
                reverse("porting:review", args=[port_list.public_id])
                + (f"?{query}" if query else "")
                if port_list
                else ""
            ),
            "form_url": request.get_full_path(),
        },
    )


@enterprise_permission_required(PLACE_PORTS)
def review(request, public_id):
    """Review Numbers: the numbers with errors, with their reasons, a page at a time."""
    port_list = get_for_member(
        request, PortList.objects.all(), permission=PLACE_PORTS, public_id=public_id
    )
    pin_given = request.GET.get("pin") == "1"
    try:
        after = max(0, int(request.GET.get("after", 0)))
    except ValueError:
        after = 0
    rows, next_after = checking.review_page(
        port_list, pin_given=pin_given, after=after, size=REVIEW_PAGE_SIZE
    )
    summary = checking.summary(port_list, pin_given=pin_given)
    keep = {"pin": 1} if pin_given else {}
    return render(
        request,
        "porting/review.html",
        {
            "port_list": port_list,
            "rows": rows,
            "summary": summary,
            "first_url": "?" + urlencode(keep) if after else "",
            "next_url": "?" + urlencode({**keep, "after": next_after}) if next_after else "",
            "download_url": reverse("porting:review_download", args=[public_id])
            + ("?" + urlencode(keep) if keep else ""),
            "in_modal": wants_modal(request),
        },
    )


@enterprise_permission_required(PLACE_PORTS)
def review_download(request, public_id):
    """The numbers with errors as a .txt file: the number, a tab, the reasons."""
    port_list = get_for_member(
        request, PortList.objects.all(), permission=PLACE_PORTS, public_id=public_id
    )
    pin_given = request.GET.get("pin") == "1"
    response = StreamingHttpResponse(
        stream_within_request(_chunks(checking.error_lines(port_list, pin_given=pin_given))),
        content_type="text/plain; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="port-numbers-with-errors.txt"'
    return response


def _chunks(lines, size=1000):
    """Lines sent a thousand at a time, not one write each."""
    chunk = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


@enterprise_permission_required(PLACE_PORTS)
def resubmit(request, public_id):
    """Correct a rejected port order and send its rejected batches back (a supplement)."""
    order = get_for_member(
        request,
        Order.objects.filter(kind=services.KIND).select_related("port"),
        permission=PLACE_PORTS,
        public_id=public_id,
    )
    if order.status != Status.REJECTED:
        messages.info(request, f"Order {order.reference} is not rejected: there is nothing to fix.")
        return redirect("orders:order_detail", order.public_id)
    port = order.port
    rejected = submission.rejected_fields(port)
    form = CorrectionForm(request.POST or None, port_order=port, rejected=rejected)
    if request.method == "POST" and form.is_valid():
        try:
            submission.resubmit(
                order, form.cleaned_data, by=request.user, ip_address=client_ip(request)
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(
                request,
                f"Order {order.reference} was corrected and sent back to the current carrier.",
            )
            return redirect("orders:order_detail", order.public_id)
    return render(
        request,
        "porting/resubmit.html",
        {
            "order": order,
            "form": form,
            "batches": port.batches.filter(status=Status.REJECTED),
            "other_reasons": rejected.get("", []),
        },
    )


urlpatterns = [
    path("porting/add/", add, name="add"),
    path("porting/<uuid:public_id>/resubmit/", resubmit, name="resubmit"),
    path("porting/<uuid:public_id>/edit/", edit, name="edit"),
    path("porting/lists/<uuid:public_id>/review/", review, name="review"),
    path("porting/lists/<uuid:public_id>/errors.txt", review_download, name="review_download"),
]

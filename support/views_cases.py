"""Support Cases under Help & Support: the cases table, Open a Case, a case's page and its
actions (reply, raise the priority, mark resolved, reopen), and its attachments' downloads.

A case is reached through visible_cases(user): another enterprise's case, or one the user may
not see, is a 404; acting on a case needs OPEN_CASES (a 403 without).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.htmx import redirect_after_post
from core.phones import display_phone
from core.tenancy import enterprise_permission_required, get_for_member
from orders.models import Order
from phone_numbers.models import PhoneNumber
from porting.models import PortBatch
from trunks.models import Trunk

from . import cases, sla
from .attachments import file_response
from .forms import (
    CALLS_SHOWN,
    CallExampleFormSet,
    CallSearchForm,
    CaseForm,
    RaisePriorityForm,
    ReopenForm,
    ReplyForm,
    call_token,
)
from .models import CaseAttachment, Category, Priority
from .permissions import OPEN_CASES, VIEW_CASES
from .tables import CaseTable
from .views import help_tabs

# The category a case about an order of each kind starts with.
ORDER_CATEGORIES = {"port": Category.PORTING, "numbers": Category.NUMBERS}


@enterprise_permission_required(VIEW_CASES)
def case_list(request):
    table = CaseTable(request.user, request.GET)
    if table.wants_csv:
        return table.csv_response(f"support-cases-{timezone.localdate():%Y-%m-%d}.csv")
    return render(
        request,
        "support/cases/list.html",
        {
            "table": table.context(),
            "tabs": help_tabs(request),
            "may_open": request.user.has_perm(OPEN_CASES),
        },
    )


def _prefill(request, user):
    """The initial values of Open a Case: the user as contact, and what "Report a problem"
    names (a number, trunk, order or port batch of the enterprise; others are ignored)."""
    initial = {
        "contact_name": user.get_full_name(),
        "contact_phone": user.phone,
        "contact_email": user.email,
        "priority": Priority.P3,
    }
    params = request.GET
    if number := _own(PhoneNumber, "public_id", params.get("number")):
        initial.update(
            category=Category.NUMBERS,
            subject=f"Problem with number {display_phone(number.e164)}",
            numbers=number.e164,
        )
    elif trunk := _own(Trunk, "public_id", params.get("trunk")):
        initial.update(
            category=Category.CALLS_NOT_COMPLETING,
            subject=f"Problem with trunk {trunk.name}",
            trunk=trunk.pk,
        )
    elif order := _own(Order, "public_id", params.get("order")):
        initial.update(
            category=ORDER_CATEGORIES.get(order.kind, Category.OTHER),
            subject=f"Problem with order {order.reference}",
            order=order.reference,
        )
    elif batch := _own(PortBatch, "reference", params.get("port_batch")):
        initial.update(
            category=Category.PORTING,
            subject=f"Problem with port batch {batch.reference}",
            port_batch=batch.reference,
        )
    return initial


def _own(model, field, value):
    """The active enterprise's row whose field is value, or None (a bad or foreign id too)."""
    if not value:
        return None
    try:
        return model.objects.filter(**{field: value}).first()
    except ValidationError:  # not a UUID
        return None


@enterprise_permission_required(OPEN_CASES)
def open_case(request):
    user = request.user
    zone_name = str(user.zone)
    if request.method == "POST":
        form = CaseForm(request.POST, request.FILES, user=user)
        formset = CallExampleFormSet(
            request.POST, prefix="call", form_kwargs={"zone_name": zone_name}
        )
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                case = cases.open_case(
                    user,
                    category=data["category"],
                    priority=data["priority"],
                    subject=data["subject"],
                    description=data["description"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    numbers=data["numbers"],
                    trunk=data["trunk"],
                    order=data["order"],
                    port_batch=data["port_batch"],
                    watchers=data["watchers"],
                    call_examples=form.call_examples(formset.examples()),
                    attachments=data["attachments"],
                )
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                messages.success(
                    request,
                    f"Case {case.reference} is open. Its first response is due by "
                    f"{timezone.localtime(case.first_response_due):%Y-%m-%d %H:%M %Z}.",
                )
                return redirect("support:case", case.public_id)
    else:
        form = CaseForm(initial=_prefill(request, user), user=user)
        formset = CallExampleFormSet(prefix="call", form_kwargs={"zone_name": zone_name})
    return render(
        request,
        "support/cases/open.html",
        {
            "form": form,
            "formset": formset,
            "search_form": CallSearchForm(prefix="search"),
            "picked": _call_rows(form.picked),
            "tabs": help_tabs(request),
        },
    )


@enterprise_permission_required(OPEN_CASES)
def call_search(request):
    """The calls of one of the enterprise's numbers on a day, to pick for a case (htmx)."""
    form = CallSearchForm(request.GET, prefix="search")
    calls = form.calls() if form.is_valid() else []
    return render(
        request,
        "support/cases/_call_results.html",
        {"form": form, "calls": _call_rows(calls), "more": len(calls) == CALLS_SHOWN},
    )


def _call_rows(records):
    return [
        {
            "token": call_token(record),
            "record": record,
            "calling": display_phone(record.from_number),
            "called": display_phone(record.to_number),
        }
        for record in records
    ]


def _case(request, public_id, permission=VIEW_CASES):
    return get_for_member(
        request,
        cases.visible_cases(request.user).select_related(
            "trunk", "order", "port_batch", "opened_by", "follows"
        ),
        permission=permission,
        public_id=public_id,
    )


def _case_page(request, case, *, reply_form=None):
    user = request.user
    now = timezone.now()
    conversation = case.messages.filter(internal=False).prefetch_related(
        Prefetch("attachments", queryset=CaseAttachment.objects.order_by("uploaded_at", "id"))
    )
    may_act = user.has_perm(OPEN_CASES)
    ended = case.status in cases.ENDED
    return render(
        request,
        "support/cases/detail.html",
        {
            "case": case,
            "tabs": help_tabs(request),
            "clock": sla.clock(case, now),
            "target": sla.TARGETS[case.priority],
            "numbers": [link.number for link in case.case_numbers.select_related("number")],
            "call_examples": case.call_examples.all(),
            "opening_files": case.attachments.filter(message=None).order_by("uploaded_at", "id"),
            "conversation": conversation,
            "events": case.events.all(),
            "followed_by": cases.visible_cases(user).filter(follows=case),
            "may_act": may_act,
            "may_resolve": may_act and cases.resolve_refusal(case) is None,
            "may_raise": may_act and cases.raise_refusal(case) is None,
            "may_reopen": may_act and cases.reopen_refusal(case, now) is None,
            "reply_opens_new_case": ended and not cases.may_reopen(case, now),
            "reopen_days": cases.REOPEN_DAYS,
            "reply_form": reply_form or (ReplyForm() if may_act else None),
            "watching": case.case_watchers.filter(user=user).exists(),
        },
    )


@enterprise_permission_required(VIEW_CASES)
def case_detail(request, public_id):
    return _case_page(request, _case(request, public_id))


@enterprise_permission_required(OPEN_CASES)
@require_POST
def reply(request, public_id):
    case = _case(request, public_id, OPEN_CASES)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = cases.add_message(
                case,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            if message.case_id != case.pk:
                messages.success(
                    request,
                    f"Case {case.reference} was closed more than {cases.REOPEN_DAYS} days ago: "
                    f"your reply opened case {message.case.reference}, which follows it.",
                )
                return redirect("support:case", message.case.public_id)
            messages.success(request, "Your reply was added.")
            return redirect(reverse("support:case", args=[case.public_id]) + "#conversation")
    return _case_page(request, case, reply_form=form)


@enterprise_permission_required(OPEN_CASES)
def raise_priority(request, public_id):
    case = _case(request, public_id, OPEN_CASES)
    form = RaisePriorityForm(request.POST or None, case=case)
    error = cases.raise_refusal(case)
    if error is None and request.method == "POST" and form.is_valid():
        try:
            cases.raise_priority(
                case,
                form.cleaned_data["priority"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(
                request,
                f"Case {case.reference} is now {Priority(form.cleaned_data['priority']).label}.",
            )
            return redirect_after_post(request, "support:case", case.public_id)
    return render(
        request,
        "support/cases/raise_priority.html",
        {"case": case, "form": form, "error": error},
    )


@enterprise_permission_required(OPEN_CASES)
def resolve(request, public_id):
    case = _case(request, public_id, OPEN_CASES)
    error = cases.resolve_refusal(case)
    if error is None and request.method == "POST":
        try:
            cases.resolve(case, by=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, f"Case {case.reference} is resolved. Thank you.")
            return redirect_after_post(request, "support:case", case.public_id)
    return render(
        request,
        "support/cases/resolve.html",
        {
            "case": case,
            "error": error,
            "close_after_days": cases.CLOSE_AFTER_DAYS,
            "reopen_days": cases.REOPEN_DAYS,
        },
    )


@enterprise_permission_required(VIEW_CASES)
@require_POST
def watch(request, public_id):
    case = _case(request, public_id)
    watching = request.POST.get("watching") == "on"
    cases.set_watching(case, request.user, watching)
    if watching:
        messages.success(request, f"You will get the e-mails of case {case.reference}.")
    else:
        messages.success(request, f"You will no longer get the e-mails of case {case.reference}.")
        if not cases.visible_cases(request.user).filter(pk=case.pk).exists():
            return redirect("support:cases")
    return redirect_after_post(request, "support:case", case.public_id)


@enterprise_permission_required(OPEN_CASES)
def reopen(request, public_id):
    case = _case(request, public_id, OPEN_CASES)
    form = ReopenForm(request.POST or None)
    error = cases.reopen_refusal(case)
    if error is None and request.method == "POST" and form.is_valid():
        try:
            cases.reopen(case, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, f"Case {case.reference} is open again.")
            return redirect_after_post(request, "support:case", case.public_id)
    return render(
        request, "support/cases/reopen.html", {"case": case, "form": form, "error": error}
    )


@enterprise_permission_required(VIEW_CASES)
def download_attachment(request, public_id):
    """An attachment of a case the user sees, never of an internal note."""
    attachment = get_for_member(
        request,
        CaseAttachment.objects.filter(
            case__in=cases.visible_cases(request.user).values("pk")
        ).exclude(message__internal=True),
        public_id=public_id,
    )
    return file_response(attachment)

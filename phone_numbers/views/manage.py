"""Manage: an action of the "Select an Action" menu applied to the selected numbers.

The pop-up goes in three steps: choose the action's values (e.g. the target package) and click
Go; read what will change, with a Show Affected Numbers link, and click OK; the numbers change
together, or, for a large "all matching" selection, a job changes them with a progress bar. The
confirmation carries the fingerprint of the selection it showed: if someone changed those
numbers in between, it is refused and shown again with what they are now.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import ModelChoiceField
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import path, reverse

from audit.records import client_ip
from core.htmx import redirect_after_post
from core.jobs import start_job
from core.tenancy import enterprise_permission_required

from ..forms.manage import ACTIONS
from ..permissions import MANAGE_NUMBERS
from ..selection import Selection, apply_in_worker, numbers_in_words, tab_url
from ..tables import AffectedNumbersTable

CHANGED = (
    "Someone changed these numbers since you looked: the selection holds {now} now, it held "
    "{then}. Check what is affected and confirm again."
)


@enterprise_permission_required(MANAGE_NUMBERS)
def manage_numbers(request):
    # Opened as a page (without JavaScript), it belongs to the Inventory.
    request.menu_entry = "inventory"
    data = request.POST if request.method == "POST" else request.GET
    if not data.get("kind"):
        # Opened without a selection (a bookmark): nothing to act on.
        return render(
            request, "phone_numbers/manage_nothing.html", {"back_url": reverse("inventory")}
        )
    selection = Selection(request.user, data)
    action = ACTIONS.get(data.get("action", ""))
    back_url = tab_url(selection.kind, selection.filters)
    context = {
        "action": action,
        "selection": selection,
        "back_url": back_url,
        "affected_url": reverse("phone_numbers:affected") + "?" + selection.query().urlencode(),
    }
    if action is None or selection.is_empty:
        return render(request, "phone_numbers/manage_nothing.html", context)
    if request.method == "POST":
        _refuse_others_objects(action.form(), data)
    form = action.form(data if request.method == "POST" else None)
    context["form"] = form
    if not form.is_bound and form.fields:
        return render(request, "phone_numbers/manage_form.html", context)
    if form.fields and not form.is_valid():
        return render(request, "phone_numbers/manage_form.html", context)
    count = selection.count()
    fingerprint = selection.fingerprint()
    context |= {"count": count, "fingerprint": fingerprint, "what": _what(action, form, count)}
    if request.method != "POST" or "confirm" not in data:
        return render(request, "phone_numbers/manage_confirm.html", context)
    if data.get("fingerprint") != fingerprint:
        shown = data.get("count", "")
        context["changed"] = CHANGED.format(
            now=numbers_in_words(count),
            then=numbers_in_words(int(shown)) if shown.isdigit() else "others",
        )
        return render(request, "phone_numbers/manage_confirm.html", context)
    if selection.all_matching and count > settings.NUMBER_ACTION_JOB_THRESHOLD:
        job = start_job(
            apply_in_worker,
            request.user.pk,
            selection.query().urlencode(),
            action.key,
            _form_values(form),
            client_ip(request),
            title=f"{action.label}: {numbers_in_words(count)}",
            permission=MANAGE_NUMBERS,
            enterprise=request.enterprise,
            created_by=request.user,
        )
        return redirect_after_post(request, "job_status", job.public_id)
    try:
        done = form.apply(selection.numbers(), by=request.user, ip_address=client_ip(request))
    except ValidationError as error:
        _show_refusal(form, error)
        return render(request, "phone_numbers/manage_form.html", context)
    messages.success(request, _what(action, form, done, past=True) + ".")
    return redirect_after_post(request, back_url)


def _refuse_others_objects(form, data):
    """A package or address that is not the enterprise's is a 404, as if it did not exist."""
    for name, field in form.fields.items():
        value = data.get(form.add_prefix(name), "")
        if isinstance(field, ModelChoiceField) and value:
            model = field.queryset.model
            try:
                # The tenant scope hides other enterprises' rows.
                exists = model.objects.filter(public_id=value).exists()
            except ValidationError:
                exists = False
            if not exists:
                raise Http404


def _show_refusal(form, error):
    """The service's reason beside the field it is about, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _what(action, form, count, *, past=False):
    """E.g. "Move 12 numbers to Chicago Usage" or "Moved 12 numbers to Chicago Usage"."""
    verb = action.done if past else action.verb
    return " ".join(part for part in (verb, numbers_in_words(count), form.describe()) if part)


def _form_values(form):
    """The form's posted values, for the job to validate the same form again."""
    values = QueryDict(mutable=True)
    for name in form.fields:
        values.setlist(form.add_prefix(name), form.data.getlist(form.add_prefix(name)))
    return values.urlencode()


@enterprise_permission_required(MANAGE_NUMBERS)
def affected_numbers(request):
    request.menu_entry = "inventory"
    if not request.GET.get("kind"):
        return render(request, "phone_numbers/affected.html", {"back_url": reverse("inventory")})
    selection = Selection(request.user, request.GET)
    table = AffectedNumbersTable(request.user, request.GET)
    page = table.page()
    context = {
        "selection": selection,
        "rows": page["rows"],
        "next_url": page["next_cursor"]
        and reverse("phone_numbers:affected") + table.query_string(after=page["next_cursor"]),
        "back_url": tab_url(selection.kind, selection.filters),
    }
    if request.htmx:
        return render(request, "phone_numbers/_affected_rows.html", context)
    return render(request, "phone_numbers/affected.html", context)


urlpatterns = [
    path("numbers/manage/", manage_numbers, name="manage"),
    path("numbers/manage/affected/", affected_numbers, name="affected"),
]

"""The Routing Policy Manager of a package: inbound routing policies and their trunks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path

from audit.records import client_ip
from core.htmx import redirect_after_post
from core.tenancy import enterprise_permission_required

from .. import routing
from ..forms.routing import FIRST_ROWS, MAX_ROWS, PolicyForm, TargetFormSet, posted_rows
from ..models import Trunk
from ..permissions import ORDER_TRUNKS, VIEW_TRUNKS
from .common import package_of, policy_list, policy_of, trunk_list

TARGETS = "targets"


@enterprise_permission_required(VIEW_TRUNKS)
def routing_manager(request, public_id):
    package = package_of(request, public_id)
    can_order = request.user.has_perm(ORDER_TRUNKS)
    live_trunks = package.trunks.exclude(status=Trunk.Status.DISCONNECTED).order_by("name")
    return render(
        request,
        "trunks/routing_manager.html",
        {
            "package": package,
            "policies": policy_list(
                package.routing_policies.all(), request.user, can_order=can_order
            ),
            "trunks": trunk_list(live_trunks, request.user),
            "refusal": routing.inbound_refusal(package),
            "can_order": can_order,
        },
    )


def _initial(policy):
    if policy is None:
        return {}, []
    initial = {
        "name": policy.name,
        "is_default": policy.is_default,
        "fallback_number": policy.fallback_number,
    }
    targets = [
        {"trunk": t.trunk, "priority": t.priority, "weight": t.weight}
        for t in policy.targets.select_related("trunk")
    ]
    return initial, targets


def _with_blank_rows(rows, *, at_least=1):
    """rows and blank ones after them: FIRST_ROWS in all, and at least at_least blank."""
    blank = max(at_least, FIRST_ROWS - len(rows))
    return (rows + [{}] * blank)[:MAX_ROWS]


def _edit(request, package, policy=None):
    refusal = routing.inbound_refusal(package)
    data = request.POST if request.method == "POST" else None
    form_kwargs = {"package": package, "policy": policy}
    if data is not None and "add_row" in data:
        # Add row without JavaScript: the form again as typed, one row longer, nothing saved.
        form = PolicyForm(
            initial={
                "name": data.get("name", ""),
                "is_default": bool(data.get("is_default")),
                "fallback_number": data.get("fallback_number", ""),
            },
            **form_kwargs,
        )
        rows = _with_blank_rows(posted_rows(data, TARGETS))
        data = None
    else:
        initial, targets = _initial(policy)
        form = PolicyForm(data, initial=initial, **form_kwargs)
        rows = _with_blank_rows(targets, at_least=0 if targets else 1)
    formset = TargetFormSet(data, initial=rows, prefix=TARGETS, form_kwargs={"package": package})
    if data is not None and not refusal and form.is_valid() and formset.is_valid():
        replaced = form.replaces_default()
        try:
            saved = routing.save_policy(
                package,
                by=request.user,
                ip_address=client_ip(request),
                policy=policy,
                targets=formset.targets(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            # The trunks' problems have no field of the policy form: show them above it.
            targets_error = "targets" in getattr(error, "error_dict", {})
            form.add_error(None, error.messages if targets_error else error)
        else:
            message = f"The routing policy {saved.name} was saved."
            if replaced is not None:
                message += f" It is now the package's default policy, instead of {replaced.name}."
            messages.success(request, message)
            return redirect_after_post(request, "trunks:routing_manager", package.public_id)
    return render(
        request,
        "trunks/policy_form.html",
        {
            "package": package,
            "policy": policy,
            "form": form,
            "formset": formset,
            "refusal": refusal,
            "max_rows": MAX_ROWS,
        },
    )


@enterprise_permission_required(ORDER_TRUNKS)
def policy_create(request, public_id):
    return _edit(request, package_of(request, public_id))


@enterprise_permission_required(ORDER_TRUNKS)
def policy_edit(request, public_id):
    policy = policy_of(request, public_id)
    return _edit(request, policy.package, policy)


@enterprise_permission_required(ORDER_TRUNKS)
def policy_delete(request, public_id):
    policy = policy_of(request, public_id)
    if request.method == "POST":
        routing.delete_policy(policy, by=request.user, ip_address=client_ip(request))
        message = f"The routing policy {policy.name} was deleted."
        if policy.is_default:
            message += f" {policy.package.name} has no default policy now."
        messages.success(request, message)
        return redirect_after_post(request, "trunks:routing_manager", policy.package.public_id)
    others = policy.package.routing_policies.exclude(pk=policy.pk)
    return render(
        request,
        "trunks/policy_delete.html",
        {
            "policy": policy,
            "package": policy.package,
            "default": None if policy.is_default else others.filter(is_default=True).first(),
            "others": others.exists(),
        },
    )


urlpatterns = [
    path("packages/<uuid:public_id>/routing/", routing_manager, name="routing_manager"),
    path("packages/<uuid:public_id>/routing/new/", policy_create, name="policy_create"),
    path("routing/<uuid:public_id>/", policy_edit, name="policy_edit"),
    path("routing/<uuid:public_id>/delete/", policy_delete, name="policy_delete"),
]

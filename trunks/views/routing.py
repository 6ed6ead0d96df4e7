"""The Routing Policy Manager of a package: inbound routing policies and their trunks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import path

from audit.records import client_ip
from core.htmx import redirect_after_post
from core.tenancy import enterprise_permission_required

from .. import routing
from ..forms.routing import PolicyForm, TargetFormSet
from ..models import RoutingTarget
from ..permissions import ORDER_TRUNKS, VIEW_TRUNKS
from .common import package_of, policy_of


@enterprise_permission_required(VIEW_TRUNKS)
def routing_manager(request, public_id):
    package = package_of(request, public_id)
    policies = package.routing_policies.prefetch_related(
        Prefetch("targets", queryset=RoutingTarget.objects.select_related("trunk"))
    )
    return render(
        request,
        "trunks/routing_manager.html",
        {
            "package": package,
            "policies": policies,
            "trunks": package.trunks.exclude(status="disconnected")
            .prefetch_related("addresses")
            .order_by("name"),
            "refusal": routing.inbound_refusal(package),
            "can_order": request.user.has_perm(ORDER_TRUNKS),
        },
    )


def _edit(request, package, policy=None):
    refusal = routing.inbound_refusal(package)
    if policy is None:
        initial, targets = {}, [{"priority": 1, "weight": 100}]
    else:
        initial = {
            "name": policy.name,
            "is_default": policy.is_default,
            "fallback_number": policy.fallback_number,
        }
        targets = [
            {"trunk": t.trunk, "priority": t.priority, "weight": t.weight}
            for t in policy.targets.select_related("trunk")
        ]
    data = request.POST if request.method == "POST" else None
    form = PolicyForm(data, initial=initial)
    formset = TargetFormSet(
        data, initial=targets, prefix="targets", form_kwargs={"package": package}
    )
    if data is not None and not refusal and form.is_valid() and formset.is_valid():
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
            messages.success(request, f"The routing policy {saved.name} was saved.")
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
        messages.success(request, f"The routing policy {policy.name} was deleted.")
        return redirect_after_post(request, "trunks:routing_manager", policy.package.public_id)
    return render(request, "trunks/policy_delete.html", {"policy": policy})


urlpatterns = [
    path("packages/<uuid:public_id>/routing/", routing_manager, name="routing_manager"),
    path("packages/<uuid:public_id>/routing/new/", policy_create, name="policy_create"),
    path("routing/<uuid:public_id>/", policy_edit, name="policy_edit"),
    path("routing/<uuid:public_id>/delete/", policy_delete, name="policy_delete"),
]

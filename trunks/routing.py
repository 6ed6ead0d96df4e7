"""Inbound routing: the Routing Policy Manager's rules, in one place."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.records import Change, record
from core.phones import normalize_phone

from . import actions
from .lifecycle import ROUTABLE
from .models import Package, RoutingPolicy, RoutingTarget, Trunk

MAX_WEIGHT = 1000
MAX_PRIORITY = 100
# Said by the service and by the form (forms.routing), which checks it before the service.
NO_TRUNK = "Choose at least one trunk."


@dataclass(frozen=True)
class Target:
    trunk: Trunk
    priority: int
    weight: int


def inbound_refusal(package):
    if not package.takes_inbound_calls:
        return "Outbound Only packages do not receive calls: they have no inbound routing."
    return None


def check_targets(package, targets):
    """Refuse targets that cannot route this package's calls; raise ValidationError."""
    problem = inbound_refusal(package)
    if problem:
        raise ValidationError(problem)
    if not targets:
        raise ValidationError({"targets": NO_TRUNK})
    seen = set()
    for target in targets:
        trunk = target.trunk
        if trunk.package_id != package.pk or not trunk.package.takes_inbound_calls:
            raise ValidationError({"targets": f"{trunk.name} is not a trunk of {package.name}."})
        if trunk.status not in ROUTABLE:
            raise ValidationError(
                {"targets": f"{trunk.name} is {trunk.get_status_display()}: it takes no calls."}
            )
        if trunk.pk in seen:
            raise ValidationError({"targets": f"{trunk.name} is listed twice."})
        seen.add(trunk.pk)
        for field, value, most in (
            ("priority", target.priority, MAX_PRIORITY),
            ("weight", target.weight, MAX_WEIGHT),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
                message = f"The {field} of {trunk.name} must be a whole number from 1 to {most}."
                raise ValidationError({"targets": message})


@transaction.atomic
def save_policy(
    package, *, by, ip_address=None, policy=None, name, is_default, fallback_number, targets
):
    """Create or replace a routing policy of package with its ordered targets."""
    # Lock the package: two policies made default at once are saved one after the other.
    package = Package.objects.select_for_update().get(pk=package.pk)
    targets = _with_locked_trunks(targets)
    check_targets(package, targets)
    if fallback_number:
        try:
            fallback_number = normalize_phone(fallback_number)
        except ValidationError as error:
            raise ValidationError({"fallback_number": error.messages}) from None
    before = _describe(policy) if policy is not None else None
    if is_default:
        package.routing_policies.filter(is_default=True).exclude(
            pk=getattr(policy, "pk", None)
        ).update(is_default=False)
    if policy is None:
        policy = RoutingPolicy(enterprise=package.enterprise, package=package)
    policy.name, policy.is_default, policy.fallback_number = name, is_default, fallback_number
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:
        raise ValidationError(
            {"name": "The package already has a policy with this name."}
        ) from None
    policy.targets.all().delete()
    RoutingTarget.objects.bulk_create(
        RoutingTarget(
            enterprise=package.enterprise,
            policy=policy,
            trunk=target.trunk,
            priority=target.priority,
            weight=target.weight,
        )
        for target in targets
    )
    record(
        actions.POLICY_SAVED,
        actor=by,
        ip_address=ip_address,
        enterprise=package.enterprise,
        obj=policy,
        details={"package": package.name},
        changes=[Change("Routing", before, _describe(policy))],
    )
    return policy


def _with_locked_trunks(targets):
    """The targets with their trunks locked and read again, in id order.

    A trunk being disconnected at this moment (change_orders.request_disconnect locks it too)
    is either Disconnect Pending by now, and refused, or waits for this policy and finds it.
    Lock order: the package, then its trunks by id.
    """
    ids = sorted({target.trunk.pk for target in targets})
    locked = {
        trunk.pk: trunk
        for trunk in Trunk.objects.select_for_update(of=("self",))
        .select_related("package")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    return [
        Target(locked.get(target.trunk.pk, target.trunk), target.priority, target.weight)
        for target in targets
    ]


@transaction.atomic
def delete_policy(policy, *, by, ip_address=None):
    record(
        actions.POLICY_DELETED,
        actor=by,
        ip_address=ip_address,
        enterprise=policy.enterprise,
        obj=policy,
        details={"package": policy.package.name},
        changes=[Change("Routing", _describe(policy), None)],
    )
    policy.delete()


def remove_trunk(trunk, *, by):
    """Take trunk out of every policy, e.g. when it will never be turned up; audit each one."""
    targets = trunk.routing_targets.select_related("policy")
    for policy in sorted({target.policy for target in targets}, key=lambda p: p.pk):
        before = _describe(policy)
        policy.targets.filter(trunk=trunk).delete()
        record(
            actions.POLICY_SAVED,
            actor=by,
            enterprise=policy.enterprise,
            obj=policy,
            details={"package": policy.package.name},
            changes=[Change("Routing", before, _describe(policy))],
        )


def _describe(policy):
    """A policy in words for the audit log: its trunks in order and its fallback."""
    steps = [
        f"{t.priority}. {t.trunk.name} (weight {t.weight})"
        for t in policy.targets.select_related("trunk").order_by("priority", "-weight", "id")
    ]
    if policy.fallback_number:
        steps.append(f"then forward to {policy.fallback_number}")
    return "; ".join(steps)

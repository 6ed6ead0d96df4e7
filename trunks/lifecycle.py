"""What a trunk order's status change does to its trunk; orders calls it through the registry."""

from audit.records import Change, record
from orders.models import Order

from . import actions
from .change_orders import current_values
from .changes import CHANGE_LABELS, in_words
from .models import Trunk, TrunkOrder
from .routing import remove_trunk
from .services import set_addresses, set_status


def apply_change(trunk, requested, *, by):
    values = current_values(trunk)
    fields = [
        key for key in ("max_channels", "codecs", "auth", "auth_username") if key in requested
    ]
    for key in fields:
        setattr(trunk, key, requested[key])
    if fields:
        trunk.save(update_fields=fields)
    if "signaling" in requested or "media" in requested:
        signaling = requested.get("signaling", values["signaling"])
        media = requested.get("media", values["media"])
        set_addresses(trunk, signaling=signaling, media=media)
    changes = [
        Change(label.capitalize(), in_words(key, values[key]), in_words(key, requested[key]))
        for key, label in CHANGE_LABELS.items()
        if key in requested
    ]
    record(actions.TRUNK_CHANGED, actor=by, enterprise=trunk.enterprise, obj=trunk, changes=changes)


def on_order_status_changed(order, *, before, by):
    """The orders app calls this in the transaction of every status change of a trunk order."""
    trunk_order = TrunkOrder.objects.select_related("trunk").get(order=order)
    trunk = Trunk.objects.select_for_update().get(pk=trunk_order.trunk_id)
    done = order.status == Order.Status.COMPLETED
    stopped = order.status in (Order.Status.CANCELLED, Order.Status.REJECTED)
    if trunk_order.type == TrunkOrder.Type.NEW:
        if done:
            set_status(trunk, Trunk.Status.ACTIVE, by=by)
        elif stopped:
            # Never turned up: the trunk frees its place in the package and its policies.
            set_status(trunk, Trunk.Status.DISCONNECTED, by=by)
            remove_trunk(trunk, by=by)
    elif trunk_order.type == TrunkOrder.Type.CHANGE and done:
        apply_change(trunk, trunk_order.requested, by=by)
    elif trunk_order.type == TrunkOrder.Type.DISCONNECT:
        if done:
            set_status(trunk, Trunk.Status.DISCONNECTED, by=by)
        elif stopped:
            set_status(trunk, Trunk.Status.ACTIVE, by=by)

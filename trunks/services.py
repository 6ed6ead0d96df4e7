"""Ordering trunks: Create New Package, a package's next trunk, and the rules of each type.

Every order goes through orders.services.place_order (reference, timeline, audit, e-mail);
change and disconnect requests are in trunks.change_orders; the trunk's statuses and what an
order's outcome does to its trunk are declared in trunks.lifecycle.

Lock order: the order's row (place_order inserts it first), then the package, then its trunks
(by id), as in trunks.routing.save_policy.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.records import Change, record
from orders.services import place_order

from . import actions, lifecycle
from .addresses import check_location, public_host
from .models import MAX_CHANNELS, Package, Trunk, TrunkAddress, TrunkContact, TrunkOrder
from .routing import remove_trunk

KIND = "trunk"
# The trunk fields an order sets, as the form's cleaned_data names them.
TRUNK_FIELDS = [
    "name",
    "street",
    "city",
    "state",
    "zip_code",
    "country",
    "switch_vendor",
    "switch_model",
    "max_channels",
    "auth",
    "auth_username",
    "codecs",
    "dtmf",
    "t38_fax",
    "srtp",
    "contact_name",
    "contact_email",
    "contact_phone",
]


# The switch's details check_switch() takes, by the names of TRUNK_FIELDS and the addresses.
SWITCH_KEYS = (
    "max_channels",
    "signaling",
    "media",
    "auth",
    "auth_username",
    "state",
    "zip_code",
    "country",
)


def check_switch(*, max_channels, signaling, media, auth, auth_username, state, zip_code, country):
    """The rules of a switch's details, whatever the form: raise ValidationError by field.

    Returns the switch's location as it is stored ({"state": "CO", ...}, see
    addresses.check_location).
    """
    errors = {}
    try:
        state, zip_code, country = check_location(state=state, zip_code=zip_code, country=country)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not 1 <= max_channels <= MAX_CHANNELS:
        errors["max_channels"] = f"Enter between 1 and {MAX_CHANNELS} concurrent calls."
    if not signaling:
        errors["signaling"] = "Enter at least one signaling address."
    for field, addresses in (("signaling", [a["host"] for a in signaling]), ("media", media)):
        for host in addresses:
            try:
                public_host(host)
            except ValidationError as error:
                errors.setdefault(field, error.messages[0])
    for address in signaling:
        if not 1 <= address["port"] <= 65535 or address["transport"] not in ("udp", "tcp", "tls"):
            errors.setdefault("signaling", "Each signaling address needs a port and transport.")
    if auth == Trunk.Auth.CREDENTIALS and not auth_username:
        errors["auth_username"] = "Enter the username your switch signs in with."
    if errors:
        raise ValidationError(errors)
    return {"state": state, "zip_code": zip_code, "country": country}


def _create_trunk(package, *, role, fields, signaling, media):
    switch = {**fields, "signaling": signaling, "media": media}
    fields = {**fields, **check_switch(**{key: switch[key] for key in SWITCH_KEYS})}
    trunk = Trunk.objects.create(
        enterprise=package.enterprise,
        package=package,
        role=role,
        **{field: fields[field] for field in TRUNK_FIELDS if field in fields},
    )
    set_addresses(trunk, signaling=signaling, media=media)
    _remember_contact(trunk)
    return trunk


def set_addresses(trunk, *, signaling, media):
    trunk.addresses.all().delete()
    TrunkAddress.objects.bulk_create(
        [
            TrunkAddress(
                enterprise_id=trunk.enterprise_id,
                trunk=trunk,
                kind=TrunkAddress.Kind.SIGNALING,
                position=position,
                **address,
            )
            for position, address in enumerate(signaling)
        ]
        + [
            TrunkAddress(
                enterprise_id=trunk.enterprise_id,
                trunk=trunk,
                kind=TrunkAddress.Kind.MEDIA,
                position=position,
                host=host,
            )
            for position, host in enumerate(media)
        ]
    )


def _remember_contact(trunk):
    """Offer this testing contact in the next order's auto-fill menu."""
    contact = TrunkContact.objects.filter(
        enterprise_id=trunk.enterprise_id, email__iexact=trunk.contact_email
    ).first()
    if contact is None:
        contact = TrunkContact(enterprise_id=trunk.enterprise_id, email=trunk.contact_email)
    contact.name, contact.phone = trunk.contact_name, trunk.contact_phone
    contact.last_used_at = timezone.now()
    contact.save()


def create_trunk_order(trunk, order, *, type, requested=None, requested_due_date=None, notes=""):
    return TrunkOrder.objects.create(
        enterprise_id=trunk.enterprise_id,
        order=order,
        type=type,
        trunk=trunk,
        requested=requested or {},
        requested_due_date=requested_due_date,
        notes=notes,
    )


@transaction.atomic
def order_new_package(
    *,
    enterprise,
    by,
    ip_address=None,
    submission_key=None,
    package_name,
    package_type,
    trunk,
    signaling,
    media=(),
    customer_reference="",
    requested_due_date=None,
    notes="",
    notify=True,
):
    """Create New Package: the package, its first trunk (Pending) and the trunk order."""
    order = place_order(
        enterprise=enterprise,
        kind=KIND,
        by=by,
        ip_address=ip_address,
        submission_key=submission_key,
        customer_reference=customer_reference,
        details={"package": package_name, "trunk": trunk["name"]},
        notify=notify,
    )
    taken = ValidationError({"package_name": "You already have a package with this name."})
    if Package.objects.filter(enterprise=enterprise, name__iexact=package_name).exists():
        raise taken
    try:
        with transaction.atomic():
            package = Package.objects.create(
                enterprise=enterprise, name=package_name, type=package_type
            )
    except IntegrityError:
        raise taken from None
    record(actions.PACKAGE_CREATED, actor=by, ip_address=ip_address, obj=package)
    role = Trunk.Role.PRIMARY if package_type == Package.Type.BUNDLE else ""
    new_trunk = _create_trunk(package, role=role, fields=trunk, signaling=signaling, media=media)
    create_trunk_order(
        new_trunk,
        order,
        type=TrunkOrder.Type.NEW,
        requested_due_date=requested_due_date,
        notes=notes,
    )
    return order


def add_trunk_label(package, role=None):
    """What the button that orders the package's next trunk says, as the guide names it."""
    if package.type == Package.Type.USAGE:
        return "Create New Trunk"
    if package.type == Package.Type.OUTBOUND_ONLY:
        return "Add an Outbound Only trunk"
    role = package.next_trunk_role() if role is None else role
    return "Order Primary Trunk" if role == Trunk.Role.PRIMARY else "Add Redundant Trunk"


def bundle_refusal(package):
    """Why package cannot take another trunk now (a Bundle has a primary and a redundant)."""
    if package.next_trunk_role() is None:
        return "This Bundle already has its primary and its redundant trunk."
    return None


@transaction.atomic
def order_trunk(
    package,
    *,
    by,
    ip_address=None,
    submission_key=None,
    trunk,
    signaling,
    media=(),
    customer_reference="",
    requested_due_date=None,
    notes="",
    notify=True,
):
    """Add a trunk to a package: a Bundle's redundant trunk, a Usage or Outbound Only trunk."""
    order = place_order(
        enterprise=package.enterprise,
        kind=KIND,
        by=by,
        ip_address=ip_address,
        submission_key=submission_key,
        customer_reference=customer_reference,
        details={"package": package.name, "trunk": trunk["name"]},
        notify=notify,
    )
    # Lock the package: two orders for a Bundle's redundant trunk wait for each other.
    package = Package.objects.select_for_update().get(pk=package.pk)
    problem = bundle_refusal(package)
    if problem:
        raise ValidationError(problem)
    role = package.next_trunk_role()
    try:
        with transaction.atomic():
            new_trunk = _create_trunk(
                package, role=role, fields=trunk, signaling=signaling, media=media
            )
    except IntegrityError:
        raise ValidationError(
            "This Bundle already has its primary and its redundant trunk."
        ) from None
    create_trunk_order(
        new_trunk,
        order,
        type=TrunkOrder.Type.NEW,
        requested_due_date=requested_due_date,
        notes=notes,
    )
    return order


def set_status(trunk, status, *, by):
    """Move trunk, locked by the caller, to status as trunks.lifecycle allows.

    A no-op when the trunk has that status already; a Disconnected trunk leaves every routing
    policy it was in.
    """
    problem = lifecycle.refusal(trunk, status)
    if problem:
        raise ValidationError(problem)
    if trunk.status == status:
        return
    before = trunk.status
    trunk.status = status
    fields = ["status"]
    if status == Trunk.Status.ACTIVE and trunk.activated_at is None:
        trunk.activated_at = timezone.now()
        fields.append("activated_at")
    if status == Trunk.Status.DISCONNECTED:
        trunk.disconnected_at = timezone.now()
        fields.append("disconnected_at")
    trunk.save(update_fields=fields)
    record(
        actions.TRUNK_STATUS_CHANGED,
        actor=by,
        enterprise=trunk.enterprise,
        obj=trunk,
        changes=[Change("Status", Trunk.Status(before).label, Trunk.Status(status).label)],
    )
    if status == Trunk.Status.DISCONNECTED:
        remove_trunk(trunk, by=by)

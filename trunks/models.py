"""Packages, their trunks, trunk orders and inbound routing; every row carries its enterprise."""

import uuid

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.badges import badge
from core.phones import display_phone
from core.tenancy import tenant_manager

MAX_CHANNELS = 10000


class Package(models.Model):
    """A customer's package of trunks (and, from the numbers issue, of numbers)."""

    class Type(models.TextChoices):
        BUNDLE = "bundle", "Bundle"
        USAGE = "usage", "Usage"
        OUTBOUND_ONLY = "outbound", "Outbound Only"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="packages"
    )
    name = models.CharField("Package Name", max_length=80)
    type = models.CharField(max_length=10, choices=Type)
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["enterprise", "type", "name"])]
        constraints = [
            # The target of the numbers' composite key (package_id, enterprise_id): a number's
            # package is always one of its own enterprise's.
            models.UniqueConstraint(fields=["id", "enterprise"], name="package_id_enterprise"),
            models.UniqueConstraint(
                "enterprise",
                Lower("name"),
                name="package_name_unique_per_enterprise",
                violation_error_message="You already have a package with this name.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def takes_inbound_calls(self):
        return self.type != self.Type.OUTBOUND_ONLY

    def next_trunk_role(self, live_roles=None):
        """The role of the next trunk ordered here: "" outside a Bundle, None when it is full.

        A Bundle has one primary and at most one redundant trunk; a trunk whose order was
        rejected or that was disconnected no longer holds its role, so it can be ordered again.
        live_roles, the roles of the package's trunks that are not disconnected, saves a query.
        """
        if self.type != self.Type.BUNDLE:
            return ""
        if live_roles is None:
            live_roles = set(
                self.trunks.exclude(status=Trunk.Status.DISCONNECTED).values_list("role", flat=True)
            )
        if Trunk.Role.PRIMARY not in live_roles:
            return Trunk.Role.PRIMARY
        if Trunk.Role.REDUNDANT not in live_roles:
            return Trunk.Role.REDUNDANT
        return None


class Trunk(models.Model):
    """A SIP trunk between the customer's switch and our network."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary"
        REDUNDANT = "redundant", "Redundant"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        DISCONNECT_PENDING = "disconnect_pending", "Disconnect Pending"
        DISCONNECTED = "disconnected", "Disconnected"

    # The tone of each status's badge (core.badges), on every page and table.
    STATUS_TONES = {
        Status.ACTIVE: "ok",
        Status.PENDING: "warn",
        Status.DISCONNECT_PENDING: "danger",
        Status.DISCONNECTED: "muted",
    }

    class Auth(models.TextChoices):
        IP = "ip", "By IP address"
        CREDENTIALS = "credentials", "By username and password"

    class Dtmf(models.TextChoices):
        RFC2833 = "rfc2833", "RFC 2833"
        SIP_INFO = "sip_info", "SIP INFO"
        INBAND = "inband", "Inband"

    class Codec(models.TextChoices):
        G711U = "g711u", "G.711u"
        G711A = "g711a", "G.711a"
        G729 = "g729", "G.729"
        G722 = "g722", "G.722"
        OPUS = "opus", "Opus"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="trunks"
    )
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="trunks")
    name = models.CharField("Trunk Name", max_length=80)
    role = models.CharField(max_length=10, choices=Role, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    street = models.CharField(max_length=120)
    city = models.CharField(max_length=80)
    state = models.CharField("State / province", max_length=40)
    zip_code = models.CharField("ZIP / postal code", max_length=12)
    country = models.CharField(max_length=60, default="United States")
    switch_vendor = models.CharField(max_length=60)
    switch_model = models.CharField(max_length=60)
    max_channels = models.PositiveIntegerField("Maximum concurrent calls")
    auth = models.CharField("Authentication", max_length=12, choices=Auth, default=Auth.IP)
    # Only the username: the password is agreed during turn-up testing and never stored here.
    auth_username = models.CharField("SIP username", max_length=60, blank=True)
    codecs = models.JSONField(default=list, blank=True)
    dtmf = models.CharField("DTMF mode", max_length=10, choices=Dtmf, default=Dtmf.RFC2833)
    t38_fax = models.BooleanField("T.38 fax", default=False)
    srtp = models.BooleanField("SRTP (encrypted media)", default=False)
    contact_name = models.CharField("Testing contact name", max_length=120)
    contact_email = models.EmailField("Testing contact email")
    contact_phone = models.CharField("Testing contact phone", max_length=20)
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["enterprise", "name", "id"]),
            models.Index(fields=["enterprise", "status", "id"]),
        ]
        constraints = [
            # The target of the numbers' composite key (trunk_id, enterprise_id).
            models.UniqueConstraint(fields=["id", "enterprise"], name="trunk_id_enterprise"),
            # A Bundle has one primary and one redundant trunk that are not disconnected.
            models.UniqueConstraint(
                fields=["package", "role"],
                condition=~Q(role="") & ~Q(status="disconnected"),
                name="one_live_trunk_per_bundle_role",
                violation_error_message="This package already has a trunk in this role.",
            ),
            models.CheckConstraint(
                condition=Q(max_channels__gte=1, max_channels__lte=MAX_CHANNELS),
                name="trunk_channels_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_live(self):
        return self.status != self.Status.DISCONNECTED

    @property
    def status_tone(self):
        return self.STATUS_TONES.get(self.status, "muted")

    @property
    def status_badge(self):
        return badge(self.get_status_display(), self.status_tone)

    @property
    def codec_labels(self):
        return [self.Codec(code).label for code in self.codecs if code in self.Codec.values]

    @property
    def location(self):
        return f"{self.street}, {self.city}, {self.state} {self.zip_code}, {self.country}"

    @property
    def contact_phone_display(self):
        return display_phone(self.contact_phone)

    def addresses_of(self, kind):
        return [address for address in self.addresses.all() if address.kind == kind]

    @property
    def signaling_addresses(self):
        return self.addresses_of(TrunkAddress.Kind.SIGNALING)

    @property
    def media_addresses(self):
        return self.addresses_of(TrunkAddress.Kind.MEDIA)


class TrunkAddress(models.Model):
    """A signaling address (host, port, transport) or a media address (host) of a trunk."""

    class Kind(models.TextChoices):
        SIGNALING = "signaling", "Signaling"
        MEDIA = "media", "Media"

    class Transport(models.TextChoices):
        UDP = "udp", "UDP"
        TCP = "tcp", "TCP"
        TLS = "tls", "TLS"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    trunk = models.ForeignKey(Trunk, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind)
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField(null=True, blank=True)
    transport = models.CharField(max_length=3, choices=Transport, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        ordering = ["trunk", "kind", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="media")
                | Q(port__gte=1, port__lte=65535, transport__in=["udp", "tcp", "tls"]),
                name="signaling_address_has_port_and_transport",
            )
        ]

    def __str__(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.kind == self.Kind.MEDIA:
            return host
        return f"{host}:{self.port}/{self.get_transport_display()}"


class TrunkContact(models.Model):
    """Someone who tested a trunk with our engineers, offered again on the next order."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=20)
    last_used_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "enterprise", Lower("email"), name="trunk_contact_unique_per_enterprise"
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class TrunkOrder(models.Model):
    """What a trunk order asks for; its reference, status and timeline are its orders.Order."""

    class Type(models.TextChoices):
        NEW = "new", "New trunk"
        CHANGE = "change", "Change"
        DISCONNECT = "disconnect", "Disconnect"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="trunk_order"
    )
    type = models.CharField(max_length=10, choices=Type)
    trunk = models.ForeignKey(Trunk, on_delete=models.PROTECT, related_name="orders")
    # A change order's requested values, by field: {"max_channels": 40, "signaling": [...]}.
    requested = models.JSONField(default=dict, blank=True)
    requested_due_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["enterprise", "type"])]

    def __str__(self):
        return f"{self.get_type_display()}: {self.trunk}"


class RoutingPolicy(models.Model):
    """Inbound routing: an ordered list of trunks of one package and a final fallback.

    Numbers (next issue) point here: a number gets a nullable `routing_policy` key to a policy
    of its package and a nullable `trunk` key for routing straight to one trunk, with a check
    that at most one is set; with neither, it follows its package's default policy.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="routing_policies")
    name = models.CharField(max_length=80)
    is_default = models.BooleanField(
        "Package default",
        default=False,
        help_text="Numbers of the package without a policy of their own follow this one.",
    )
    fallback_number = models.CharField(
        "Fallback number",
        max_length=20,
        blank=True,
        help_text="When no trunk answers, forward the call to this number.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["-is_default", "name", "id"]
        verbose_name_plural = "routing policies"
        indexes = [models.Index(fields=["enterprise", "package", "name"])]
        constraints = [
            # The target of the numbers' composite key (routing_policy_id, enterprise_id).
            models.UniqueConstraint(fields=["id", "enterprise"], name="policy_id_enterprise"),
            models.UniqueConstraint(
                fields=["package"],
                condition=Q(is_default=True),
                name="one_default_policy_per_package",
                violation_error_message="The package already has a default policy.",
            ),
            models.UniqueConstraint(
                "package",
                Lower("name"),
                name="policy_name_unique_per_package",
                violation_error_message="The package already has a policy with this name.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def fallback_display(self):
        return display_phone(self.fallback_number)


class RoutingTarget(models.Model):
    """One trunk of a policy: lower priorities are tried first; weights share equal ones."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    policy = models.ForeignKey(RoutingPolicy, on_delete=models.CASCADE, related_name="targets")
    trunk = models.ForeignKey(Trunk, on_delete=models.PROTECT, related_name="routing_targets")
    priority = models.PositiveSmallIntegerField()
    weight = models.PositiveIntegerField(default=100)

    objects = tenant_manager()

    class Meta:
        ordering = ["policy", "priority", "-weight", "id"]
        indexes = [models.Index(fields=["enterprise", "trunk"])]
        constraints = [
            models.UniqueConstraint(fields=["policy", "trunk"], name="trunk_once_per_policy"),
            models.CheckConstraint(
                condition=Q(priority__gte=1, weight__gte=1), name="target_priority_weight_positive"
            ),
        ]

    def __str__(self):
        return f"{self.trunk} (priority {self.priority}, weight {self.weight})"

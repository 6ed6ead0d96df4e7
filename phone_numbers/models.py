"""Phone numbers: the inventory of each enterprise, their orders, services and history.

Every tenant row carries its enterprise. A number's package, routing policy and trunk are
always its own enterprise's: the database checks it with composite foreign keys
(package_id, enterprise_id) -> trunks_package(id, enterprise_id), added by a PostgreSQL
migration (0002), not only the forms.

The pool of numbers that are nobody's yet is the supplier's (SupplyReservation): it has no
enterprise and no tenant manager, and only the supply sandbox and the ordering service read it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from core.phones import display_phone
from core.tenancy import tenant_manager


class Kind(models.TextChoices):
    US_DOMESTIC = "us_domestic", "US Domestic"
    TOLL_FREE = "toll_free", "Toll-Free"
    INTERNATIONAL = "international", "International"
    TEMPORARY = "temporary", "Temporary"


class E911Address(models.Model):
    """Where emergency services are sent for a number: a USPS Publication 28 address."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="e911_addresses"
    )
    label = models.CharField(max_length=80, blank=True)
    street = models.CharField("Address line 1", max_length=120)
    unit = models.CharField("Address line 2", max_length=60, blank=True)
    city = models.CharField(max_length=60)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP code", max_length=10)
    country = models.CharField(max_length=2, default="US")
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        verbose_name = "E911 address"
        verbose_name_plural = "E911 addresses"
        ordering = ["label", "street", "id"]
        indexes = [models.Index(fields=["enterprise", "label", "id"])]
        constraints = [
            # The target of the numbers' composite key (e911_address_id, enterprise_id).
            models.UniqueConstraint(fields=["id", "enterprise"], name="e911_address_id_enterprise")
        ]

    def __str__(self):
        street = f"{self.street} {self.unit}" if self.unit else self.street
        return f"{street}, {self.city}, {self.state} {self.zip_code}"


class PhoneNumber(models.Model):
    """One number of an enterprise, in E.164, in one of its packages."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        DISCONNECTED = "disconnected", "Disconnected"

    Kind = Kind

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Not indexed alone: every index of the inventory starts with the enterprise.
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        on_delete=models.CASCADE,
        related_name="phone_numbers",
        db_index=False,
    )
    e164 = models.CharField("Number", max_length=16)
    kind = models.CharField(max_length=16, choices=Kind)
    country = models.CharField(max_length=2)
    # The package, routing policy, trunk and E911 address are checked by the composite keys
    # (column, enterprise_id) of migration 0002 alone: a second, single-column key would check
    # every changed row again (a Manage action on 100,000 numbers). PROTECT is Django's.
    # Indexed below (phone_number_package).
    package = models.ForeignKey(
        "trunks.Package",
        on_delete=models.PROTECT,
        related_name="phone_numbers",
        db_index=False,
        db_constraint=False,
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    # Routing: a policy of the package, one of its trunks, or a Remote Call Forward; with none
    # of the three the number follows its package's default policy.
    routing_policy = models.ForeignKey(
        "trunks.RoutingPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phone_numbers",
        db_index=False,
        db_constraint=False,
    )
    trunk = models.ForeignKey(
        "trunks.Trunk",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phone_numbers",
        db_index=False,
        db_constraint=False,
    )
    forward_to = models.CharField("Forward to", max_length=16, blank=True)
    cnam = models.CharField("Caller ID (CNAM)", max_length=15, blank=True)
    e911_address = models.ForeignKey(
        E911Address,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phone_numbers",
        verbose_name="E911 address",
        db_index=False,
        db_constraint=False,
    )
    sms_enabled = models.BooleanField("SMS enabled", default=False)
    area_code = models.CharField(max_length=3, blank=True)
    city = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=2, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phone_numbers",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["e164", "id"]
        indexes = [
            # One for each sort and filter of an Inventory tab, read at any depth.
            models.Index(fields=["enterprise", "kind", "e164", "id"]),
            models.Index(fields=["enterprise", "kind", "status", "id"]),
            models.Index(fields=["enterprise", "kind", "package", "id"]),
            models.Index(fields=["enterprise", "kind", "created_at", "id"]),
            # Cities are matched whatever their case (iexact compares UPPER(city)), states as
            # stored; each is read in the tab's default order, by number. A city's page by another
            # column is sorted from this index alone (tables.py): it holds the sortable columns,
            # and the city itself, without which PostgreSQL reads UPPER(city) from the table.
            models.Index(
                F("enterprise"),
                F("kind"),
                Upper("city"),
                F("e164"),
                F("id"),
                include=["city", "status", "package", "area_code", "created_at"],
                name="phone_number_city",
            ),
            models.Index(
                fields=["enterprise", "kind", "state", "e164", "id"], name="phone_number_state"
            ),
            models.Index(fields=["enterprise", "kind", "area_code", "id"]),
            # "Has no E911": the few numbers still without an address, in the default order.
            models.Index(
                fields=["enterprise", "kind", "e164", "id"],
                condition=Q(e911_address__isnull=True),
                name="phone_number_no_e911",
            ),
            # A package's numbers, for its deletion and the database's key (which name it). "Not
            # NULL", true of every number, keeps the index from the pages sorted by package: their
            # row comparison (package, id) <= (x, y) does not name it so, and PostgreSQL, which
            # guesses that comparison by x alone, would read a whole package from this index for
            # the last page instead of a page from (enterprise, kind, package, id).
            models.Index(
                fields=["package"],
                condition=Q(package__isnull=False),
                name="phone_number_package",
            ),
            # The optional keys are indexed only where set: a change to a number then updates
            # the indexes of what it has, which keeps a Manage action on 100,000 numbers quick.
            *(
                models.Index(
                    fields=[key],
                    condition=Q(**{f"{key}__isnull": False}),
                    name=f"phone_number_{key}",
                )
                for key in ("routing_policy", "trunk", "e911_address", "order")
            ),
        ]
        constraints = [
            # A number is one enterprise's at a time; a disconnected one stays for its history.
            # Pattern operators: the index answers "is this number taken" but cannot order by
            # number, else the planner would read every enterprise's numbers in order to list
            # one enterprise's, instead of its (enterprise, kind, e164, id) index.
            models.UniqueConstraint(
                fields=["e164"],
                condition=~Q(status="disconnected"),
                opclasses=["varchar_pattern_ops"],
                name="phone_number_in_service_once",
                violation_error_message="This number is already in service.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(routing_policy__isnull=True, trunk__isnull=True)
                    | Q(routing_policy__isnull=True, forward_to="")
                    | Q(trunk__isnull=True, forward_to="")
                ),
                name="phone_number_one_routing",
                violation_error_message=(
                    "A number routes to a policy, a trunk or a forwarding number, not several."
                ),
            ),
        ]

    def __str__(self):
        return self.e164

    @property
    def display(self):
        return display_phone(self.e164)

    @property
    def routing_label(self):
        if self.routing_policy_id:
            return f"Policy: {self.routing_policy.name}"
        if self.trunk_id:
            return f"Trunk: {self.trunk.name}"
        if self.forward_to:
            return f"Forward to {display_phone(self.forward_to)}"
        return "Package default"

    @property
    def has_e911(self):
        return self.e911_address_id is not None


class NumberOrder(models.Model):
    """What a Get New Number order asks for; its reference, status and timeline are its Order."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="number_order"
    )
    package = models.ForeignKey(
        "trunks.Package", on_delete=models.PROTECT, related_name="number_orders"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    country = models.CharField(max_length=2)
    quantity = models.PositiveIntegerField()
    # The search the numbers were chosen by.
    area_code = models.CharField(max_length=3, blank=True)
    city = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=2, blank=True)
    contains = models.CharField(max_length=16, blank=True)
    vanity = models.CharField(max_length=16, blank=True)
    consecutive = models.BooleanField(default=False)
    # The service and billing address.
    address_street = models.CharField("Street", max_length=120)
    address_unit = models.CharField("Unit", max_length=60, blank=True)
    address_city = models.CharField("City", max_length=60)
    address_state = models.CharField("State", max_length=40)
    address_zip = models.CharField("ZIP / postal code", max_length=12)
    address_country = models.CharField("Country", max_length=2, default="US")
    # What the numbers get once they are in service.
    routing_policy = models.ForeignKey(
        "trunks.RoutingPolicy", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trunk = models.ForeignKey(
        "trunks.Trunk", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cnam = models.CharField("Caller ID (CNAM)", max_length=15, blank=True)
    e911_address = models.ForeignKey(
        E911Address, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["enterprise", "kind"])]

    def __str__(self):
        return f"{self.quantity} {self.get_kind_display()} number(s) in {self.package}"

    @property
    def address(self):
        street = " ".join(filter(None, [self.address_street, self.address_unit]))
        place = " ".join(filter(None, [self.address_state, self.address_zip]))
        return ", ".join(filter(None, [street, self.address_city, place, self.address_country]))


class NumberEvent(models.Model):
    """One line of a number's history: who did what to it, when, by which order or action."""

    # A Manage action writes 100,000 of these: each index and database key costs per row.
    # The enterprise and actor are kept by Django (CASCADE, SET_NULL) and the services, which
    # write the number's own enterprise; the number's key stays, the history's integrity.
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Indexed by (number, at, id) below, for its history page and the cascade.
    number = models.ForeignKey(
        PhoneNumber, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # As core.actors shows the actor to customers: a name, "Carrier staff" or "Portal".
    actor_label = models.CharField(max_length=120)
    action = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    objects = tenant_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["number", "at", "id"], name="number_event_history"),
            models.Index(
                fields=["order"], condition=Q(order__isnull=False), name="number_event_order"
            ),
        ]

    def __str__(self):
        return f"{self.action}: {self.description}"


class NumberCount(models.Model):
    """How many numbers a package holds per kind and status, kept by the services (counts.py).

    The dashboard and package pages read these instead of counting a million rows per request.
    """

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    package = models.ForeignKey(
        "trunks.Package", on_delete=models.CASCADE, related_name="number_counts"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    status = models.CharField(max_length=12, choices=PhoneNumber.Status)
    count = models.PositiveIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "package", "kind", "status"], name="one_number_count_per_key"
            )
        ]

    def __str__(self):
        return f"{self.package_id} {self.kind} {self.status}: {self.count}"


class SupplyReservation(models.Model):
    """A number the supplier has handed out: the pool of numbers that are nobody's yet.

    Not tenant data: no enterprise, no tenant manager. Only the supply sandbox and the ordering
    service (phone_numbers.supply, phone_numbers.ordering) read or write it; no view lists it.
    A number is reserved by INSERTing its row: the unique e164 lets exactly one of two
    concurrent orders have it. Releasing a number deletes its row.
    """

    e164 = models.CharField(max_length=16, unique=True)
    reserved_at = models.DateTimeField(default=timezone.now)
    # The order (its reference) the number went to.
    order_reference = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["e164"]

    def __str__(self):
        return self.e164

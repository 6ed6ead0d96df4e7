"""Port orders: numbers moved in from the customer's current carrier.

A port order (PortOrder, one-to-one with an orders.Order of the kind "port", reference PO-...)
holds the service address, the port information the losing carrier checks (carrier, BTN,
account number and PIN, authorized person), the requested date, partial or full, and the
optional services the numbers will get.

Its numbers are a PortList: what the Port Numbers field held when the form was last saved,
each number checked (PortNumber.problems). A list is made before there is an order (the form is
still being filled in) and is attached to the order when a draft is saved or the order is
submitted; lists never attached are deleted by a daily job. On submission the numbers are split
into PortBatch rows: one per current carrier, at most BATCH_SIZE numbers each.

Once submitted, the order waits for its documents (PortDocument: the LOA, signed, and a recent
invoice); then each batch goes to its carrier through the carrier gateway (porting.carriers),
once per version: a rejected batch is corrected and sent again as a supplement (version 1,
2, ...). Every call to the gateway is kept as a CarrierExchange for staff.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.badges import badge
from core.tenancy import tenant_manager
from orders.models import Order
from orders.statuses import STATUS_LENGTH, OrderStatus

# The most numbers one batch to a carrier holds.
BATCH_SIZE = 500
# The PortOrder fields of the service/billing address, and those of the account the current
# carrier checks: what the form asks together, and what a rejection names.
ADDRESS_FIELDS = (
    "address_number",
    "address_street",
    "address_unit",
    "address_city",
    "address_state",
    "address_postal_code",
    "address_country",
)
ACCOUNT_FIELDS = (
    "current_carrier",
    "account_holder",
    "btn",
    "account_number",
    "account_pin",
    "authorized_name",
    "authorized_title",
)


class PortKind(models.TextChoices):
    """The Add/Port Numbers tabs a port starts from (the numbers app's kinds)."""

    US_DOMESTIC = "us_domestic", "US Domestic"
    TOLL_FREE = "toll_free", "Toll-Free"
    INTERNATIONAL = "international", "International"


class PortList(models.Model):
    """The numbers of a Port Numbers field, checked one by one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=PortKind)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The SHA-256 of the text the list was made from, as the form shows it: a form posted with
    # the same text is not checked again.
    digest = models.CharField(max_length=64)
    total = models.PositiveIntegerField(default=0)
    # Numbers with a problem of their own (PortNumber.problems); wireless numbers need the
    # account number and PIN besides, which the form asks for.
    error_count = models.PositiveIntegerField(default=0)
    wireless_count = models.PositiveIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["enterprise", "created_at"])]

    def __str__(self):
        return f"{self.total} numbers to port"


class PortNumber(models.Model):
    """One entry of a Port Numbers list: as typed, in E.164, and what is wrong with it."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Nothing refers to a number, so deleting a list deletes its numbers in one statement.
    port_list = models.ForeignKey(PortList, on_delete=models.CASCADE, related_name="numbers")
    position = models.PositiveIntegerField()  # in the list as typed, from 1
    entry = models.CharField(max_length=40)  # as typed
    e164 = models.CharField("Number", max_length=16, blank=True)  # when it could be read
    # Codes of porting.checking.PROBLEMS, comma-separated; "" when the number can be ported.
    problems = models.CharField(max_length=200, blank=True)
    # The E.164 form of an entry not written in E.164, when it is unambiguous.
    suggestion = models.CharField(max_length=16, blank=True)
    # Why the carrier gateway cannot port it, in its words.
    not_portable_reason = models.CharField(max_length=120, blank=True)
    carrier = models.CharField(max_length=80, blank=True)
    spid = models.CharField("SPID", max_length=8, blank=True)
    line_type = models.CharField(max_length=10, blank=True)
    rate_center = models.CharField(max_length=40, blank=True)
    batch = models.ForeignKey(
        "PortBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="numbers"
    )

    objects = tenant_manager()

    class Meta:
        ordering = ["position"]
        indexes = [
            # Review Numbers reads the errors page by page, in the list's order; wireless
            # numbers count as errors while the form has no account number and PIN.
            models.Index(
                fields=["port_list", "position"],
                condition=~Q(problems=""),
                name="port_number_problem",
            ),
            models.Index(
                fields=["port_list", "position"],
                condition=~Q(problems="") | Q(line_type="wireless"),
                name="port_number_to_review",
            ),
            # "Already in another open port order", whichever enterprise's.
            models.Index(fields=["e164"], condition=~Q(e164=""), name="port_number_e164"),
            models.Index(
                fields=["batch"], condition=Q(batch__isnull=False), name="port_number_batch"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["port_list", "position"], name="port_number_position"),
        ]

    def __str__(self):
        return self.e164 or self.entry


class PortOrder(models.Model):
    """A port order's own fields; the order's status and timeline are its orders.Order's."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="port")
    package = models.ForeignKey(
        "trunks.Package", on_delete=models.PROTECT, related_name="port_orders"
    )
    kind = models.CharField(max_length=16, choices=PortKind)
    port_list = models.OneToOneField(
        PortList, null=True, blank=True, on_delete=models.SET_NULL, related_name="port_order"
    )
    # The service/billing address, as the current carrier has it.
    address_number = models.CharField("House number", max_length=20, blank=True)
    address_street = models.CharField("Street", max_length=120, blank=True)
    address_unit = models.CharField("Unit", max_length=60, blank=True)
    address_city = models.CharField("City", max_length=60, blank=True)
    address_state = models.CharField("State / region", max_length=40, blank=True)
    address_postal_code = models.CharField("Postal code", max_length=12, blank=True)
    address_country = models.CharField("Country", max_length=2, blank=True, default="US")
    # Provide Port Information. Drafts keep what was typed; submission checks it.
    current_carrier = models.CharField("Current Carrier/Provider", max_length=80, blank=True)
    btn = models.CharField("Billing Telephone Number (BTN)", max_length=40, blank=True)
    account_number = models.CharField("Account number", max_length=40, blank=True)
    account_pin = models.CharField("Account PIN", max_length=20, blank=True)
    authorized_name = models.CharField("Authorized person", max_length=80, blank=True)
    authorized_title = models.CharField("Authorized person's title", max_length=80, blank=True)
    # The account holder's name on the current carrier's record (the company).
    account_holder = models.CharField("Account holder", max_length=120, blank=True)
    requested_at = models.DateTimeField("Requested Port Date/Time", null=True, blank=True)
    partial = models.BooleanField("Partial Port", default=True)
    new_btn = models.CharField("New BTN", max_length=40, blank=True)
    # Add Optional Services: what the numbers get once ported.
    cnam = models.CharField("Caller ID (CNAM)", max_length=15, blank=True)
    e911_address = models.ForeignKey(
        "phone_numbers.E911Address",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="E911 address",
    )
    notes = models.TextField("Notes or Special Instructions", blank=True)
    # Temporary numbers to use while the port is pending, released when it completes unless
    # the customer keeps them.
    temporary_numbers = models.PositiveSmallIntegerField(
        "Temporary numbers while the port is pending", default=0
    )
    keep_temporary_numbers = models.BooleanField(
        "Keep the temporary numbers after the port", default=False
    )
    # The LOA being produced or signed in the worker: one at a time.
    loa_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The customer confirmed the carrier's record is out of date where it differs.
    record_differences_confirmed = models.BooleanField(default=False)

    objects = tenant_manager()

    def __str__(self):
        return f"Port {self.order.reference}"

    def address_in_words(self):
        street = " ".join(part for part in (self.address_number, self.address_street) if part)
        if self.address_unit:
            street = f"{street} {self.address_unit}"
        region = " ".join(part for part in (self.address_state, self.address_postal_code) if part)
        return ", ".join(
            part for part in (street, self.address_city, region, self.address_country) if part
        )


class PortBatch(models.Model):
    """The numbers of a port order that go to one current carrier together."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    port_order = models.ForeignKey(PortOrder, on_delete=models.CASCADE, related_name="batches")
    sequence = models.PositiveIntegerField()  # 1, 2, ... within the order
    reference = models.CharField("Batch ID", max_length=20, unique=True)
    carrier = models.CharField(max_length=80)
    spid = models.CharField("SPID", max_length=8, blank=True)
    status = models.CharField(
        max_length=STATUS_LENGTH, choices=OrderStatus, default=OrderStatus.PENDING_DOCUMENTS
    )
    number_count = models.PositiveIntegerField()
    # 0 for the first request, then 1, 2, ... for each supplement after a rejection. The carrier
    # knows a request by the batch reference (its PON) and this version.
    version = models.PositiveSmallIntegerField(default=0)
    # The version the carrier has acknowledged; behind `version` while one is to be sent.
    sent_version = models.PositiveSmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    carrier_reference = models.CharField("Carrier's reference", max_length=40, blank=True)
    # The job sending the current version; when it has failed for good, staff are alerted and
    # the batch waits for them (Submit to carrier), it is never dropped.
    submit_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    foc_date = models.DateField("FOC date", null=True, blank=True)
    # When the carrier first confirmed a FOC date: the porting statistics' days to FOC.
    foc_confirmed_at = models.DateTimeField("FOC confirmed", null=True, blank=True)
    # The carrier's reasons for the last rejection: [{"code": ..., "message": ...}].
    rejection = models.JSONField(default=list, blank=True)
    rejection_count = models.PositiveSmallIntegerField("Rejections", default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Days before the FOC date of the last reminder e-mailed (3, then 1).
    reminded_days_before = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["port_order", "sequence"]
        verbose_name_plural = "port batches"
        constraints = [
            models.UniqueConstraint(fields=["port_order", "sequence"], name="port_batch_sequence"),
        ]
        indexes = [
            # What the carrier poll and the sweep read: the batches still with a carrier.
            models.Index(
                fields=["status", "id"],
                condition=Q(status__in=["submitted", "foc_confirmed"]),
                name="port_batch_with_carrier",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def awaits_sending(self):
        return self.status == OrderStatus.SUBMITTED and self.sent_version != self.version

    @property
    def status_tone(self):
        return Order.STATUS_TONES.get(self.status, "")

    @property
    def status_badge(self):
        return badge(self.get_status_display(), self.status_tone)


def document_path(document, filename):
    # The stored name says nothing of the customer's file name, which is kept apart.
    return (
        f"port-documents/{document.enterprise_id}/{document.port_order_id}/"
        f"{document.public_id}{document.EXTENSIONS[document.content_type]}"
    )


class PortDocument(models.Model):
    """A document of a port order: the LOA produced to sign, the signed LOA, an invoice.

    Stored privately (the default storage, never served as is): only the enterprise's users
    and staff download it, through the order's page.
    """

    class Kind(models.TextChoices):
        LOA_TO_SIGN = "loa_to_sign", "LOA to sign"
        LOA = "loa", "Signed LOA"
        INVOICE = "invoice", "Invoice"

    EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    port_order = models.ForeignKey(PortOrder, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=Kind)
    file = models.FileField(upload_to=document_path, max_length=200)
    name = models.CharField("File name", max_length=120)  # as the customer's file was called
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # An LOA signed in the browser: who signed, when, from where.
    signed_name = models.CharField(max_length=80, blank=True)
    signed_title = models.CharField(max_length=80, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["port_order", "uploaded_at", "id"]
        indexes = [models.Index(fields=["port_order", "kind", "uploaded_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


class CarrierExchange(models.Model):
    """One call to the carrier gateway about a batch, and its answer, as staff see it."""

    class Call(models.TextChoices):
        SUBMIT = "submit", "Submit"
        FIND = "find", "Find request"
        STATUS = "status", "Status"
        CANCEL = "cancel", "Cancel"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    batch = models.ForeignKey(PortBatch, on_delete=models.CASCADE, related_name="exchanges")
    at = models.DateTimeField(default=timezone.now)
    call = models.CharField(max_length=10, choices=Call)
    version = models.PositiveSmallIntegerField(default=0)
    ok = models.BooleanField(default=True)
    # The answer in words ("FOC 2026-12-10", "rejected: BTN mismatch", "timeout").
    summary = models.CharField(max_length=300)
    answer = models.JSONField(default=dict, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["batch", "at", "id"]
        indexes = [models.Index(fields=["batch", "at"])]

    def __str__(self):
        return f"{self.get_call_display()} {self.batch}: {self.summary}"


class SandboxPortRequest(models.Model):
    """The sandbox carrier's own memory of the requests it received (porting.carriers.sandbox).

    It stands for the carrier's system, not for the portal's: no enterprise, and written as
    the carrier would, at once (outside the portal's transaction). One row per request
    received, so a request sent twice shows as two rows.
    """

    pon = models.CharField("PON", max_length=20)
    version = models.PositiveSmallIntegerField()
    received_at = models.DateTimeField(default=timezone.now)
    carrier_reference = models.CharField(max_length=40)
    numbers = models.PositiveIntegerField()
    rejected = models.JSONField(default=list, blank=True)  # [{"code", "message"}]
    foc_date = models.DateField(null=True, blank=True)
    completes_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["pon", "version"])]

    def __str__(self):
        return f"{self.pon} v{self.version}"

"""Usage records: what each call, message and application event of a customer was.

The carrier's mediation system writes one record per call (CallRecord, a CDR), per message
(MessageRecord, an MDR) and per thing a CPaaS application did for the customer (AppRecord,
an ADR). They arrive as files (billing.loading) and are kept as they came, in UTC, each mapped
to its enterprise by the customer's number or trunk; a record that maps to none waits for staff
as an UnmatchedRecord. The columns are described for customers in docs/usage-records.md.

The record tables are the biggest of the portal: partitioned by month of their time column on
PostgreSQL (core.partitions), their primary key the carrier's record id with that time, so a
record loaded twice is stored once. Nothing points at a record, and a record points at its
enterprise, package and trunk without a database constraint: a partition is dropped whole when
its months pass the retention, and an enterprise's records are not deleted row by row with it.

Reports read UsageHour, the hourly totals kept as records load, not the records themselves.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.tenancy import tenant_manager


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class DestinationClass(models.TextChoices):
    LOCAL = "local", "Local"
    LONG_DISTANCE = "long_distance", "Long distance"
    TOLL_FREE = "toll_free", "Toll-free"
    INTERNATIONAL = "international", "International"


class Disposition(models.TextChoices):
    ANSWERED = "answered", "Answered"
    BUSY = "busy", "Busy"
    NO_ANSWER = "no_answer", "No answer"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


def _tenant_key(to, related_name="+", null=False):
    # No database constraint: see the module's docstring.
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name=related_name,
        null=null,
        blank=null,
    )


class CallRecord(models.Model):
    """One call (CDR). Times in UTC; durations in whole seconds."""

    pk = models.CompositePrimaryKey("started_at", "call_id")
    call_id = models.CharField("Carrier call ID", max_length=64)
    started_at = models.DateTimeField("Start")
    answered_at = models.DateTimeField("Answer", null=True, blank=True)
    ended_at = models.DateTimeField("End")
    duration = models.PositiveIntegerField("Duration (s)")  # start to end
    billable_seconds = models.PositiveIntegerField("Billable (s)")  # answer to end, rounded up
    direction = models.CharField(max_length=8, choices=Direction)
    from_number = models.CharField("From", max_length=16)
    to_number = models.CharField("To", max_length=16)
    enterprise = _tenant_key("accounts.Enterprise")
    # The customer's own number on the call: the called number inbound, the caller outbound.
    number = models.CharField("Customer number", max_length=16)
    package = _tenant_key("trunks.Package", null=True)
    trunk = _tenant_key("trunks.Trunk", null=True)
    destination_class = models.CharField(max_length=16, choices=DestinationClass)
    destination_country = models.CharField(max_length=2, blank=True)  # ISO, international
    disposition = models.CharField(max_length=10, choices=Disposition)
    sip_code = models.PositiveSmallIntegerField("SIP response code")
    q850_cause = models.PositiveSmallIntegerField("Q.850 cause", null=True, blank=True)
    post_dial_delay_ms = models.PositiveIntegerField("Post-dial delay (ms)", null=True, blank=True)
    # Rating (billing.rating), when the record loads or a month still open is rated again:
    # the usage rate that covers the call, its seconds after the plan's billing increments and
    # its charge (kept to six places; an invoice line rounds its sum once, to the cent). No
    # rate: all three empty, and the call counts as unrated for staff.
    rate = _tenant_key("billing.UsageRate", null=True)
    rated_seconds = models.PositiveIntegerField("Billed (s)", null=True, blank=True)
    charge = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)

    objects = tenant_manager()

    # A month's partition is made with pages half full: rating the month again then writes each
    # call's new version beside the old one on its page, with no new index entry (a HOT
    # update), about ten times faster than on packed pages (bench/rating.py). Once no invoice
    # of the month is left to make, billing.partitions packs it (core.partitions).
    partition_fillfactor = 50

    class Meta:
        indexes = [
            models.Index(fields=["enterprise", "started_at"], name="call_record_enterprise"),
            models.Index(fields=["enterprise", "number", "started_at"], name="call_record_number"),
        ]

    def __str__(self):
        return self.call_id


class MessageRecord(models.Model):
    """One message (MDR)."""

    class Kind(models.TextChoices):
        SMS = "sms", "SMS"
        MMS = "mms", "MMS"

    class Status(models.TextChoices):
        DELIVERED = "delivered", "Delivered"
        UNDELIVERED = "undelivered", "Undelivered"
        FAILED = "failed", "Failed"

    pk = models.CompositePrimaryKey("sent_at", "message_id")
    message_id = models.CharField("Carrier message ID", max_length=64)
    sent_at = models.DateTimeField("Sent")
    direction = models.CharField(max_length=8, choices=Direction)
    kind = models.CharField(max_length=3, choices=Kind)
    from_number = models.CharField("From", max_length=16)
    to_number = models.CharField("To", max_length=16)
    enterprise = _tenant_key("accounts.Enterprise")
    number = models.CharField("Customer number", max_length=16)
    segments = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status)
    error_code = models.CharField(max_length=10, blank=True)

    objects = tenant_manager()

    class Meta:
        indexes = [
            models.Index(fields=["enterprise", "sent_at"], name="message_record_enterprise"),
        ]

    def __str__(self):
        return self.message_id


class AppRecord(models.Model):
    """One thing a CPaaS application did for the customer (ADR): a flow run, a campaign message,
    a survey answered; its application and event are the application's own words."""

    pk = models.CompositePrimaryKey("occurred_at", "event_id")
    event_id = models.CharField("Carrier event ID", max_length=64)
    occurred_at = models.DateTimeField("Time")
    enterprise = _tenant_key("accounts.Enterprise")
    application = models.CharField(max_length=40)  # Engage, SmartFlows, ...
    event = models.CharField(max_length=40)  # "flow_completed", "message_sent", ...
    number = models.CharField("Customer number", max_length=16, blank=True)
    counterpart = models.CharField("Other party", max_length=16, blank=True)
    channel = models.CharField(max_length=10, blank=True)  # voice, sms, web...
    result = models.CharField(max_length=20, blank=True)
    duration = models.PositiveIntegerField("Duration (s)", null=True, blank=True)
    units = models.PositiveIntegerField(default=1)  # what the application counts for billing

    objects = tenant_manager()

    class Meta:
        indexes = [models.Index(fields=["enterprise", "occurred_at"], name="app_record_enterprise")]

    def __str__(self):
        return self.event_id


class RecordKind(models.TextChoices):
    CALL = "call", "Call (CDR)"
    MESSAGE = "message", "Message (MDR)"
    APP = "app", "Application event (ADR)"


class RecordFile(models.Model):
    """A file of records loaded (or being loaded): what came in, and what became of each line."""

    class Status(models.TextChoices):
        LOADING = "loading", "Loading"
        LOADED = "loaded", "Loaded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=8, choices=RecordKind)
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    status = models.CharField(max_length=8, choices=Status, default=Status.LOADING)
    lines = models.PositiveIntegerField(default=0)
    loaded = models.PositiveIntegerField(default=0)  # new records stored
    duplicates = models.PositiveIntegerField(default=0)  # stored before: not again
    unmatched = models.PositiveIntegerField(default=0)  # kept for staff
    rejected = models.PositiveIntegerField(default=0)  # malformed lines
    # The first malformed lines, each {"line": n, "error": "..."}; `rejected` counts them all.
    report = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sha256"])]

    def __str__(self):
        return self.name


class UnmatchedRecord(models.Model):
    """A record no enterprise's number or trunk matched, kept as it came for staff."""

    kind = models.CharField(max_length=8, choices=RecordKind)
    record_id = models.CharField(max_length=64)
    at = models.DateTimeField()
    number = models.CharField(max_length=16, blank=True)
    trunk = models.CharField(max_length=64, blank=True)
    line = models.JSONField()  # the record's columns, by name
    file = models.ForeignKey(RecordFile, null=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id", "at"], name="unmatched_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.record_id}"


# The Traffic Analytics page reads a range of an enterprise's hours through an index that holds
# the columns it filters on and sums (PostgreSQL reads the index alone): the rows of an
# enterprise are spread over the table, loaded hour by hour with every other enterprise's. (So
# are the numbers' days under a filter: UsageNumberGroupDay.)
FILTERED_ON = ["package", "trunk", "direction", "destination_class"]
ANALYTICS_HOUR_TOTALS = [
    "calls",
    "answered",
    "busy",
    "no_answer",
    "seconds",
    "post_dial_delay_ms",
    "post_dial_delay_calls",
]


class UsageHour(models.Model):
    """The calls of one hour (UTC) of an enterprise, by package, trunk, direction and
    destination (class, and country of international calls): what the reports read. Kept
    current by every load."""

    enterprise = _tenant_key("accounts.Enterprise")
    hour = models.DateTimeField()
    package = _tenant_key("trunks.Package", null=True)
    trunk = _tenant_key("trunks.Trunk", null=True)
    direction = models.CharField(max_length=8, choices=Direction)
    destination_class = models.CharField(max_length=16, choices=DestinationClass)
    destination_country = models.CharField(max_length=2, blank=True, default="")
    calls = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    busy = models.PositiveIntegerField(default=0)
    no_answer = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    seconds = models.PositiveBigIntegerField(default=0)  # of the answered calls
    billable_seconds = models.PositiveBigIntegerField(default=0)
    post_dial_delay_ms = models.PositiveBigIntegerField(default=0)  # summed, with...
    post_dial_delay_calls = models.PositiveIntegerField(default=0)  # ...the calls that had one
    # Rating's totals: seconds after billing increments and charges of the rated calls, and
    # the answered calls no rate covered (flagged to staff, never charged as zero).
    rated_seconds = models.PositiveBigIntegerField(default=0)
    charge = models.DecimalField(max_digits=18, decimal_places=6, default=0)
    unrated = models.PositiveIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "enterprise",
                "hour",
                "direction",
                "destination_class",
                "destination_country",
                models.functions.Coalesce("package", 0),
                models.functions.Coalesce("trunk", 0),
                name="usage_hour_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["enterprise", "hour"],
                include=[*FILTERED_ON, "destination_country", *ANALYTICS_HOUR_TOTALS],
                name="usage_hour_read",
            )
        ]

    def __str__(self):
        return f"{self.hour:%Y-%m-%d %H}:00 UTC"


class RecordRetention(models.Model):
    """How many months usage records are kept, as staff set it in the back office (one row).

    Whole months are dropped once all of them are older (billing.partitions); the hourly totals
    the reports read stay.
    """

    months = models.PositiveSmallIntegerField(
        default=13,
        validators=[MinValueValidator(2), MaxValueValidator(120)],
        help_text="Records older than this many months are deleted, a whole month at a time.",
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "usage record retention"
        verbose_name_plural = "usage record retention"

    def __str__(self):
        return f"{self.months} months"

    @classmethod
    def current(cls):
        return cls.objects.get_or_create(pk=1)[0]


class UsageMinute(models.Model):
    """The calls in progress during one minute (UTC) of an enterprise, by package and trunk,
    inbound and outbound: a call counts in every minute it touches, from its start to its end.
    The peak of these (summed over the groups a filter keeps) is the page's peak concurrent
    calls; it reads these rows under a trunk filter, one a minute (a trunk is its package's)."""

    enterprise = _tenant_key("accounts.Enterprise")
    minute = models.DateTimeField()
    package = _tenant_key("trunks.Package", null=True)
    trunk = _tenant_key("trunks.Trunk", null=True)
    inbound = models.PositiveIntegerField(default=0)
    outbound = models.PositiveIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "enterprise",
                "minute",
                models.functions.Coalesce("package", 0),
                models.functions.Coalesce("trunk", 0),
                name="usage_minute_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["enterprise", "trunk", "minute"],
                condition=models.Q(trunk__isnull=False),
                name="usage_minute_trunk",
            )
        ]

    def __str__(self):
        return f"{self.minute:%Y-%m-%d %H:%M} UTC"


class UsageMinuteTotal(models.Model):
    """The calls in progress during one minute (UTC) of an enterprise, all groups together, and
    those of each direction: the peak concurrent calls of a page without a package or trunk
    filter."""

    enterprise = _tenant_key("accounts.Enterprise")
    minute = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)
    inbound = models.PositiveIntegerField(default=0)
    outbound = models.PositiveIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "minute"], name="usage_minute_total_once")
        ]

    def __str__(self):
        return f"{self.minute:%Y-%m-%d %H:%M} UTC"


class UsageMinutePackage(models.Model):
    """The calls of one package of an enterprise in progress during one minute (UTC), inbound
    and outbound: the peak concurrent calls under a package filter without a trunk filter, one
    row a minute to read (UsageMinute has one per trunk). Calls without a package are not kept:
    no package filter asks for them."""

    enterprise = _tenant_key("accounts.Enterprise")
    package = _tenant_key("trunks.Package")
    minute = models.DateTimeField()
    inbound = models.PositiveIntegerField(default=0)
    outbound = models.PositiveIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "package", "minute"], name="usage_minute_package_once"
            )
        ]

    def __str__(self):
        return f"{self.minute:%Y-%m-%d %H:%M} UTC"


class UsageFailureHour(models.Model):
    """The calls of one hour (UTC) not answered, by SIP response code and Q.850 cause, and by
    the groups the page filters on: the page's failures table."""

    enterprise = _tenant_key("accounts.Enterprise")
    hour = models.DateTimeField()
    package = _tenant_key("trunks.Package", null=True)
    trunk = _tenant_key("trunks.Trunk", null=True)
    direction = models.CharField(max_length=8, choices=Direction)
    destination_class = models.CharField(max_length=16, choices=DestinationClass)
    sip_code = models.PositiveSmallIntegerField()
    q850_cause = models.PositiveSmallIntegerField(null=True, blank=True)
    calls = models.PositiveIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "enterprise",
                "hour",
                "direction",
                "destination_class",
                "sip_code",
                models.functions.Coalesce("q850_cause", -1),
                models.functions.Coalesce("package", 0),
                models.functions.Coalesce("trunk", 0),
                name="usage_failure_hour_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["enterprise", "hour"],
                include=[*FILTERED_ON, "sip_code", "q850_cause", "calls"],
                name="usage_failure_hour_read",
            )
        ]

    def __str__(self):
        return f"{self.hour:%Y-%m-%d %H}:00 UTC {self.sip_code}"


class UsageNumberDay(models.Model):
    """The calls of one of an enterprise's numbers on one day of the enterprise's time zone:
    the page's top numbers, when its reader's zone is the enterprise's."""

    enterprise = _tenant_key("accounts.Enterprise")
    day = models.DateField()  # in the enterprise's time zone
    number = models.CharField(max_length=16)
    calls = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    seconds = models.PositiveBigIntegerField(default=0)  # of the answered calls
    billable_seconds = models.PositiveBigIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "day", "number"], name="usage_number_day_once"
            )
        ]

    def __str__(self):
        return f"{self.number} on {self.day}"


class UsageNumberGroupDay(models.Model):
    """The calls of one of an enterprise's numbers on one day of the enterprise's time zone, by
    package, trunk, direction and destination class: the page's top numbers under those filters
    (without them UsageNumberDay, of fewer rows, answers)."""

    enterprise = _tenant_key("accounts.Enterprise")
    day = models.DateField()  # in the enterprise's time zone
    number = models.CharField(max_length=16)
    package = _tenant_key("trunks.Package", null=True)
    trunk = _tenant_key("trunks.Trunk", null=True)
    direction = models.CharField(max_length=8, choices=Direction)
    destination_class = models.CharField(max_length=16, choices=DestinationClass)
    calls = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    seconds = models.PositiveBigIntegerField(default=0)  # of the answered calls
    billable_seconds = models.PositiveBigIntegerField(default=0)

    objects = tenant_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "enterprise",
                "day",
                "number",
                "direction",
                "destination_class",
                models.functions.Coalesce("package", 0),
                models.functions.Coalesce("trunk", 0),
                name="usage_number_group_day_once",
            )
        ]
        # The Traffic Analytics page's top numbers under a filter read a range of an enterprise's
        # days through this index alone (without it, the whole table). It costs a load's rollup
        # statement a few per cent (bench/usage_analytics.py --loading).
        indexes = [
            models.Index(
                fields=["enterprise", "day"],
                include=["number", *FILTERED_ON, "calls", "answered", "seconds"],
                name="usage_number_group_day_read",
            )
        ]

    def __str__(self):
        return f"{self.number} on {self.day}"


class SftpAccount(models.Model):
    """An enterprise's login on the secure FTP site, where its daily ADR files are put: a
    directory of its own (named as the login) that only its credentials reach."""

    enterprise = models.OneToOneField(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="sftp_account"
    )
    username = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        verbose_name = "secure FTP account"

    def __str__(self):
        return self.username

    @property
    def directory(self):
        return self.username


class SftpCredential(models.Model):
    """One way into an SftpAccount: a password (kept hashed, shown once) or a public key.
    Revoked credentials are kept, so that the page can say who revoked what and when."""

    class Kind(models.TextChoices):
        PASSWORD = "password", "Password"
        PUBLIC_KEY = "public_key", "Public key"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(SftpAccount, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=10, choices=Kind)
    password_hash = models.CharField(max_length=200, blank=True)
    public_key = models.TextField(blank=True)  # one OpenSSH line: "ssh-ed25519 AAAA... comment"
    fingerprint = models.CharField(max_length=80, blank=True)  # "SHA256:..." of the key
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = "secure FTP credential"
        indexes = [models.Index(fields=["account", "revoked_at"])]

    def __str__(self):
        if self.kind == self.Kind.PUBLIC_KEY:
            return f"Public key {self.fingerprint}"
        return "Password"


class AdrFile(models.Model):
    """The ADR file of one day (midnight to midnight in the enterprise's time zone): one row,
    hence one file, per enterprise and day, however often its delivery runs."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being delivered"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Delivery failing"
        REMOVED = "removed", "Removed after 45 days"

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    name = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    rows = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deliveries = models.PositiveIntegerField(default=0)  # jobs started for it, retries aside
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = "ADR file"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "day"], name="adr_file_once_a_day")
        ]
        indexes = [models.Index(fields=["status", "day"])]

    def __str__(self):
        return self.name

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.badges import badge
from core.phones import display_phone
from core.tenancy import tenant_manager


class Faq(models.Model):
    """A question and answer shown under Help & Support, edited by staff."""

    topic = models.CharField(max_length=80, help_text="FAQs are grouped by topic.")
    question = models.CharField(max_length=250)
    answer = models.TextField(help_text="Plain text; blank lines start new paragraphs.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["topic", "position", "question"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question


class Contact(models.Model):
    """A way to reach a team of the carrier, listed under Contact Us."""

    class Team(models.TextChoices):
        SUPPORT = "support", "Support"
        SALES = "sales", "Sales"
        BILLING = "billing", "Billing"

    team = models.CharField(max_length=10, choices=Team)
    label = models.CharField(max_length=80, help_text="For example: 24/7 NOC, Account management.")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    hours = models.CharField(max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["team", "position", "label"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(phone="", email=""),
                name="contact_has_phone_or_email",
                violation_error_message="Give a phone number, an email address or both.",
            )
        ]

    def __str__(self):
        return f"{self.get_team_display()}: {self.label}"


# Support cases: what a customer reports, and the conversation with the carrier's support team.


class Category(models.TextChoices):
    VOICE_QUALITY = "voice_quality", "Voice quality"
    CALLS_NOT_COMPLETING = "calls_not_completing", "Calls not completing"
    PORTING = "porting", "Porting"
    NUMBERS = "numbers", "Numbers"
    BILLING = "billing", "Billing"
    SMS = "sms", "SMS"
    PORTAL_API = "portal_api", "Portal/API"
    OTHER = "other", "Other"


class Priority(models.TextChoices):
    P1 = "p1", "P1 - Service down"
    P2 = "p2", "P2 - Degraded service"
    P3 = "p3", "P3 - Question or request"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on Customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    """A support case (ticket) of an enterprise: what is wrong, what it touches, and its clock.

    first_response_due is set when the case opens, from its priority's target (support.sla);
    raising the priority sets it again. The conversation is its CaseMessages, its history its
    CaseEvents.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="support_cases"
    )
    reference = models.CharField(max_length=12, unique=True, editable=False)  # "CS-104233"
    category = models.CharField(max_length=24, choices=Category)
    priority = models.CharField(max_length=2, choices=Priority)
    status = models.CharField(max_length=8, choices=Status, default=Status.NEW)
    subject = models.CharField(max_length=150)
    description = models.TextField()
    # What the case is about, picked from the enterprise's own.
    numbers = models.ManyToManyField(
        "phone_numbers.PhoneNumber", through="CaseNumber", related_name="support_cases", blank=True
    )
    trunk = models.ForeignKey(
        "trunks.Trunk", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    port_batch = models.ForeignKey(
        "porting.PortBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(max_length=120)
    contact_phone = models.CharField(max_length=20)
    contact_email = models.EmailField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)  # the last message or change
    first_response_due = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        limit_choices_to={"is_staff": True},
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CaseWatcher", related_name="watched_cases", blank=True
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_cases"
    )
    # A reply to a case closed too long ago opens a new case, which follows from the old one.
    follows = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="followed_by"
    )

    objects = tenant_manager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["enterprise", "-updated_at", "-id"], name="case_updated"),
            models.Index(fields=["enterprise", "status", "-updated_at"], name="case_status"),
            models.Index(fields=["enterprise", "opened_by", "-updated_at"], name="case_opener"),
            # The staff queue: open cases by when their first response is due.
            models.Index(
                fields=["first_response_due"],
                condition=models.Q(first_response_at__isnull=True),
                name="case_awaiting_response",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id", "enterprise"], name="case_id_enterprise"),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    # The tone of each status's badge (core.badges), on every page and table.
    STATUS_TONES = {
        Status.NEW: "warn",
        Status.OPEN: "",
        Status.WAITING: "warn",
        Status.RESOLVED: "ok",
        Status.CLOSED: "muted",
    }
    PRIORITY_TONES = {Priority.P1: "danger", Priority.P2: "warn", Priority.P3: ""}

    @property
    def status_badge(self):
        return badge(self.get_status_display(), self.STATUS_TONES[self.status])

    @property
    def contact_phone_display(self):
        return display_phone(self.contact_phone)

    @property
    def priority_badge(self):
        return badge(self.get_priority_display(), self.PRIORITY_TONES[self.priority])


class CaseNumber(models.Model):
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_numbers")
    number = models.ForeignKey(
        "phone_numbers.PhoneNumber", on_delete=models.CASCADE, related_name="case_links"
    )

    objects = tenant_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="case_number_once")]

    def __str__(self):
        return f"{self.case} - {self.number}"


class CaseWatcher(models.Model):
    """A member of the enterprise who gets the case's e-mails, besides its contact."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_watchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_watching"
    )

    objects = tenant_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_watcher_once")]

    def __str__(self):
        return f"{self.user} watches {self.case}"


class CallExample(models.Model):
    """A call that shows the problem: picked from the enterprise's call records, or typed."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="call_examples")
    calling_number = models.CharField(max_length=16)
    called_number = models.CharField(max_length=16)
    started_at = models.DateTimeField()
    sip_code = models.PositiveSmallIntegerField("SIP response", null=True, blank=True)
    call_id = models.CharField("Carrier call ID", max_length=64, blank=True)  # when picked

    objects = tenant_manager()

    class Meta:
        ordering = ["started_at"]

    def __str__(self):
        return f"{self.calling_number} to {self.called_number}"

    @property
    def calling_display(self):
        return display_phone(self.calling_number)

    @property
    def called_display(self):
        return display_phone(self.called_number)


class CaseMessage(models.Model):
    """One message of a case's conversation: the customer's or staff's, by page or e-mail.
    Staff's internal notes are never shown to the customer."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_label = models.CharField(max_length=120)  # as it was when written
    from_staff = models.BooleanField(default=False)
    internal = models.BooleanField("Internal note", default=False)
    body = models.TextField()
    by_email = models.BooleanField(default=False)
    email_message_id = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email_message_id"],
                condition=~models.Q(email_message_id=""),
                name="case_message_email_once",
            )
        ]

    def __str__(self):
        return f"{self.author_label} on {self.case}"


def attachment_path(attachment, filename):
    # The stored name says nothing of the customer's file name, which is kept apart.
    return f"case-attachments/{attachment.enterprise_id}/{attachment.case_id}/{uuid.uuid4().hex}"


class CaseAttachment(models.Model):
    """A file with a case (PCAP, log, screenshot, PDF), checked by its content and kept
    privately: only the enterprise's members who may see the case, and staff, download it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        CaseMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField("File name", max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = tenant_manager()

    def __str__(self):
        return self.name


class CaseEvent(models.Model):
    """A change of a case: its status, priority (with the reason), assignment, a merge."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=120)
    field = models.CharField(max_length=20)  # "status", "priority", "assigned_to", "merged"
    old = models.CharField(max_length=120, blank=True)
    new = models.CharField(max_length=120, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case}: {self.field} {self.old} -> {self.new}"

    # Statuses and priorities are stored as their values and shown by their current labels.
    LABELS = {"status": dict(Status.choices), "priority": dict(Priority.choices)}

    @property
    def old_label(self):
        return self.LABELS.get(self.field, {}).get(self.old, self.old)

    @property
    def new_label(self):
        return self.LABELS.get(self.field, {}).get(self.new, self.new)

    @property
    def title(self):
        """What happened, in words: "Opened", "Status: Open to Resolved", "Priority: ..."."""
        if self.field == "status" and not self.old:
            return "Opened"
        name = self.field.replace("_", " ").capitalize()
        if self.old:
            return f"{name}: {self.old_label} to {self.new_label}"
        return f"{name}: {self.new_label}"


class CannedReply(models.Model):
    """A reply staff use often, kept in the back office."""

    title = models.CharField(max_length=80, unique=True)
    body = models.TextField()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "canned replies"

    def __str__(self):
        return self.title

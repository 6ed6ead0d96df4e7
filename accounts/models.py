import secrets
import uuid
import zoneinfo
from datetime import timedelta
from functools import cache, cached_property
from importlib import resources

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core import permissions
from core.tenancy import tenant_manager


@cache
def _tzdata():
    """The current zone names (zone.tab: those of each country) and the older names' targets.

    Read from the tzdata package, which ships with the portal whatever the system has, at run
    time: a tzdata update needs no migration.
    """
    folder = resources.files("tzdata") / "zoneinfo"
    current = ["UTC"]
    for line in (folder / "zone.tab").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            current.append(line.split("\t")[2])
    # "L America/Denver US/Mountain": US/Mountain is an older name of America/Denver.
    targets = {}
    for line in (folder / "tzdata.zi").read_text(encoding="utf-8").splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            targets[name] = target
    return sorted(set(current), key=lambda name: (name != "UTC", name)), targets


def _time_zone_label(name):
    return name.replace("_", " ")


def _older_time_zone_label(name):
    target = _tzdata()[1].get(name)
    label = _time_zone_label(name)
    return f"{label} (now {_time_zone_label(target)})" if target else label


def offered_time_zones(current=""):
    """The zones a form offers: current names only, plus the one already chosen if it is older."""
    current_names, _ = _tzdata()
    choices = [(name, _time_zone_label(name)) for name in current_names]
    if current and current not in current_names:
        choices.append((current, _older_time_zone_label(current)))
    return choices


def time_zone_choices():
    """The zones a time zone field accepts: the current names, then the older ones.

    The older names (US/Mountain, Asia/Calcutta...) were offered once and may be stored: they
    stay valid, so that those rows still save, but forms offer them only to those who hold one
    (offered_time_zones()).
    """
    current_names, _ = _tzdata()
    older = sorted(
        name
        for name in zoneinfo.available_timezones() - set(current_names)
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    )
    return offered_time_zones() + [
        ("Older names", [(name, _older_time_zone_label(name)) for name in older])
    ]


class Application(models.Model):
    """A CPaaS application a carrier can contract to an enterprise (Engage, Insights...)."""

    name = models.CharField(max_length=80, unique=True)
    icon = models.CharField(
        max_length=4,
        help_text="One or two characters shown on the tile, for example an emoji or initials.",
    )
    description = models.CharField(max_length=200, blank=True)
    launch_url = models.URLField(help_text="Where the tile takes the user.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Enterprise(models.Model):
    """A customer account: every portal object belongs to one."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    account_number = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.ACTIVE)
    time_zone = models.CharField(
        max_length=64, choices=time_zone_choices, default="America/New_York"
    )
    applications = models.ManyToManyField(Application, blank=True, related_name="enterprises")
    adr_delivery_enabled = models.BooleanField(
        "Application Data Record File Delivery", default=False
    )
    adr_delivery_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adr_delivery_changed_at = models.DateTimeField(null=True, blank=True)
    require_mfa = models.BooleanField("Require MFA for all users", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.account_number})"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    def active_administrators(self):
        return self.users.filter(is_active=True, role__slug=Role.ADMINISTRATOR)


class Role(models.Model):
    """A pre-defined set of permissions; changing it changes every user who holds it."""

    ADMINISTRATOR = permissions.ADMINISTRATOR
    GENERAL_USER = permissions.GENERAL_USER
    BILLING = permissions.BILLING
    READ_ONLY = permissions.READ_ONLY

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(unique=True)
    description = models.CharField(max_length=200, blank=True)
    permissions = models.JSONField(
        default=list,
        blank=True,
        help_text="The codes of the permissions the role holds, e.g. accounts.manage_users.",
    )
    # The default grants already applied, so that a grant staff took away stays away.
    granted_defaults = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_administrator(self):
        return self.slug == self.ADMINISTRATOR

    @cached_property
    def permission_set(self):
        return frozenset(self.permissions)

    @cached_property
    def allowed(self):
        """The codes the role holds and those they include: what its users may do. Every menu
        entry and section of a page asks, so it is worked out once per role read."""
        return permissions.with_implied(self.permission_set)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# The access types a user holds, as (field, label): Portal lets them sign in to the portal UI;
# API and SMS open those services to them.
ACCESS_TYPES = [("portal_access", "Portal"), ("api_access", "API"), ("sms_access", "SMS")]


class AccessTypes(models.Model):
    """The access types of a user, or those an invitation will give."""

    portal_access = models.BooleanField("Portal", default=True)
    api_access = models.BooleanField("API", default=False)
    sms_access = models.BooleanField("SMS", default=False)

    class Meta:
        abstract = True

    @property
    def access_types(self):
        """The labels of the access types granted, e.g. ["Portal", "API"]."""
        return [label for field, label in ACCESS_TYPES if getattr(self, field)]

    @property
    def access_fields(self):
        """The field names of the access types granted, e.g. ["portal_access"]."""
        return [field for field, _label in ACCESS_TYPES if getattr(self, field)]


class User(AccessTypes, AbstractUser):
    """A person who signs in: a customer's user (one enterprise) or carrier staff (none)."""

    username = None
    first_name = None
    last_name = None
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    time_zone = models.CharField(max_length=64, choices=time_zone_choices, blank=True)
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    table_preferences = models.JSONField(default=dict, blank=True, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_staff=True, enterprise__isnull=True)
                | Q(is_staff=False, enterprise__isnull=False, role__isnull=False),
                name="user_is_staff_or_belongs_to_an_enterprise",
                violation_error_message=(
                    "Staff belong to no enterprise; other users need an enterprise and a role."
                ),
            ),
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]
        # One index per sortable column of User Management, for keyset pages (core.tables);
        # substring search on name and email has trigram indexes (migration 0002).
        indexes = [
            models.Index(fields=["enterprise", "name", "id"]),
            models.Index(fields=["enterprise", "email", "id"]),
            models.Index(fields=["enterprise", "last_login", "id"]),
        ]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email

    def portal_refusal(self):
        """Say why this user may not use the portal UI, or None when they may."""
        if not self.is_active:
            return "This account has been deactivated. Contact your company's administrator."
        if self.is_staff:
            return None
        if not self.enterprise.is_active:
            return (
                f"The {self.enterprise.name} account is {self.enterprise.get_status_display()}. "
                "Contact your account manager."
            )
        if not self.portal_access:
            return (
                "Your account does not have Portal access. "
                "Ask your company's administrator to grant it."
            )
        return None

    @property
    def zone(self):
        name = self.time_zone or (self.enterprise.time_zone if self.enterprise_id else "UTC")
        return zoneinfo.ZoneInfo(name)

    @property
    def mfa_required(self):
        """Staff, and users of an enterprise that requires it, must sign in with MFA."""
        return self.is_staff or (self.enterprise_id is not None and self.enterprise.require_mfa)

    @cached_property
    def has_mfa(self):
        from allauth.mfa.models import Authenticator

        return self.authenticator_set.filter(type=Authenticator.Type.TOTP).exists()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def usable(self):
        return self.pending().filter(expires_at__gt=timezone.now())


class Invitation(AccessTypes):
    """An Administrator's invitation for a new user to join the enterprise."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    name = models.CharField(max_length=120, blank=True)
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=128, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(models.Manager.from_queryset(InvitationQuerySet))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Per enterprise: another enterprise's invitation for the same address must not
            # tell a customer that the address is known (accounts.services.invite_user).
            models.UniqueConstraint(
                F("enterprise"),
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_pending_invitation_per_enterprise_and_email",
                violation_error_message="This address already has a pending invitation.",
            )
        ]

    def __str__(self):
        return self.email

    @staticmethod
    def hash_token(token):
        return salted_hmac("accounts.Invitation", token, algorithm="sha256").hexdigest()

    def issue_token(self):
        """Set a fresh secret token and expiry; return the token (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        self.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
        return token

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def days_unaccepted(self):
        """Whole days since the address was invited, for an invitation nobody accepted."""
        return (timezone.now() - self.created_at).days

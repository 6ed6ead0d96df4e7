"""Demo data of accounts: two enterprises, a user of each role, carrier staff, applications."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from .models import Application, Enterprise, Role, User

APPLICATIONS = [
    # name, icon, description, launch URL
    (
        "Engage",
        "EN",
        "Two-way SMS and voice conversations with your customers.",
        "https://apps.example.com/engage",
    ),
    (
        "Insights",
        "IN",
        "Traffic analytics for your calls and messages.",
        "https://apps.example.com/insights",
    ),
    (
        "SmartFlows",
        "SF",
        "Build call and message flows without code.",
        "https://apps.example.com/smartflows",
    ),
    (
        "List Management",
        "LM",
        "Keep contact and opt-out lists in one place.",
        "https://apps.example.com/list-management",
    ),
]


@dataclass(frozen=True)
class DemoEnterprise:
    name: str
    account_number: str
    time_zone: str
    applications: tuple[str, ...]


DEMO = DemoEnterprise(
    "Demo Communications Inc.",
    "DEMO-0001",
    "America/Denver",
    ("Engage", "Insights", "SmartFlows", "List Management"),
)
OTHER = DemoEnterprise("Northwind Voice LLC", "DEMO-0002", "America/Chicago", ("Insights",))


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str | None  # a Role slug; None for staff
    phone: str = ""
    api_access: bool = False
    sms_access: bool = False


DEMO_USERS = [
    DemoUser(
        "admin@demo.example",
        "Dana Admin",
        Role.ADMINISTRATOR,
        "+13035550142",
        api_access=True,
        sms_access=True,
    ),
    DemoUser("user@demo.example", "Gary General", Role.GENERAL_USER, "+17205550123"),
    DemoUser("billing@demo.example", "Bea Billing", Role.BILLING),
    DemoUser("readonly@demo.example", "Rory Reader", Role.READ_ONLY),
]
OTHER_USERS = [DemoUser("admin@northwind.example", "Nora Northwind", Role.ADMINISTRATOR)]
STAFF_USER = DemoUser("staff@carrier.example", "Sam Staff", None)


def load(run):
    applications = load_applications()
    demo = load_enterprise(DEMO, applications)
    other = load_enterprise(OTHER, applications)
    users = [
        *load_users(demo, DEMO_USERS, run.password),
        *load_users(other, OTHER_USERS, run.password),
        *load_users(None, [STAFF_USER], run.password),
    ]
    sign_in_url = settings.SITE_URL + reverse("account_login")
    run.say(f"\nDemo logins for {sign_in_url} (password: {run.password.raw})")
    for user in users:
        if user.is_staff:
            who = "Staff, back office at /admin/ (sets up MFA at the first sign-in)"
        else:
            who = f"{user.role}, {user.enterprise.name}"
        run.say(f"  {user.email:<26} {who}")
    run.say("")


def demo_enterprise():
    """The demo enterprise, for other apps' demo data."""
    return Enterprise.objects.get(account_number=DEMO.account_number)


def load_applications():
    """The applications staff can contract to enterprises, by name."""
    applications = {}
    for name, icon, description, launch_url in APPLICATIONS:
        applications[name], _ = Application.objects.get_or_create(
            name=name,
            defaults={"icon": icon, "description": description, "launch_url": launch_url},
        )
    return applications


def load_enterprise(spec, applications):
    enterprise, created = Enterprise.objects.get_or_create(
        account_number=spec.account_number,
        defaults={"name": spec.name, "time_zone": spec.time_zone},
    )
    if created:
        enterprise.applications.set([applications[name] for name in spec.applications])
    return enterprise


def load_users(enterprise, specs, password):
    """Create the users that are missing; every one gets a verified address and the password."""
    users = []
    for spec in specs:
        user = User.objects.filter(email__iexact=spec.email).first()
        if user is None:
            user = User.objects.create(
                email=spec.email,
                name=spec.name,
                phone=spec.phone,
                enterprise=enterprise,
                role=Role.objects.get(slug=spec.role) if spec.role else None,
                api_access=spec.api_access,
                sms_access=spec.sms_access,
                is_staff=enterprise is None,
                is_superuser=enterprise is None,
                password=password.hash,
            )
        elif not password.matches(user.password):
            user.password = password.hash
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"primary": True, "verified": True}
        )
        users.append(user)
    return users

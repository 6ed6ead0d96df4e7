"""Load demo data for trying the portal: two enterprises, a user of each role, staff, help pages.

Running it again changes nothing: each row is looked up first and created only when missing, so
what staff or users changed since is kept. Only the demo users' passwords are put back to the
demo password, so that the logins printed at the end always work. Later features add their demo
data as one more small function called from Command.handle().
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from accounts.models import Application, Enterprise, Role, User
from support.models import Contact, Faq

DEFAULT_PASSWORD = "demo-portal-2026!"  # noqa: S105 (documented in the README)

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

FAQS = {
    "Getting Started": [
        (
            "How do I sign in to the portal?",
            "Open the sign-in page and enter the email address your company's administrator "
            "invited, and your password. If your company requires multi-factor authentication, "
            "you also enter the code from your authenticator app.\n\n"
            "Use any current browser. Microsoft Internet Explorer is not supported.",
        ),
        (
            "What decides what I can see and do?",
            "Your role and your access types. A role is a pre-defined set of permissions, for "
            "example Administrator, General User, Billing or Read Only. If the permissions of a "
            "role are changed, all users assigned to that role are affected.\n\n"
            "Access types are Portal, API and SMS. Your company's administrator assigns your "
            "role and access types: contact them to change either.",
        ),
        (
            "How do I change my name, phone number, time zone or password?",
            "In the top right corner, click My Account. There you can edit your details, change "
            "your password and set up two-factor authentication.",
        ),
        (
            "How do I turn on Application Data Record File Delivery?",
            "Administrators click My Account > Enterprise Settings in the top right corner and "
            "turn the Application Data Record File Delivery toggle to Enabled.\n\n"
            "When enabled, ADR record files are generated daily as .csv files. The files are "
            "available for download for the last 45 days via your secure FTP site.",
        ),
    ],
    "Ordering": [
        (
            "How do I order a trunk?",
            "In the left-side menu, click the bundle, usage or outbound only tile and click "
            "Create New Package. On the Trunk Order form, enter the Package Name, Trunk Name, "
            "Trunk Testing Contact, and the Switch Physical Location and Switch Information, then "
            "click Submit Order.\n\n"
            "Bundle customers can have one primary trunk and an optional redundant trunk per "
            "package.",
        ),
        (
            "How do I order new phone numbers?",
            "Once your trunk order is completed, go to your dashboard and click +Add under Local "
            "Numbers, International Numbers or Toll-Free Numbers. Choose Get New Number as the "
            "Order Type, enter the Country, the Service/Billing Address and the Quantity, and "
            "click Submit Order.\n\n"
            "You receive an email when the order is placed: keep it as your reference should you "
            "need assistance.",
        ),
        (
            "Where can I see the status of my orders?",
            "Click View Orders in the left-side menu and pick the tab for the kind of order. We "
            "also email you when the status changes. Once an order is completed, the new numbers "
            "appear on your dashboard.",
        ),
    ],
    "Porting": [
        (
            "How do I port numbers from my current carrier?",
            "On your dashboard, select the package for the numbers and click +Add for US "
            "Domestic, Toll-Free or International numbers. Choose Move/Port Current Numbers as "
            "the Order Type, enter the service/billing address exactly as your current carrier "
            "has it, your current carrier and your Billing Telephone Number (BTN), then list the "
            "numbers to port.\n\n"
            "Numbers and BTNs must be in E.164 format, for example +13075551212.",
        ),
        (
            "Why do I have to upload a Letter of Agency (LOA)?",
            "The LOA authorizes us to move your numbers. After placing the port order, produce "
            "the LOA from the View Orders page, sign it and upload it together with a recent "
            "invoice from your current carrier. Without the LOA and invoice, order batches are "
            "not submitted to your existing carrier.",
        ),
        (
            "How long does a port take?",
            "Most port orders without errors are completed within 15 business days. Standing "
            "porting hours are Monday through Friday, 9:00 AM to 5:30 PM ET.\n\n"
            "The losing carrier may reject an order with incorrect account information (address, "
            "customer name, BTN), or, for cellphone numbers, without the account number and PIN. "
            "A rejected order starts over, so check these details before you submit.",
        ),
        (
            "What is the difference between a partial and a full port?",
            "A partial port moves only some services; a full port moves all services to us. "
            "Partial Port is selected by default: clear it only if you are leaving no other "
            "services with your existing carrier.",
        ),
    ],
    "Billing": [
        (
            "Where do I find my invoices and usage?",
            "Users whose role includes billing, such as the Billing role, view billing and usage "
            "reports and process payments in the portal. Ask your company's administrator if "
            "you need that access.",
        ),
        (
            "Who do I contact about a question on my invoice?",
            "Click Help & Support in the left-side menu, then Contact Us, for our billing team's "
            "phone number and email address. Have your account number at hand.",
        ),
    ],
}

CONTACTS = [
    # team, label, phone, email, hours
    (
        Contact.Team.SUPPORT,
        "Network Operations Center",
        "+1 877-555-0100",
        "support@carrier.example",
        "24 hours a day, 7 days a week",
    ),
    (
        Contact.Team.SUPPORT,
        "Porting desk",
        "+1 877-555-0110",
        "porting@carrier.example",
        "Monday to Friday, 9:00 AM to 5:30 PM ET",
    ),
    (
        Contact.Team.SALES,
        "Account management",
        "+1 877-555-0120",
        "sales@carrier.example",
        "Monday to Friday, 8:00 AM to 6:00 PM MT",
    ),
    (
        Contact.Team.BILLING,
        "Billing and payments",
        "+1 877-555-0130",
        "billing@carrier.example",
        "Monday to Friday, 8:00 AM to 5:00 PM MT",
    ),
]


class Command(BaseCommand):
    help = "Create the demo enterprise, users, FAQs and contacts; running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every demo user (default: {DEFAULT_PASSWORD}).",
        )

    def handle(self, *args, password, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "demo_data creates users with a known password; it does not run when "
                "PORTAL_ENV=production."
            )
        demo_password = DemoPassword(password)
        with transaction.atomic():
            applications = load_applications()
            demo = load_enterprise(DEMO, applications)
            other = load_enterprise(OTHER, applications)
            users = [
                *load_users(demo, DEMO_USERS, demo_password),
                *load_users(other, OTHER_USERS, demo_password),
                *load_users(None, [STAFF_USER], demo_password),
            ]
            load_faqs()
            load_contacts()
        self.print_logins(users, password)

    def print_logins(self, users, password):
        sign_in_url = settings.SITE_URL + reverse("account_login")
        self.stdout.write(f"\nDemo logins for {sign_in_url} (password: {password})\n")
        for user in users:
            if user.is_staff:
                who = "Staff, back office at /admin/"
            else:
                who = f"{user.role}, {user.enterprise.name}"
            self.stdout.write(f"  {user.email:<26} {who}")
        self.stdout.write("")


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


class DemoPassword:
    """The demo password, hashed and checked as few times as possible: both are slow on purpose."""

    def __init__(self, raw):
        self.raw = raw
        self._hash = None
        self._checked = {}

    @property
    def hash(self):
        if self._hash is None:
            self._hash = make_password(self.raw)
        return self._hash

    def matches(self, encoded):
        if encoded not in self._checked:
            self._checked[encoded] = check_password(self.raw, encoded)
        return self._checked[encoded]


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


def load_faqs():
    for topic, entries in FAQS.items():
        for position, (question, answer) in enumerate(entries, start=1):
            Faq.objects.get_or_create(
                question=question,
                defaults={"topic": topic, "answer": answer, "position": position},
            )


def load_contacts():
    for team, label, phone, email, hours in CONTACTS:
        Contact.objects.get_or_create(
            team=team, label=label, defaults={"phone": phone, "email": email, "hours": hours}
        )

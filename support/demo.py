"""Demo data of Help & Support: Contact Us entries (the FAQs come from each app's faqs.py)."""

from .models import Contact

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


def load(run):
    for team, label, phone, email, hours in CONTACTS:
        Contact.objects.get_or_create(
            team=team, label=label, defaults={"phone": phone, "email": email, "hours": hours}
        )

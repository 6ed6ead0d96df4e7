"""Demo data of Help & Support: FAQs and Contact Us entries."""

from .models import Contact, Faq

FAQS = {
    "Getting Started": [
        (
            "How do I sign in to the portal?",
            "Open the sign-in page and enter the email address your company's administrator "
            "invited, and your password. If your company requires multi-factor authentication "
            "(MFA), you also enter the code from your authenticator app.\n\n"
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
            "your password and set up multi-factor authentication (MFA).",
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


def load(run):
    load_faqs()
    load_contacts()


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

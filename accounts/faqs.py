"""The FAQs about signing in, roles, My Account and Enterprise Settings."""

from core.help import Faq

TOPIC = "Getting Started"

FAQS = [
    Faq(
        TOPIC,
        "How do I sign in to the portal?",
        "Open the sign-in page and enter the email address your company's administrator "
        "invited, and your password. If your company requires multi-factor authentication "
        "(MFA), you also enter the code from your authenticator app.\n\n"
        "Use any current browser. Microsoft Internet Explorer is not supported.",
        position=1,
    ),
    Faq(
        TOPIC,
        "What decides what I can see and do?",
        "Your role and your access types. A role is a pre-defined set of permissions, for "
        "example Administrator, General User, Billing or Read Only. If the permissions of a "
        "role are changed, all users assigned to that role are affected. Administrators and "
        "Read Only users see what each role allows under User Management > Roles.\n\n"
        "Access types are Portal, API and SMS. Your company's administrator assigns your "
        "role and access types: contact them to change either.",
        position=2,
    ),
    Faq(
        TOPIC,
        "How do I change my name, phone number, time zone or password?",
        "In the top right corner, click My Account. There you can edit your details, change "
        "your password and set up multi-factor authentication (MFA).",
        position=3,
    ),
    Faq(
        TOPIC,
        "How do I turn on Application Data Record File Delivery?",
        "Administrators click My Account > Enterprise Settings in the top right corner and "
        "turn the Application Data Record File Delivery toggle to Enabled.\n\n"
        "When enabled, ADR record files are generated daily as .csv files. The files are "
        "available for download for the last 45 days via your secure FTP site.",
        position=4,
    ),
]

"""The FAQs about reaching the carrier and its support cases."""

from core.help import Faq

FAQS = [
    Faq(
        "Billing",
        "Who do I contact about a question on my invoice?",
        "Click Help & Support in the left-side menu, then Contact Us, for our billing team's "
        "phone number and email address. Have your account number at hand.",
        position=1,
    ),
    Faq(
        "Getting Started",
        "How do I report a problem to your support team?",
        "Click Help & Support in the left-side menu, then Support Cases and Open a Case. Choose "
        "the priority that fits: P1 when your service is down (we answer within 1 hour, around "
        "the clock), P2 when it is degraded (4 hours), P3 for a question or request (1 business "
        "day). Name the numbers, trunk or order it concerns, pick a few failing calls from your "
        "call records, and attach packet captures, logs or screenshots.\n\n"
        "On the page of a number, a trunk or an order, Report a problem opens the same form "
        "with it filled in. We e-mail you each reply; answer the e-mail or reply on the case's "
        "page.",
        position=20,
    ),
]

"""The FAQs about reaching the carrier."""

from core.help import Faq

FAQS = [
    Faq(
        "Billing",
        "Who do I contact about a question on my invoice?",
        "Click Help & Support in the left-side menu, then Contact Us, for our billing team's "
        "phone number and email address. Have your account number at hand.",
        position=1,
    ),
]

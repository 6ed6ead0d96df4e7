"""The FAQs about following orders."""

from core.help import Faq

FAQS = [
    Faq(
        "Ordering",
        "Where can I see the status of my orders?",
        "Click View Orders in the left-side menu and pick the tab for the kind of order. We "
        "also email you when the status changes. Once a trunk order is completed, the trunk "
        "appears on its package's page and under Inventory.",
        position=10,
    ),
]

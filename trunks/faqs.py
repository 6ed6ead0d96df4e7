"""The FAQs about ordering trunks."""

from core.help import Faq

FAQS = [
    Faq(
        "Ordering",
        "How do I order a trunk?",
        "In the left-side menu, click the bundle, usage or outbound only tile and click "
        "Create New Package. On the Trunk Order form, enter the Package Name, Trunk Name, "
        "Trunk Testing Contact, and the Switch Physical Location and Switch Information, then "
        "click Submit Order.\n\n"
        "Bundle customers can have one primary trunk and an optional redundant trunk per "
        "package.",
        position=1,
    ),
]

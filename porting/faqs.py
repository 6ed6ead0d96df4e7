"""The FAQs about porting numbers in."""

from core.help import Faq

FAQS = [
    Faq(
        "Porting",
        "How do I port my numbers from another carrier?",
        "On your dashboard, click +Add under Local, Toll-Free or International Numbers and "
        "choose the Order Type Move/Port Current Numbers. Enter the service address and the "
        "account exactly as your current carrier has them, click the Port Numbers field to "
        "paste your numbers or drop a .txt or .csv file, choose the requested port date, and "
        "click Submit Order. You can Save Draft at any time and resume it from View Orders.",
        position=10,
    ),
    Faq(
        "Porting",
        "Why are some of my numbers listed under Errors?",
        "Each number is checked before the order is placed: it must be in E.164 format (for "
        "example +13075551212), a valid number of the kind you are porting, listed once, not "
        "already yours or in another port order, and portable by our vendors. Click Review "
        "Numbers to see each number's reasons, download them as a .txt file, or remove the "
        "numbers with errors: all other numbers remain.",
        position=20,
    ),
    Faq(
        "Porting",
        "When can my numbers be ported?",
        "Standing porting hours are Monday through Friday, 9:00 AM to 5:30 PM Eastern, except "
        "US federal holidays. The Requested Port Date/Time lists only the times your current "
        "carrier can be asked for, up to 30 days ahead. Port orders without errors are usually "
        "completed within 15 business days.",
        position=30,
    ),
    Faq(
        "Porting",
        "What are the most common reasons a port is rejected?",
        "Account information that does not match the current carrier's records (address, "
        "customer name, BTN, account number), a partial port that moves the BTN without naming "
        "a new BTN for the services that stay, and wireless numbers without the account number "
        "and PIN. When your current carrier's record can be read, the form shows where your "
        "entries differ from it before you submit.",
        position=40,
    ),
]

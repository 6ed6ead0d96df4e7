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
    Faq(
        "Porting",
        "How do I upload the LOA and the invoice?",
        "After placing your port order, open View Orders > Port Orders and click GO next to "
        "Upload documents. In the pop-up, click Produce the LOA: it is filled in from your "
        "order, with the numbers to port attached. Print, sign and upload it, or sign it right "
        "there with your name and title if you are the person authorized on the account. Upload "
        "a recent invoice of your current carrier from the same pop-up (PDF, PNG or JPEG). "
        "Without the signed LOA and the invoice, your batches are not submitted to your current "
        "carrier.",
        position=50,
    ),
    Faq(
        "Porting",
        "My port order was rejected: what now?",
        "Open the order from View Orders: it lists your current carrier's reasons. Click "
        "Correct and resubmit, fix the fields the carrier named (each shows its reason) and "
        "resubmit: the rejected batches go back to the carrier as a supplement. If the carrier "
        "could not read the LOA, upload a new signed one first.",
        position=60,
    ),
    Faq(
        "Porting",
        "What is the FOC date, and can I still cancel?",
        "The FOC (Firm Order Commitment) date is the day your current carrier commits to "
        "release the numbers; each batch shows its own on the order's page, and we e-mail you "
        "3 days and 1 day before it. On that date the numbers go into service in the package "
        "you chose, with the Caller ID and E911 address you asked for. You can cancel the order "
        "until 48 hours before a batch's FOC date.",
        position=70,
    ),
]

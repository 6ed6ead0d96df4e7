"""The FAQs about traffic analytics and usage records."""

from core.help import Faq

# After the support app's Billing questions, which come first.

FAQS = [
    Faq(
        "Billing",
        "What do ASR, ACD, NER and PDD mean?",
        "ASR (answer-seizure ratio) is the share of your calls that were answered. ACD (average "
        "call duration) is how long the answered calls lasted on average, in minutes and "
        "seconds. NER (network effectiveness ratio) is the share of calls the network delivered "
        "to the called party: answered, busy or not answered; a low NER points to failures in "
        "the network rather than to the people called. PDD (post-dial delay) is the average "
        "time from the start of a call to its first ring.",
        position=10,
    ),
    Faq(
        "Billing",
        "Which time zone are the days of Traffic Analytics in?",
        "Yours: the time zone of My Account (or your enterprise's, if you have not chosen one). "
        "A day runs from midnight to midnight there, and the From and To dates are both "
        "included. A range of up to two days is shown hour by hour; a range can be at most 92 "
        "days.",
        position=11,
    ),
    Faq(
        "Billing",
        "How do I download my call records?",
        "Click Traffic Analytics in the left-side menu, choose the dates and filters, then "
        "Download records (CSV): every call of the filter, one line each, with the columns "
        "described in the usage record specification (times in UTC). Each table of the page "
        "also has its own Download CSV. Administrators, Billing and Read Only users can "
        "download records.",
        position=12,
    ),
    Faq(
        "Billing",
        "How do I sign in to the secure FTP site of my ADR files?",
        "In the top right corner, click My Account > Enterprise Settings. The Secure FTP site "
        "card shows the host, port, username and directory, and how to connect, e.g. with "
        "sftp or with FileZilla or WinSCP. An Administrator adds a public key (the line in "
        "your .pub file, never the private key) or sets a password there. A password is shown "
        "once, when it is set: copy it then. Setting a new password replaces the old one, and "
        "a key or password can be revoked at any time.\n\n"
        "The ADR files of the last 45 days are also listed, with their SHA-256 checksums, on "
        "the ADR files page, linked from the same card, where you can download them. "
        "Administrators, Billing and Read Only users can see and download them.",
        position=13,
    ),
    Faq(
        "Billing",
        "Where do I find my invoices and my monthly call records?",
        "Click Billing in the left-side menu (Administrators and Billing users). Each month has "
        "its invoice (PDF), its call records and message records (CSV: one line per call or "
        "message, the calls with their billed seconds and charge) and a summary by package and "
        "destination. Click an invoice's number to see its lines, payments, credits and "
        "disputes. Months are months in your enterprise's time zone.",
        position=20,
    ),
    Faq(
        "Billing",
        "How do I dispute a charge on my invoice?",
        "Open the invoice from the Billing page and click Dispute beside the line, then say why "
        "it is wrong. An unpaid invoice's lines can be disputed for 60 days after it is issued. "
        "We e-mail you our answer, which is also shown on the invoice; if we agree, a credit "
        "is taken off the invoice.",
        position=21,
    ),
    Faq(
        "Billing",
        "Can I be warned when our spending is unusually high?",
        "Yes. An Administrator sets spend alerts on the Billing page: a monthly amount, and an "
        "amount of international calls in one hour, which catches toll fraud early. When one "
        "is reached, the Administrators and your billing e-mail address receive an e-mail at "
        "once.",
        position=22,
    ),
]

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
]

"""The permissions of the billing app: traffic analytics, the usage records behind it, the
daily ADR files on the secure FTP site, and invoices and their payment."""

from core.permissions import ADMINISTRATOR, BILLING, GENERAL_USER, READ_ONLY, declare

VIEW_ANALYTICS = declare(
    "billing.view_analytics",
    "See traffic analytics",
    roles=[ADMINISTRATOR, GENERAL_USER, BILLING, READ_ONLY],
)
DOWNLOAD_USAGE = declare(
    "billing.download_usage",
    "Download usage records",
    roles=[ADMINISTRATOR, BILLING, READ_ONLY],
    implies=[VIEW_ANALYTICS],
)
VIEW_ADR_FILES = declare(
    "billing.view_adr_files",
    "See and download the daily ADR files",
    roles=[ADMINISTRATOR, BILLING, READ_ONLY],
)
MANAGE_ADR_DELIVERY = declare(
    "billing.manage_adr_delivery",
    "Manage the secure FTP site's credentials",
    roles=[ADMINISTRATOR],
    implies=[VIEW_ADR_FILES],
)
VIEW_BILLING = declare(
    "billing.view_billing",
    "See invoices, billing reports, payments and the balance",
    roles=[ADMINISTRATOR, BILLING],
)
PAY_INVOICES = declare(
    "billing.pay_invoices",
    "Pay invoices, keep payment methods and AutoPay, and dispute invoice lines",
    roles=[ADMINISTRATOR, BILLING],
    implies=[VIEW_BILLING],
)
MANAGE_SPEND_ALERTS = declare(
    "billing.manage_spend_alerts",
    "Set the spend alert thresholds",
    roles=[ADMINISTRATOR],
    implies=[VIEW_BILLING],
)

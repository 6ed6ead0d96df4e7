"""The permissions of the billing app: traffic analytics and the usage records behind it."""

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

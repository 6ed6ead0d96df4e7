"""The audit actions of billing: the credentials of the secure FTP site of the ADR files, and
what members do about paying: payments, saved methods, AutoPay, spend alerts, disputes."""

from audit.actions import declare

SFTP_KEY_ADDED = declare("billing.sftp_key.added", "Secure FTP public key added")
SFTP_PASSWORD_SET = declare("billing.sftp_password.set", "Secure FTP password set")
SFTP_CREDENTIAL_REVOKED = declare(
    "billing.sftp_credential.revoked", "Secure FTP credential revoked"
)
PAYMENT_MADE = declare("billing.payment.made", "Invoice payment made")
PAYMENT_METHOD_ADDED = declare("billing.payment_method.added", "Payment method saved")
PAYMENT_METHOD_REMOVED = declare("billing.payment_method.removed", "Payment method removed")
AUTOPAY_CHANGED = declare("billing.autopay.changed", "AutoPay changed")
SPEND_ALERTS_CHANGED = declare("billing.spend_alerts.changed", "Spend alert thresholds changed")
DISPUTE_OPENED = declare("billing.dispute.opened", "Invoice line disputed")

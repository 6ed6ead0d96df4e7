"""The audit actions of billing: the credentials of the secure FTP site of the ADR files."""

from audit.actions import declare

SFTP_KEY_ADDED = declare("billing.sftp_key.added", "Secure FTP public key added")
SFTP_PASSWORD_SET = declare("billing.sftp_password.set", "Secure FTP password set")
SFTP_CREDENTIAL_REVOKED = declare(
    "billing.sftp_credential.revoked", "Secure FTP credential revoked"
)

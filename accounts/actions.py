"""The audit actions of accounts: sign-in, security, users and Enterprise Settings."""

from audit.actions import declare

SIGN_IN = declare("accounts.user.signed_in", "Signed in")
SIGN_IN_FAILED = declare("accounts.user.sign_in_failed", "Sign-in failed")
SIGN_OUT = declare("accounts.user.signed_out", "Signed out")
MFA_ENABLED = declare("accounts.mfa.enabled", "MFA enabled")
MFA_DISABLED = declare("accounts.mfa.disabled", "MFA disabled")
MFA_RECOVERY_CODES_RESET = declare(
    "accounts.mfa.recovery_codes_reset", "MFA recovery codes regenerated"
)
PASSWORD_CHANGED = declare("accounts.password.changed", "Password changed")
PASSWORD_RESET = declare("accounts.password.reset", "Password reset")
EMAIL_CHANGED = declare("accounts.email.changed", "Email changed")
PROFILE_CHANGED = declare("accounts.profile.changed", "Profile changed")
USER_INVITED = declare("accounts.user.invited", "User invited")
INVITATION_RESENT = declare("accounts.invitation.resent", "Invitation resent")
INVITATION_REVOKED = declare("accounts.invitation.revoked", "Invitation revoked")
INVITATION_ACCEPTED = declare("accounts.invitation.accepted", "Invitation accepted")
ROLE_CHANGED = declare("accounts.user.role_changed", "Role changed")
ACCESS_CHANGED = declare("accounts.user.access_changed", "Access types changed")
USER_DEACTIVATED = declare("accounts.user.deactivated", "User deactivated")
USER_REACTIVATED = declare("accounts.user.reactivated", "User reactivated")
SETTINGS_CHANGED = declare("accounts.settings.changed", "Enterprise Settings changed")
ACCOUNT_CHANGED = declare("accounts.enterprise.changed", "Customer account changed")
ROLE_PERMISSIONS_CHANGED = declare("accounts.role.permissions_changed", "Role permissions changed")
MFA_RESET = declare("accounts.mfa.reset_by_administrator", "MFA reset")
PASSWORD_RESET_SENT = declare("accounts.password.reset_sent", "Password reset e-mail sent")
# Recorded without an enterprise, so that only staff see it (accounts.services.invite_user).
INVITATION_HELD_ELSEWHERE = declare(
    "accounts.invitation.held_elsewhere", "Invitation not sent: address used elsewhere"
)
SIGN_IN_THROTTLED = declare("accounts.user.sign_in_throttled", "Sign-in refused: too many attempts")
MFA_CODE_THROTTLED = declare(
    "accounts.mfa.code_throttled", "Authenticator code refused: too many attempts"
)

"""Actions the audit log's own tests record, declared as any app declares its actions.

The audit log sits below the apps that record in it, so its tests bring their own actions rather
than borrow another app's.
"""

from audit.actions import declare

SIGN_IN = declare("audit.test.signed_in", "Signed in")
SIGN_IN_FAILED = declare("audit.test.sign_in_failed", "Sign-in failed")
USER_INVITED = declare("audit.test.invited", "User invited")
ROLE_CHANGED = declare("audit.test.role_changed", "Role changed")
MFA_RESET = declare("audit.test.mfa_reset", "MFA reset")
SETTINGS_CHANGED = declare("audit.test.settings_changed", "Enterprise Settings changed")

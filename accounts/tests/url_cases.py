from accounts.models import Invitation, Role
from tests.factories import role
from tests.url_cases import ADMIN_ONLY, Case

# Pages Read Only may look at (without the buttons that change anything); General User may not.
SEE_ONLY = {"general": 403}


def objects(enterprise, admin_user, general_user):
    invitation = Invitation(
        enterprise=enterprise,
        email="new@acme.test",
        role=role(Role.GENERAL_USER),
        invited_by=admin_user,
    )
    token = invitation.issue_token()
    invitation.save()
    return {
        "user": {"public_id": general_user.public_id},
        "invitation": {"public_id": invitation.public_id},
        "token": {"token": token},
    }


CASES = {
    "dashboard": Case(),
    "accounts:my_account": Case(),
    "accounts:enterprise_settings": Case(allowed=SEE_ONLY),
    "accounts:users": Case(allowed=SEE_ONLY),
    "accounts:roles": Case(allowed=SEE_ONLY),
    "accounts:invite_user": Case(allowed=ADMIN_ONLY),
    "accounts:user_edit": Case(kwargs="user", allowed=ADMIN_ONLY),
    "accounts:deactivate_user": Case(kwargs="user", allowed=ADMIN_ONLY),
    "accounts:reactivate_user": Case(kwargs="user", allowed=ADMIN_ONLY),
    "accounts:reset_mfa": Case(kwargs="user", allowed=ADMIN_ONLY),
    "accounts:send_password_reset": Case(kwargs="user", allowed=ADMIN_ONLY),
    "accounts:resend_invitation": Case(
        method="post", kwargs="invitation", allowed=ADMIN_ONLY, default=302
    ),
    "accounts:revoke_invitation": Case(kwargs="invitation", allowed=ADMIN_ONLY),
    # Anyone signed in is told to sign out first; anonymous visitors get the form.
    "accounts:accept_invitation": Case(kwargs="token", names_object=False),
}

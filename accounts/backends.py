from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission


class PortalBackend(AuthenticationBackend):
    """Email sign-in whose permissions come from the user's role.

    A session stays valid only while the user may still use the portal: deactivating a user,
    removing their Portal access or suspending their enterprise ends their sessions at once.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("enterprise", "role").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user) or user.portal_refusal():
            return None
        return user

    def _get_role_permissions(self, user_obj):
        return Permission.objects.filter(roles__users=user_obj)

    def get_role_permissions(self, user_obj, obj=None):
        return self._get_permissions(user_obj, obj, "role")

    def get_all_permissions(self, user_obj, obj=None):
        return {
            *super().get_all_permissions(user_obj, obj),
            *self.get_role_permissions(user_obj, obj),
        }

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model


class PortalBackend(AuthenticationBackend):
    """Email sign-in; a customer's permissions are those their role holds, and what those include.

    The role comes with the user in one query, so the permission checks of a request cost no
    more. Staff keep Django's own permissions for the back office. A session stays valid only
    while the user may still use the portal: deactivating a user, removing their Portal access
    or suspending their enterprise ends their sessions at once.
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

    def _role_permissions(self, user_obj):
        if not user_obj.is_active or user_obj.role_id is None:
            return frozenset()
        return user_obj.role.allowed

    def get_all_permissions(self, user_obj, obj=None):
        if user_obj.is_staff:
            return super().get_all_permissions(user_obj, obj)
        return set(self._role_permissions(user_obj))

    def has_perm(self, user_obj, perm, obj=None):
        if user_obj.is_staff:
            return super().has_perm(user_obj, perm, obj)
        return perm in self._role_permissions(user_obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_staff:
            return super().has_module_perms(user_obj, app_label)
        prefix = f"{app_label}."
        return any(code.startswith(prefix) for code in self._role_permissions(user_obj))

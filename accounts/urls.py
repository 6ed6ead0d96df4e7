from .views import enterprise, profile, roles, users

app_name = "accounts"

urlpatterns = [
    *roles.urlpatterns,
    *users.urlpatterns,
    *profile.urlpatterns,
    *enterprise.urlpatterns,
]

from .views import audit, enterprise, profile, users

app_name = "accounts"

urlpatterns = [
    *users.urlpatterns,
    *profile.urlpatterns,
    *enterprise.urlpatterns,
    *audit.urlpatterns,
]

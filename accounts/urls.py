from .views import enterprise, profile, users

app_name = "accounts"

urlpatterns = [
    *users.urlpatterns,
    *profile.urlpatterns,
    *enterprise.urlpatterns,
]

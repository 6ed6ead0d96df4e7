"""The portal's URLs: each app's own, wired together here."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.views.dashboard import dashboard
from core.views import urlpatterns as core_urlpatterns

admin.site.site_header = "Carrier Portal back office"
admin.site.site_title = "Carrier Portal back office"
admin.site.index_title = "Back office"
# Staff sign in through the same page as customers, so MFA and rate limits apply to them too.
admin.site.login = secure_admin_login(admin.site.login)

handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
# Not Django's: allauth answers requests refused by its rate limits with this view.
handler429 = "accounts.throttling.too_many_requests"

urlpatterns = [
    path("", dashboard, name="dashboard"),
    *core_urlpatterns,
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("audit.urls")),
    path("help/", include("support.urls")),
    path("", include("orders.urls")),
    path("", include("trunks.urls")),
    path("", include("phone_numbers.urls")),
    path("", include("porting.urls")),
    path("", include("billing.urls")),
    path("admin/jobs/", include("django_rq.urls")),
    path("admin/", admin.site.urls),
]

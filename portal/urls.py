from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Carrier Portal back office"
admin.site.site_title = "Carrier Portal back office"
admin.site.index_title = "Back office"
# Staff sign in through the same page as customers, so MFA and rate limits apply to them too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("jobs/<uuid:public_id>/", views.job_status, name="job_status"),
    path("tables/<slug:table_name>/columns/", views.save_table_columns, name="table_columns"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("help/", include("support.urls")),
    path("admin/jobs/", include("django_rq.urls")),
    path("admin/", admin.site.urls),
]

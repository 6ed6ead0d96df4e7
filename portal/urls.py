from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Carrier Portal back office"
admin.site.site_title = "Carrier Portal back office"
admin.site.index_title = "Back office"

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

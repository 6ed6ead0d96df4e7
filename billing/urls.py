from django.urls import path

from . import views, views_adr

app_name = "billing"

urlpatterns = [
    path("analytics/", views.analytics_page, name="analytics"),
    path("analytics/records.csv", views.download_records, name="records"),
    *views_adr.urlpatterns,
]

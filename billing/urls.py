from django.urls import path

from . import views, views_adr, views_billing, views_payments

app_name = "billing"

urlpatterns = [
    path("analytics/", views.analytics_page, name="analytics"),
    path("analytics/records.csv", views.download_records, name="records"),
    *views_adr.urlpatterns,
    *views_billing.urlpatterns,
    *views_payments.urlpatterns,
]

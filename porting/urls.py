from django.urls import path

from .views import urlpatterns  # noqa: F401
from .views_documents import download_document, upload_documents

app_name = "porting"
urlpatterns = [
    *urlpatterns,
    path("ports/<uuid:public_id>/documents/", upload_documents, name="documents"),
    path("ports/documents/<uuid:public_id>/", download_document, name="document"),
]

from .views import inventory, manage, ordering, packages, routing

app_name = "trunks"

urlpatterns = [
    *packages.urlpatterns,
    *ordering.urlpatterns,
    *routing.urlpatterns,
    *manage.urlpatterns,
    *inventory.urlpatterns,
]

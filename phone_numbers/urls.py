from .views import bulk, inventory, manage, ordering

app_name = "phone_numbers"

urlpatterns = [
    *bulk.urlpatterns,
    *inventory.urlpatterns,
    *manage.urlpatterns,
    *ordering.urlpatterns,
]

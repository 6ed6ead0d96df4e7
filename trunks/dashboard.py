"""The dashboard's Trunks section: per package type, its packages and its trunks by status."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from .models import Package, Trunk
from .permissions import ORDER_TRUNKS

# Disconnected trunks are history (a rejected order's trunk is one): not counted.
COUNTED = [status for status in Trunk.Status if status != Trunk.Status.DISCONNECTED]


def trunks_summary(request):
    """One counting query, however many packages and trunks there are."""
    counts = {
        row["type"]: row
        for row in Package.objects.values("type")
        .annotate(
            packages=Count("id", distinct=True),
            **{status: Count("trunks", filter=Q(trunks__status=status)) for status in COUNTED},
        )
        .order_by()
    }
    inventory = reverse("trunks:inventory")
    types = []
    for package_type in Package.Type:
        row = counts.get(package_type, {})
        types.append(
            {
                "label": package_type.label,
                "packages": row.get("packages", 0),
                "packages_url": reverse(f"trunks:{package_type}_packages"),
                "trunks": [
                    {
                        "count": row[status],
                        "status": status.label.lower(),
                        "url": f"{inventory}?"
                        + urlencode({"package_type": package_type, "status": status}),
                    }
                    for status in COUNTED
                    if row.get(status)
                ],
                "new_package_url": reverse("trunks:new_package", args=[package_type]),
            }
        )
    return {"types": types, "can_order": request.user.has_perm(ORDER_TRUNKS)}

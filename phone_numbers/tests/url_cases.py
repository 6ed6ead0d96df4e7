import tempfile
from contextlib import contextmanager

from django.test import override_settings

from phone_numbers.bulk import save_upload
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from tests.url_cases import Case


def objects(enterprise, admin_user, general_user):
    (number,) = add_numbers(package_of(admin_user, "Number Cases Usage"), ["+13035550100"])
    token = save_upload(
        enterprise,
        b"number,action\n+13035550100,disconnect\n",
        "n.csv",
        line_count=1,
        by=admin_user,
    )
    return {"number": {"public_id": number.public_id}, "upload": {"token": token}}


@contextmanager
def in_place():
    """Bulk uploads are written to a folder of the test's own."""
    with tempfile.TemporaryDirectory() as folder, override_settings(MEDIA_ROOT=folder):
        yield


CASES = {}

# Get New Number: Read Only users see numbers but order none. The preview is posted (htmx).
CASES.update(
    {
        "phone_numbers:add": Case(allowed={"read_only": 403}),
        "phone_numbers:preview": Case(method="post", allowed={"read_only": 403}),
    }
)

# Inventory tabs and a number's page: every role sees numbers; Manage is for those who manage.
CASES.update(
    {
        "phone_numbers:us_domestic": Case(),
        "phone_numbers:temporary": Case(),
        "phone_numbers:international": Case(),
        "phone_numbers:toll_free": Case(),
        "phone_numbers:number_detail": Case(kwargs="number"),
        "phone_numbers:manage": Case(allowed={"read_only": 403}),
        "phone_numbers:affected": Case(allowed={"read_only": 403}),
    }
)

# Managing Bulk Actions: for those who manage numbers. The upload is not checked yet, so its
# confirmation leads back to its page.
CASES.update(
    {
        "phone_numbers:bulk_upload": Case(allowed={"read_only": 403}),
        "phone_numbers:bulk_template": Case(allowed={"read_only": 403}),
        "phone_numbers:bulk_review": Case(kwargs="upload", allowed={"read_only": 403}),
        "phone_numbers:bulk_confirm": Case(
            method="post", kwargs="upload", default=302, allowed={"read_only": 403}
        ),
    }
)

import tempfile
from contextlib import contextmanager

from django.core.files.storage import FileSystemStorage

from support.models import CaseAttachment
from support.tests.factories import open_case
from support.tests.files import log
from tests.url_cases import Case


def objects(enterprise, admin_user, general_user):
    case = open_case(general_user, attachments=[log()])
    return {
        "case": {"public_id": case.public_id},
        "attachment": {"public_id": case.attachments.get().public_id},
    }


@contextmanager
def in_place():
    """Attachments are kept in a folder of the test's own, whatever MEDIA_ROOT other apps'
    in_place() choose after this one."""
    field = CaseAttachment._meta.get_field("file")
    storage = field.storage
    with tempfile.TemporaryDirectory() as folder:
        field.storage = FileSystemStorage(location=folder)
        try:
            yield
        finally:
            field.storage = storage


# Every role sees Support Cases (General Users and Billing their own and watched cases,
# Administrators and Read Only users all of them); Read Only users open and work none.
CASES = {
    "support:help": Case(),
    "support:contact": Case(),
    "support:cases": Case(),
    "support:open_case": Case(allowed={"read_only": 403}),
    "support:call_search": Case(allowed={"read_only": 403}),
    "support:case": Case(kwargs="case"),
    "support:reply": Case(method="post", kwargs="case", allowed={"read_only": 403}),
    "support:raise_priority": Case(kwargs="case", allowed={"read_only": 403}),
    "support:resolve": Case(kwargs="case", allowed={"read_only": 403}),
    "support:reopen": Case(kwargs="case", allowed={"read_only": 403}),
    # Any member who sees the case may get its e-mails; watching it, they are sent back to it.
    "support:watch": Case(method="post", kwargs="case", default=302),
    "support:attachment": Case(kwargs="attachment"),
}

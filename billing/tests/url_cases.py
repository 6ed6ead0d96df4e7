from datetime import date

from billing.models import AdrFile, SftpAccount, SftpCredential
from tests.url_cases import ADMIN_ONLY, Case

# The ADR files are for Administrators, Billing and Read Only users; only Administrators manage
# the secure FTP site's credentials.
NOT_GENERAL = {"general": 403}
ADR_DAY = date(2026, 12, 1)


def objects(enterprise, admin_user, general_user):
    account = SftpAccount.objects.create(enterprise=enterprise, username="adr-acme")
    credential = SftpCredential.objects.create(
        enterprise=enterprise,
        account=account,
        kind=SftpCredential.Kind.PASSWORD,
        password_hash="!",
        created_by=admin_user,
    )
    AdrFile.objects.create(enterprise=enterprise, day=ADR_DAY, name="adr-2026-12-01.csv")
    return {
        "sftp_credential": {"pk": credential.pk},
        "adr_file": {"day": ADR_DAY.isoformat()},
    }


CASES = {
    "billing:analytics": Case(),
    # The records themselves are for Billing, Administrators and Read Only users.
    "billing:records": Case(allowed={"general": 403}),
    "billing:adr_files": Case(allowed=NOT_GENERAL),
    # The file is still being delivered, so there is nothing to download yet: the download
    # itself is tested against a real secure FTP site in test_adr_views.py.
    "billing:adr_file_download": Case(kwargs="adr_file", allowed=NOT_GENERAL, default=404),
    "billing:sftp_add_key": Case(allowed=ADMIN_ONLY),
    "billing:sftp_set_password": Case(allowed=ADMIN_ONLY),
    "billing:sftp_revoke": Case(kwargs="sftp_credential", allowed=ADMIN_ONLY),
}

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from core.models import Job
from phone_numbers.models import E911Address, NumberEvent, PhoneNumber
from trunks.models import Package, RoutingPolicy

UPLOAD = reverse("phone_numbers:bulk_upload")
COLUMNS = [
    *("number", "action", "package", "routing", "cnam"),
    *("e911_street", "e911_unit", "e911_city", "e911_state", "e911_zip", "forward_to"),
]
HEADER = ",".join(COLUMNS) + "\n"
DENVER = {
    "e911_street": "1801 California Street",
    "e911_unit": "Suite 2400",
    "e911_city": "Denver",
    "e911_state": "CO",
    "e911_zip": "80202",
}


@pytest.fixture(autouse=True)
def _uploads_in_a_folder_of_their_own(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def packages(enterprise, other_enterprise):
    denver = Package.objects.create(enterprise=enterprise, name="Denver Bundle", type="bundle")
    chicago = Package.objects.create(enterprise=enterprise, name="Chicago Usage", type="usage")
    theirs = Package.objects.create(enterprise=other_enterprise, name="Globex Usage", type="usage")
    RoutingPolicy.objects.create(
        enterprise=enterprise, package=denver, name="Main", is_default=True
    )
    return denver, chicago, theirs


def number(e164, package, status=PhoneNumber.Status.ACTIVE, **fields):
    return PhoneNumber.objects.create(
        enterprise=package.enterprise,
        e164=e164,
        kind="us_domestic",
        country="US",
        package=package,
        status=status,
        **fields,
    )


@pytest.fixture
def numbers(packages):
    denver, _chicago, theirs = packages
    ours = [number(f"+1303555010{i}", denver) for i in range(6)]
    number("+13035550199", denver, status=PhoneNumber.Status.PENDING)
    number("+13125550100", theirs)
    return ours


def upload(client, text, name="numbers.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def row(number, action, **values):
    return ",".join([number, action, *(values.get(name, "") for name in COLUMNS[2:])]) + "\n"


def token_of(response):
    """The upload's token in the preview's URL the upload redirected to."""
    return response["Location"].split("/")[-2]


def confirm_url(response):
    return reverse("phone_numbers:bulk_confirm", args=[token_of(response)])


def test_it_offers_the_template(general_client):
    response = general_client.get(reverse("phone_numbers:bulk_template"))
    text = response.content.decode()
    assert response["Content-Disposition"] == 'attachment; filename="numbers-bulk-actions.csv"'
    assert text.startswith(HEADER.replace("\n", "\r\n"))
    assert "+13035550100,move,Chicago Usage" in text


def test_the_upload_page_shows_the_drop_area_and_template(general_client):
    page = general_client.get(UPLOAD).content.decode()
    assert "data-file-drop" in page
    assert 'type="file"' in page
    assert reverse("phone_numbers:bulk_template") in page


def test_preview_shows_every_line_ok_or_with_its_error(general_client, numbers):
    text = (
        HEADER
        + row("+13035550100", "move", package="Chicago Usage")
        + row("3035550101", "cnam", cnam="ACME")
        + row("+13035550102", "routing", routing="Policy: Main")
        + row("not a number", "move", package="Chicago Usage")
        + row("+13125550100", "disconnect")
        + row("+13035550100", "cnam", cnam="Again")
        + row("+13035550103", "move", package="Globex Usage")
        + row("+13035550104", "cnam", cnam="Acme Telecommunications")
        + row("+13035550105", "e911", **{**DENVER, "e911_state": "XX"})
        + row("+13035550199", "disconnect")
        + row("+13035550198", "explode")
    )
    response = upload(general_client, text)
    assert response.status_code == 302
    page = general_client.get(response["Location"]).content.decode()
    assert "3 OK" in page
    assert "8 with errors" in page
    assert "Move to Chicago Usage" in page
    assert "Caller ID “ACME”" in page
    assert "Route to Policy: Main" in page
    assert "“not a number” is not a phone number in E.164 form" in page
    assert "+13125550100 is not one of your numbers." in page
    assert "+13035550100 is already on line 2." in page
    assert "No package named “Globex Usage”." in page
    assert "at most 15 characters" in page
    assert "e911_state: “XX” is not a US state" in page
    assert "+13035550199 is pending" in page
    assert "Unknown action “explode”" in page
    # Nothing changes before the confirmation.
    assert PhoneNumber.objects.filter(e164="+13035550100", package__name="Denver Bundle").exists()
    assert not PhoneNumber.objects.exclude(cnam="").exists()


def test_confirm_applies_all_ok_lines_in_one_go(general_client, numbers, packages):
    denver, chicago, _ = packages
    text = (
        HEADER
        + row("+13035550100", "move", package="chicago usage")
        + row("+13035550101", "move", package="Chicago Usage")
        + row("+13035550102", "cnam", cnam="Acme")
        + row("+13035550103", "e911", **DENVER)
        + row("+13035550104", "forward", forward_to="+13125550199")
        + row("+13035550105", "disconnect")
        + row("+13125550100", "disconnect")
    )
    response = general_client.post(confirm_url(upload(general_client, text)))
    assert response.status_code == 302
    assert response["Location"] == reverse("phone_numbers:us_domestic")
    by_number = {n.e164: n for n in PhoneNumber.objects.all()}
    assert by_number["+13035550100"].package == chicago
    assert by_number["+13035550101"].package == chicago
    assert by_number["+13035550102"].cnam == "Acme"
    address = by_number["+13035550103"].e911_address
    assert str(address) == "1801 CALIFORNIA ST STE 2400, DENVER, CO 80202"
    assert by_number["+13035550104"].forward_to == "+13125550199"
    assert by_number["+13035550105"].status == PhoneNumber.Status.DISCONNECTED
    # Another enterprise's number was an error line, and stays as it was.
    assert by_number["+13125550100"].status == PhoneNumber.Status.ACTIVE
    # One audit entry per group of the same action and values: two moves are one.
    assert AuditEvent.objects.filter(action__startswith="phone_numbers.").count() == 5
    moved = NumberEvent.objects.filter(number__e164__in=["+13035550100", "+13035550101"])
    assert moved.count() == 2
    message = general_client.get(response["Location"]).content.decode()
    assert "Applied to 6 numbers" in message


def test_nothing_is_applied_when_the_numbers_changed_since_the_preview(
    general_client, numbers, packages
):
    denver, chicago, _ = packages
    text = (
        HEADER
        + row("+13035550100", "cnam", cnam="Acme")
        + row("+13035550101", "move", package="Chicago Usage")
    )
    uploaded = upload(general_client, text)
    # Someone disconnects one of the numbers meanwhile.
    PhoneNumber.objects.filter(e164="+13035550101").update(status=PhoneNumber.Status.DISCONNECTED)
    response = general_client.post(confirm_url(uploaded))
    page = general_client.get(response["Location"]).content.decode()
    assert "changed since the preview. Nothing was applied" in page
    assert "+13035550101 is not one of your numbers." in page
    assert not PhoneNumber.objects.exclude(cnam="").exists()


def test_a_refused_group_undoes_every_group(general_client, numbers, packages, monkeypatch):
    from django.core.exceptions import ValidationError

    from phone_numbers import manage

    def refuse(*args, **kwargs):
        raise ValidationError("The trunk takes no inbound calls.")

    monkeypatch.setattr(manage, "disconnect", refuse)
    text = HEADER + row("+13035550100", "cnam", cnam="Acme") + row("+13035550101", "disconnect")
    response = general_client.post(confirm_url(upload(general_client, text)), follow=True)
    assert "Nothing was applied: The trunk takes no inbound calls." in response.content.decode()
    assert not PhoneNumber.objects.exclude(cnam="").exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "The submitted file is empty"),
        (b"  \n\n", "The file is empty."),
        (HEADER.encode(), "The file names no numbers, only its columns."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV or text file"),
        (b"number,action,colour\n+13035550100,cnam,red\n", "Unknown columns: colour."),
        (b"+13035550100,disconnect\n", "Unknown columns: +13035550100, disconnect."),
        (b"number,cnam\n+13035550100,Acme\n", "at least number and action"),
    ],
)
def test_it_refuses_a_file_it_cannot_read(general_client, numbers, content, words):
    response = general_client.post(
        UPLOAD, {"file": SimpleUploadedFile("numbers.csv", content, "text/csv")}
    )
    assert response.status_code == 200
    assert words in response.content.decode()


def test_it_refuses_a_file_over_the_size_limit(general_client, numbers, settings):
    settings.NUMBERS_BULK_MAX_BYTES = 100
    text = HEADER + row("+13035550100", "disconnect") * 3
    response = upload(general_client, text)
    assert f"The file has {len(text):,} bytes; the limit is 100." in response.content.decode()


def test_it_takes_a_tab_separated_text_file(general_client, numbers):
    text = "number\taction\tcnam\n+13035550100\tcnam\tAcme\n"
    response = upload(general_client, text, name="numbers.txt")
    page = general_client.get(response["Location"]).content.decode()
    assert "1 OK" in page


def test_large_files_are_previewed_and_applied_by_the_worker(
    general_client, numbers, settings, run_jobs, django_capture_on_commit_callbacks
):
    settings.NUMBERS_BULK_INLINE_LINES = 2
    text = HEADER + "".join(row(f"+1303555010{i}", "cnam", cnam="Acme") for i in range(4))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(general_client, text)
    job = Job.objects.get()
    assert response["Location"] == reverse("job_status", args=[job.public_id])
    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (4, 4)
    page = general_client.get(job.result_url).content.decode()
    assert "4 OK" in page
    assert not PhoneNumber.objects.exclude(cnam="").exists()

    token = job.result_url.split("/")[-2]
    with django_capture_on_commit_callbacks(execute=True):
        response = general_client.post(reverse("phone_numbers:bulk_confirm", args=[token]))
    apply_job = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("job_status", args=[apply_job.public_id])
    run_jobs()
    apply_job.refresh_from_db()
    assert apply_job.status == Job.Status.SUCCEEDED
    assert PhoneNumber.objects.filter(cnam="Acme").count() == 4
    assert "Applied to 4 numbers" in general_client.get(apply_job.result_url).content.decode()


def test_another_enterprise_cannot_open_the_preview(client, general_client, numbers, outsider):
    token = token_of(upload(general_client, HEADER + row("+13035550100", "disconnect")))
    client.force_login(outsider)
    assert client.get(reverse("phone_numbers:bulk_review", args=[token])).status_code == 404
    assert client.post(reverse("phone_numbers:bulk_confirm", args=[token])).status_code == 404
    with scopes_disabled():
        assert PhoneNumber.objects.get(e164="+13035550100").status == PhoneNumber.Status.ACTIVE


def test_read_only_users_cannot_upload(client, read_only_user):
    client.force_login(read_only_user)
    assert client.get(UPLOAD).status_code == 403


def test_the_e911_address_is_shared_by_the_numbers_of_one_place(general_client, numbers):
    text = HEADER + row("+13035550100", "e911", **DENVER) + row("+13035550101", "e911", **DENVER)
    general_client.post(confirm_url(upload(general_client, text)))
    assert E911Address.objects.count() == 1
    assert PhoneNumber.objects.filter(e911_address__isnull=False).count() == 2

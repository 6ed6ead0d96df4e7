"""ADR file delivery as customers use it: the secure FTP site's credentials on Enterprise
Settings (billing.credentials behind them) and the page of the daily ADR files."""

import io
import re
import tempfile
from datetime import date, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import asyncssh
import paramiko
import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Role
from audit.models import AuditEvent
from billing import actions, credentials
from billing.models import AdrFile, SftpAccount, SftpCredential
from billing.sftp import SftpSite
from tests.downloads import body
from tests.factories import UserFactory, role
from tests.sftp import customer_sftp, free_port

SETTINGS_URL = reverse("accounts:enterprise_settings")
ADD_KEY_URL = reverse("billing:sftp_add_key")
SET_PASSWORD_URL = reverse("billing:sftp_set_password")
FILES_URL = reverse("billing:adr_files")
STRONG_PASSWORD = "lantern orbit cactus whistle"
SHOWN_ONCE = "Copy it now: it will not be shown again."


def private_key(algorithm="ssh-ed25519", bits=None, *, number=0):
    """A key made once per test run; number tells keys of one kind apart."""
    return _made_key(algorithm, bits, number)


@cache
def _made_key(algorithm, bits, number):
    options = {"key_size": bits} if bits else {}
    return asyncssh.generate_private_key(algorithm, comment="ops@acme.test", **options)


def public_key(algorithm="ssh-ed25519", bits=None, *, number=0):
    """The line of the key's .pub file."""
    return private_key(algorithm, bits, number=number).export_public_key().decode()


def fingerprint(text):
    return asyncssh.import_public_key(text).get_fingerprint()


def active(enterprise):
    with scopes_disabled():
        return list(
            SftpCredential.objects.filter(enterprise=enterprise, revoked_at__isnull=True)
            .order_by("pk")
            .values_list("kind", "fingerprint")
        )


@pytest.fixture
def billing_user(enterprise):
    """Bill, of Acme's Billing role: sees the ADR files, changes nothing."""
    return UserFactory(
        email="bill@acme.test", name="Bill Billing", enterprise=enterprise, role=role(Role.BILLING)
    )


# The services ---------------------------------------------------------------------------------


def test_the_login_is_made_once_and_named_after_the_account_number(acme_scope, enterprise):
    enterprise.account_number = "ACC_10.01-x"
    account = credentials.account_for(enterprise)
    assert account.username == "adr-acc1001-x"
    assert account.directory == "adr-acc1001-x"
    assert credentials.account_for(enterprise) == account


def test_a_username_another_enterprise_has_gets_a_number(enterprise, other_enterprise):
    enterprise.account_number, other_enterprise.account_number = "ACC_7", "acc7"
    assert credentials.account_for(enterprise).username == "adr-acc7"
    assert credentials.account_for(other_enterprise).username == "adr-acc7-2"


def test_a_public_key_is_kept_as_one_line_with_its_fingerprint(acme_scope, enterprise, admin_user):
    text = public_key()
    credential = credentials.add_public_key(enterprise, f"\n  {text}  \n", by=admin_user)
    assert credential.kind == SftpCredential.Kind.PUBLIC_KEY
    assert credential.public_key == text.strip()
    assert credential.fingerprint == fingerprint(text)
    assert credential.fingerprint.startswith("SHA256:")
    assert credential.created_by == admin_user
    assert credential.account.username == "adr-acc000001"
    event = AuditEvent.objects.get(action=actions.SFTP_KEY_ADDED)
    assert (event.actor, event.enterprise, event.object_repr) == (
        admin_user,
        enterprise,
        f"Public key {credential.fingerprint}",
    )


@pytest.mark.parametrize("export_format", ["openssh", "pkcs8-pem"])
def test_a_private_key_is_refused_in_words(acme_scope, enterprise, admin_user, export_format):
    private = private_key().export_private_key(export_format).decode()
    with pytest.raises(ValidationError) as refusal:
        credentials.add_public_key(enterprise, private, by=admin_user)
    assert refusal.value.message_dict == {"public_key": [credentials.PRIVATE_KEY_MESSAGE]}
    assert active(enterprise) == []


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG",
        "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----",
    ],
)
def test_what_is_not_a_public_key_is_refused(acme_scope, enterprise, admin_user, text):
    with pytest.raises(ValidationError) as refusal:
        credentials.add_public_key(enterprise, text, by=admin_user)
    assert refusal.value.message_dict == {"public_key": [credentials.NOT_A_KEY_MESSAGE]}


def test_two_keys_at_once_are_refused(acme_scope, enterprise, admin_user):
    two = public_key() + public_key("ecdsa-sha2-nistp256")
    with pytest.raises(ValidationError) as refusal:
        credentials.add_public_key(enterprise, two, by=admin_user)
    assert refusal.value.message_dict == {"public_key": [credentials.ONE_KEY_MESSAGE]}


def test_a_short_rsa_key_is_refused_and_a_long_one_taken(acme_scope, enterprise, admin_user):
    with pytest.raises(ValidationError) as refusal:
        credentials.add_public_key(enterprise, public_key("ssh-rsa", 1024), by=admin_user)
    assert refusal.value.messages == [
        "This RSA key has 1024 bits, which is too weak: make a key of at least 2048 bits, or "
        "better an Ed25519 key (ssh-keygen -t ed25519)."
    ]
    credentials.add_public_key(enterprise, public_key("ssh-rsa", 2048), by=admin_user)
    assert active(enterprise) == [("public_key", fingerprint(public_key("ssh-rsa", 2048)))]


def test_a_dsa_key_is_refused(acme_scope, enterprise, admin_user):
    with pytest.raises(ValidationError, match="This DSA key has 1024 bits"):
        credentials.add_public_key(enterprise, public_key("ssh-dss"), by=admin_user)


def test_a_key_that_can_sign_in_already_is_refused(acme_scope, enterprise, admin_user):
    credentials.add_public_key(enterprise, public_key(), by=admin_user)
    # The same key with another comment is the same key.
    again = public_key().replace("ops@acme.test", "laptop")
    with pytest.raises(ValidationError) as refusal:
        credentials.add_public_key(enterprise, again, by=admin_user)
    assert refusal.value.messages == [
        f"This public key can already sign in ({fingerprint(public_key())})."
    ]
    assert len(active(enterprise)) == 1


def test_a_revoked_key_can_be_added_again(acme_scope, enterprise, admin_user):
    first = credentials.add_public_key(enterprise, public_key(), by=admin_user)
    credentials.revoke(enterprise, first.pk, by=admin_user)
    credentials.add_public_key(enterprise, public_key(), by=admin_user)
    assert active(enterprise) == [("public_key", fingerprint(public_key()))]


def test_at_most_ten_keys_can_sign_in(acme_scope, enterprise, admin_user):
    for number in range(1, 11):
        credentials.add_public_key(enterprise, public_key(number=number), by=admin_user)
    with pytest.raises(ValidationError) as refusal:
        credentials.add_public_key(enterprise, public_key(number=11), by=admin_user)
    assert refusal.value.messages == [credentials.TOO_MANY_KEYS_MESSAGE]


def test_a_generated_password_is_long_plain_and_kept_only_hashed(
    acme_scope, enterprise, admin_user
):
    password = credentials.set_password(enterprise, by=admin_user)
    assert len(password) == 24
    assert set(password) <= set(credentials.PASSWORD_ALPHABET)
    assert not set(password) & set("0O1lI")
    credential = SftpCredential.objects.get(kind=SftpCredential.Kind.PASSWORD)
    assert password not in credential.password_hash
    assert check_password(password, credential.password_hash)
    assert credential.public_key == credential.fingerprint == ""
    assert credentials.set_password(enterprise, by=admin_user) != password


def test_a_typed_password_is_taken_when_strong(acme_scope, enterprise, admin_user):
    password = credentials.set_password(enterprise, by=admin_user, password=STRONG_PASSWORD)
    assert password == STRONG_PASSWORD
    credential = SftpCredential.objects.get()
    assert check_password(STRONG_PASSWORD, credential.password_hash)


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short1!", "at least 12 characters"),
        ("123456789012345", "only digits"),
        ("password123456", "too easy to guess"),
        ("Acme Telecom 2026", "your company's name"),
    ],
)
def test_a_weak_password_is_refused_in_words(acme_scope, enterprise, admin_user, password, words):
    with pytest.raises(ValidationError) as refusal:
        credentials.set_password(enterprise, by=admin_user, password=password)
    assert list(refusal.value.message_dict) == ["password"]
    assert words in " ".join(refusal.value.messages)
    assert active(enterprise) == []


def test_a_new_password_revokes_the_old_one(acme_scope, enterprise, admin_user):
    credentials.add_public_key(enterprise, public_key(), by=admin_user)
    first = credentials.set_password(enterprise, by=admin_user)
    second = credentials.set_password(enterprise, by=admin_user, password=STRONG_PASSWORD)
    passwords = SftpCredential.objects.filter(kind=SftpCredential.Kind.PASSWORD).order_by("pk")
    old, new = passwords
    assert check_password(first, old.password_hash) and old.revoked_at is not None
    assert old.revoked_by == admin_user
    assert check_password(second, new.password_hash) and new.revoked_at is None
    # The key is not a password: it stays.
    assert [kind for kind, _ in active(enterprise)] == ["public_key", "password"]
    assert list(
        AuditEvent.objects.filter(enterprise=enterprise).order_by("pk").values_list("action")
    ) == [
        (actions.SFTP_KEY_ADDED,),
        (actions.SFTP_PASSWORD_SET,),
        (actions.SFTP_CREDENTIAL_REVOKED,),
        (actions.SFTP_PASSWORD_SET,),
    ]


def test_revoking_stops_a_credential_and_says_who(acme_scope, enterprise, admin_user):
    credential = credentials.add_public_key(enterprise, public_key(), by=admin_user)
    credentials.revoke(enterprise, credential.pk, by=admin_user)
    credential.refresh_from_db()
    assert credential.revoked_by == admin_user
    assert credential.revoked_at is not None
    revoked_at = credential.revoked_at
    # Revoking it again changes nothing.
    credentials.revoke(enterprise, credential.pk, by=admin_user)
    credential.refresh_from_db()
    assert credential.revoked_at == revoked_at
    assert AuditEvent.objects.filter(action=actions.SFTP_CREDENTIAL_REVOKED).count() == 1


def test_another_enterprises_credential_cannot_be_revoked(
    acme_scope, enterprise, other_enterprise, outsider
):
    with scopes_disabled():
        theirs = credentials.add_public_key(other_enterprise, public_key(), by=outsider)
    with pytest.raises(SftpCredential.DoesNotExist):
        credentials.revoke(enterprise, theirs.pk, by=outsider)
    with scopes_disabled():
        theirs.refresh_from_db()
    assert theirs.revoked_at is None


# The card on Enterprise Settings --------------------------------------------------------------


def test_the_card_says_where_the_site_is_and_offers_to_make_a_login(admin_client, settings):
    settings.ADR_SFTP = {**settings.ADR_SFTP, "PUBLIC_HOST": "sftp.carrier.test"}
    page = admin_client.get(SETTINGS_URL).text
    card = page[page.index('id="secure-ftp"') :]
    assert "Secure FTP site" in card
    assert "<code>sftp.carrier.test</code>" in card
    assert "No login yet: add a public key or set a password to make one." in card
    assert "No public key or password can sign in yet." in card
    assert "ADR files are made only while Application Data Record File Delivery" in card
    assert f'href="{FILES_URL}"' in card
    assert f'action="{ADD_KEY_URL}"' in card
    assert f'action="{SET_PASSWORD_URL}"' in card
    # The card's forms come after the settings form, not inside it.
    settings_form_end = page.index("</form>")
    assert page.index('id="secure-ftp"') > settings_form_end


def test_an_administrator_adds_a_key_and_sees_it_listed(admin_client, enterprise, settings):
    settings.ADR_SFTP = {
        **settings.ADR_SFTP,
        "PUBLIC_HOST": "sftp.carrier.test",
        "PUBLIC_PORT": 2222,
    }
    response = admin_client.post(ADD_KEY_URL, {"public_key": public_key()})
    assert response.status_code == 302
    assert response.url == f"{SETTINGS_URL}#secure-ftp"
    page = admin_client.get(response.url).text
    assert f"The public key {fingerprint(public_key())} can now sign in." in page
    card = page[page.index('id="secure-ftp"') :]
    assert f"<code>{fingerprint(public_key())}</code>" in card
    assert "by Alice Admin on" in card
    assert "Never" in card
    assert "<code>adr-acc000001</code>" in card
    assert "<code>sftp -P 2222 adr-acc000001@sftp.carrier.test</code>" in card
    assert active(enterprise) == [("public_key", fingerprint(public_key()))]


def test_a_refused_key_is_shown_again_with_the_reason(admin_client, enterprise):
    private = private_key().export_private_key().decode()
    response = admin_client.post(ADD_KEY_URL, {"public_key": private})
    assert response.status_code == 200
    assert credentials.PRIVATE_KEY_MESSAGE in response.text
    assert active(enterprise) == []


def test_an_empty_key_is_asked_for(admin_client, enterprise):
    response = admin_client.post(ADD_KEY_URL, {"public_key": "  "})
    assert "Enter the public key." in response.text


def test_a_generated_password_is_shown_once_and_never_again(admin_client, enterprise):
    response = admin_client.post(SET_PASSWORD_URL, {"password": ""})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = re.search(r"<code data-password>([^<]+)</code>", response.text).group(1)
    assert SHOWN_ONCE in response.text
    with scopes_disabled():
        credential = SftpCredential.objects.get(enterprise=enterprise)
    assert check_password(password, credential.password_hash)
    # Neither the settings page nor the password page shows it again.
    for url in (SETTINGS_URL, SET_PASSWORD_URL):
        page = admin_client.get(url).text
        assert password not in page
        assert SHOWN_ONCE not in page
    settings_page = admin_client.get(SETTINGS_URL).text
    assert '<td data-label="Key">Password</td>' in settings_page


def test_a_typed_password_is_shown_once_too(admin_client, enterprise):
    response = admin_client.post(SET_PASSWORD_URL, {"password": STRONG_PASSWORD})
    assert STRONG_PASSWORD in response.text
    assert SHOWN_ONCE in response.text
    assert STRONG_PASSWORD not in admin_client.get(SETTINGS_URL).text


def test_a_weak_password_is_refused_beside_its_field(admin_client, enterprise):
    response = admin_client.post(SET_PASSWORD_URL, {"password": "password123456"})
    assert response.status_code == 200
    assert 'class="field field--invalid"' in response.text
    assert "too easy to guess" in response.text
    assert "password123456" not in response.text  # a password field is never filled back in
    assert active(enterprise) == []


@pytest.mark.parametrize("persona", ["billing_user", "read_only_user"])
def test_billing_and_read_only_see_the_card_but_change_nothing(
    client, request, enterprise, admin_user, persona
):
    with scopes_disabled():
        key = credentials.add_public_key(enterprise, public_key(), by=admin_user)
    client.force_login(request.getfixturevalue(persona))
    page = client.get(SETTINGS_URL).text
    card = page[page.index('id="secure-ftp"') :]
    assert f"<code>{fingerprint(public_key())}</code>" in card
    assert "<form" not in card
    assert "Revoke" not in card
    revoke_url = reverse("billing:sftp_revoke", args=[key.pk])
    for url, data in [
        (ADD_KEY_URL, {"public_key": public_key(number=1)}),
        (SET_PASSWORD_URL, {"password": ""}),
        (revoke_url, {}),
    ]:
        assert client.post(url, data).status_code == 403
    assert active(enterprise) == [("public_key", fingerprint(public_key()))]


def test_a_general_user_does_not_see_the_card(client, general_user, enterprise):
    # General Users do not see Enterprise Settings at all; the card follows its permission.
    client.force_login(general_user)
    assert client.get(SETTINGS_URL).status_code == 403


def test_an_administrator_revokes_a_key_after_confirming(admin_client, enterprise, admin_user):
    with scopes_disabled():
        key = credentials.add_public_key(enterprise, public_key(), by=admin_user)
    url = reverse("billing:sftp_revoke", args=[key.pk])
    page = admin_client.get(SETTINGS_URL).text
    assert f'hx-get="{url}"' in page
    confirm = admin_client.get(url)
    assert "Revoke this public key?" in confirm.text
    assert f'action="{url}"' in confirm.text
    response = admin_client.post(url)
    assert response.status_code == 302
    page = admin_client.get(response.url).text
    assert f"The public key {fingerprint(public_key())} can no longer sign in." in page
    assert active(enterprise) == []


def test_another_enterprises_credential_is_not_found(admin_client, other_enterprise, outsider):
    with scopes_disabled():
        theirs = credentials.add_public_key(other_enterprise, public_key(), by=outsider)
    url = reverse("billing:sftp_revoke", args=[theirs.pk])
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url).status_code == 404
    assert active(other_enterprise) == [("public_key", theirs.fingerprint)]


# The ADR files page -----------------------------------------------------------------------------


def adr_file(enterprise, day, status=AdrFile.Status.DELIVERED, **fields):
    delivered = status == AdrFile.Status.DELIVERED
    defaults = {
        "name": f"adr-{day.isoformat()}.csv",
        "rows": 1234 if delivered else None,
        "size": 2_500_000 if delivered else None,
        "sha256": "ab" * 32 if delivered else "",
        "delivered_at": timezone.now() if delivered else None,
    }
    with scopes_disabled():
        return AdrFile.objects.create(
            enterprise=enterprise, day=day, status=status, **{**defaults, **fields}
        )


def today_in(enterprise):
    return timezone.localdate(timezone=ZoneInfo(enterprise.time_zone))


def test_the_files_of_the_last_45_days_are_listed_newest_first(
    admin_client, enterprise, other_enterprise
):
    today = today_in(enterprise)
    for days_ago in range(1, 50):
        adr_file(enterprise, today - timedelta(days=days_ago))
    adr_file(other_enterprise, today - timedelta(days=1), name="globex.csv")
    page = admin_client.get(FILES_URL).text
    days = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', page)
    assert days[0] == (today - timedelta(days=1)).isoformat()
    assert days[-1] == (today - timedelta(days=45)).isoformat()
    assert len(days) == 45
    assert "globex.csv" not in page


def test_a_file_shows_its_day_in_words_status_size_checksum_and_download(admin_client, enterprise):
    day = today_in(enterprise) - timedelta(days=1)
    delivered = adr_file(
        enterprise, day, rows=1234567, size=2_500_000, sha256="c0ffee" * 10 + "abcd"
    )
    page = admin_client.get(FILES_URL).text
    assert day.strftime("%A, %B %-d, %Y") in page
    assert delivered.name in page
    assert '<span class="badge badge--ok">Delivered</span>' in page
    assert "1,234,567" in page
    assert "2.4\xa0MB" in page
    assert f"<code>{delivered.sha256}</code>" in page
    download_url = reverse("billing:adr_file_download", args=[day.isoformat()])
    assert f'href="{download_url}"' in page


def test_customers_read_each_status_in_their_words_without_the_error(admin_client, enterprise):
    today = today_in(enterprise)
    adr_file(enterprise, today - timedelta(days=1), status=AdrFile.Status.PENDING)
    adr_file(
        enterprise,
        today - timedelta(days=2),
        status=AdrFile.Status.FAILED,
        error="The secure FTP site at 10.0.0.5:2222 refused to store it: disk full.",
    )
    page = admin_client.get(FILES_URL).text
    assert "Being delivered" in page
    assert "Delivery failing – we are retrying" in page
    assert "10.0.0.5" not in page and "disk full" not in page
    assert ">Download</a>" not in page


def test_with_no_files_the_page_says_when_they_come(admin_client, enterprise):
    page = admin_client.get(FILES_URL).text
    assert "No ADR files yet." in page
    assert "the day after Application Data Record File Delivery is enabled" in page
    assert f'href="{SETTINGS_URL}#secure-ftp"' in page


def test_billing_and_read_only_see_the_files_and_general_users_do_not(
    client, billing_user, read_only_user, general_user
):
    for user, status in [(billing_user, 200), (read_only_user, 200), (general_user, 403)]:
        client.force_login(user)
        assert client.get(FILES_URL).status_code == status


def test_the_files_page_reads_a_fixed_number_of_queries(
    admin_client, enterprise, django_assert_max_num_queries
):
    today = today_in(enterprise)
    for days_ago in range(1, 46):
        adr_file(enterprise, today - timedelta(days=days_ago))
    with django_assert_max_num_queries(8):
        admin_client.get(FILES_URL)


def test_a_day_that_is_not_a_date_is_not_found(admin_client):
    url = reverse("billing:adr_file_download", args=["yesterday"])
    assert admin_client.get(url).status_code == 404


def test_an_undelivered_file_cannot_be_downloaded(admin_client, enterprise):
    day = date(2026, 12, 1)
    adr_file(enterprise, day, status=AdrFile.Status.PENDING)
    url = reverse("billing:adr_file_download", args=[day.isoformat()])
    assert admin_client.get(url).status_code == 404
    with scopes_disabled():
        assert not SftpAccount.objects.exists()


# Downloads from the secure FTP site -------------------------------------------------------------

# A file bigger than one chunk of the download, so that it comes in several.
CONTENT = b"event_id,time,application\n" + b"e1,2026-12-06T15:00:00Z,flow\n" * 40_000


def delivered_on_the_site(enterprise, day, content=CONTENT):
    """An ADR file delivered and put on the site, as the delivery job leaves it."""
    with scopes_disabled():
        account = credentials.account_for(enterprise)
    name = f"adr-{day.isoformat()}.csv"
    with tempfile.NamedTemporaryFile() as local:
        local.write(content)
        local.flush()
        with SftpSite() as site:
            site.put(local.name, account.directory, name)
    return adr_file(enterprise, day, name=name, size=len(content), rows=content.count(b"\n") - 1)


@pytest.fixture
def sftp_site(request):
    """The secure FTP site of the tests (tests.sftp), in a test marked transaction=True: the
    site reads the credentials through a connection of its own."""
    return request.getfixturevalue("sftp_server")


def download_url(day):
    return reverse("billing:adr_file_download", args=[day.isoformat()])


@pytest.mark.django_db(transaction=True)
def test_a_delivered_file_is_downloaded_from_the_site(
    client, enterprise, read_only_user, sftp_site
):
    day = date(2026, 12, 6)
    delivered = delivered_on_the_site(enterprise, day)
    client.force_login(read_only_user)
    response = client.get(download_url(day))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{delivered.name}"'
    assert response["Content-Length"] == str(len(CONTENT))
    assert body(response) == CONTENT


@pytest.mark.django_db(transaction=True)
def test_another_enterprises_file_is_not_found(admin_client, other_enterprise, sftp_site):
    day = date(2026, 12, 6)
    delivered_on_the_site(other_enterprise, day)
    assert admin_client.get(download_url(day)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_file_gone_from_the_site_is_not_found(admin_client, enterprise, sftp_site):
    day = date(2026, 12, 6)
    delivered = delivered_on_the_site(enterprise, day)
    with scopes_disabled():
        directory = credentials.account_for(enterprise).directory
    with SftpSite() as site:
        site.remove(directory, delivered.name)
    assert admin_client.get(download_url(day)).status_code == 404


def test_a_site_that_cannot_be_reached_is_said_in_words(
    admin_client, enterprise, settings, tmp_path
):
    settings.ADR_SFTP = {
        **settings.ADR_SFTP,
        "HOST": "127.0.0.1",
        "PORT": free_port(),  # nothing listens there
        "KEY_FILE": tmp_path / "portal_key",
        "HOST_KEY_FILE": tmp_path / "host_key",
        "TIMEOUT": 2,
    }
    day = date(2026, 12, 6)
    with scopes_disabled():
        credentials.account_for(enterprise)
    adr_file(enterprise, day)
    response = admin_client.get(download_url(day))
    assert response.status_code == 503
    assert (
        "The secure FTP site cannot be reached right now; try again in a few minutes."
        in response.text
    )
    assert "127.0.0.1" not in response.text


@pytest.mark.django_db(transaction=True)
def test_the_key_and_password_set_here_sign_in_to_the_site(admin_client, enterprise, sftp_site):
    admin_client.post(ADD_KEY_URL, {"public_key": public_key()})
    response = admin_client.post(SET_PASSWORD_URL, {"password": ""})
    password = re.search(r"<code data-password>([^<]+)</code>", response.text).group(1)
    key = paramiko.Ed25519Key.from_private_key(
        io.StringIO(private_key().export_private_key().decode())
    )
    with customer_sftp(sftp_site, "adr-acc000001", key=key) as sftp:
        assert sftp.listdir(".") == []
    with customer_sftp(sftp_site, "adr-acc000001", password=password) as sftp:
        assert sftp.listdir(".") == []

    # Once revoked, the key no longer signs in.
    with scopes_disabled():
        credential = SftpCredential.objects.get(kind=SftpCredential.Kind.PUBLIC_KEY)
    admin_client.post(reverse("billing:sftp_revoke", args=[credential.pk]))
    with (
        pytest.raises(paramiko.AuthenticationException),
        customer_sftp(sftp_site, "adr-acc000001", key=key),
    ):
        pass


def test_traffic_analytics_links_to_the_adr_files_for_those_who_may_see_them(
    client, admin_user, general_user
):
    analytics = reverse("billing:analytics")
    client.force_login(admin_user)
    assert f'href="{FILES_URL}"' in client.get(analytics).content.decode()

    client.force_login(general_user)
    assert f'href="{FILES_URL}"' not in client.get(analytics).content.decode()

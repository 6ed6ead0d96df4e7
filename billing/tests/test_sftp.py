"""The secure FTP site: the portal's client (billing.sftp) against the real server
(billing.sftp_server, `manage.py sftp_server`), and customers logging in with paramiko."""

import io
import os
import socket
import stat
import threading
import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import asyncssh
import paramiko
import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from billing.models import SftpAccount, SftpCredential
from billing.sftp import SftpError, SftpSite, ensure_keys
from tests.sftp import customer_sftp, free_port, running_sftp_server, use_sftp_server
from tests.workers import wait_for

CUSTOMER_PASSWORD = "correct horse battery staple"


def write(path, data):
    path.write_bytes(data)
    return path


def test_put_uploads_under_a_temporary_name_then_renames_it(sftp_server, tmp_path):
    stale_part = sftp_server.root / "acme" / ".adr.csv.part"
    stale_part.parent.mkdir(parents=True)
    stale_part.write_bytes(b"half of an earlier upload")
    local = write(tmp_path / "adr.csv", b"day,records\n2026-12-06,42\n")

    rename = paramiko.SFTPClient.posix_rename
    with (
        mock.patch.object(
            paramiko.SFTPClient, "posix_rename", autospec=True, side_effect=rename
        ) as renamed,
        SftpSite() as site,
    ):
        site.put(local, "acme", "adr.csv")

    renamed.assert_called_once_with(mock.ANY, "acme/.adr.csv.part", "acme/adr.csv")
    assert os.listdir(sftp_server.root / "acme") == ["adr.csv"]
    assert (sftp_server.root / "acme" / "adr.csv").read_bytes() == local.read_bytes()


def test_put_makes_the_directory_and_replaces_an_existing_file(sftp_server, tmp_path):
    with SftpSite() as site:
        site.put(write(tmp_path / "first", b"first"), "acme", "adr.csv")
        site.put(write(tmp_path / "second", b"second"), "acme", "adr.csv")

    assert os.listdir(sftp_server.root / "acme") == ["adr.csv"]
    assert (sftp_server.root / "acme" / "adr.csv").read_bytes() == b"second"


def test_files_lists_the_visible_files_of_a_directory(sftp_server, tmp_path):
    directory = sftp_server.root / "acme"
    directory.mkdir(parents=True)
    write(directory / "b.csv", b"12345")
    write(directory / "a.csv", b"1")
    write(directory / ".a.csv.part", b"half")
    (directory / "sub").mkdir()
    a_while_ago = datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC)
    os.utime(directory / "b.csv", (a_while_ago.timestamp(), a_while_ago.timestamp()))

    with SftpSite() as site:
        files = site.files("acme")
        missing = site.files("globex")

    assert [(file.name, file.size) for file in files] == [("a.csv", 1), ("b.csv", 5)]
    assert files[1].modified == a_while_ago
    assert abs(files[0].modified - timezone.now()) < timedelta(minutes=1)
    assert missing == []


def test_remove_removes_the_file_and_a_missing_one_is_fine(sftp_server):
    directory = sftp_server.root / "acme"
    directory.mkdir(parents=True)
    write(directory / "old.csv", b"old")

    with SftpSite() as site:
        site.remove("acme", "old.csv")
        site.remove("acme", "old.csv")
        site.remove("globex", "never.csv")

    assert os.listdir(directory) == []


def test_open_reads_the_file(sftp_server):
    directory = sftp_server.root / "acme"
    directory.mkdir(parents=True)
    content = os.urandom(3 * 1024 * 1024 + 17)  # several requests and read-ahead windows
    write(directory / "adr.csv", content)

    with SftpSite() as site:
        with site.open("acme", "adr.csv") as file:
            assert file.read(10) == content[:10]
            assert file.read() == content[10:]
        with pytest.raises(FileNotFoundError):
            site.open("acme", "missing.csv")


def test_open_file_has_a_connection_of_its_own_until_closed(sftp_server):
    directory = sftp_server.root / "acme"
    directory.mkdir(parents=True)
    write(directory / "adr.csv", b"day,records\n")

    file = SftpSite.open_file("acme", "adr.csv")
    chunks = list(iter(lambda: file.read(4), b""))
    file.close()

    assert b"".join(chunks) == b"day,records\n"
    assert file.closed
    with pytest.raises(FileNotFoundError):
        SftpSite.open_file("acme", "missing.csv")


def test_a_site_that_does_not_answer_is_an_sftp_error_at_once(settings, tmp_path):
    settings.ADR_SFTP = {
        **settings.ADR_SFTP,
        "PORT": free_port(),
        "KEY_FILE": tmp_path / "portal_key",
        "HOST_KEY_FILE": tmp_path / "host_key",
    }
    started = time.monotonic()

    with pytest.raises(SftpError, match=r"^The secure FTP site at 127\.0\.0\.1:\d+ did not answer"):
        SftpSite().connect()

    assert time.monotonic() - started < 2


def test_a_site_that_does_not_know_the_portal_key_refuses_it(sftp_server, settings, tmp_path):
    settings.ADR_SFTP = {**settings.ADR_SFTP, "KEY_FILE": tmp_path / "another" / "portal_key"}

    with pytest.raises(SftpError, match="refused the portal's login"):
        SftpSite().connect()


def test_a_site_with_another_host_key_is_refused(sftp_server, settings, tmp_path):
    settings.ADR_SFTP = {**settings.ADR_SFTP, "HOST_KEY_FILE": tmp_path / "another" / "host_key"}

    with pytest.raises(
        SftpError, match=r"showed a host key \(SHA256:.*\) other than the site.s own"
    ):
        SftpSite().connect()


def test_a_full_disk_refuses_the_upload_and_leaves_no_file(settings, tmp_path):
    with running_sftp_server(tmp_path / "sftp", MIN_FREE_BYTES=10**18) as server:
        use_sftp_server(settings, server)
        with SftpSite() as site, pytest.raises(SftpError) as refused:
            site.put(write(tmp_path / "adr.csv", b"data"), "acme", "adr.csv")

    assert str(refused.value) == (
        f"The secure FTP site at 127.0.0.1:{server.port} refused to store acme/adr.csv: "
        "No space left on the secure FTP site's disk."
    )
    assert os.listdir(server.root / "acme") == []


@pytest.mark.parametrize("name", ["", ".", "..", "../globex", "a/b", ".adr.csv.part", "a..b"])
def test_names_with_a_path_or_a_leading_dot_are_refused(name):
    site = SftpSite()
    with pytest.raises(ValueError, match="is not a plain name"):
        site.put("/dev/null", "acme", name)
    with pytest.raises(ValueError, match="is not a plain name"):
        site.files(name)
    with pytest.raises(ValueError, match="is not a plain name"):
        site.remove(name, "adr.csv")
    with pytest.raises(ValueError, match="is not a plain name"):
        site.open("acme", name)


def test_ensure_keys_makes_one_key_pair_when_called_at_once(settings, tmp_path):
    settings.ADR_SFTP = {
        **settings.ADR_SFTP,
        "KEY_FILE": tmp_path / "keys" / "portal_key",
        "HOST_KEY_FILE": tmp_path / "keys" / "host_key",
    }
    threads = [threading.Thread(target=ensure_keys) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for name in ("portal_key", "host_key"):
        private = tmp_path / "keys" / name
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
        public_line = (tmp_path / "keys" / f"{name}.pub").read_bytes()
        assert asyncssh.read_private_key(private).export_public_key() == public_line
    assert sorted(os.listdir(tmp_path / "keys")) == [
        "host_key",
        "host_key.pub",
        "portal_key",
        "portal_key.pub",
    ]


# Customers: their logins are checked against the database by the server's process.


@pytest.fixture
def acme_account(enterprise):
    return SftpAccount.objects.create(enterprise=enterprise, username="acme")


@pytest.fixture
def globex_account(other_enterprise):
    return SftpAccount.objects.create(enterprise=other_enterprise, username="globex")


def password_credential(account, password=CUSTOMER_PASSWORD, **fields):
    return SftpCredential.objects.create(
        enterprise=account.enterprise,
        account=account,
        kind=SftpCredential.Kind.PASSWORD,
        password_hash=make_password(password),
        **fields,
    )


def key_credential(account, **fields):
    """A public key credential of the account, and the customer's private key (paramiko)."""
    key = asyncssh.generate_private_key("ssh-ed25519", comment="customer@example.com")
    credential = SftpCredential.objects.create(
        enterprise=account.enterprise,
        account=account,
        kind=SftpCredential.Kind.PUBLIC_KEY,
        public_key=key.export_public_key().decode().strip(),
        fingerprint=key.get_fingerprint(),
        **fields,
    )
    private_key = paramiko.Ed25519Key.from_private_key(
        io.StringIO(key.export_private_key().decode())
    )
    return credential, private_key


def last_used(credential):
    credential.refresh_from_db(fields=["last_used_at"])
    return credential.last_used_at


@pytest.fixture
def delivered_files(sftp_server, acme_account, globex_account):
    for directory, name in (("acme", "adr-acme.csv"), ("globex", "adr-globex.csv")):
        (sftp_server.root / directory).mkdir(parents=True)
        write(sftp_server.root / directory / name, f"records of {directory}\n".encode())


@pytest.mark.django_db(transaction=True)
def test_a_customer_logs_in_by_password_and_reads_its_own_files(
    sftp_server, delivered_files, acme_account
):
    credential = password_credential(acme_account)

    with customer_sftp(sftp_server, "acme", password=CUSTOMER_PASSWORD) as sftp:
        assert sftp.listdir("/") == ["adr-acme.csv"]
        assert sftp.listdir(".") == ["adr-acme.csv"]
        with sftp.open("adr-acme.csv") as file:
            assert file.read() == b"records of acme\n"

    # The server notes the use just after letting the customer in.
    wait_for(lambda: last_used(credential) is not None)
    assert abs(last_used(credential) - timezone.now()) < timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_a_customer_logs_in_by_public_key(sftp_server, delivered_files, acme_account):
    credential, private_key = key_credential(acme_account)

    with customer_sftp(sftp_server, "acme", key=private_key) as sftp:
        assert sftp.listdir("/") == ["adr-acme.csv"]
        assert sftp.stat("adr-acme.csv").st_size == len(b"records of acme\n")

    wait_for(lambda: last_used(credential) is not None)
    wait_for(lambda: "SFTP login accepted: acme from 127.0.0.1:" in sftp_server.log_of_test())


@pytest.mark.django_db(transaction=True)
def test_a_customer_may_not_change_anything(sftp_server, delivered_files, acme_account):
    password_credential(acme_account)

    with customer_sftp(sftp_server, "acme", password=CUSTOMER_PASSWORD) as sftp:
        attempts = [
            lambda: sftp.open("new.csv", "wb"),
            lambda: sftp.open("adr-acme.csv", "ab"),
            lambda: sftp.open("adr-acme.csv", "r+"),
            lambda: sftp.remove("adr-acme.csv"),
            lambda: sftp.rename("adr-acme.csv", "renamed.csv"),
            lambda: sftp.posix_rename("adr-acme.csv", "renamed.csv"),
            lambda: sftp.mkdir("folder"),
            lambda: sftp.rmdir("/"),
            lambda: sftp.chmod("adr-acme.csv", 0o777),
            lambda: sftp.utime("adr-acme.csv", (0, 0)),
            lambda: sftp.truncate("adr-acme.csv", 0),
            lambda: sftp.symlink("/", "link"),
        ]
        for attempt in attempts:
            with pytest.raises(PermissionError):
                attempt()

    assert sorted(os.listdir(sftp_server.root / "acme")) == ["adr-acme.csv"]
    assert (sftp_server.root / "acme" / "adr-acme.csv").read_bytes() == b"records of acme\n"


@pytest.mark.django_db(transaction=True)
def test_a_customer_cannot_leave_its_directory(sftp_server, delivered_files, acme_account):
    password_credential(acme_account)
    # A link on the disk that points out of the directory (the site itself never makes one).
    os.symlink(sftp_server.root / "globex", sftp_server.root / "acme" / "elsewhere")

    with customer_sftp(sftp_server, "acme", password=CUSTOMER_PASSWORD) as sftp:
        assert sftp.normalize("..") == "/"
        assert sorted(sftp.listdir("../..")) == ["adr-acme.csv", "elsewhere"]
        with pytest.raises(FileNotFoundError):
            sftp.open("../globex/adr-globex.csv")
        with pytest.raises(FileNotFoundError):
            sftp.open("/../../globex/adr-globex.csv")
        with pytest.raises(PermissionError):
            sftp.listdir("elsewhere")
        with pytest.raises(PermissionError):
            sftp.open("elsewhere/adr-globex.csv")


@pytest.mark.django_db(transaction=True)
def test_a_revoked_credential_is_refused(sftp_server, acme_account):
    password_credential(acme_account, revoked_at=timezone.now())
    _, private_key = key_credential(acme_account, revoked_at=timezone.now())

    with (
        pytest.raises(paramiko.AuthenticationException),
        customer_sftp(sftp_server, "acme", password=CUSTOMER_PASSWORD),
    ):
        pass
    with (
        pytest.raises(paramiko.AuthenticationException),
        customer_sftp(sftp_server, "acme", key=private_key),
    ):
        pass
    wait_for(lambda: "SFTP login refused: acme from 127.0.0.1:" in sftp_server.log_of_test())


@pytest.mark.django_db(transaction=True)
def test_another_accounts_credential_is_refused(sftp_server, acme_account, globex_account):
    password_credential(globex_account, password="globex's own password")
    _, globex_key = key_credential(globex_account)
    password_credential(acme_account)

    with (
        pytest.raises(paramiko.AuthenticationException),
        customer_sftp(sftp_server, "acme", password="globex's own password"),
    ):
        pass
    with (
        pytest.raises(paramiko.AuthenticationException),
        customer_sftp(sftp_server, "acme", key=globex_key),
    ):
        pass
    with (
        pytest.raises(paramiko.AuthenticationException),
        customer_sftp(sftp_server, "globex", password=CUSTOMER_PASSWORD),
    ):
        pass


@pytest.mark.django_db(transaction=True)
def test_the_portal_login_takes_its_key_only(sftp_server, acme_account):
    password_credential(acme_account)
    _, customer_key = key_credential(acme_account)

    for credentials in ({"password": CUSTOMER_PASSWORD}, {"key": customer_key}):
        with (
            pytest.raises(paramiko.AuthenticationException),
            customer_sftp(sftp_server, "portal", **credentials),
        ):
            pass


@pytest.mark.django_db(transaction=True)
def test_the_site_offers_no_shell_and_no_commands(sftp_server, acme_account):
    password_credential(acme_account)
    transport = paramiko.Transport((sftp_server.host, sftp_server.port))
    try:
        transport.connect(username="acme", password=CUSTOMER_PASSWORD)
        with pytest.raises(paramiko.SSHException):
            transport.open_session().exec_command("ls")
        with pytest.raises(paramiko.SSHException):
            transport.open_session().invoke_shell()
        with pytest.raises(paramiko.SSHException):
            transport.open_channel("direct-tcpip", ("127.0.0.1", sftp_server.port), ("", 0))
    finally:
        transport.close()


def test_a_site_that_stays_silent_is_an_sftp_error_after_the_timeout(settings, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as silent:
        settings.ADR_SFTP = {
            **settings.ADR_SFTP,
            "PORT": silent.getsockname()[1],
            "TIMEOUT": 1,
            "KEY_FILE": tmp_path / "portal_key",
            "HOST_KEY_FILE": tmp_path / "host_key",
        }
        started = time.monotonic()

        with pytest.raises(
            SftpError, match=r"did not complete the SSH handshake \(waited up to 1 "
        ):
            SftpSite().connect()

    assert time.monotonic() - started < 5


@pytest.mark.django_db(transaction=True)
def test_an_address_that_guesses_passwords_is_stopped_while_keys_still_work(enterprise, tmp_path):
    account = SftpAccount.objects.create(enterprise=enterprise, username="adr-guessed")
    SftpCredential.objects.create(
        enterprise=enterprise,
        account=account,
        kind=SftpCredential.Kind.PASSWORD,
        password_hash=make_password(CUSTOMER_PASSWORD),
    )
    _credential, private_key = key_credential(account)
    with running_sftp_server(tmp_path / "sftp", MAX_FAILED_PASSWORDS=2) as server:
        # Two wrong guesses, then the right password: refused too, unchecked.
        for guess in ("password1", "letmein", CUSTOMER_PASSWORD):
            with (
                pytest.raises(paramiko.AuthenticationException),
                customer_sftp(server, "adr-guessed", password=guess),
            ):
                pass
        # The key is not a guess.
        with customer_sftp(server, "adr-guessed", key=private_key) as sftp:
            assert sftp.listdir(".") == []

    assert "password refused unchecked: too many wrong from 127.0.0.1" in server.log.read_text()

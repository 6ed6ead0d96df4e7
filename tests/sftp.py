"""A real secure FTP site for the tests: `manage.py sftp_server` on a free port, on the test
database, and paramiko logins as a customer would make them."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import paramiko
import pytest
from django.conf import settings as django_settings

from tests.workers import worker_environment

STARTUP_SECONDS = 30


@dataclass(frozen=True)
class SftpServer:
    host: str
    port: int
    directory: Path  # SFTP_DIR: the keys
    root: Path  # ADR_SFTP["ROOT"]: a directory per login below it
    log: Path  # what the server printed and logged
    config: dict  # ADR_SFTP values other than the defaults

    def adr_sftp(self, defaults):
        """ADR_SFTP pointing at this server."""
        return {
            **defaults,
            "HOST": self.host,
            "PORT": self.port,
            "PUBLIC_HOST": self.host,
            "PUBLIC_PORT": self.port,
            "KEY_FILE": self.directory / "portal_key",
            "HOST_KEY_FILE": self.directory / "host_key",
            "ROOT": self.root,
            **self.config,
        }


@dataclass(frozen=True)
class SftpServerOfTest(SftpServer):
    log_start: int  # what the log held when the test started

    def log_of_test(self):
        with self.log.open("rb") as log:
            log.seek(self.log_start)
            return log.read().decode()


@pytest.fixture(scope="session")
def shared_sftp_server(tmp_path_factory, django_db_setup):
    # One server for the whole session: a process that starts Django takes seconds. The
    # session's tests send wrong passwords on purpose, all from 127.0.0.1: none is stopped
    # for them here (test_sftp.py tests the limit on a server of its own).
    with running_sftp_server(tmp_path_factory.mktemp("sftp"), MAX_FAILED_PASSWORDS=10**6) as server:
        yield server


@pytest.fixture
def sftp_server(shared_sftp_server, settings):
    """The secure FTP site of the tests, which settings.ADR_SFTP points at, its files removed.

    The server is another process, on the test database: a test whose customer logins read
    credentials from the database must be marked `django_db(transaction=True)`, since that
    process sees only committed rows. `log_of_test()` is what the server logged in this test.
    """
    server = shared_sftp_server
    for directory in server.root.iterdir():
        shutil.rmtree(directory)
    settings.ADR_SFTP = server.adr_sftp(settings.ADR_SFTP)
    return SftpServerOfTest(**vars(server), log_start=server.log.stat().st_size)


def use_sftp_server(settings, server):
    """Point settings.ADR_SFTP (pytest-django's `settings`) at a server of running_sftp_server."""
    settings.ADR_SFTP = server.adr_sftp(settings.ADR_SFTP)


@contextmanager
def running_sftp_server(directory, **config):
    """Run `manage.py sftp_server` on a free port, its keys in `directory` and its files in
    directory/files; `config` gives other ADR_SFTP values, e.g. MIN_FREE_BYTES=... ."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    server = SftpServer(
        host="127.0.0.1",
        port=free_port(),
        directory=directory,
        root=directory / "files",
        log=directory / "server.log",
        config=config,
    )
    environment = worker_environment(
        SFTP_DIR=str(server.directory),
        SFTP_ROOT=str(server.root),
        SFTP_HOST=server.host,
        SFTP_PORT=str(server.port),
        **{f"SFTP_{name}": str(value) for name, value in config.items()},
    )
    with server.log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "manage.py", "sftp_server"],
            cwd=django_settings.BASE_DIR,
            env=environment,
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(process, server)
        yield server
    finally:
        _stop(process, server.log)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(process, server):
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"manage.py sftp_server stopped:\n{server.log.read_text()}")
        try:
            socket.create_connection((server.host, server.port), timeout=1).close()
        except OSError:
            if time.monotonic() > deadline:
                log = server.log.read_text()
                pytest.fail(f"manage.py sftp_server did not listen in time:\n{log}")
            time.sleep(0.05)
        else:
            return


def _stop(process, log):
    """Stop the server as its service manager would; it must exit cleanly."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    if process.returncode != 0:
        pytest.fail(f"manage.py sftp_server did not stop cleanly on SIGTERM:\n{log.read_text()}")


@contextmanager
def customer_sftp(server, username, *, password=None, key=None):
    """A paramiko SFTP session logged in as a customer would, by password or private key
    (a paramiko PKey); paramiko.AuthenticationException when the site refuses the login."""
    transport = paramiko.Transport((server.host, server.port))
    try:
        transport.connect(username=username, password=password, pkey=key)
        with paramiko.SFTPClient.from_transport(transport) as sftp:
            yield sftp
    finally:
        transport.close()

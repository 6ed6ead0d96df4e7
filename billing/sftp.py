"""The secure FTP site of the daily ADR files, as the portal reaches it (billing.sftp_server is
the site itself).

`SftpSite` logs in as the portal (ADR_SFTP["USERNAME"], with the private key KEY_FILE) once the
server has shown the host key of HOST_KEY_FILE.pub, and puts, lists, reads and removes the files
of the enterprises' directories:

    with SftpSite() as site:
        site.put(local_path, account.directory, "adr-2026-12-07.csv")

Whatever goes wrong on the way (the site does not answer, refuses the login, or refuses what was
asked, e.g. because its disk is full) is an SftpError whose message staff can read.

Reading: `site.open(directory, name)` gives a file that reads over the site's connection, so it
must be read before the site is closed. A download streamed after its view has returned reads
`SftpSite.open_file(directory, name)` instead: that file has a connection of its own, which
closing the file closes.
"""

import io
import os
import socket
import stat
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncssh
import paramiko
from django.conf import settings

# Speed: AES-GCM (paramiko encrypts and authenticates it in one OpenSSL call: about twice as fast as
# AES-CTR with an HMAC), a large SSH window, and reads and writes of 256 KiB sent without waiting
# for each answer: paramiko's requests of 32 KiB suit any server, ours takes up to 4 MiB, and
# with fewer requests Python's cost per request matters less.
CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr")
WINDOW_SIZE = 64 * 1024 * 1024
MAX_PACKET_SIZE = 256 * 1024
REQUEST_SIZE = 256 * 1024
COPY_CHUNK_SIZE = 1024 * 1024
# A download reads this far ahead of its reader: enough to keep the connection busy, little
# enough that a slow reader does not hold the whole file in memory.
READ_AHEAD = 8 * 1024 * 1024


class SftpError(Exception):
    """The secure FTP site could not be reached, refused the login or refused what was asked."""


@dataclass(frozen=True)
class RemoteFile:
    """A file on the site: its name, size in bytes and when it was last written (aware, UTC)."""

    name: str
    size: int
    modified: datetime


def ensure_keys():
    """Make the portal's key pair and the server's host key pair where they are missing."""
    config = settings.ADR_SFTP
    for private_path in (config["KEY_FILE"], config["HOST_KEY_FILE"]):
        _ensure_key_pair(Path(private_path))


def public_key_path(private_path):
    return Path(f"{private_path}.pub")


def _ensure_key_pair(path):
    public_path = public_key_path(path)
    if path.exists() and public_path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519", comment="carrier-portal")
        # Written under a name of its own first, then linked: of several processes starting at
        # once, one key wins, and no process ever reads a half-written key.
        temporary = _written_file(path, key.export_private_key())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    # Every process derives the same public key from the private key that won.
    public_key = asyncssh.read_private_key(path).export_public_key()
    temporary = _written_file(public_path, public_key)
    temporary.chmod(0o644)
    os.replace(temporary, public_path)


def _written_file(path, data):
    """A new file (mode 0600) beside `path` holding `data`, flushed to the disk."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    return Path(name)


def check_name(name):
    """Refuse a directory or file name that is not one plain name: no path, no hidden file."""
    if not name or "/" in name or "\\" in name or "\0" in name or ".." in name or name[0] == ".":
        raise ValueError(f"{name!r} is not a plain name: no path, no leading dot.")


class SftpSite:
    """The portal's own login on the secure FTP site; use it as a context manager."""

    def __init__(self):
        config = settings.ADR_SFTP
        self.host = config["HOST"]
        self.port = config["PORT"]
        self.timeout = config["TIMEOUT"]
        self._transport = None
        self._sftp = None

    def __str__(self):
        return f"The secure FTP site at {self.host}:{self.port}"

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def connect(self):
        ensure_keys()
        config = settings.ADR_SFTP
        key = paramiko.PKey.from_path(config["KEY_FILE"])
        host_key_type, host_key = public_key_path(config["HOST_KEY_FILE"]).read_text().split()[:2]
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except TimeoutError:
            raise SftpError(f"{self} did not answer within {self.timeout} seconds.") from None
        except OSError as error:
            raise SftpError(f"{self} did not answer: {error.strerror or error}.") from None
        self._transport = paramiko.Transport(
            sock, default_window_size=WINDOW_SIZE, default_max_packet_size=MAX_PACKET_SIZE
        )
        try:
            with self._answering("let the portal log in"):
                self._transport.banner_timeout = self.timeout
                self._transport.handshake_timeout = self.timeout
                self._transport.auth_timeout = self.timeout
                security = self._transport.get_security_options()
                security.key_types = [host_key_type]
                security.ciphers = CIPHERS
                try:
                    # Returns at the timeout even when the handshake is not done; asking for
                    # the server's key then fails.
                    self._transport.start_client(timeout=self.timeout)
                    shown = self._transport.get_remote_server_key()
                except (paramiko.SSHException, EOFError):
                    # paramiko's own words here ("No existing session") would not help staff.
                    raise SftpError(
                        f"{self} did not complete the SSH handshake "
                        f"(waited up to {self.timeout} seconds)."
                    ) from None
                if (shown.get_name(), shown.get_base64()) != (host_key_type, host_key):
                    raise SftpError(
                        f"{self} showed a host key ({shown.fingerprint}) other than the site's "
                        f"own, in {public_key_path(config['HOST_KEY_FILE'])}: the portal did "
                        "not log in."
                    )
                self._transport.auth_publickey(config["USERNAME"], key)
                self._sftp = paramiko.SFTPClient.from_transport(
                    self._transport, window_size=WINDOW_SIZE, max_packet_size=MAX_PACKET_SIZE
                )
                self._sftp.get_channel().settimeout(self.timeout)
        except BaseException:
            self.close()
            raise

    def close(self):
        if self._sftp is not None:
            with suppress(OSError, EOFError, paramiko.SSHException):
                self._sftp.close()
            self._sftp = None
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def put(self, local_path, directory, name):
        """Upload a local file as directory/name, which it replaces at once when complete."""
        check_name(directory)
        check_name(name)
        part = f"{directory}/.{name}.part"
        with open(local_path, "rb") as source, self._answering(f"store {directory}/{name}"):
            self._make_directory(directory)
            try:
                with self._sftp.open(part, "wb") as target:
                    target.MAX_REQUEST_SIZE = REQUEST_SIZE
                    target.set_pipelined(True)
                    while chunk := source.read(COPY_CHUNK_SIZE):
                        target.write(chunk)
                self._sftp.posix_rename(part, f"{directory}/{name}")
            except BaseException:
                with suppress(OSError, EOFError, paramiko.SSHException):
                    self._sftp.remove(part)
                raise

    def files(self, directory):
        """The files of a directory, by name; a directory not made yet has none."""
        check_name(directory)
        with self._answering(f"list {directory}"):
            try:
                entries = self._sftp.listdir_attr(directory)
            except FileNotFoundError:
                return []
        return sorted(
            (
                RemoteFile(
                    name=entry.filename,
                    size=entry.st_size,
                    modified=datetime.fromtimestamp(entry.st_mtime, UTC),
                )
                for entry in entries
                if not entry.filename.startswith(".") and stat.S_ISREG(entry.st_mode)
            ),
            key=lambda remote: remote.name,
        )

    def remove(self, directory, name):
        """Remove directory/name; a file that is not there is fine."""
        check_name(directory)
        check_name(name)
        with self._answering(f"remove {directory}/{name}"), suppress(FileNotFoundError):
            self._sftp.remove(f"{directory}/{name}")

    def open(self, directory, name):
        """directory/name opened for reading (FileNotFoundError if missing): read it before
        the site is closed."""
        check_name(directory)
        check_name(name)
        with self._answering(f"read {directory}/{name}"):
            file = self._sftp.open(f"{directory}/{name}", "rb")
            file.MAX_REQUEST_SIZE = REQUEST_SIZE
            size = file.stat().st_size
        return RemoteReader(file, size, site=self, action=f"read {directory}/{name}")

    @classmethod
    def open_file(cls, directory, name):
        """directory/name opened for reading over a connection of its own, closed with it."""
        site = cls()
        site.connect()
        try:
            reader = site.open(directory, name)
        except BaseException:
            site.close()
            raise
        reader.closes_site = True
        return reader

    def _make_directory(self, directory):
        try:
            self._sftp.stat(directory)
        except FileNotFoundError:
            try:
                self._sftp.mkdir(directory)
            except OSError:
                # Made meanwhile by another upload? Then all is well.
                self._sftp.stat(directory)

    @contextmanager
    def _answering(self, action):
        """Turn what goes wrong while doing `action` ("store acme/x.csv") into an SftpError;
        a missing file stays a FileNotFoundError for the caller."""
        try:
            yield
        except (SftpError, FileNotFoundError):
            raise
        except TimeoutError:
            raise SftpError(
                f"{self} did not answer within {self.timeout} seconds when asked to {action}."
            ) from None
        except paramiko.AuthenticationException:
            username = settings.ADR_SFTP["USERNAME"]
            raise SftpError(
                f"{self} refused the portal's login ({username}): it does not know its key."
            ) from None
        except (paramiko.SSHException, EOFError, ConnectionError) as error:
            raise SftpError(
                f"{self} broke off the connection when asked to {action}: {error or 'closed'}."
            ) from None
        except PermissionError:
            raise SftpError(f"{self} refused to {action}: permission denied.") from None
        except OSError as error:
            reason = (error.strerror or str(error)).rstrip(".")
            raise SftpError(f"{self} refused to {action}: {reason}.") from None


class RemoteReader(io.RawIOBase):
    """A file of the secure FTP site being read, READ_AHEAD at a time; when `closes_site`,
    closing it closes the site's connection too."""

    def __init__(self, file, size, *, site, action):
        super().__init__()
        self._file = file
        self._site = site
        self._action = action
        self._chunks = self._prefetched_chunks(size)
        self._rest = b""
        self.closes_site = False

    def readable(self):
        return True

    def read(self, size=-1):
        if size is None or size < 0:
            return self.readall()
        if not self._rest:
            with self._site._answering(self._action):
                self._rest = next(self._chunks, b"")
        data, self._rest = self._rest[:size], self._rest[size:]
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        if not self.closed:
            with suppress(OSError, EOFError, paramiko.SSHException):
                self._file.close()
            if self.closes_site:
                self._site.close()
        super().close()

    def _prefetched_chunks(self, size):
        """The file's chunks in order, each window of READ_AHEAD asked for all at once."""
        for window_start in range(0, size, READ_AHEAD):
            window_end = min(window_start + READ_AHEAD, size)
            yield from self._file.readv(
                [
                    (offset, min(REQUEST_SIZE, window_end - offset))
                    for offset in range(window_start, window_end, REQUEST_SIZE)
                ]
            )

"""The secure FTP site of the daily ADR files: the portal's own SFTP server (asyncssh), started
by `manage.py sftp_server`.

It offers the SFTP subsystem and nothing else: no shell, no commands, no port or agent
forwarding. Its host key is ADR_SFTP["HOST_KEY_FILE"] (made on first start, as is the portal's
own key pair: billing.sftp.ensure_keys); it serves the directory ADR_SFTP["ROOT"].

Who logs in, and how:
- The portal (ADR_SFTP["USERNAME"], "portal") by the public key KEY_FILE.pub only. It reads and
  writes anything under ROOT, which is its root: the delivery job puts each enterprise's ADR
  files in the enterprise's directory and removes the old ones. An upload is refused with "no
  space left" while the disk has less than MIN_FREE_BYTES free, so that staff see a full disk
  instead of a half-written file.
- Any other login is an SftpAccount's username, by password or public key: one of the
  account's active SftpCredentials (the password checked against its hash, the key matched by
  its SHA256 fingerprint); a revoked credential never works, and the one used gets its
  last_used_at. The customer's root is ROOT/<username>, and it may only look: list, stat, read.
  Writing, removing, renaming, making directories, links and changing attributes are refused
  with "permission denied". No path leads out of its directory: paths are resolved within it,
  and a link on the disk that points elsewhere is refused.

Guessing passwords is slowed and stopped: a wrong password is answered after a second, and an
address that has sent MAX_FAILED_PASSWORDS wrong ones in FAILED_PASSWORD_WINDOW has its password
logins refused unchecked until that much time has passed since the first of them.

The accounts and credentials are read through the ORM in a thread (the tables are tenant-owned,
hence read with scopes disabled). Each login is logged once, accepted or refused, with the peer.
A production deployment runs the server as a service of its own (the `sftp` service of
docker-compose), sharing SFTP_DIR with the workers that deliver the files.
"""

import asyncio
import logging
import os
import shutil
import signal
import time
from collections import defaultdict, deque
from pathlib import Path

import asyncssh
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import close_old_connections
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import SftpCredential
from .sftp import check_name, ensure_keys, public_key_path

logger = logging.getLogger(__name__)

WRITE_FLAGS = asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC
WRITE_ACCESS = asyncssh.ACE4_WRITE_DATA | asyncssh.ACE4_APPEND_DATA | asyncssh.ACE4_WRITE_ATTRIBUTES
FAILED_PASSWORD_WINDOW = 15 * 60  # seconds
FAILED_PASSWORD_DELAY = 1  # second
# The SFTP window and packet sizes that let the portal's uploads go at full speed.
WINDOW_SIZE = 64 * 1024 * 1024
MAX_PACKET_SIZE = 256 * 1024


async def start_server(host, port):
    """Start listening; returns the asyncssh server (close it to stop)."""
    ensure_keys()
    config = settings.ADR_SFTP
    root = Path(config["ROOT"])
    root.mkdir(parents=True, exist_ok=True)
    portal_key = asyncssh.read_public_key(public_key_path(config["KEY_FILE"]))

    failed_passwords = FailedPasswords(config["MAX_FAILED_PASSWORDS"])

    def ssh_server():
        return SiteSSHServer(
            portal_username=config["USERNAME"],
            portal_key=portal_key,
            failed_passwords=failed_passwords,
        )

    def sftp_server(channel):
        username = channel.get_extra_info("username")
        if username == config["USERNAME"]:
            return PortalSFTPServer(channel, root=root, min_free_bytes=config["MIN_FREE_BYTES"])
        customer_root = root / username
        customer_root.mkdir(exist_ok=True)
        return CustomerSFTPServer(channel, chroot=customer_root)

    return await asyncssh.create_server(
        ssh_server,
        host,
        port,
        server_host_keys=[str(config["HOST_KEY_FILE"])],
        sftp_factory=sftp_server,
        allow_scp=False,
        agent_forwarding=False,
        x11_forwarding=False,
        window=WINDOW_SIZE,
        max_pktsize=MAX_PACKET_SIZE,
    )


class FailedPasswords:
    """The wrong passwords each address has sent in the last FAILED_PASSWORD_WINDOW seconds."""

    def __init__(self, limit):
        self._limit = limit
        self._times = defaultdict(deque)

    def _recent(self, address):
        times = self._times[address]
        while times and times[0] < time.monotonic() - FAILED_PASSWORD_WINDOW:
            times.popleft()
        if not times:
            del self._times[address]
        return times

    def blocked(self, address):
        return len(self._recent(address)) >= self._limit

    def add(self, address):
        self._recent(address)
        self._times[address].append(time.monotonic())


class SiteSSHServer(asyncssh.SSHServer):
    """One connection: who logs in, and by which credential."""

    def __init__(self, *, portal_username, portal_key, failed_passwords):
        self._portal_username = portal_username
        self._portal_key = portal_key
        self._failed_passwords = failed_passwords
        self._address = None
        self._peer = "?"
        self._username = None
        self._credential_id = None  # of the customer's credential that was accepted
        self._logged_in = False

    def connection_made(self, conn):
        peer = conn.get_extra_info("peername")
        if peer:
            self._address = peer[0]
            self._peer = f"{peer[0]}:{peer[1]}"

    def connection_lost(self, exc):
        if self._username and not self._logged_in:
            logger.info("SFTP login refused: %s from %s", self._username, self._peer)

    def begin_auth(self, username):
        self._username = username
        return True

    def password_auth_supported(self):
        return True

    def public_key_auth_supported(self):
        return True

    def kbdint_auth_supported(self):
        return False

    async def validate_password(self, username, password):
        if self._failed_passwords.blocked(self._address):
            logger.warning("SFTP password refused unchecked: too many wrong from %s", self._peer)
            return False
        if username != self._portal_username and _is_plain_name(username):
            self._credential_id = await sync_to_async(password_credential)(username, password)
            if self._credential_id is not None:
                return True
        self._failed_passwords.add(self._address)
        await asyncio.sleep(FAILED_PASSWORD_DELAY)
        return False

    async def validate_public_key(self, username, key):
        if username == self._portal_username:
            return key.public_data == self._portal_key.public_data
        if not _is_plain_name(username):
            return False
        fingerprint = key.get_fingerprint("sha256")
        self._credential_id = await sync_to_async(public_key_credential)(username, fingerprint)
        return self._credential_id is not None

    async def auth_completed(self):
        self._logged_in = True
        if self._username != self._portal_username:
            await sync_to_async(note_use)(self._credential_id)
        logger.info("SFTP login accepted: %s from %s", self._username, self._peer)


def _is_plain_name(username):
    try:
        check_name(username)
    except ValueError:
        return False
    return True


def _active_credentials(username, kind):
    close_old_connections()
    return SftpCredential.objects.filter(
        account__username=username, kind=kind, revoked_at__isnull=True
    )


def password_credential(username, password):
    """The id of the account's active password credential that this password matches, or None."""
    with scopes_disabled():
        hashes = list(
            _active_credentials(username, SftpCredential.Kind.PASSWORD).values_list(
                "id", "password_hash"
            )
        )
    if not hashes:
        # Hash anyway, so that a missing login takes as long to refuse as a wrong password.
        make_password(password)
    for credential_id, password_hash in hashes:
        if check_password(password, password_hash):
            return credential_id
    return None


def public_key_credential(username, fingerprint):
    """The id of the account's active public key credential with this fingerprint, or None."""
    with scopes_disabled():
        return (
            _active_credentials(username, SftpCredential.Kind.PUBLIC_KEY)
            .filter(fingerprint=fingerprint)
            .values_list("id", flat=True)
            .first()
        )


def note_use(credential_id):
    close_old_connections()
    with scopes_disabled():
        SftpCredential.objects.filter(id=credential_id).update(last_used_at=timezone.now())


class PortalSFTPServer(asyncssh.SFTPServer):
    """The portal's session: all of ROOT, uploads refused while the disk is nearly full."""

    def __init__(self, channel, *, root, min_free_bytes):
        super().__init__(channel, chroot=root)
        self._root = root
        self._min_free_bytes = min_free_bytes

    def open(self, path, pflags, attrs):
        if pflags & WRITE_FLAGS:
            self._check_free_space()
        return super().open(path, pflags, attrs)

    def open56(self, path, desired_access, flags, attrs):
        if desired_access & WRITE_ACCESS or _creates(flags):
            self._check_free_space()
        return super().open56(path, desired_access, flags, attrs)

    def _check_free_space(self):
        if shutil.disk_usage(self._root).free < self._min_free_bytes:
            raise asyncssh.SFTPFailure("No space left on the secure FTP site's disk")

    # The portal needs no links; none can then lead a customer out of its directory.
    def symlink(self, oldpath, newpath):
        raise asyncssh.SFTPPermissionDenied("Links are not allowed")

    def link(self, oldpath, newpath):
        raise asyncssh.SFTPPermissionDenied("Links are not allowed")


def _creates(flags):
    return (flags & asyncssh.FXF_ACCESS_DISPOSITION) != asyncssh.FXF_OPEN_EXISTING


def _read_only(*args, **kwargs):
    raise asyncssh.SFTPPermissionDenied("This site is read-only")


class CustomerSFTPServer(asyncssh.SFTPServer):
    """A customer's session: its own directory, to look at only."""

    def map_path(self, path):
        local_path = super().map_path(path)
        # Paths are normalized within the chroot already; a link on the disk could still point
        # out of it, so what the path resolves to must lie inside too.
        resolved = os.path.realpath(local_path)
        if resolved != self._chroot and not resolved.startswith(self._chroot + b"/"):
            raise asyncssh.SFTPPermissionDenied("Permission denied")
        return local_path

    def open(self, path, pflags, attrs):
        if pflags & WRITE_FLAGS:
            _read_only()
        return super().open(path, pflags, attrs)

    def open56(self, path, desired_access, flags, attrs):
        if desired_access & WRITE_ACCESS or _creates(flags):
            _read_only()
        return super().open56(path, desired_access, flags, attrs)

    write = setstat = lsetstat = fsetstat = _read_only
    remove = rename = posix_rename = mkdir = rmdir = symlink = link = _read_only


def run(host, port, *, ready=print):
    """Serve until SIGTERM or SIGINT; `ready` is told where the server listens."""

    async def serve():
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        server = await start_server(host, port)
        ready(f"SFTP server listening on {host}:{port}")
        await stopping.wait()
        server.close()
        await server.wait_closed()

    asyncio.run(serve())

"""The credentials of an enterprise's login on the secure FTP site of its ADR files.

An Administrator adds public keys (up to MAX_ACTIVE_KEYS at a time) and sets one password at a
time; each can be revoked. Only a password's hash is kept: the clear password is returned once,
for the page to show, and never stored. Revoked credentials stay, to say who revoked what.
"""

import re
import secrets

import asyncssh
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.records import record

from . import actions
from .models import SftpAccount, SftpCredential

MAX_ACTIVE_KEYS = 10
MIN_KEY_BITS = 2048
MIN_PASSWORD_LENGTH = 12
GENERATED_PASSWORD_LENGTH = 24
# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand:
# no 0/O/o, 1/l/I.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105

PRIVATE_KEY_MESSAGE = "This is a private key. Paste the public key: the line in the .pub file."
NOT_A_KEY_MESSAGE = (
    "This is not a public key. Paste the line in the .pub file, which starts with "
    "ssh-ed25519, ecdsa-sha2- or ssh-rsa."
)
ONE_KEY_MESSAGE = "Paste one public key at a time: the one line in the .pub file."
SHORT_KEY_MESSAGE = (
    "This {algorithm} key has {bits} bits, which is too weak: make a key of at least "
    f"{MIN_KEY_BITS} bits, or better an Ed25519 key (ssh-keygen -t ed25519)."
)
DUPLICATE_KEY_MESSAGE = "This public key can already sign in ({fingerprint})."
TOO_MANY_KEYS_MESSAGE = (
    f"The secure FTP login already has {MAX_ACTIVE_KEYS} public keys: revoke one you no longer "
    "use first."
)
SHORT_PASSWORD_MESSAGE = (
    f"The password must be at least {MIN_PASSWORD_LENGTH} characters long, or leave it empty "
    "to have one made for you."
)


def username_for(enterprise):
    """The login's name: adr- and the account number, in the letters the SFTP site takes."""
    cleaned = re.sub(r"[^a-z0-9-]", "", enterprise.account_number.lower())
    return f"adr-{cleaned or enterprise.pk}"


@transaction.atomic
def account_for(enterprise):
    """The enterprise's login on the secure FTP site, made the first time it is needed."""
    account = SftpAccount.objects.filter(enterprise=enterprise).first()
    if account is not None:
        return account
    base = username_for(enterprise)
    # Two account numbers can differ only in what a username leaves out ("ACC_1", "acc1"): the
    # later one gets a number after its name.
    for attempt in range(1, 100):
        username = base if attempt == 1 else f"{base}-{attempt}"
        try:
            with transaction.atomic():
                return SftpAccount.objects.create(enterprise=enterprise, username=username)
        except IntegrityError:
            # The name is another enterprise's, or a request at the same time made this one's.
            account = SftpAccount.objects.filter(enterprise=enterprise).first()
            if account is not None:
                return account
    raise RuntimeError(f"No free secure FTP username is left for {base}.")


def active_credentials(enterprise):
    """The credentials that can sign in now, oldest first."""
    return SftpCredential.objects.filter(enterprise=enterprise, revoked_at__isnull=True).order_by(
        "created_at", "pk"
    )


def _locked_account(enterprise):
    """The login, locked: two Administrators adding keys or passwords at once take turns, so
    the limits and the one active password hold."""
    return SftpAccount.objects.select_for_update().get(pk=account_for(enterprise).pk)


def read_public_key(text):
    """The key in text as (one OpenSSH line, fingerprint); a ValidationError of the form's
    public_key field if it is not one public key strong enough to accept."""
    text = text.strip()
    upper = text.upper()
    # asyncssh reads the public half out of a private key without complaint: refuse it first,
    # whatever its format (OpenSSH, PEM, PuTTY).
    if "PRIVATE KEY" in upper or "PRIVATE-LINES" in upper:
        raise ValidationError({"public_key": PRIVATE_KEY_MESSAGE})
    is_block = text.startswith("----")  # an RFC 4716 or PEM public key, over several lines
    if not is_block and len(text.splitlines()) > 1:
        raise ValidationError({"public_key": ONE_KEY_MESSAGE})
    try:
        key = asyncssh.import_public_key(text)
    except (asyncssh.KeyImportError, ValueError):
        raise ValidationError({"public_key": NOT_A_KEY_MESSAGE}) from None
    algorithm = key.get_algorithm()
    if algorithm in ("ssh-rsa", "ssh-dss"):
        bits = key.pyca_key.key_size
        if bits < MIN_KEY_BITS:
            name = "RSA" if algorithm == "ssh-rsa" else "DSA"
            raise ValidationError(
                {"public_key": SHORT_KEY_MESSAGE.format(algorithm=name, bits=bits)}
            )
    line = key.export_public_key("openssh").decode().strip()
    return line, key.get_fingerprint()


@transaction.atomic
def add_public_key(enterprise, text, *, by, ip_address=None):
    """Let the key in text sign in to the enterprise's login; return the new credential."""
    public_key, fingerprint = read_public_key(text)
    account = _locked_account(enterprise)
    keys = active_credentials(enterprise).filter(kind=SftpCredential.Kind.PUBLIC_KEY)
    if keys.filter(fingerprint=fingerprint).exists():
        raise ValidationError({"public_key": DUPLICATE_KEY_MESSAGE.format(fingerprint=fingerprint)})
    if keys.count() >= MAX_ACTIVE_KEYS:
        raise ValidationError({"public_key": TOO_MANY_KEYS_MESSAGE})
    credential = SftpCredential.objects.create(
        enterprise=enterprise,
        account=account,
        kind=SftpCredential.Kind.PUBLIC_KEY,
        public_key=public_key,
        fingerprint=fingerprint,
        created_by=by,
    )
    record(
        actions.SFTP_KEY_ADDED,
        actor=by,
        ip_address=ip_address,
        enterprise=enterprise,
        obj=credential,
    )
    return credential


def generate_password():
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH))


def check_password_strength(password, *, by):
    """Refuse a password someone could guess, in the words of the portal's own validators."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError({"password": SHORT_PASSWORD_MESSAGE})
    try:
        # The Administrator's name, address and enterprise are no secret to a guesser.
        validate_password(password, user=by)
    except ValidationError as weak:
        raise ValidationError({"password": weak.messages}) from None


@transaction.atomic
def set_password(enterprise, *, by, password=None, ip_address=None):
    """Give the login a new password (made here when password is None) in place of the one it
    had; return the clear password, which is stored only as a hash."""
    if password is None:
        password = generate_password()
    else:
        check_password_strength(password, by=by)
    account = _locked_account(enterprise)
    for old in active_credentials(enterprise).filter(kind=SftpCredential.Kind.PASSWORD):
        _revoke(old, enterprise, by=by, ip_address=ip_address)
    credential = SftpCredential.objects.create(
        enterprise=enterprise,
        account=account,
        kind=SftpCredential.Kind.PASSWORD,
        password_hash=make_password(password),
        created_by=by,
    )
    record(
        actions.SFTP_PASSWORD_SET,
        actor=by,
        ip_address=ip_address,
        enterprise=enterprise,
        obj=credential,
    )
    return password


@transaction.atomic
def revoke(enterprise, credential_id, *, by, ip_address=None):
    """Stop a credential of the enterprise from signing in; return it. Revoking it again
    changes nothing."""
    credential = SftpCredential.objects.select_for_update().get(
        enterprise=enterprise, pk=credential_id
    )
    if credential.revoked_at is None:
        _revoke(credential, enterprise, by=by, ip_address=ip_address)
    return credential


def _revoke(credential, enterprise, *, by, ip_address):
    credential.revoked_at = timezone.now()
    credential.revoked_by = by
    credential.save(update_fields=["revoked_at", "revoked_by"])
    record(
        actions.SFTP_CREDENTIAL_REVOKED,
        actor=by,
        ip_address=ip_address,
        enterprise=enterprise,
        obj=credential,
    )

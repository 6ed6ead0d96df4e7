"""Files attached to support cases: checked by their bytes, kept privately.

Accepted: packet captures (PCAP, PCAPNG), plain-text logs (UTF-8), screenshots (PNG, JPEG),
PDF, and logs compressed as ZIP or gzip. The type is read from the content, never taken from
the name or the browser: a file named like one type holding another is refused, and so is an
archive whose content would unpack far larger than it is (an archive bomb), found by reading it
in memory up to the limits, never unpacking it to disk. Each file is at most
SUPPORT_ATTACHMENT_MAX_BYTES. Files are stored under a name of their own (models.attachment_path)
in the default storage, which is not served: they are downloaded through the case's page.
"""

import codecs
import gzip
import os
import zipfile
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat

from core.files import JPEG_MAGIC, PDF_MAGIC, PNG_MAGIC, verify_image

from .models import CaseAttachment

PCAP = "application/vnd.tcpdump.pcap"
PCAPNG = "application/x-pcapng"
TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
PDF = "application/pdf"
ZIP = "application/zip"
GZIP = "application/gzip"

LABELS = {
    PCAP: "packet capture (PCAP)",
    PCAPNG: "packet capture (PCAPNG)",
    TEXT: "text file",
    PNG: "PNG image",
    JPEG: "JPEG image",
    PDF: "PDF",
    ZIP: "ZIP archive",
    GZIP: "gzip archive",
}
# What a file's name promises. Other names (or none) are accepted for any type read above.
BY_EXTENSION = {
    ".pcap": {PCAP, PCAPNG},
    ".cap": {PCAP, PCAPNG},
    ".pcapng": {PCAPNG},
    ".txt": {TEXT},
    ".log": {TEXT},
    ".csv": {TEXT},
    ".png": {PNG},
    ".jpg": {JPEG},
    ".jpeg": {JPEG},
    ".pdf": {PDF},
    ".zip": {ZIP},
    ".gz": {GZIP},
    ".tgz": {GZIP},
}
PCAP_MAGICS = (b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1")
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
MAGICS = [
    *((magic, PCAP) for magic in PCAP_MAGICS),
    (PCAPNG_MAGIC, PCAPNG),
    (PNG_MAGIC, PNG),
    (JPEG_MAGIC, JPEG),
    (PDF_MAGIC, PDF),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),  # an empty archive
    (b"\x1f\x8b", GZIP),
]

# An archive may unpack to at most this many bytes, and to at most RATIO times its own size:
# logs compress well, but not a thousandfold.
ARCHIVE_MAX_UNPACKED = 500 * 1024 * 1024
ARCHIVE_MAX_RATIO = 200
ARCHIVE_MAX_MEMBERS = 1000
CHUNK = 64 * 1024
NAME_LENGTH = CaseAttachment._meta.get_field("name").max_length

NOT_ACCEPTED = (
    "Attach a packet capture (PCAP), a text log, a PNG or JPEG screenshot, a PDF, or logs in a "
    "ZIP or gzip archive: this file is none of these."
)


def max_bytes():
    return settings.SUPPORT_ATTACHMENT_MAX_BYTES


def check(uploaded_file):
    """The content type of a file to attach, read from its bytes; ValidationError naming the
    file when it is empty, too large, not an accepted type or not what its name says."""
    name = os.path.basename(uploaded_file.name or "")
    try:
        return _check(uploaded_file, name)
    except ValidationError as error:
        raise ValidationError(f"{name}: {' '.join(error.messages)}") from None


def _check(uploaded_file, name):
    size = uploaded_file.size
    if not size:
        raise ValidationError("This file is empty.")
    if size > max_bytes():
        raise ValidationError(
            f"This file is {filesizeformat(size)}; the largest accepted is "
            f"{filesizeformat(max_bytes())}."
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    content_type = next((kind for magic, kind in MAGICS if head.startswith(magic)), None)
    if content_type is None and _is_text(uploaded_file):
        content_type = TEXT
    promised = BY_EXTENSION.get(os.path.splitext(name)[1].lower())
    if promised is not None and content_type not in promised:
        expected = LABELS[sorted(promised)[0]]
        found = f"it holds a {LABELS[content_type]}" if content_type else "it is not one"
        raise ValidationError(f"This file is named like a {expected} but {found}.")
    if content_type is None:
        raise ValidationError(NOT_ACCEPTED)
    if content_type in (PNG, JPEG):
        verify_image(uploaded_file, "PNG" if content_type == PNG else "JPEG")
    elif content_type in (ZIP, GZIP):
        _check_archive(uploaded_file, content_type, size)
    uploaded_file.seek(0)
    return content_type


def _is_text(uploaded_file):
    """Whether the whole file is UTF-8 text without NUL bytes (a log, not a binary)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    uploaded_file.seek(0)
    try:
        for chunk in uploaded_file.chunks(CHUNK):
            if b"\0" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        uploaded_file.seek(0)
    return True


def _check_archive(uploaded_file, content_type, size):
    """Read the archive through, counting what it unpacks to, and stop at the first limit."""
    limit = min(ARCHIVE_MAX_UNPACKED, size * ARCHIVE_MAX_RATIO)
    uploaded_file.seek(0)
    try:
        if content_type == ZIP:
            unpacked = _zip_unpacked(uploaded_file, limit)
        else:
            unpacked = _stream_unpacked(gzip.GzipFile(fileobj=uploaded_file, mode="rb"), limit)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
        raise ValidationError(
            f"This {LABELS[content_type]} cannot be read: it is damaged or encrypted."
        ) from None
    finally:
        uploaded_file.seek(0)
    if unpacked > limit:
        raise ValidationError(
            f"This {LABELS[content_type]} unpacks to more than {filesizeformat(limit)} "
            f"(at most {ARCHIVE_MAX_RATIO} times its size and "
            f"{filesizeformat(ARCHIVE_MAX_UNPACKED)} in all are accepted): attach the logs "
            "that show the problem, or a smaller archive."
        )


def _zip_unpacked(uploaded_file, limit):
    with zipfile.ZipFile(uploaded_file) as archive:
        members = archive.infolist()
        if len(members) > ARCHIVE_MAX_MEMBERS:
            raise ValidationError(
                f"This ZIP archive holds {len(members):,} files; at most "
                f"{ARCHIVE_MAX_MEMBERS:,} are accepted."
            )
        # The sizes its directory declares first: they may lie, so each member is read too.
        if sum(member.file_size for member in members) > limit:
            return limit + 1
        unpacked = 0
        for member in members:
            with archive.open(member) as stream:
                unpacked += _stream_unpacked(stream, limit - unpacked)
            if unpacked > limit:
                break
        return unpacked


def _stream_unpacked(stream, limit):
    """How many bytes stream gives, reading at most one chunk past limit."""
    unpacked = 0
    while unpacked <= limit:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        unpacked += len(chunk)
    return unpacked


def short_name(name):
    """The file's base name, at most NAME_LENGTH characters, keeping its extension."""
    stem, extension = os.path.splitext(os.path.basename(name or "attachment"))
    if len(extension) >= NAME_LENGTH:
        extension = ""
    return stem[: NAME_LENGTH - len(extension)] + extension


def store(case, uploaded_file, *, content_type, message=None, by=None):
    """Keep a checked file with the case (and the message it came with). In the caller's
    transaction; the caller deletes the files when it rolls back (see delete_files)."""
    attachment = CaseAttachment(
        enterprise_id=case.enterprise_id,
        case=case,
        message=message,
        name=short_name(uploaded_file.name),
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=by,
    )
    uploaded_file.seek(0)
    attachment.file.save(attachment.name, uploaded_file, save=True)
    return attachment


def delete_files(attachments):
    """Remove stored files whose rows did not commit."""
    for attachment in attachments:
        attachment.file.delete(save=False)


def file_response(attachment):
    """The attachment, downloaded as the type checked when it came in, never shown inline."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""Files attached to a case: their type read from their bytes, their size, archive bombs."""

import pytest
from django.core.exceptions import ValidationError

from support import attachments

from .files import gzipped, log, pcap, pdf, png, png_bytes, upload, zip_bomb, zipped

LINES = b"".join(f"{n} INVITE sip:+1303555{n:04}@example.com\n".encode() for n in range(1000))


@pytest.mark.parametrize(
    "uploaded, content_type",
    [
        (pcap(), attachments.PCAP),
        (upload("trace.pcapng", b"\x0a\x0d\x0d\x0a" + b"\0" * 28), attachments.PCAPNG),
        (log(), attachments.TEXT),
        (log("notes.txt", "Llamadas caídas desde las 9:00\n"), attachments.TEXT),
        (png(), attachments.PNG),
        (pdf(), attachments.PDF),
        (zipped({"a.log": LINES}), attachments.ZIP),
        (gzipped(LINES), attachments.GZIP),
        # A name that promises nothing: the content decides.
        (upload("capture", pcap().read()), attachments.PCAP),
    ],
    ids=["pcap", "pcapng", "log", "utf8", "png", "pdf", "zip", "gzip", "no-extension"],
)
def test_it_accepts_what_support_reads(uploaded, content_type):
    assert attachments.check(uploaded) == content_type


@pytest.mark.parametrize(
    "uploaded, message",
    [
        (
            upload("invoice.pdf", png_bytes()),
            "invoice.pdf: This file is named like a PDF but it holds a PNG image.",
        ),
        (
            log("trace.pcap"),
            "trace.pcap: This file is named like a packet capture (PCAP) but it holds a text file.",
        ),
        (
            upload("screen.png", b"MZ\x90\0binary\0"),
            "screen.png: This file is named like a PNG image but it is not one.",
        ),
        (upload("tool.exe", b"MZ\x90\0binary\0"), "tool.exe: Attach a packet capture (PCAP)"),
        (
            upload("latin1.log", "caídas".encode("latin-1")),
            "latin1.log: This file is named like a text file but it is not one.",
        ),
        (upload("empty.log", b""), "empty.log: This file is empty."),
        (
            upload("broken.png", b"\x89PNG\r\n\x1a\nnot really"),
            "broken.png: This PNG image cannot be read",
        ),
        (
            upload("broken.zip", b"PK\x03\x04truncated"),
            "broken.zip: This ZIP archive cannot be read",
        ),
    ],
    ids=[
        "png-as-pdf",
        "text-as-pcap",
        "binary-as-png",
        "exe",
        "not-utf8",
        "empty",
        "bad-png",
        "bad-zip",
    ],
)
def test_it_refuses_a_file_that_is_not_what_its_name_says(uploaded, message):
    with pytest.raises(ValidationError) as refusal:
        attachments.check(uploaded)
    assert refusal.value.messages[0].startswith(message)


def test_it_refuses_a_file_too_large(settings):
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 1024

    with pytest.raises(ValidationError) as refusal:
        attachments.check(log(text="x" * 2000))

    assert refusal.value.messages == [
        "sip.log: This file is 2.0\xa0KB; the largest accepted is 1.0\xa0KB."
    ]


def test_it_refuses_archive_bombs_without_unpacking_them_whole():
    with pytest.raises(ValidationError) as zip_refusal:
        attachments.check(zip_bomb())
    with pytest.raises(ValidationError) as gzip_refusal:
        attachments.check(gzipped(b"\0" * (20 * 1024 * 1024)))

    assert "logs.zip: This ZIP archive unpacks to more than" in zip_refusal.value.messages[0]
    assert "sip.log.gz: This gzip archive unpacks to more than" in gzip_refusal.value.messages[0]

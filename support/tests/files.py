"""Small files of each kind a case accepts, and some it refuses, for the support tests."""

import gzip
import io
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pcap(name="trace.pcap"):
    return upload(name, PCAP_HEADER + b"\0" * 32)


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def png(name="screen.png"):
    return upload(name, png_bytes(), "image/png")


def log(name="sip.log", text="INVITE sip:+13035550100@example.com SIP/2.0\nSIP/2.0 503\n"):
    return upload(name, text.encode(), "text/plain")


def pdf(name="report.pdf"):
    return upload(name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "application/pdf")


def zipped(members, name="logs.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return upload(name, buffer.getvalue(), "application/zip")


def zip_bomb(name="logs.zip"):
    """A few kilobytes that unpack to 20 MB of zeros."""
    return zipped({"sip.log": b"\0" * (20 * 1024 * 1024)}, name)


def gzipped(content, name="sip.log.gz"):
    return upload(name, gzip.compress(content), "application/gzip")

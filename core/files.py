"""Uploaded files told by their content, not their name: the first bytes of the kinds customers
upload, and the check that an image is one Pillow can read through."""

from django.core.exceptions import ValidationError
from PIL import Image

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def verify_image(uploaded_file, image_format):
    """Refuse an image of image_format ("PNG", "JPEG") that is damaged; leave the file at its
    start."""
    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file) as image:
            readable = image.format == image_format
            image.verify()
    except Exception:  # Pillow raises many kinds of error for a damaged image
        readable = False
    uploaded_file.seek(0)
    if not readable:
        raise ValidationError(
            f"This {image_format} image cannot be read: it is damaged. Save it again and upload it."
        )

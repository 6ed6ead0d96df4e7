"""What a change order asks for, in the words the customer and the audit log read."""

from .models import Trunk

CHANGE_LABELS = {
    "max_channels": "channels",
    "signaling": "signaling addresses",
    "media": "media addresses",
    "codecs": "codecs",
    "auth": "authentication",
    "auth_username": "SIP username",
}


def in_words(key, value):
    """A requested value of a change order as the customer reads it."""
    if key == "signaling":
        return ", ".join(f"{a['host']}:{a['port']}/{a['transport'].upper()}" for a in value)
    if key == "codecs":
        return ", ".join(Trunk.Codec(code).label for code in value) or "(none)"
    if key == "media":
        return ", ".join(value) or "(none)"
    if key == "auth":
        return Trunk.Auth(value).label
    return str(value) if value != "" else "(none)"

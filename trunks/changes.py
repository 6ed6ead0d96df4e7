"""What a change order can change - everything a trunk is - in the words the customer reads."""

from core.phones import display_phone

from .models import Trunk

# Every setting of a trunk, by the name a change order stores it under.
CHANGE_LABELS = {
    "name": "trunk name",
    "contact_name": "testing contact name",
    "contact_email": "testing contact email",
    "contact_phone": "testing contact phone",
    "street": "street",
    "city": "city",
    "state": "state / province",
    "zip_code": "ZIP / postal code",
    "country": "country",
    "switch_vendor": "switch vendor",
    "switch_model": "switch model",
    "max_channels": "channels",
    "signaling": "signaling addresses",
    "media": "media addresses",
    "auth": "authentication",
    "auth_username": "SIP username",
    "codecs": "codecs",
    "dtmf": "DTMF mode",
    "t38_fax": "T.38 fax",
    "srtp": "SRTP",
}
# The settings kept in TrunkAddress rows rather than on the trunk itself.
ADDRESS_KEYS = ("signaling", "media")


def current_values(trunk):
    """The trunk's settings, as TrunkOrder.requested stores them."""
    values = {key: getattr(trunk, key) for key in CHANGE_LABELS if key not in ADDRESS_KEYS}
    values["codecs"] = list(trunk.codecs)
    values["signaling"] = [
        {"host": a.host, "port": a.port, "transport": a.transport}
        for a in trunk.signaling_addresses
    ]
    values["media"] = [a.host for a in trunk.media_addresses]
    return values


def heading(key):
    """The label of a setting at the start of a line: "Trunk name", "DTMF mode"."""
    label = CHANGE_LABELS[key]
    return label[:1].upper() + label[1:]


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
    if key == "dtmf":
        return Trunk.Dtmf(value).label
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key == "contact_phone":
        return display_phone(value)
    return str(value) if value != "" else "(none)"

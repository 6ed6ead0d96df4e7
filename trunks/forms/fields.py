"""Form fields for a switch's addresses, one per line, checked by trunks.addresses."""

from django import forms
from django.core.exceptions import ValidationError

from ..addresses import port_number, public_host, split_host_port
from ..models import TrunkAddress

DEFAULT_PORTS = {"udp": 5060, "tcp": 5060, "tls": 5061}


def _lines(value):
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _each_line(value, read):
    """read() every line; every bad line is reported at once, quoted as the user typed it."""
    results, errors = [], []
    for number, line in enumerate(_lines(value), start=1):
        try:
            results.append(read(line))
        except ValidationError as error:
            errors.append(f"Line {number}, “{line}”: {error.messages[0]}")
    if errors:
        raise ValidationError(errors)
    return results


class SignalingAddressesField(forms.CharField):
    """Lines of host[:port][/transport], e.g. sip.example.com:5061/TLS -> a list of dicts."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"})

    def to_python(self, value):
        return _each_line(value, self.read_line)

    @staticmethod
    def read_line(line):
        text, _, typed_transport = line.partition("/")
        transport = (typed_transport.strip() or "udp").lower()
        if transport not in TrunkAddress.Transport.values:
            raise ValidationError(f"“{typed_transport.strip()}” is not UDP, TCP or TLS.")
        host, port = split_host_port(text)
        return {
            "host": public_host(host),
            "port": port_number(port) if port else DEFAULT_PORTS[transport],
            "transport": transport,
        }

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                f"{_bracketed(a['host'])}:{a['port']}/{a['transport'].upper()}" for a in value
            )
        return value


class MediaAddressesField(forms.CharField):
    """Lines of public IP addresses or host names."""

    widget = forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "autocapitalize": "off"})

    def to_python(self, value):
        return _each_line(value, public_host)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value


def _bracketed(host):
    return f"[{host}]" if ":" in host else host

"""Addresses of a customer's switch: public IPv4/IPv6 addresses or host names, with ports."""

import ipaddress
import re

from django.core.exceptions import ValidationError

# Labels of letters, digits and inner hyphens; a top-level domain of letters.
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
TLD = re.compile(r"^[a-z]{2,63}$")
MAX_PORT = 65535

# Why the carrier network cannot reach an address, first match wins.
UNREACHABLE = [
    ("is_unspecified", "an unspecified address"),
    ("is_loopback", "a loopback address"),
    ("is_link_local", "a link-local address"),
    ("is_multicast", "a multicast address"),
    ("is_reserved", "a reserved address"),
    ("is_private", "a private address"),
]


def public_host(value):
    """Return value as a public IP address or a lower-case host name; raise ValidationError."""
    host = value.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return _host_name(host)
    for test, words in UNREACHABLE:
        if getattr(ip, test):
            raise ValidationError(
                f"{ip} is {words}: our network cannot reach it. Enter a public address."
            )
    if not ip.is_global:
        raise ValidationError(f"{ip} is not a public address: our network cannot reach it.")
    return str(ip)


def _host_name(value):
    name = value.lower().removesuffix(".")
    labels = name.split(".")
    if (
        len(name) > 253
        or len(labels) < 2
        or not all(LABEL.match(label) for label in labels)
        or not TLD.match(labels[-1])
    ):
        raise ValidationError(
            f"“{value}” is neither an IP address nor a host name such as sip.example.com."
        )
    return name


def port_number(value):
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"“{value}” is not a port number.") from None
    if not 1 <= port <= MAX_PORT:
        raise ValidationError(f"Port {port} is outside 1-{MAX_PORT}.")
    return port


def split_host_port(text):
    """ "host", "host:port", "[v6]:port" or a bare IPv6 address -> (host, port or None)."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, (rest[1:] if rest.startswith(":") else None) or None
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, port
    return text, None

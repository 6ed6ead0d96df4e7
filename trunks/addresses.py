"""Addresses of a customer's switch: its network addresses, and where it stands.

Network addresses are public IPv4/IPv6 addresses or host names, with ports; the switch's
physical location is checked against ISO 3166 (countries, US states and Canadian provinces)
and the postal code formats of the countries we know them for.
"""

import ipaddress
import re

import pycountry
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


# Special-use domain names (RFC 6761, RFC 6762 appendix G, RFC 9476, the ICANN "internal"
# resolution): no public DNS answers for them, nor for any name below them.
SPECIAL_USE_DOMAINS = [
    "localhost",
    "local",
    "invalid",
    "test",
    "example",
    "example.com",
    "example.net",
    "example.org",
    "onion",
    "alt",
    "arpa",
    "internal",
    "intranet",
    "private",
    "corp",
    "home",
    "lan",
]


def special_use_domain(name):
    """The special-use domain that name is or lies under, or None."""
    for domain in SPECIAL_USE_DOMAINS:
        if name == domain or name.endswith(f".{domain}"):
            return domain
    return None


def _host_name(value):
    name = value.lower().removesuffix(".")
    labels = name.split(".")
    well_formed = len(name) <= 253 and all(LABEL.match(label) for label in labels)
    domain = special_use_domain(name)
    if well_formed and domain:
        where = "is" if name == domain else f"is under “{domain}”,"
        raise ValidationError(
            f"“{value}” {where} a special-use name that no public DNS answers: "
            "our network cannot reach it. Enter a public address or host name."
        )
    if not well_formed or len(labels) < 2 or not TLD.match(labels[-1]):
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


# Postal code formats by ISO 3166 alpha-2 code, with an example for the error message.
POSTAL_CODES = {
    "US": (r"\d{5}(-\d{4})?", "80202 or 80202-1234"),
    "CA": (r"[A-Z]\d[A-Z] \d[A-Z]\d", "K1A 0B1"),
    "GB": (r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", "SW1A 1AA"),
    "IE": (r"[A-Z]\d[\dW] [A-Z\d]{4}", "D02 X285"),
    "NL": (r"\d{4} [A-Z]{2}", "1012 AB"),
    "SE": (r"\d{3} \d{2}", "114 55"),
    "PL": (r"\d{2}-\d{3}", "00-950"),
    "PT": (r"\d{4}-\d{3}", "1000-001"),
    "JP": (r"\d{3}-\d{4}", "100-0001"),
    "BR": (r"\d{5}-\d{3}", "01310-100"),
    "IN": (r"\d{6}", "110001"),
    "DE": (r"\d{5}", "10115"),
    "FR": (r"\d{5}", "75001"),
    "ES": (r"\d{5}", "28001"),
    "IT": (r"\d{5}", "00118"),
    "MX": (r"\d{5}", "06000"),
    "AU": (r"\d{4}", "2000"),
    "NZ": (r"\d{4}", "6011"),
    "AT": (r"\d{4}", "1010"),
    "BE": (r"\d{4}", "1000"),
    "CH": (r"\d{4}", "8001"),
    "DK": (r"\d{4}", "1050"),
    "NO": (r"\d{4}", "0150"),
}
# What a postal code is called where "postal code in <country>" reads badly.
POSTAL_CODE_NAMES = {"US": "US ZIP code", "CA": "Canadian postal code", "GB": "UK postcode"}
# Where the state or province is part of every address, and checked against ISO 3166-2.
SUBDIVISIONS_REQUIRED = {
    "US": ("state", "US state", "CO"),
    "CA": ("province", "Canadian province", "ON"),
}

COUNTRIES = {country.name: country.alpha_2 for country in pycountry.countries}
COUNTRY_CHOICES = [(name, name) for name in sorted(COUNTRIES)]
COUNTRY_NAMES = {alpha_2: name for name, alpha_2 in COUNTRIES.items()}


def _subdivisions(alpha_2):
    """Two-letter codes by code and by lower-case name: {"co": "CO", "colorado": "CO"}."""
    codes = {}
    for subdivision in pycountry.subdivisions.get(country_code=alpha_2):
        code = subdivision.code.split("-")[1]
        codes[code.lower()] = code
        codes[subdivision.name.lower()] = code
    return codes


SUBDIVISIONS = {alpha_2: _subdivisions(alpha_2) for alpha_2 in SUBDIVISIONS_REQUIRED}


def check_location(*, state, zip_code, country):
    """Return (state, zip_code, country) as stored; raise ValidationError by field."""
    errors = {}
    alpha_2 = COUNTRIES.get(country)
    if alpha_2 is None:
        raise ValidationError({"country": "Choose the country from the list."})
    state = " ".join(state.split())
    if alpha_2 in SUBDIVISIONS_REQUIRED:
        word, name, example = SUBDIVISIONS_REQUIRED[alpha_2]
        code = SUBDIVISIONS[alpha_2].get(state.lower())
        if not state:
            errors["state"] = f"Enter the {word}, e.g. {example}."
        elif code is None:
            errors["state"] = (
                f"“{state}” is not a {name}: enter its two-letter code, e.g. {example}, "
                "or its name."
            )
        else:
            state = code
    zip_code = _postal_code(zip_code, alpha_2)
    if alpha_2 in POSTAL_CODES:
        pattern, example = POSTAL_CODES[alpha_2]
        if not zip_code:
            errors["zip_code"] = f"Enter the postal code, e.g. {example}."
        elif not re.fullmatch(pattern, zip_code):
            what = POSTAL_CODE_NAMES.get(alpha_2, f"postal code in {country}")
            errors["zip_code"] = f"“{zip_code}” is not a {what}: it looks like {example}."
    if errors:
        raise ValidationError(errors)
    return state, zip_code, country


def _postal_code(text, alpha_2):
    """Capitals and single spaces, with the space of formats that have one put in if missing."""
    code = " ".join(text.upper().split())
    pattern, _ = POSTAL_CODES.get(alpha_2, ("", ""))
    if " " in pattern and " " not in code:
        for cut in range(1, len(code)):
            spaced = f"{code[:cut]} {code[cut:]}"
            if re.fullmatch(pattern, spaced):
                return spaced
    return code

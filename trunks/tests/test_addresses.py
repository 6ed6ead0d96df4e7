"""Signaling and media addresses: public IPs and host names only, ports 1-65535."""

import pytest
from django.core.exceptions import ValidationError

from trunks.addresses import check_location, port_number, public_host, split_host_port
from trunks.forms.fields import MediaAddressesField, SignalingAddressesField


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("10.1.2.3", "a private address"),
        ("192.168.0.10", "a private address"),
        ("172.16.5.4", "a private address"),
        ("127.0.0.1", "a loopback address"),
        ("169.254.10.1", "a link-local address"),
        ("224.0.0.5", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("0.0.0.0", "an unspecified address"),  # noqa: S104 (refused, not bound)
        ("::1", "a loopback address"),
        ("fe80::1", "a link-local address"),
        ("fd00::5", "a private address"),
        ("ff02::1", "a multicast address"),
        ("100.64.0.1", "not a public address"),
        ("203.0.113.10", "a private address"),
    ],
)
def test_it_refuses_addresses_our_network_cannot_reach(value, words):
    with pytest.raises(ValidationError) as refusal:
        public_host(value)
    assert words in refusal.value.messages[0]


@pytest.mark.parametrize(
    "value",
    [
        "sbc",
        "-sbc.example.com",
        "sbc-.example.com",
        "a..example.com",
        "sbc.example.123",
        "sb c.example.com",
        "sbc_1.example.com",
        f"{'a' * 64}.example.com",
        "999.1.2.3",
    ],
)
def test_it_refuses_malformed_host_names(value):
    with pytest.raises(ValidationError) as refusal:
        public_host(value)
    assert "neither an IP address nor a host name" in refusal.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("34.120.10.5", "34.120.10.5"),
        ("[2600:1f18::10]", "2600:1f18::10"),
        ("SBC.Acme-Voice.NET.", "sbc.acme-voice.net"),
        ("sbc.localhost-voice.com", "sbc.localhost-voice.com"),
        ("testing.example-carrier.org", "testing.example-carrier.org"),
    ],
)
def test_it_accepts_public_addresses_and_host_names(value, expected):
    assert public_host(value) == expected


@pytest.mark.parametrize("value", ["0", "65536", "-1", "http"])
def test_it_refuses_ports_outside_the_range(value):
    with pytest.raises(ValidationError):
        port_number(value)


def test_it_splits_hosts_and_ports():
    assert split_host_port("sbc.example.com:5061") == ("sbc.example.com", "5061")
    assert split_host_port("[2600:1f18::10]:5060") == ("2600:1f18::10", "5060")
    assert split_host_port("2600:1f18::10") == ("2600:1f18::10", None)
    assert split_host_port("34.120.10.5") == ("34.120.10.5", None)


def test_the_signaling_field_reads_one_address_per_line():
    field = SignalingAddressesField()
    assert field.clean("34.120.10.5\nsbc.acme-voice.net:5061/TLS\n[2600:1f18::10]:5080/tcp") == [
        {"host": "34.120.10.5", "port": 5060, "transport": "udp"},
        {"host": "sbc.acme-voice.net", "port": 5061, "transport": "tls"},
        {"host": "2600:1f18::10", "port": 5080, "transport": "tcp"},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("34.120.10.5\n10.0.0.1:5060", "Line 2, “10.0.0.1:5060”: 10.0.0.1 is a private address"),
        ("34.120.10.5:70000", "Line 1, “34.120.10.5:70000”: Port 70000 is outside 1-65535."),
        ("34.120.10.5:0", "Line 1, “34.120.10.5:0”: Port 0 is outside 1-65535."),
        (
            "34.120.10.5:5060/SCTP",
            "Line 1, “34.120.10.5:5060/SCTP”: “SCTP” is not UDP, TCP or TLS.",
        ),
        ("sbc", "Line 1, “sbc”: “sbc” is neither an IP address nor a host name"),
    ],
)
def test_the_signaling_field_names_the_bad_line(text, message):
    with pytest.raises(ValidationError) as refusal:
        SignalingAddressesField().clean(text)
    assert refusal.value.messages[0].startswith(message)


def test_the_media_field_takes_hosts_only():
    assert MediaAddressesField(required=False).clean("34.120.10.7\n") == ["34.120.10.7"]
    with pytest.raises(ValidationError):
        MediaAddressesField().clean("192.168.1.1")


@pytest.mark.parametrize(
    ("value", "domain"),
    [
        ("sbc.localhost", "localhost"),
        ("pbx.local", "local"),
        ("sbc.invalid", "invalid"),
        ("sbc.test", "test"),
        ("sbc.example", "example"),
        ("sbc.chicago.demo-communications.example", "example"),
        ("sbc.example.com", "example.com"),
        ("SBC.Example.NET.", "example.net"),
        ("hidden.onion", "onion"),
        ("sbc.home.arpa", "arpa"),
        ("sbc.internal", "internal"),
        ("pbx.corp", "corp"),
        ("pbx.lan", "lan"),
        ("pbx.alt", "alt"),
    ],
)
def test_it_refuses_special_use_names_and_names_below_them(value, domain):
    with pytest.raises(ValidationError) as refusal:
        public_host(value)
    message = refusal.value.messages[0]
    assert f"is under “{domain}”, a special-use name" in message
    assert "our network cannot reach it" in message


def test_a_special_use_name_itself_is_refused_too():
    with pytest.raises(ValidationError) as refusal:
        public_host("localhost")
    assert refusal.value.messages[0].startswith("“localhost” is a special-use name")


def test_the_signaling_field_reports_every_bad_line_at_once_as_typed():
    text = "34.120.10.5\nSBC.Localhost:5060/udp\n 10.0.0.1 \n34.120.10.6:99999/Tls\nsbc/sctp"
    with pytest.raises(ValidationError) as refusal:
        SignalingAddressesField().clean(text)
    assert refusal.value.messages == [
        "Line 2, “SBC.Localhost:5060/udp”: “SBC.Localhost” is under “localhost”, a special-use "
        "name that no public DNS answers: our network cannot reach it. Enter a public address "
        "or host name.",
        "Line 3, “10.0.0.1”: 10.0.0.1 is a private address: our network cannot reach it. "
        "Enter a public address.",
        "Line 4, “34.120.10.6:99999/Tls”: Port 99999 is outside 1-65535.",
        "Line 5, “sbc/sctp”: “sctp” is not UDP, TCP or TLS.",
    ]


def test_the_media_field_reports_every_bad_line_at_once():
    with pytest.raises(ValidationError) as refusal:
        MediaAddressesField().clean("192.168.1.1\n34.120.10.7\nmedia.local")
    assert [message.split(":")[0] for message in refusal.value.messages] == [
        "Line 1, “192.168.1.1”",
        "Line 3, “media.local”",
    ]


@pytest.mark.parametrize(
    ("state", "zip_code", "country", "stored"),
    [
        ("CO", "80202", "United States", ("CO", "80202", "United States")),
        ("colorado", "80202-1234", "United States", ("CO", "80202-1234", "United States")),
        (" dc ", " 20001 ", "United States", ("DC", "20001", "United States")),
        ("on", "k1a0b1", "Canada", ("ON", "K1A 0B1", "Canada")),
        ("Quebec", "H2X 1Y4", "Canada", ("QC", "H2X 1Y4", "Canada")),
        ("", "sw1a1aa", "United Kingdom", ("", "SW1A 1AA", "United Kingdom")),
        ("Bayern", "80331", "Germany", ("Bayern", "80331", "Germany")),
        ("", "1012ab", "Netherlands", ("", "1012 AB", "Netherlands")),
        ("", "", "Singapore", ("", "", "Singapore")),
    ],
)
def test_it_accepts_real_locations_and_stores_them_in_one_form(state, zip_code, country, stored):
    assert check_location(state=state, zip_code=zip_code, country=country) == stored


@pytest.mark.parametrize(
    ("state", "zip_code", "country", "errors"),
    [
        (
            "ZZ",
            "ABCDE",
            "United States",
            {
                "state": [
                    "“ZZ” is not a US state: enter its two-letter code, e.g. CO, or its name."
                ],
                "zip_code": ["“ABCDE” is not a US ZIP code: it looks like 80202 or 80202-1234."],
            },
        ),
        (
            "",
            "8020",
            "United States",
            {
                "state": ["Enter the state, e.g. CO."],
                "zip_code": ["“8020” is not a US ZIP code: it looks like 80202 or 80202-1234."],
            },
        ),
        ("CO", "80202", "Narnia", {"country": ["Choose the country from the list."]}),
        (
            "ZZ",
            "12345",
            "Canada",
            {
                "state": [
                    "“ZZ” is not a Canadian province: enter its two-letter code, e.g. ON, "
                    "or its name."
                ],
                "zip_code": ["“12345” is not a Canadian postal code: it looks like K1A 0B1."],
            },
        ),
        (
            "",
            "1234",
            "Germany",
            {"zip_code": ["“1234” is not a postal code in Germany: it looks like 10115."]},
        ),
        ("", "", "France", {"zip_code": ["Enter the postal code, e.g. 75001."]}),
    ],
)
def test_it_refuses_locations_that_do_not_exist(state, zip_code, country, errors):
    with pytest.raises(ValidationError) as refusal:
        check_location(state=state, zip_code=zip_code, country=country)
    assert refusal.value.message_dict == errors

"""Signaling and media addresses: public IPs and host names only, ports 1-65535."""

import pytest
from django.core.exceptions import ValidationError

from trunks.addresses import port_number, public_host, split_host_port
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
        ("SBC.Example.COM.", "sbc.example.com"),
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
    assert field.clean("34.120.10.5\nsbc.example.com:5061/TLS\n[2600:1f18::10]:5080/tcp") == [
        {"host": "34.120.10.5", "port": 5060, "transport": "udp"},
        {"host": "sbc.example.com", "port": 5061, "transport": "tls"},
        {"host": "2600:1f18::10", "port": 5080, "transport": "tcp"},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("34.120.10.5\n10.0.0.1:5060", "Line 2: 10.0.0.1 is a private address"),
        ("34.120.10.5:70000", "Line 1: Port 70000 is outside 1-65535."),
        ("34.120.10.5:0", "Line 1: Port 0 is outside 1-65535."),
        ("34.120.10.5:5060/SCTP", "Line 1: “sctp” is not UDP, TCP or TLS."),
        ("sbc", "Line 1: “sbc” is neither an IP address nor a host name"),
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

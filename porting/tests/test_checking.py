"""Checking a Port Numbers list: reading what was typed or uploaded, each problem with a real
number, the set-based checks against inventory and open port orders, and the pages, download
and removal the form builds on it. The carrier answers are the sandbox gateway's (its rules:
porting.carriers.sandbox): an ending of 13 is a disconnected number, a 7 before the last digit
a wireless one."""

import hashlib
import random

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from orders.models import Order
from phone_numbers.models import PhoneNumber
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from porting import checking
from porting.carriers import Portability
from porting.checking import (
    check_list,
    conflicts_now,
    digest_of,
    error_lines,
    list_text,
    read_entries,
    remove_errors,
    review_page,
    summary,
)
from porting.models import PortKind, PortList, PortNumber, PortOrder

US = PortKind.US_DOMESTIC


def check(enterprise, user, entries, kind=US, **kwargs):
    return check_list(enterprise, kind, entries, by=user, **kwargs)


def numbers_of(port_list):
    with scopes_disabled():
        return {n.entry: n for n in PortNumber.objects.filter(port_list=port_list)}


def reasons_of(port_list, pin_given=True):
    rows, _next = review_page(port_list, pin_given=pin_given, size=1000)
    return {row.entry: row.reasons for row in rows}


# Reading entries.


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("+13075551212", ["+13075551212"]),
        ("+13075551212\n+13075551213", ["+13075551212", "+13075551213"]),
        (
            "+13075551212, +13075551213;+13075551214",
            ["+13075551212", "+13075551213", "+13075551214"],
        ),
        ("+13075551212\r\n\r\n  +13075551213  \r\n", ["+13075551212", "+13075551213"]),
        ("(307) 555-1212", ["(307) 555-1212"]),
        ("307-555-1212\n1 307 555 1212", ["307-555-1212", "1 307 555 1212"]),
        ("+1 307 555 1212", ["+1 307 555 1212"]),
        ("+44 20 7123 4567", ["+44 20 7123 4567"]),
        ("(307)   555-1212\t", ["(307) 555-1212"]),
        ("+13075551212 +13075551213", ["+13075551212", "+13075551213"]),
        (
            "+13075551212\t+13075551213  +13075551214",
            ["+13075551212", "+13075551213", "+13075551214"],
        ),
        ("+1 307 555 1212 +1 307 555 1213", ["+1 307 555 1212", "+1 307 555 1213"]),
        ("3075551212 3075551213", ["3075551212", "3075551213"]),
        # One wrong number stays one entry, to be reported as one.
        ("(999) 555-1234", ["(999) 555-1234"]),
        ("call me maybe", ["call", "me", "maybe"]),
    ],
)
def test_read_entries_cuts_the_text_into_numbers(text, entries):
    assert read_entries(text) == entries


def test_read_entries_takes_txt_and_csv_uploads_after_the_text():
    txt = SimpleUploadedFile("more.txt", b"+13075551214\n(307) 555-1215\n")
    table = SimpleUploadedFile(
        "numbers.csv",
        b'\xef\xbb\xbfNumber,Phone number\n+13075551216,+13075551217\n"(307) 555-1218",\n',
    )
    assert read_entries("+13075551213", [txt, table]) == [
        "+13075551213",
        "+13075551214",
        "(307) 555-1215",
        "+13075551216",
        "+13075551217",
        "(307) 555-1218",
    ]


def test_a_csv_without_header_keeps_its_first_line():
    table = SimpleUploadedFile("numbers.csv", b"+13075551216,+13075551217\n")
    assert read_entries("", [table]) == ["+13075551216", "+13075551217"]


def errors_of(text, uploads=()):
    with pytest.raises(ValidationError) as raised:
        read_entries(text, uploads)
    return raised.value.messages


def test_an_empty_list_is_refused():
    assert errors_of(" \n, ;\r\n") == [
        "Enter at least one number, or upload a .txt or .csv file of them."
    ]


def test_control_characters_in_the_text_are_refused():
    assert "control characters" in errors_of("+13075551212\x07")[0]
    assert "control characters" in errors_of("+13075551212\x00")[0]


@pytest.mark.parametrize(
    "data",
    [
        b"+13075551212\x00\x01\x02",
        b"\x89PNG\r\n\x1a\n\xff\xfe",
        "+1307555121\u00e9".encode("latin-1"),
    ],
)
def test_a_file_that_is_not_text_is_refused(data):
    upload = SimpleUploadedFile("numbers.txt", data)
    assert errors_of("", [upload]) == [
        "numbers.txt is not a text file: save it as plain text (UTF-8) or CSV and upload it again."
    ]


def test_a_file_of_another_type_is_refused():
    upload = SimpleUploadedFile("numbers.xlsx", b"+13075551212")
    assert errors_of("+13075551213", [upload]) == [
        "numbers.xlsx is not a .txt or .csv file: upload the numbers as one of those."
    ]


@override_settings(PORT_NUMBERS_MAX=5)
def test_too_many_numbers_are_refused():
    assert read_entries("\n".join(f"+1307555121{n}" for n in range(5)))
    assert errors_of("\n".join(f"+1307555121{n}" for n in range(6))) == [
        "The list holds 6 numbers: a port order takes at most 5. Split it into several orders."
    ]


@override_settings(PORT_NUMBERS_MAX_BYTES=1024)
def test_too_many_bytes_are_refused():
    assert errors_of("+13075551212\n" * 100) == ["The text is over 1 KB: split the list."]
    upload = SimpleUploadedFile("big.csv", b"+13075551212\n" * 100)
    assert errors_of("+13075551212", [upload]) == ["big.csv is over 1 KB: split the list."]


def test_an_entry_too_long_to_be_a_number_is_refused():
    long_entry = "x" * 41
    assert errors_of(f"+13075551212\n{long_entry}") == [
        f"“{'x' * 40}…” is not a phone number: an entry has at most 40 characters."
    ]
    assert read_entries("x" * 40) == ["x" * 40]


# Each problem.


def test_a_clean_list_is_stored_as_typed_with_the_carriers_answers(
    enterprise, admin_user, acme_scope
):
    port_list = check(enterprise, admin_user, ["+13034561200", "+13034561201"])

    assert (port_list.total, port_list.error_count, port_list.wireless_count) == (2, 0, 0)
    assert port_list.kind == US and port_list.created_by == admin_user
    assert port_list.digest == digest_of("+13034561200\n+13034561201")
    first, second = PortNumber.objects.filter(port_list=port_list)
    assert (first.position, first.entry, first.e164, first.problems) == (
        1,
        "+13034561200",
        "+13034561200",
        "",
    )
    assert (first.carrier, first.spid, first.line_type) == (
        "Lakeshore Telephone Co.",
        "4680",
        "wireline",
    )
    assert first.rate_center
    assert second.position == 2


def test_each_problem_with_a_real_number(enterprise, admin_user, acme_scope):
    port_list = check(
        enterprise,
        admin_user,
        [
            "(307) 555-1212",
            "hello",
            "+19995551234",
            "+13072110123",
            "+13075550123",
            "+13034561213",
            "+1307555121",
        ],
    )
    numbers = numbers_of(port_list)
    assert {entry: n.problems for entry, n in numbers.items()} == {
        "(307) 555-1212": "not_e164",
        "hello": "not_a_number",
        "+19995551234": "invalid_number",
        "+13072110123": "n11_exchange",
        "+13075550123": "fictional_number",
        "+13034561213": "not_portable",
        "+1307555121": "invalid_number",
    }
    assert numbers["(307) 555-1212"].suggestion == "+13075551212"
    assert numbers["(307) 555-1212"].e164 == "+13075551212"
    assert numbers["hello"].e164 == ""
    assert numbers["+13034561213"].not_portable_reason == "number disconnected"
    assert port_list.error_count == 7
    assert reasons_of(port_list) == {
        "(307) 555-1212": ["Not in E.164: write it as +13075551212"],
        "hello": ["Cannot be read as a phone number"],
        "+19995551234": ["Not a valid phone number"],
        "+13072110123": ["Not a valid number: its exchange is an N11 code (211 to 911)"],
        "+13075550123": ["A fictional number (555-0100 to 555-0199), not in service"],
        "+13034561213": ["Not portable: number disconnected"],
        "+1307555121": ["Not a valid phone number"],
    }


def test_an_invalid_number_not_in_e164_has_no_suggestion(enterprise, admin_user, acme_scope):
    port_list = check(enterprise, admin_user, ["(999) 555-1234", "307 211 0123"])
    numbers = numbers_of(port_list)
    assert numbers["(999) 555-1234"].problems == "not_e164,invalid_number"
    assert numbers["(999) 555-1234"].suggestion == ""
    assert numbers["307 211 0123"].problems == "not_e164,n11_exchange"
    assert numbers["307 211 0123"].suggestion == "+13072110123"


@pytest.mark.parametrize(
    ("kind", "entry", "reason"),
    [
        (US, "+18004561200", "A toll-free number: port it from the Toll-Free tab"),
        (US, "+442071234567", "Not a US number: port it from the International tab"),
        # Canada and the other NANP countries are ported from the International tab.
        (US, "+14165551234", "Not a US number: port it from the International tab"),
        (PortKind.TOLL_FREE, "+13034561200", "A US number: port it from the US Domestic tab"),
        (
            PortKind.TOLL_FREE,
            "+442071234567",
            "Not a US number: port it from the International tab",
        ),
        (PortKind.INTERNATIONAL, "+13034561200", "A US number: port it from the US Domestic tab"),
        (
            PortKind.INTERNATIONAL,
            "+18884561200",
            "A toll-free number: port it from the Toll-Free tab",
        ),
    ],
)
def test_a_number_of_another_tab_is_the_wrong_kind(
    enterprise, admin_user, acme_scope, kind, entry, reason
):
    port_list = check(enterprise, admin_user, [entry], kind=kind)
    assert numbers_of(port_list)[entry].problems == "wrong_kind"
    assert reasons_of(port_list) == {entry: [reason]}


@pytest.mark.parametrize(
    ("kind", "entry"),
    [
        (PortKind.TOLL_FREE, "+18884561200"),
        (PortKind.TOLL_FREE, "(833) 456-1200"),
        (PortKind.INTERNATIONAL, "+442071234567"),
        (PortKind.INTERNATIONAL, "+14165551234"),
    ],
)
def test_each_tab_takes_its_own_numbers(enterprise, admin_user, acme_scope, kind, entry):
    number = numbers_of(check(enterprise, admin_user, [entry], kind=kind))[entry]
    assert number.problems == ("" if entry.startswith("+") else "not_e164")


def test_international_entries_without_plus_are_ambiguous(enterprise, admin_user, acme_scope):
    port_list = check(
        enterprise, admin_user, ["020 7123 4567", "+44 20 7123 4567"], kind=PortKind.INTERNATIONAL
    )
    numbers = numbers_of(port_list)
    assert (numbers["020 7123 4567"].problems, numbers["020 7123 4567"].suggestion) == (
        "not_e164",
        "",
    )
    assert numbers["+44 20 7123 4567"].suggestion == "+442071234567"
    assert reasons_of(port_list)["020 7123 4567"] == [
        "Not in E.164: write it with + and the country code"
    ]


def test_later_occurrences_of_a_number_are_duplicates(enterprise, admin_user, acme_scope):
    port_list = check(
        enterprise,
        admin_user,
        ["+13034561200", "(303) 456-1200", "+13034561200", "hello", "hello", "+13034561201"],
    )
    problems = [n.problems for n in PortNumber.objects.filter(port_list=port_list)]
    assert problems == [
        "",
        "not_e164,duplicate",
        "duplicate",
        "not_a_number",
        "not_a_number,duplicate",
        "",
    ]
    assert reasons_of(port_list)["+13034561200"] == [
        "Listed more than once: only the first is kept"
    ]


def test_numbers_in_service_with_us(enterprise, admin_user, outsider, acme_scope):
    with scopes_disabled():
        add_numbers(package_of(admin_user, "Mine"), ["+13034561200"])
        add_numbers(package_of(outsider, "Theirs"), ["+13034561201"])
        add_numbers(
            package_of(outsider, "Gone"), ["+13034561202"], status=PhoneNumber.Status.DISCONNECTED
        )
    port_list = check(enterprise, admin_user, ["+13034561200", "+13034561201", "+13034561202"])

    assert [n.problems for n in PortNumber.objects.filter(port_list=port_list)] == [
        "in_inventory",
        "in_inventory",
        "",
    ]
    assert reasons_of(port_list) == {
        "+13034561200": ["Already one of your numbers"],
        "+13034561201": ["Already in service with us"],
    }


def port_order_of(user, e164s, status):
    """An order of user's enterprise porting e164s, in status."""
    with scopes_disabled():
        enterprise = user.enterprise
        port_list = check_list(enterprise, US, e164s, by=user)
        order = Order.objects.create(
            enterprise=enterprise,
            kind="port",
            reference=f"PO-{status[:3].upper()}{e164s[0][-3:]}",
            status=status,
            rejection_reason="Account number mismatch" if status == "rejected" else "",
        )
        PortOrder.objects.create(
            enterprise=enterprise,
            order=order,
            package=package_of(user, f"Port {order.reference}"),
            kind=US,
            port_list=port_list,
        )
        return order


def test_numbers_in_an_open_port_order(enterprise, admin_user, outsider, acme_scope):
    mine = port_order_of(admin_user, ["+13034561200"], "submitted")
    port_order_of(outsider, ["+13034561201"], "rejected")
    port_order_of(outsider, ["+13034561202"], "draft")
    port_order_of(outsider, ["+13034561203"], "completed")
    port_order_of(outsider, ["+13034561204"], "cancelled")

    port_list = check(enterprise, admin_user, [f"+1303456120{n}" for n in range(5)])

    assert [n.problems for n in PortNumber.objects.filter(port_list=port_list)] == [
        "open_port",
        "open_port",
        "",
        "",
        "",
    ]
    assert reasons_of(port_list) == {
        "+13034561200": [f"Already in port order {mine.reference}"],
        "+13034561201": ["Already being ported in by another customer"],
    }


def test_wireless_numbers_need_the_pin_but_have_no_problem(enterprise, admin_user, acme_scope):
    port_list = check(enterprise, admin_user, ["+13034561271", "+13034561200", "hello"])

    wireless = PortNumber.objects.get(port_list=port_list, e164="+13034561271")
    assert (wireless.problems, wireless.line_type) == ("", "wireless")
    assert (port_list.error_count, port_list.wireless_count) == (1, 1)
    assert reasons_of(port_list, pin_given=False) == {
        "+13034561271": [checking.WIRELESS_NEEDS_PIN],
        "hello": ["Cannot be read as a phone number"],
    }
    assert list(reasons_of(port_list, pin_given=True)) == ["hello"]


class AnsweringGateway:
    """Answers for the numbers it is given; remembers what it was asked."""

    def __init__(self, answers):
        self.answers = answers
        self.asked = []

    def lookup(self, e164s):
        self.asked.append(list(e164s))
        return {e164: self.answers[e164] for e164 in e164s if e164 in self.answers}


def test_only_numbers_without_problems_are_looked_up(enterprise, admin_user, acme_scope):
    gateway = AnsweringGateway(
        {
            "+13034561200": Portability("+13034561200", portable=False, reason="carrier freeze"),
        }
    )
    port_list = check(
        enterprise,
        admin_user,
        ["+13034561200", "+13034561201", "+13034561200", "+19995551234"],
        gateway=gateway,
    )

    assert gateway.asked == [["+13034561200", "+13034561201"]]
    numbers = list(PortNumber.objects.filter(port_list=port_list))
    assert [(n.problems, n.not_portable_reason) for n in numbers] == [
        ("not_portable", "carrier freeze"),
        ("not_portable", "no answer from the carrier lookup"),
        ("duplicate", ""),
        ("invalid_number", ""),
    ]


def test_the_default_gateway_is_the_configured_one(enterprise, admin_user, acme_scope, settings):
    settings.PORT_CARRIER_GATEWAY = "porting.carriers.sandbox.SandboxGateway"
    port_list = check(enterprise, admin_user, ["+13034561266"])
    assert (
        numbers_of(port_list)["+13034561266"].not_portable_reason == "pending order on the number"
    )


def test_the_fast_path_reads_ten_digits_as_the_parser_does():
    rng = random.Random(14)
    for _ in range(2000):
        entry = f"+1{rng.randint(0, 9_999_999_999):010d}"
        parsed = phonenumbers.parse(entry, None)
        assert checking._check_entry(entry, US) == checking._check_number(parsed, US, problems=[])


@pytest.mark.parametrize("country_code", [1, 7, 44, 61, 33])
def test_validity_is_phonenumbers_own(country_code):
    rng = random.Random(country_code)
    for _ in range(3000):
        number = phonenumbers.PhoneNumber(
            country_code=country_code, national_number=rng.randint(10**8, 10**10 - 1)
        )
        region = phonenumbers.region_code_for_number(number)
        assert checking._valid_in(number, region) == phonenumbers.is_valid_number(number)


# The form's pages.


def test_summary_counts_reasons_and_carriers(enterprise, admin_user, acme_scope):
    port_list = check(
        enterprise,
        admin_user,
        [
            "(303) 456-1202",
            "+13034561200",
            "+13034561201",
            "+14154561200",
            "+13034561271",
            "hello",
            "+19995551234",
        ],
    )

    assert summary(port_list, pin_given=False) == {
        "total": 7,
        "error_count": 4,
        "wireless_count": 1,
        "reasons": [
            ("Not in E.164", 1),
            ("Not a phone number", 1),
            ("Not a valid phone number", 1),
            (checking.WIRELESS_NEEDS_PIN, 1),
        ],
        "carriers": [
            ("Lakeshore Telephone Co.", "4680", 3),
            ("Harbor Light Communications", "2468", 1),
        ],
    }
    given = summary(port_list, pin_given=True)
    assert given["error_count"] == 3
    assert (checking.WIRELESS_NEEDS_PIN, 1) not in given["reasons"]


def test_review_pages_follow_the_list_by_keyset(enterprise, admin_user, acme_scope):
    entries = [f"+1303456{5000 + n * 10}" if n % 3 else f"bad{n}" for n in range(30)]
    port_list = check(enterprise, admin_user, entries)
    assert port_list.error_count == 10

    seen, after, pages = [], 0, 0
    while after is not None:
        rows, after = review_page(port_list, pin_given=True, after=after, size=4)
        seen += [(row.position, row.entry) for row in rows]
        pages += 1
    assert pages == 3
    assert seen == [(n + 1, f"bad{n}") for n in range(0, 30, 3)]


def test_error_lines_are_the_download(enterprise, admin_user, acme_scope, monkeypatch):
    monkeypatch.setattr(checking, "LINES_CHUNK", 2)
    port_list = check(
        enterprise,
        admin_user,
        ["(307) 555-1212", "+13034561200", "hello", "+13034561271", "+13072110123"],
    )

    assert "".join(error_lines(port_list, pin_given=False)) == (
        "(307) 555-1212\tNot in E.164: write it as +13075551212\n"
        "hello\tCannot be read as a phone number\n"
        f"+13034561271\t{checking.WIRELESS_NEEDS_PIN}\n"
        "+13072110123\tNot a valid number: its exchange is an N11 code (211 to 911)\n"
    )


def test_remove_errors_keeps_the_others(enterprise, admin_user, acme_scope):
    port_list = check(
        enterprise,
        admin_user,
        ["+13034561200", "hello", "+13034561271", "+13034561201", "+13034561200"],
    )

    assert remove_errors(port_list, pin_given=True) == 2
    port_list.refresh_from_db()
    assert list_text(port_list) == "+13034561200\n+13034561271\n+13034561201"
    assert [n.position for n in PortNumber.objects.filter(port_list=port_list)] == [1, 3, 4]
    assert (port_list.total, port_list.error_count, port_list.wireless_count) == (3, 0, 1)
    assert port_list.digest == digest_of(list_text(port_list))

    assert remove_errors(port_list, pin_given=False) == 1
    port_list.refresh_from_db()
    assert list_text(port_list) == "+13034561200\n+13034561201"
    assert (port_list.total, port_list.error_count, port_list.wireless_count) == (2, 0, 0)
    assert port_list.digest == digest_of("+13034561200\r\n+13034561201\r\n")


def test_remove_errors_of_an_all_wrong_list_leaves_it_empty(enterprise, admin_user, acme_scope):
    port_list = check(enterprise, admin_user, ["hello", "world"])
    assert remove_errors(port_list, pin_given=True) == 2
    port_list.refresh_from_db()
    assert (port_list.total, list_text(port_list)) == (0, "")
    assert port_list.digest == hashlib.sha256(b"").hexdigest()


def test_conflicts_now_counts_numbers_taken_since_the_check(
    enterprise, admin_user, outsider, acme_scope
):
    port_list = check(enterprise, admin_user, ["+13034561200", "+13034561201", "+13034561202", "x"])
    assert conflicts_now(port_list) == 0

    with scopes_disabled():
        add_numbers(package_of(outsider, "Theirs"), ["+13034561200"])
    port_order_of(outsider, ["+13034561201"], "submitted")
    port_order_of(outsider, ["+13034561202"], "cancelled")
    assert conflicts_now(port_list) == 2


def test_a_list_in_its_own_open_order_does_not_conflict_with_itself(
    enterprise, admin_user, acme_scope
):
    order = port_order_of(admin_user, ["+13034561200"], "submitted")
    with scopes_disabled():
        port_list = PortList.objects.get(port_order__order=order)
    assert conflicts_now(port_list) == 0

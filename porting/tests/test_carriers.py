"""The sandbox carrier gateway answers by the rule table of its docstring."""

from datetime import date

import pytest

from porting.carriers import LineType, gateway
from porting.carriers.sandbox import SandboxGateway
from porting.models import PortKind


def look_up(*e164s):
    return SandboxGateway().lookup(list(e164s))


def look_up_one(e164):
    return look_up(e164)[e164]


def test_the_settings_name_the_sandbox():
    assert isinstance(gateway(), SandboxGateway)


@pytest.mark.parametrize(
    "e164, reason",
    [
        ("+13037474113", "number disconnected"),
        ("+13037474144", "rate center not portable"),
        ("+13037474166", "pending order on the number"),
        ("+13037474197", "carrier freeze"),
    ],
)
def test_some_endings_are_not_portable(e164, reason):
    answer = look_up_one(e164)
    assert not answer.portable
    assert answer.reason == reason
    # The carrier is still known: the customer can see whom to ask.
    assert answer.carrier == "Lakeshore Telephone Co."


@pytest.mark.parametrize(
    "entry", ["3037474100", "+1 303 747 4100", "+1303747410", "+10123456789", "+80012345678"]
)
def test_a_number_it_cannot_read_is_not_portable(entry):
    answer = look_up_one(entry)
    assert not answer.portable
    assert answer.reason == "not a number the carrier knows"
    assert answer.carrier == ""


def test_four_numbers_in_a_hundred_are_not_portable():
    answers = look_up(*(f"+1720588{line:04d}" for line in range(4100, 4200)))
    refused = {e164[-2:]: answer.reason for e164, answer in answers.items() if not answer.portable}
    assert sorted(refused) == ["13", "44", "66", "97"]


def test_the_numbers_of_the_demo_and_the_tests_are_portable():
    numbers = ["+13035550100", "+13035550142", "+13035551234", "+17205550123", "+13125550199"]
    assert all(answer.portable for answer in look_up(*numbers).values())


def test_the_rate_center_rule_is_for_geographic_numbers_only():
    answers = look_up("+18005551244", "+442079460744")
    assert all(answer.portable for answer in answers.values())


@pytest.mark.parametrize(
    "e164, line_type",
    [
        ("+13037474171", LineType.WIRELESS),
        ("+13037474185", LineType.VOIP),
        ("+13037474100", LineType.WIRELINE),
        ("+13037474159", LineType.WIRELINE),
        ("+4915123456775", LineType.WIRELESS),
        # Toll-free numbers are never wireless.
        ("+18005551270", LineType.WIRELINE),
    ],
)
def test_the_digit_before_the_last_gives_the_line_type(e164, line_type):
    assert look_up_one(e164).line_type == line_type


def test_numbers_of_one_area_code_share_a_carrier():
    answers = look_up("+13037474100", "+13032920101", "+13039990155")
    assert {(answer.carrier, answer.spid) for answer in answers.values()} == {
        ("Lakeshore Telephone Co.", "4680")
    }


def test_a_list_of_several_area_codes_shows_several_carriers():
    answers = look_up("+13037474100", "+17205880100", "+12122671400", "+16174962350")
    assert [(answer.carrier, answer.spid) for answer in answers.values()] == [
        ("Lakeshore Telephone Co.", "4680"),
        ("Summit Telephone", "1234"),
        ("Canyon State Telecom", "3579"),
        ("Bluegrass Connect", "6802"),
    ]


def test_rate_centers_come_from_the_exchange_or_the_area_code():
    answers = look_up("+16174962350", "+12122671400", "+13037474100")
    assert [answer.rate_center for answer in answers.values()] == [
        "Cambridge, MA",
        "New York, NY",
        "Colorado (303)",
    ]


def test_toll_free_numbers_belong_to_a_resporg():
    answers = look_up("+18005551200", "+18335551200", "+18885551200")
    assert [(answer.carrier, answer.spid) for answer in answers.values()] == [
        ("Beacon Toll-Free Services", "8B01"),
        ("Keystone RespOrg", "8K02"),
        ("Beacon Toll-Free Services", "8B01"),
    ]
    assert {answer.rate_center for answer in answers.values()} == {""}
    assert all(answer.portable for answer in answers.values())


def test_international_numbers_have_a_carrier_of_their_country():
    answers = look_up("+442079460100", "+4930123456700", "+3227412200")
    assert [answer.carrier for answer in answers.values()] == [
        "Meridian Telecom (GB)",
        "Meridian Telecom (DE)",
        "Meridian Telecom (BE)",
    ]
    assert {(answer.spid, answer.rate_center) for answer in answers.values()} == {("", "")}
    assert all(answer.portable for answer in answers.values())


def test_the_answers_are_the_same_every_time_and_in_any_order():
    numbers = [f"+1{npa}5880{line:03d}" for npa in (303, 720, 800, 212) for line in range(200)]
    first = SandboxGateway().lookup(numbers)
    again = SandboxGateway().lookup(list(reversed(numbers)))
    assert first == again


def test_the_customer_record_of_a_known_btn():
    record = SandboxGateway().customer_record("+13037474100")
    assert record.account_holder == "Demo Communications Inc."
    assert record.account_number == "8842-1107"
    assert record.address == {
        "number": "1600",
        "street": "Glenarm Pl",
        "unit": "Suite 400",
        "city": "Denver",
        "state": "CO",
        "postal_code": "80202",
        "country": "US",
    }


def test_the_wireless_btn_with_a_record_is_wireless():
    btn = "+13122630170"
    assert SandboxGateway().customer_record(btn).account_holder == "Northwind Voice LLC"
    assert look_up_one(btn).line_type == LineType.WIRELESS


def test_other_btns_have_no_record():
    assert SandboxGateway().customer_record("+13037474101") is None


@pytest.mark.parametrize(
    "kind, today, earliest",
    [
        # Thursday: Friday, Monday, Tuesday.
        (PortKind.US_DOMESTIC, date(2026, 12, 10), date(2026, 12, 15)),
        (PortKind.INTERNATIONAL, date(2026, 12, 10), date(2026, 12, 15)),
        # Monday before Thanksgiving (Thursday 26th): Tuesday, Wednesday, Friday.
        (PortKind.US_DOMESTIC, date(2026, 11, 23), date(2026, 11, 27)),
        # Wednesday: Thursday; Friday the 3rd is Independence Day observed; then the weekend.
        (PortKind.US_DOMESTIC, date(2026, 7, 1), date(2026, 7, 7)),
        # Toll-free: five business days.
        (PortKind.TOLL_FREE, date(2026, 12, 10), date(2026, 12, 17)),
        # Over Christmas Day and a weekend.
        (PortKind.TOLL_FREE, date(2026, 12, 21), date(2026, 12, 29)),
    ],
)
def test_the_earliest_port_date_counts_business_days(kind, today, earliest):
    assert SandboxGateway().earliest_port_date(kind, today) == earliest

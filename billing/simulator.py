"""The traffic simulator: usage records of an enterprise for the demo, the tests and benchmarks.

It writes what the carrier's mediation system would (rows keyed by the columns of
billing.columns, every value a string) for the enterprise's own numbers and trunks, and
follows from its seed alone: the same seed gives the same records, so loading them again
stores nothing new (the loader keys records by their id and time). The rules:

What it reads, once, before the first row
- The enterprise's time zone, its active numbers and its active trunks. A call, message or
  event is always on one of those numbers; calls() refuses an enterprise without any.
- Inbound calls reach the numbers of packages that take inbound calls (not Outbound Only);
  outbound calls leave from its US geographic numbers (not toll-free, not another country's).
- A call's trunk: the one its number routes to when that trunk is active, else one of the
  number's package's active trunks (a Bundle's primary 9 times in 10, its redundant trunk the
  10th); none when the package has no active trunk. Three outbound calls in 10 go out through an
  Outbound Only package's active trunk instead, when the enterprise has one (a dialer).
- Some numbers are busier than others: the n-th busiest gets a share proportional to
  1 / n^0.6, the order shuffled by the seed; a number of another country gets a fifth of that.

Days and hours, in the enterprise's time zone
- Records cover the local days from `start` to `end` (dates, `end` excluded).
- The per-day volume given is a weekday's, each day's varying by up to 10 % either way; calls
  are 95 % of that on Fridays, 35 % on Saturdays and 25 % on Sundays (messages 60 % and 50 %,
  application events 40 % and 30 % at weekends).
- Within a day, by the local hour: calls are few at night (03:00 has 3 % of the 10:00 peak),
  climb from 07:00 to peaks at 10:00 and 14:00 with a dip at lunch, and fade in the evening;
  weekends have one flat midday hump. Messages peak at noon and again from 18:00 to 20:00.
  Application events follow the calls. The curves are WEEKDAY_CALL_HOURS, WEEKEND_CALL_HOURS
  and MESSAGE_HOURS.
- Records of a day come in the order of their times, but for the end of a flow run, which
  follows its start.

Calls
- 45 % inbound, 55 % outbound (all one way when the enterprise has numbers for one only).
- Outbound, by the called number: 55 % local (the caller's area code), 33 % long distance
  (another US area code, LONG_DISTANCE_AREA_CODES), 7 % toll-free, 5 % international
  (INTERNATIONAL_DESTINATIONS, Mexico the most called, with the country's ISO code).
- Inbound, by the customer's number called: toll-free for a toll-free number; international
  (the number's country) for another country's number, called from its own country; else
  local for the 40 % of callers in the number's area code and long distance for the rest.
- Disposition, SIP code and Q.850 cause (OUTCOMES; international calls fail more often):
      answered    200 / 16                   55 %  (international 42 %)
      no answer   480 / 19, 408 / 18         16 %
      busy        486 / 17                    8 %
      cancelled   487 / 16, 487 / 127         8 %
      failed      404 / 1, 503 / 41, 500 / 38, 403 / 21   13 %
  so the answer-seizure ratio is about 54 %.
- Post-dial delay (calls that ring: answered, no answer, cancelled): log-normal, median
  2.4 s, 9 calls in 10 between 1 and 6 s; busy and failed calls never ring and have none.
- Ringing after it: 3 to 17 s before an answer, 18 to 44 s before a 480, 30 to 33 s before a
  408, 2 to 24 s before the caller cancels; a busy call lasts 1 to 3 s, a failed one 0 to 2 s.
- Talk time of an answered call: log-normal, mean 180 s (the average call duration), median
  about 2 minutes, at least 1 s. Times are whole seconds: billable seconds are the talk time.
- Called and calling numbers that are not the customer's are made up, valid E.164 numbers.

Messages
- On the enterprise's numbers with SMS enabled; if none has it, on its US numbers (a sandbox
  enterprise then shows messages anyway). 40 % inbound; 92 % SMS (1 segment 70 %, 2: 20 %,
  3: 7 %, 4: 3 %), 8 % MMS (1 segment).
- 97 % delivered, 2 % undelivered (error 30003 unreachable handset, 30005 unknown
  destination, 30006 landline), 1 % failed (30007 filtered, 30008 unknown error).

Application events, for the applications the enterprise has (others get none)
- Engage (45 %): message_sent (sms, delivered 97 %, units: segments), message_received,
  call_completed (voice, with its duration), and now and then campaign_delivered (units: the
  recipients, 50 to 2,000).
- SmartFlows (35 %): a flow run is two events, flow_started, then flow_completed (78 %),
  flow_abandoned (17 %) or flow_failed (5 %) with how long it ran; voice 65 %, sms 35 %.
- List Management (12 %): opt_out_recorded (sms), contact_added (web), list_imported (web,
  units: the contacts, 100 to 5,000).
- Insights (8 %): report_viewed, report_exported (web).
- Each event is for one of the customer's numbers (picked as calls pick them), the number the
  loader maps it to the enterprise by; those with a caller or recipient name their number too.

Record ids: "SIM<seed>-<account number>-<local date YYYYMMDD>-<n>", n counting the day's
records of that kind from 1. Each day draws from its own random generator, seeded by the seed,
the enterprise, the kind and the date: a day's records do not depend on the range asked, so
last month's traffic and this month's overlap in identical records.
"""

import csv
import gzip as gzip_files
import io
import math
import operator
import random
from bisect import bisect
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from statistics import NormalDist
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.tenancy import enterprise_scope
from phone_numbers.models import Kind, PhoneNumber
from trunks.models import Package, Trunk

from .columns import APP_COLUMNS, CALL_COLUMNS, MESSAGE_COLUMNS
from .models import DestinationClass, Direction, Disposition, MessageRecord, RecordKind

# The choices as the files write them: plain text.
INBOUND, OUTBOUND = Direction.INBOUND.value, Direction.OUTBOUND.value
LOCAL, LONG_DISTANCE = DestinationClass.LOCAL.value, DestinationClass.LONG_DISTANCE.value
TOLL_FREE, INTERNATIONAL = DestinationClass.TOLL_FREE.value, DestinationClass.INTERNATIONAL.value
ANSWERED = Disposition.ANSWERED.value
SMS, MMS = MessageRecord.Kind.SMS.value, MessageRecord.Kind.MMS.value

CALLS_PER_DAY = 2000
MESSAGES_PER_DAY = 600
EVENTS_PER_DAY = 300

COLUMNS = {
    RecordKind.CALL: CALL_COLUMNS,
    RecordKind.MESSAGE: MESSAGE_COLUMNS,
    RecordKind.APP: APP_COLUMNS,
}

# A weekday's volume on each day of the week, Monday first.
CALL_DAYS = (1, 1, 1, 1, 0.95, 0.35, 0.25)
MESSAGE_DAYS = (1, 1, 1, 1, 1, 0.6, 0.5)
EVENT_DAYS = (1, 1, 1, 1, 0.95, 0.4, 0.3)
DAY_VARIATION = 0.1

# The relative volume of each local hour, from midnight.
# fmt: off
WEEKDAY_CALL_HOURS = (
    0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.8, 3.5, 6.5, 8.8, 10, 9,
    6.8, 8.3, 9.6, 9, 7.6, 5.2, 3.2, 2.3, 1.8, 1.4, 1, 0.8,
)
WEEKEND_CALL_HOURS = (
    0.8, 0.5, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 3, 4.5, 5.5, 6,
    6, 5.8, 5.5, 5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1,
)
MESSAGE_HOURS = (
    1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 4, 5, 5.5, 6,
    6.5, 6, 5.8, 5.8, 6, 6.5, 7, 7, 6.2, 5, 3.5, 2,
)
# fmt: on

INBOUND_CALLS = 0.45
DIALER_CALLS = 0.3
LOCAL_CALLERS = 0.4
# A number of another country is called less than a US one as busy.
FOREIGN_NUMBER_CALLS = 0.2
# Outbound calls by the called number: the rest are local.
OUTBOUND_LONG_DISTANCE = 0.33
OUTBOUND_TOLL_FREE = 0.07
OUTBOUND_INTERNATIONAL = 0.05

LONG_DISTANCE_AREA_CODES = (
    "201", "202", "206", "212", "213", "214", "215", "216", "305", "310", "312", "313",
    "404", "407", "415", "469", "480", "503", "512", "602", "617", "646", "702", "713",
    "718", "773", "801", "832", "858", "904", "916", "919", "954", "972",
)  # fmt: skip
TOLL_FREE_AREA_CODES = ("800", "833", "844", "855", "866", "877", "888")
# Country, share of the international calls, and the numbers called: a prefix of a big city's
# (or its mobiles') numbers and how many digits follow it.
INTERNATIONAL_DESTINATIONS = (
    ("MX", 25, "+5255", 8),
    ("GB", 15, "+44207", 7),
    ("IN", 15, "+91226", 7),
    ("PH", 10, "+6328", 7),
    ("DE", 8, "+4930", 8),
    ("FR", 7, "+331", 8),
    ("BR", 7, "+55119", 8),
    ("JP", 5, "+8135", 7),
    ("AU", 5, "+6129", 7),
    ("CN", 3, "+86106", 7),
)


@dataclass(frozen=True)
class CallOutcome:
    disposition: str
    sip_code: int
    q850_cause: int
    share: float  # in % of the domestic calls
    international_share: float
    rings: bool  # has a post-dial delay
    least_seconds: int  # ringing (or the whole call, if it never rings)
    more_seconds: int  # ...plus up to this many seconds less one


OUTCOMES = (
    CallOutcome(Disposition.ANSWERED, 200, 16, 55, 42, True, 3, 15),
    CallOutcome(Disposition.NO_ANSWER, 480, 19, 12.5, 12, True, 18, 27),
    CallOutcome(Disposition.NO_ANSWER, 408, 18, 3.5, 6, True, 30, 4),
    CallOutcome(Disposition.BUSY, 486, 17, 8, 8, False, 1, 3),
    CallOutcome(Disposition.CANCELLED, 487, 16, 6.5, 7, True, 2, 23),
    CallOutcome(Disposition.CANCELLED, 487, 127, 1.5, 2, True, 2, 23),
    CallOutcome(Disposition.FAILED, 404, 1, 5, 9, False, 0, 3),
    CallOutcome(Disposition.FAILED, 503, 41, 3.5, 8, False, 0, 3),
    CallOutcome(Disposition.FAILED, 500, 38, 1.5, 3, False, 0, 3),
    CallOutcome(Disposition.FAILED, 403, 21, 3, 3, False, 0, 3),
)

TALK_MEAN_SECONDS = 180
TALK_SIGMA = 0.9
PDD_MEDIAN_MS = 2400
PDD_SIGMA = 0.5

INBOUND_MESSAGES = 0.4
MMS_MESSAGES = 0.08
SMS_SEGMENTS = ((1, 70), (2, 20), (3, 7), (4, 3))
MESSAGE_FATES = (
    (MessageRecord.Status.DELIVERED, "", 97),
    (MessageRecord.Status.UNDELIVERED, "30003", 1),
    (MessageRecord.Status.UNDELIVERED, "30005", 0.5),
    (MessageRecord.Status.UNDELIVERED, "30006", 0.5),
    (MessageRecord.Status.FAILED, "30007", 0.6),
    (MessageRecord.Status.FAILED, "30008", 0.4),
)


def calls(enterprise, start, end, *, seed, calls_per_day=CALLS_PER_DAY):
    """The call rows of the enterprise's local days from start to end (dates, end excluded)."""
    network = _network(enterprise, seed)
    if not network.inbound[0] and not network.outbound[0]:
        raise ValueError(f"{enterprise} has no active numbers to simulate calls on.")
    return _call_rows(network, start, end, seed, calls_per_day)


def messages(enterprise, start, end, *, seed, messages_per_day=MESSAGES_PER_DAY):
    """The message rows of the enterprise's local days from start to end (end excluded)."""
    return _message_rows(_network(enterprise, seed), start, end, seed, messages_per_day)


def app_events(enterprise, start, end, *, seed, events_per_day=EVENTS_PER_DAY):
    """The application event rows of the enterprise's local days from start to end."""
    return _event_rows(_network(enterprise, seed), start, end, seed, events_per_day)


def last_days(enterprise, days, now=None):
    """(start, end) of the `days` local days before today in the enterprise's time zone."""
    today = (now or timezone.now()).astimezone(ZoneInfo(enterprise.time_zone)).date()
    return today - timedelta(days=days), today


def write_csv(kind, rows, fileobj, gzip=False):
    """Write the rows of a kind to a binary file as the mediation system does; return how many."""
    names = [column.name for column in COLUMNS[kind]]
    values = operator.itemgetter(*names)
    written = 0

    def counted():
        nonlocal written
        for row in rows:
            written += 1
            yield values(row)

    target = gzip_files.GzipFile(fileobj=fileobj, mode="wb") if gzip else fileobj
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(names)
    writer.writerows(counted())
    text.flush()
    text.detach()
    if gzip:
        target.close()  # writes gzip's trailer; fileobj stays open
    return written


@dataclass(frozen=True)
class _Network:
    """What the simulator reads of an enterprise, once. Weighted choices are (values,
    cumulative shares ending at 1.0): values[bisect(cumulative, random())]."""

    account: str
    zone: ZoneInfo
    inbound: tuple  # of (e164, area code, destination class or None, foreign country, trunks)
    outbound: tuple  # of (e164, area code, trunks)
    dialer: tuple[str, ...]  # trunks of Outbound Only packages
    texting: tuple  # of (e164, area code)
    applications: tuple[str, ...]


def _network(enterprise, seed):
    with enterprise_scope(enterprise):
        trunks = list(
            Trunk.objects.filter(enterprise=enterprise, status=Trunk.Status.ACTIVE).values_list(
                "pk", "public_id", "package_id", "package__type", "role"
            )
        )
        numbers = list(
            PhoneNumber.objects.filter(enterprise=enterprise, status=PhoneNumber.Status.ACTIVE)
            .order_by("e164")
            .values_list(
                "e164", "kind", "country", "package_id", "package__type", "trunk_id", "sms_enabled"
            )
        )
        applications = tuple(enterprise.applications.values_list("name", flat=True))

    # A Bundle's primary trunk takes 9 calls in 10, its redundant one the 10th.
    shares = {Trunk.Role.PRIMARY: 9}
    by_id = {pk: str(public_id) for pk, public_id, *_ in trunks}
    by_package = {}
    for _pk, public_id, package_id, _type, role in trunks:
        by_package.setdefault(package_id, []).extend([str(public_id)] * shares.get(role, 1))
    dialer = tuple(
        str(public_id)
        for _pk, public_id, _package, package_type, _role in trunks
        if package_type == Package.Type.OUTBOUND_ONLY
    )

    order = random.Random(f"{seed}/{enterprise.account_number}/numbers")
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(numbers))]
    order.shuffle(weights)
    inbound, outbound, texting, sms_enabled = [], [], [], []
    for (e164, kind, country, package_id, package_type, trunk_id, sms), weight in zip(
        numbers, weights, strict=True
    ):
        trunks_of_number = (by_id[trunk_id],) if trunk_id in by_id else by_package.get(package_id)
        trunks_of_number = tuple(trunks_of_number or ())
        domestic = e164.startswith("+1") and kind != Kind.TOLL_FREE
        area_code = e164[2:5] if domestic else ""
        if package_type != Package.Type.OUTBOUND_ONLY:
            if kind == Kind.TOLL_FREE:
                inbound.append(((e164, "", TOLL_FREE, "", trunks_of_number), weight))
            elif e164.startswith("+1"):
                # The destination class is the caller's: local or long distance.
                inbound.append(((e164, area_code, None, "", trunks_of_number), weight))
            else:
                foreign = (e164, "", INTERNATIONAL, country, trunks_of_number)
                inbound.append((foreign, weight * FOREIGN_NUMBER_CALLS))
        if domestic:
            outbound.append(((e164, area_code, trunks_of_number), weight))
        if e164.startswith("+1"):
            texting.append(((e164, area_code), weight))
        if sms:
            sms_enabled.append(((e164, area_code), weight))
    return _Network(
        account=enterprise.account_number,
        zone=ZoneInfo(enterprise.time_zone),
        inbound=_weighted(inbound),
        outbound=_weighted(outbound),
        dialer=dialer,
        texting=_weighted(sms_enabled or texting),
        applications=applications,
    )


def _weighted(pairs):
    """(values, cumulative shares) of [(value, weight)]; the last share is exactly 1.0."""
    if not pairs:
        return (), ()
    values, weights = zip(*pairs, strict=True)
    total = sum(weights)
    cumulative = [share / total for share in accumulate(weights)]
    cumulative[-1] = 1.0
    return values, tuple(cumulative)


def _quantiles(distribution, count=4096):
    """`count` equally likely values of a distribution: drawing one is a list lookup."""
    return [distribution(NormalDist().inv_cdf((i + 0.5) / count)) for i in range(count)]


def _talk_seconds():
    mu = math.log(TALK_MEAN_SECONDS) - TALK_SIGMA**2 / 2
    values = _quantiles(lambda z: math.exp(mu + TALK_SIGMA * z))
    # Scaled so that the table's own mean is exactly the mean asked for.
    scale = TALK_MEAN_SECONDS / (sum(values) / len(values))
    return [max(1, round(value * scale)) for value in values]


TALK_SECONDS = _talk_seconds()
POST_DIAL_DELAYS_MS = [
    round(PDD_MEDIAN_MS * math.exp(PDD_SIGMA * z)) for z in _quantiles(lambda z: z)
]


class _Clock:
    """ISO 8601 UTC text of epoch seconds, formatted once per minute rather than per record."""

    SECONDS = [f"{second:02d}Z" for second in range(60)]

    def __init__(self):
        self.minutes = {}

    def iso(self, epoch):
        minute, second = divmod(epoch, 60)
        try:
            prefix = self.minutes[minute]
        except KeyError:
            moment = datetime.fromtimestamp(minute * 60, UTC)
            prefix = self.minutes[minute] = moment.strftime("%Y-%m-%dT%H:%M:")
        return prefix + self.SECONDS[second]


def _days(network, kind, start, end, seed):
    """(day, its random generator, the UTC epoch of each of its local hours, id prefix)."""
    day = start
    while day < end:
        hours = [
            int(datetime(day.year, day.month, day.day, hour, tzinfo=network.zone).timestamp())
            for hour in range(24)
        ]
        generator = random.Random(f"{seed}/{network.account}/{kind}/{day.isoformat()}")
        yield day, generator, hours, f"SIM{seed}-{network.account}-{day:%Y%m%d}-"
        day += timedelta(days=1)


def _times(rand, hours, curve, count):
    """`count` sorted epochs of a day, spread over its local hours by the curve."""
    cumulative = _weighted(list(zip(range(24), curve, strict=True)))[1]
    return sorted(hours[bisect(cumulative, rand())] + int(rand() * 3600) for _ in range(count))


def _volume(rand, per_day, day, shares):
    return round(per_day * shares[day.weekday()] * (1 + DAY_VARIATION * (2 * rand() - 1)))


def _line(rand):
    """The 7 digits of a NANP number after its area code: an exchange starting 2-9."""
    return 2_000_000 + int(rand() * 8_000_000)


def _call_rows(network, start, end, seed, per_day):
    iso = _Clock().iso
    inbound_numbers, inbound_shares = network.inbound
    outbound_numbers, outbound_shares = network.outbound
    if not outbound_numbers:
        inbound_calls = 1
    elif not inbound_numbers:
        inbound_calls = 0
    else:
        inbound_calls = INBOUND_CALLS
    dialer = network.dialer
    dialer_calls = DIALER_CALLS if dialer else 0
    long_distance = LONG_DISTANCE_AREA_CODES
    toll_free = TOLL_FREE_AREA_CODES
    countries, country_shares = _weighted(
        [
            ((code, prefix, 10**digits), share)
            for code, share, prefix, digits in INTERNATIONAL_DESTINATIONS
        ]
    )
    outcomes = [
        (
            str(o.disposition),
            str(o.sip_code),
            str(o.q850_cause),
            o.rings,
            o.least_seconds,
            o.more_seconds,
        )
        for o in OUTCOMES
    ]
    domestic_outcomes = _weighted(
        [(o, spec.share) for o, spec in zip(outcomes, OUTCOMES, strict=True)]
    )
    international_outcomes = _weighted(
        [(o, spec.international_share) for o, spec in zip(outcomes, OUTCOMES, strict=True)]
    )
    talk, pdds = TALK_SECONDS, POST_DIAL_DELAYS_MS
    talk_count, pdd_count = len(talk), len(pdds)
    local_outbound = 1 - OUTBOUND_LONG_DISTANCE - OUTBOUND_TOLL_FREE - OUTBOUND_INTERNATIONAL
    to_long_distance = local_outbound + OUTBOUND_LONG_DISTANCE
    to_toll_free = to_long_distance + OUTBOUND_TOLL_FREE

    for day, generator, hours, id_prefix in _days(network, RecordKind.CALL, start, end, seed):
        rand = generator.random
        curve = WEEKEND_CALL_HOURS if day.weekday() >= 5 else WEEKDAY_CALL_HOURS
        starts = _times(rand, hours, curve, _volume(rand, per_day, day, CALL_DAYS))
        for n, started in enumerate(starts, 1):
            if rand() < inbound_calls:
                direction = INBOUND
                number, area_code, destination, country, trunks = inbound_numbers[
                    bisect(inbound_shares, rand())
                ]
                if destination is None:
                    if rand() < LOCAL_CALLERS:
                        caller_area = area_code
                    else:
                        caller_area = long_distance[int(rand() * len(long_distance))]
                    other = f"+1{caller_area}{_line(rand)}"
                    destination = LOCAL if caller_area == area_code else LONG_DISTANCE
                elif destination == TOLL_FREE:
                    other = f"+1{long_distance[int(rand() * len(long_distance))]}{_line(rand)}"
                else:
                    other = f"{number[:-4]}{int(rand() * 10_000):04d}"
                from_number, to_number = other, number
            else:
                direction, country = OUTBOUND, ""
                number, area_code, trunks = outbound_numbers[bisect(outbound_shares, rand())]
                if rand() < dialer_calls:
                    trunks = dialer
                where = rand()
                if where < local_outbound:
                    destination, other = LOCAL, f"+1{area_code}{_line(rand)}"
                elif where < to_long_distance:
                    called_area = long_distance[int(rand() * len(long_distance))]
                    other = f"+1{called_area}{_line(rand)}"
                    destination = LOCAL if called_area == area_code else LONG_DISTANCE
                elif where < to_toll_free:
                    destination = TOLL_FREE
                    other = f"+1{toll_free[int(rand() * len(toll_free))]}{_line(rand)}"
                else:
                    destination = INTERNATIONAL
                    country, prefix, size = countries[bisect(country_shares, rand())]
                    other = prefix + str(size + int(rand() * size))[1:]
                from_number, to_number = number, other
            trunk = trunks[int(rand() * len(trunks))] if trunks else ""
            choices, shares = (
                international_outcomes if destination == INTERNATIONAL else domestic_outcomes
            )
            disposition, sip_code, cause, rings, least, more = choices[bisect(shares, rand())]
            if rings:
                pdd = pdds[int(rand() * pdd_count)]
                reached = started + (pdd + 999) // 1000 + least + int(rand() * more)
                pdd_text = str(pdd)
            else:
                reached = started + least + int(rand() * more)
                pdd_text = ""
            if disposition == ANSWERED:
                billable = talk[int(rand() * talk_count)]
                ended = reached + billable
                answer_time = iso(reached)
            else:
                billable, ended, answer_time = 0, reached, ""
            yield {
                "call_id": f"{id_prefix}{n}",
                "start_time": iso(started),
                "answer_time": answer_time,
                "end_time": iso(ended),
                "duration": str(ended - started),
                "billable_seconds": str(billable),
                "direction": direction,
                "from": from_number,
                "to": to_number,
                "customer_number": number,
                "trunk": trunk,
                "destination_class": destination,
                "destination_country": country,
                "disposition": disposition,
                "sip_code": sip_code,
                "q850_cause": cause,
                "post_dial_delay_ms": pdd_text,
            }


def _message_rows(network, start, end, seed, per_day):
    numbers, number_shares = network.texting
    if not numbers:
        return
    iso = _Clock().iso
    long_distance = LONG_DISTANCE_AREA_CODES
    segments, segment_shares = _weighted([(str(count), share) for count, share in SMS_SEGMENTS])
    fates, fate_shares = _weighted(
        [((str(status), code), share) for status, code, share in MESSAGE_FATES]
    )

    for day, generator, hours, id_prefix in _days(network, RecordKind.MESSAGE, start, end, seed):
        rand = generator.random
        sent_times = _times(rand, hours, MESSAGE_HOURS, _volume(rand, per_day, day, MESSAGE_DAYS))
        for n, sent in enumerate(sent_times, 1):
            number, area_code = numbers[bisect(number_shares, rand())]
            if area_code and rand() < LOCAL_CALLERS:
                other_area = area_code
            else:
                other_area = long_distance[int(rand() * len(long_distance))]
            other = f"+1{other_area}{_line(rand)}"
            if rand() < MMS_MESSAGES:
                kind, segment_count = MMS, "1"
            else:
                kind, segment_count = SMS, segments[bisect(segment_shares, rand())]
            status, error_code = fates[bisect(fate_shares, rand())]
            inbound = rand() < INBOUND_MESSAGES
            yield {
                "message_id": f"{id_prefix}{n}",
                "sent_time": iso(sent),
                "direction": INBOUND if inbound else OUTBOUND,
                "kind": kind,
                "from": other if inbound else number,
                "to": number if inbound else other,
                "customer_number": number,
                "segments": segment_count,
                "status": status,
                "error_code": error_code,
            }


# What each application does, each an event or two of (seconds after the first, event,
# with the other party's number?, channel, result, duration, units). Every event carries the
# customer's number it was for: the loader maps application events to their enterprise by it.
def _engage(rand):
    pick = rand()
    if pick < 0.55:
        result = "delivered" if rand() < 0.97 else "undelivered"
        segments = 1 if rand() < 0.75 else 2
        return [(0, "message_sent", True, "sms", result, "", str(segments))]
    if pick < 0.85:
        return [(0, "message_received", True, "sms", "received", "", "1")]
    if pick < 0.99:
        seconds = str(TALK_SECONDS[int(rand() * len(TALK_SECONDS))])
        return [(0, "call_completed", True, "voice", "completed", seconds, "1")]
    recipients = str(50 + int(rand() * 1951))
    return [(0, "campaign_delivered", False, "sms", "delivered", "", recipients)]


def _smartflows(rand):
    voice = rand() < 0.65
    channel = "voice" if voice else "sms"
    seconds = 20 + int(rand() * 380) if voice else 30 + int(rand() * 870)
    pick = rand()
    if pick < 0.78:
        event, result = "flow_completed", "completed"
    elif pick < 0.95:
        event, result = "flow_abandoned", "abandoned"
    else:
        event, result = "flow_failed", "failed"
    return [
        (0, "flow_started", True, channel, "started", "", "1"),
        (seconds, event, True, channel, result, str(seconds), "1"),
    ]


def _list_management(rand):
    pick = rand()
    if pick < 0.5:
        return [(0, "opt_out_recorded", True, "sms", "opted_out", "", "1")]
    if pick < 0.9:
        return [(0, "contact_added", True, "web", "added", "", "1")]
    contacts = str(100 + int(rand() * 4901))
    return [(0, "list_imported", False, "web", "completed", "", contacts)]


def _insights(rand):
    if rand() < 0.85:
        return [(0, "report_viewed", False, "web", "viewed", "", "1")]
    return [(0, "report_exported", False, "web", "exported", "", "1")]


APPLICATIONS = {
    # name: (share of the events, what it does)
    "Engage": (45, _engage),
    "SmartFlows": (35, _smartflows),
    "List Management": (12, _list_management),
    "Insights": (8, _insights),
}


def _event_rows(network, start, end, seed, per_day):
    applications, application_shares = _weighted(
        [
            ((name, APPLICATIONS[name][1]), APPLICATIONS[name][0])
            for name in sorted(network.applications)
            if name in APPLICATIONS
        ]
    )
    numbers, number_shares = network.inbound if network.inbound[0] else network.texting
    if not applications or not numbers:
        return
    iso = _Clock().iso
    long_distance = LONG_DISTANCE_AREA_CODES

    for day, generator, hours, id_prefix in _days(network, RecordKind.APP, start, end, seed):
        rand = generator.random
        curve = WEEKEND_CALL_HOURS if day.weekday() >= 5 else WEEKDAY_CALL_HOURS
        n = 0
        for started in _times(rand, hours, curve, _volume(rand, per_day, day, EVENT_DAYS)):
            application, happenings = applications[bisect(application_shares, rand())]
            number = numbers[bisect(number_shares, rand())][0]
            other = f"+1{long_distance[int(rand() * len(long_distance))]}{_line(rand)}"
            for after, event, with_other_party, channel, result, duration, units in happenings(
                rand
            ):
                n += 1
                yield {
                    "event_id": f"{id_prefix}{n}",
                    "time": iso(started + after),
                    "application": application,
                    "event": event,
                    "customer_number": number,
                    "other_party": other if with_other_party else "",
                    "channel": channel,
                    "result": result,
                    "duration": duration,
                    "units": units,
                }

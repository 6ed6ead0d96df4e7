"""The sandbox supplier: a realistic, deterministic inventory for the demo, the tests and trials.

Nothing is typed in by hand: the numbers are drawn from phonenumbers' own metadata and geocoder,
and everything left to chance comes from settings.SANDBOX_SUPPLY_SEED, so the same search with
the same reservations offers the same numbers in the same order, in every process.

Its rules:
- US Domestic and Temporary numbers share one pool: the exchanges (NPA-NXX) the geocoder's
  prefixes name with a "City, ST" (the longest prefix decides; where the geocoder names only
  the state of an area code, its exchanges are not offered) and that phonenumbers accepts as
  numbers of the United States. Exchanges N11 (211 ... 911) and 555 are left out. Each
  exchange holds 200 numbers: two runs of 100 consecutive lines (e.g. 4100-4199), their
  hundreds chosen by the seed.
- Toll-Free: the prefixes phonenumbers' metadata calls toll-free (800, 833, 844, 855, 866, 877,
  888), each with 40 exchanges chosen by the seed, of 200 numbers as above. A vanity word is
  turned into keypad digits (FLOWERS -> 3569377) that end the number: a seven-character word is
  the whole subscriber part (1-800-356-9377), a shorter one follows digits chosen by the seed,
  five numbers per prefix. About three prefixes in four have a given vanity number (the seed
  decides which).
- International: for each country phonenumbers knows, the prefixes its geocoder names in
  that country (the place is the geocoder's), padded with digits from the seed to the length
  of the country's example fixed-line number less two; each holds the 100 numbers ending 00 to
  99. A country without geocoder data uses the prefixes of its
  example fixed-line and mobile numbers instead, with 20 seeded variants each. Only numbers
  phonenumbers accepts as valid numbers of that country are offered.
- Order: exchanges are visited in a seeded shuffle; within an exchange the numbers come in a
  seeded shuffle, or, for a consecutive search, as the first run of the wanted size, ascending.
  A consecutive block lies within one run, so at most 100 numbers.
- Filters: area code = the NPA (abroad: how the national number starts); city = the geocoder's
  place, ignoring case; state = its two letters; contains = digits anywhere in the national
  number (of the first number, for a consecutive block). A search looks at no more than 3,000
  exchanges that pass its filters (about 600,000 numbers), so a rare pattern answers at once
  with what it found.
- Taken numbers: every number handed out has a row in SupplyReservation (no enterprise: the
  pool is nobody's). The sandbox skips them by reading that table, never an enterprise's
  numbers. Reserving INSERTs the rows ON CONFLICT DO NOTHING inside a savepoint: of two orders
  for the last number, one inserts it; the other's INSERT waits for that one to commit, inserts
  nothing, is rolled back to its savepoint, searches again and gets NotEnough. A released
  number is free again at once.
"""

import random
from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from phonenumbers.geodata import GEOCODE_DATA

from ..models import Kind, SupplyReservation
from . import HOME_COUNTRY, NotEnough, Offer, check_search, keypad_digits, toll_free_area_codes

RUN = 100  # consecutive numbers in a run
NANP_RUNS = 2  # runs per NANP exchange
TOLL_FREE_EXCHANGES = 40  # per toll-free prefix
VANITY_NUMBERS = 5  # per toll-free prefix, for a word shorter than seven characters
EXAMPLE_VARIANTS = 20  # per example number, for a country without geocoder data
MAX_EXCHANGES = 3000  # that one search looks at
RESERVE_ATTEMPTS = 3


@dataclass(frozen=True)
class Exchange:
    """Numbers +<country_code><prefix><line>, the lines in runs of RUN from each start."""

    country_code: int
    prefix: str
    line_digits: int
    starts: tuple[int, ...]
    city: str = ""
    state: str = ""

    def lines(self):
        return [
            f"{start + step:0{self.line_digits}d}" for start in self.starts for step in range(RUN)
        ]

    @property
    def first_e164(self):
        return f"+{self.country_code}{self.prefix}{'0' * self.line_digits}"

    @property
    def last_e164(self):
        return f"+{self.country_code}{self.prefix}{'9' * self.line_digits}"


def _place(description):
    """The geocoder's place of a prefix in English: "Jersey City, NJ", "Essen"."""
    return description.get("en") or next(iter(description.values()), "")


def _city_state(text):
    city, _, state = text.rpartition(", ")
    if city and len(state) == 2 and state.isalpha() and state.isupper():
        return city, state
    return None


def _is_exchange(nxx):
    # phonenumbers does not refuse N11 exchanges; 555 is fictional or not portable.
    return nxx[0] not in "01" and nxx[1:] != "11" and nxx != "555"


@cache
def nanp_places():
    """{NPA-NXX: (city, state)} from the geocoder's NANP prefixes, the longest prefix deciding."""
    places = {}
    prefixes = sorted(
        (key for key in GEOCODE_DATA if key[0] == "1" and 4 <= len(key) <= 7), key=len
    )
    for key in prefixes:
        place = _city_state(_place(GEOCODE_DATA[key]))
        if place is None:
            continue
        digits = key[1:]
        missing = 6 - len(digits)
        for tail in range(10**missing):
            exchange = digits + (f"{tail:0{missing}d}" if missing else "")
            if _is_exchange(exchange[3:]):
                places[exchange] = place
    return places


def _rng(*parts):
    return random.Random(":".join(str(part) for part in parts))  # noqa: S311 - not a secret


def _nanp_starts(seed, prefix):
    hundreds = _rng(seed, prefix).sample(range(0, 10000, RUN), NANP_RUNS)
    return tuple(sorted(hundreds))


@lru_cache(maxsize=8)
def nanp_exchanges(seed):
    exchanges = [
        Exchange(1, prefix, 4, _nanp_starts(seed, prefix), city, state)
        for prefix, (city, state) in sorted(nanp_places().items())
    ]
    _rng(seed, "nanp").shuffle(exchanges)
    return tuple(exchanges)


@lru_cache(maxsize=8)
def toll_free_exchanges(seed):
    exchanges = []
    for npa in toll_free_area_codes():
        nxxs = [f"{nxx}" for nxx in range(200, 1000) if _is_exchange(f"{nxx}")]
        for nxx in sorted(_rng(seed, "toll-free", npa).sample(nxxs, TOLL_FREE_EXCHANGES)):
            exchanges.append(Exchange(1, npa + nxx, 4, _nanp_starts(seed, npa + nxx)))
    _rng(seed, "toll-free").shuffle(exchanges)
    return tuple(exchanges)


def _national(number):
    return phonenumbers.national_significant_number(number)


@lru_cache(maxsize=64)
def international_exchanges(seed, country):
    country_code = phonenumbers.country_code_for_region(country)
    example = phonenumbers.example_number_for_type(
        country, phonenumbers.PhoneNumberType.FIXED_LINE
    ) or phonenumbers.example_number(country)
    length = len(_national(example))
    rng = _rng(seed, "international", country)
    code = str(country_code)
    places = sorted(
        (key[len(code) :], _place(GEOCODE_DATA[key]))
        for key in GEOCODE_DATA
        if key.startswith(code) and len(key) - len(code) <= length - 2
    )
    if not places:
        examples = [
            phonenumbers.example_number_for_type(country, number_type)
            for number_type in (
                phonenumbers.PhoneNumberType.FIXED_LINE,
                phonenumbers.PhoneNumberType.MOBILE,
            )
        ]
        places = [
            (_national(number)[:-4], "") for number in examples if number and length > 4
        ] * EXAMPLE_VARIANTS
    exchanges = []
    for prefix, place in places:
        padding = "".join(rng.choice("0123456789") for _ in range(length - 2 - len(prefix)))
        city, state = _city_state(place) or (place, "")
        exchanges.append(Exchange(country_code, prefix + padding, 2, (0,), city, state))
    exchanges = list(dict.fromkeys(exchanges))
    rng.shuffle(exchanges)
    return tuple(exchanges)


class SandboxSupplier:
    """The supplier the demo and the tests use (settings.NUMBER_SUPPLIER's default)."""

    def __init__(self, seed=None):
        self.seed = str(settings.SANDBOX_SUPPLY_SEED if seed is None else seed)

    def search(self, search, limit):
        offers = []
        for block in self._blocks(check_search(search)):
            if len(offers) + len(block) > limit:
                break
            offers += block
        return offers

    def reserve(self, search, reference):
        search = check_search(search)
        for _attempt in range(RESERVE_ATTEMPTS):
            offers = self._first(search)
            try:
                with transaction.atomic():
                    taken = _insert_reservations([offer.e164 for offer in offers], reference)
                    if len(taken) < len(offers):
                        # Another order has just taken some of them: look again.
                        raise _Taken
            except _Taken:
                continue
            return offers
        raise NotEnough(search.quantity, 0)

    def release(self, e164s):
        SupplyReservation.objects.filter(e164__in=list(e164s)).delete()

    def _first(self, search):
        """The numbers search would reserve now: its first block(s) of search.quantity."""
        offers = []
        for block in self._blocks(search):
            offers += block
            if len(offers) == search.quantity:
                return offers
        raise NotEnough(search.quantity, len(offers))

    def _blocks(self, search):
        """Yield what matches search and is free: single offers, or consecutive blocks."""
        if search.vanity:
            yield from ([offer] for offer in self._vanity_offers(search))
            return
        looked_at = 0
        for exchange in self._exchanges(search):
            if not self._matches(exchange, search):
                continue
            looked_at += 1
            if looked_at > MAX_EXCHANGES:
                return
            yield from self._blocks_in(exchange, search)

    def _exchanges(self, search):
        if search.kind == Kind.TOLL_FREE:
            return toll_free_exchanges(self.seed)
        if search.kind == Kind.INTERNATIONAL:
            return international_exchanges(self.seed, search.country)
        return nanp_exchanges(self.seed)

    def _matches(self, exchange, search):
        if search.area_code and not exchange.prefix.startswith(search.area_code):
            return False
        if search.city and exchange.city.casefold() != search.city.casefold():
            return False
        return not (search.state and exchange.state != search.state)

    def _blocks_in(self, exchange, search):
        lines = exchange.lines()
        if search.contains:
            wanted = {line for line in lines if search.contains in exchange.prefix + line}
            if not wanted:
                return
        else:
            wanted = set(lines)
        if not self._valid(exchange, search):
            return
        taken = _reserved_between(exchange.first_e164, exchange.last_e164)

        def offer(line):
            return Offer(
                f"+{exchange.country_code}{exchange.prefix}{line}", exchange.city, exchange.state
            )

        if not search.consecutive:
            free = [line for line in lines if line in wanted]
            _rng(self.seed, exchange.prefix, "order").shuffle(free)
            for line in free:
                number = offer(line)
                if number.e164 not in taken and self._valid_number(number.e164, search):
                    yield [number]
            return
        for run_start in range(0, len(lines), RUN):
            run = [offer(line) for line in lines[run_start : run_start + RUN]]
            for first in range(len(run) - search.quantity + 1):
                block = run[first : first + search.quantity]
                if lines[run_start + first] in wanted and not any(
                    number.e164 in taken for number in block
                ):
                    yield block
                    return

    def _valid(self, exchange, search):
        return self._valid_number(exchange.first_e164, search)

    def _valid_number(self, e164, search):
        number = phonenumbers.parse(e164)
        country = HOME_COUNTRY if search.kind != Kind.INTERNATIONAL else search.country
        return phonenumbers.is_valid_number_for_region(number, country)

    def _vanity_offers(self, search):
        digits = keypad_digits(search.vanity)
        area_codes = [search.area_code] if search.area_code else list(toll_free_area_codes())
        _rng(self.seed, "vanity", digits).shuffle(area_codes)
        candidates = []
        for npa in area_codes:
            rng = _rng(self.seed, "vanity", npa, digits)
            if rng.random() < 0.25:  # taken at this prefix, long ago
                continue
            variants = 1 if len(digits) == 7 else VANITY_NUMBERS
            for _ in range(variants):
                lead = "".join(rng.choice("0123456789") for _ in range(7 - len(digits)))
                subscriber = lead + digits
                if _is_exchange(subscriber[:3]) and (
                    not search.contains or search.contains in npa + subscriber
                ):
                    candidates.append(f"+1{npa}{subscriber}")
        candidates = list(dict.fromkeys(candidates))
        taken = set(
            SupplyReservation.objects.filter(e164__in=candidates).values_list("e164", flat=True)
        )
        return [
            Offer(e164)
            for e164 in candidates
            if e164 not in taken and self._valid_number(e164, search)
        ]


class _Taken(Exception):
    pass


def _reserved_between(first, last):
    return set(
        SupplyReservation.objects.filter(e164__gte=first, e164__lte=last).values_list(
            "e164", flat=True
        )
    )


def _insert_reservations(e164s, reference):
    """INSERT the reservations; return the numbers this call inserted (not someone else's)."""
    if not e164s:
        return []
    table = SupplyReservation._meta.db_table
    now = timezone.now()
    rows = ", ".join(["(%s, %s, %s)"] * len(e164s))
    params = [value for e164 in e164s for value in (e164, now, reference)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (e164, reserved_at, order_reference) VALUES {rows} "  # noqa: S608
            "ON CONFLICT (e164) DO NOTHING RETURNING e164",
            params,
        )
        return [row[0] for row in cursor.fetchall()]

"""Checking the numbers of a Port Numbers list, and storing them as a PortList.

The customer pastes numbers into the port form's "Port Numbers From Another Carrier" pop-up,
or uploads them in a .txt or .csv file. read_entries() cuts that into entries; check_list()
checks each entry and stores the list, one PortNumber per entry with what is wrong with it
(PortNumber.problems, codes of PROBLEMS). The form then shows summary() and, page by page,
review_page(); the Review Numbers download is error_lines(); "Remove errors" is remove_errors().

Reading the entries:
- the text is cut at line breaks, commas and semicolons; a piece that holds spaces is one entry
  when it reads as one number ("(307) 555-1212", "1 307 555 1212", "+44 20 7123 4567"), and
  is cut before each "+" and then at the spaces otherwise ("+13075551212 +13075551213");
- runs of spaces inside an entry are kept as one space, so an entry never holds a tab;
- a .csv file gives its cells, less the header cells of its first line ("number", "phone");
- an entry of more than ENTRY_MAX_LENGTH characters is not a phone number someone typed: the
  whole input is refused, naming it, rather than stored cut short.

Checking an entry, in this order:
- an entry in strict E.164 (+ and the digits) is read as such; on the US Domestic and
  Toll-Free tabs any other entry is read as a US number and, when valid, is "not_e164" with its
  E.164 form as the suggestion; on the International tab an entry without "+" is "not_e164"
  and nothing else, since its country is anyone's guess;
- phonenumbers decides validity; the NANP rules it does not enforce are ours: an N11 exchange
  (211 to 911) and the fictional 555-0100 to 555-0199;
- the tab: Toll-Free takes the NANP toll-free area codes (TOLL_FREE_NPAS); US Domestic takes the
  other +1 numbers of the United States; International takes every other number, Canada and
  the other NANP countries included (they are not domestic numbers to a US carrier, and the
  International tab is where a customer ports them);
- the second and later entries of the same number (the same entry, for unreadable ones) are
  "duplicate": only the first is ported;
- the numbers with no problem so far are then looked up, all together: in service with us
  (any enterprise's inventory), in an open port order (any enterprise's), and last at the
  carrier gateway, which says whether the number can be ported, its carrier, SPID, line type
  and rate center.

Wireless numbers need the account number and PIN: that is not a problem of the number but a
field of the form, so it is not in PortNumber.problems; PortList.wireless_count counts the
wireless numbers without problems, and the pages count them as errors while the form has no
PIN (pin_given=False), through the partial index port_number_to_review.

Speed: a 100,000-number list is checked in one request. Each distinct entry is read once; a
"+1" entry of ten digits skips phonenumbers' parser; the database is asked once per question
for the whole list (an array parameter on PostgreSQL), the rows are written with COPY, and
after that nothing reads all of a list's rows back into Python: pages read by keyset from the
partial indexes, counts are GROUP BY queries and removals one DELETE.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django_scopes import scopes_disabled

from orders.statuses import OrderStatus
from phone_numbers.models import PhoneNumber

from . import carriers
from .carriers import LineType
from .models import PortKind, PortList, PortNumber

PROBLEMS = {
    "not_e164": "Not in E.164",
    "not_a_number": "Not a phone number",
    "invalid_number": "Not a valid phone number",
    "n11_exchange": "Exchange is an N11 code",
    "fictional_number": "Fictional number (555-0100 to 555-0199)",
    "wrong_kind": "Belongs on another tab",
    "duplicate": "Listed more than once",
    "in_inventory": "Already in service with us",
    "open_port": "Already in another port order",
    "not_portable": "Not portable",
}
WIRELESS_NEEDS_PIN = "Wireless number: enter the account number and PIN"

TOLL_FREE_NPAS = frozenset({"800", "833", "844", "855", "866", "877", "888"})
ENTRY_MAX_LENGTH = 40
UPLOAD_EXTENSIONS = (".txt", ".csv")
# A port order holds its numbers while its order is neither a draft nor finished.
OPEN_PORT_STATUSES = sorted(
    set(OrderStatus) - {OrderStatus.DRAFT, OrderStatus.COMPLETED, OrderStatus.CANCELLED}
)
# SQLite's limit of parameters in one query is 999 on older builds.
SQLITE_CHUNK = 900
# Rows read at a time by error_lines().
LINES_CHUNK = 2000

STRICT_E164 = re.compile(r"\+[1-9]\d{6,14}")
NANP_TEN_DIGITS = re.compile(r"\+1[2-9]\d{9}")
PIECE_SEPARATORS = re.compile(r"[\r\n,;]+")
WHITESPACE = re.compile(r"\s+")
BEFORE_PLUS = re.compile(r"\s+(?=\+)")
# Tab, line feed and carriage return are the only control characters a list of numbers holds.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HEADER_CELL = re.compile(r"[A-Za-z][A-Za-z _.#-]*")


# Reading what was typed or uploaded.


def read_entries(text, uploads=()):
    """The entries of the typed text and then of each upload, in order.

    Raises ValidationError, with every message that applies, for input that is not a list of
    numbers: nothing at all, too much, a file that is not a .txt or .csv text, control
    characters, an entry too long to be a number.
    """
    errors = []
    entries = []
    if len(text.encode()) > settings.PORT_NUMBERS_MAX_BYTES:
        errors.append(_too_big("The text"))
    elif CONTROL_CHARACTERS.search(text):
        errors.append(
            "The text holds control characters: paste only the numbers, one a line or "
            "separated by commas."
        )
    else:
        entries.extend(_entries_of_text(text))
    for upload in uploads:
        file_text, error = _read_upload(upload)
        if error:
            errors.append(error)
        elif upload.name.lower().endswith(".csv"):
            entries.extend(_entries_of_csv(file_text))
        else:
            entries.extend(_entries_of_text(file_text))
    if errors:
        raise ValidationError(errors)
    too_long = [entry for entry in entries if len(entry) > ENTRY_MAX_LENGTH]
    if too_long:
        raise ValidationError(
            "“%(entry)s” is not a phone number: an entry has at most %(max)s characters.",
            params={"entry": _shortened(too_long[0]), "max": ENTRY_MAX_LENGTH},
        )
    if not entries:
        raise ValidationError("Enter at least one number, or upload a .txt or .csv file of them.")
    if len(entries) > settings.PORT_NUMBERS_MAX:
        raise ValidationError(
            "The list holds %(count)s numbers: a port order takes at most %(max)s. "
            "Split it into several orders.",
            params={
                "count": f"{len(entries):,}",
                "max": f"{settings.PORT_NUMBERS_MAX:,}",
            },
        )
    return entries


def _too_big(what):
    return f"{what} is over {settings.PORT_NUMBERS_MAX_BYTES // 1024:,} KB: split the list."


def _shortened(entry):
    return entry if len(entry) <= ENTRY_MAX_LENGTH else f"{entry[:ENTRY_MAX_LENGTH]}…"


def _read_upload(upload):
    """(text, None) for a .txt or .csv file of UTF-8 text, else (None, what is wrong)."""
    name = PurePath(upload.name).name
    if not name.lower().endswith(UPLOAD_EXTENSIONS):
        return None, f"{name} is not a .txt or .csv file: upload the numbers as one of those."
    if upload.size > settings.PORT_NUMBERS_MAX_BYTES:
        return None, _too_big(name)
    data = upload.read()
    not_text = (
        f"{name} is not a text file: save it as plain text (UTF-8) or CSV and upload it again."
    )
    if b"\x00" in data:
        return None, not_text
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, not_text
    if CONTROL_CHARACTERS.search(text):
        return None, not_text
    return text, None


def _entries_of_text(text):
    entries = []
    for piece in PIECE_SEPARATORS.split(text):
        entries.extend(_entries_of_piece(piece))
    return entries


def _entries_of_csv(text):
    entries = []
    for line_number, row in enumerate(csv.reader(io.StringIO(text))):
        for cell in row:
            if line_number == 0 and HEADER_CELL.fullmatch(cell.strip()):
                continue
            entries.extend(_entries_of_text(cell))
    return entries


def _entries_of_piece(piece):
    """One entry for a piece that reads as one number, else one per number or word in it."""
    piece = piece.strip()
    if not piece:
        return []
    if not WHITESPACE.search(piece):
        return [piece]
    if _one_number(piece):
        return [WHITESPACE.sub(" ", piece)]
    entries = []
    for part in BEFORE_PLUS.split(piece):
        if WHITESPACE.search(part) and _one_number(part):
            entries.append(WHITESPACE.sub(" ", part))
        else:
            entries.extend(part.split())
    return entries


def _one_number(piece):
    """Whether a piece with spaces inside is one number: it reads as a number of a possible
    length (valid or not: "(999) 555-1234" is one wrong number, not two)."""
    try:
        number = phonenumbers.parse(piece, None if piece.startswith("+") else "US")
    except phonenumbers.NumberParseException:
        return False
    return not number.extension and phonenumbers.is_possible_number(number)


# Checking and storing a list.


@dataclass
class _Checked:
    e164: str = ""
    problems: tuple = ()
    suggestion: str = ""


def check_list(enterprise, kind, entries, *, by, gateway=None):
    """Check entries (as read_entries gives them) for the kind's tab; store and return the list."""
    gateway = gateway or carriers.gateway()
    read_once = {}
    seen = set()
    rows = []
    for entry in entries:
        checked = read_once.get(entry)
        if checked is None:
            checked = read_once[entry] = _check_entry(entry, kind)
        problems = list(checked.problems)
        key = checked.e164 or entry
        if key in seen:
            problems.append("duplicate")
        else:
            seen.add(key)
        rows.append([entry, checked.e164, problems, checked.suggestion])

    clean = [row[1] for row in rows if not row[2]]
    taken = _in_inventory(clean)
    porting = _in_open_ports(clean)
    for row in rows:
        if not row[2]:
            if row[1] in taken:
                row[2].append("in_inventory")
            if row[1] in porting:
                row[2].append("open_port")
    to_look_up = [row[1] for row in rows if not row[2]]
    answers = gateway.lookup(to_look_up) if to_look_up else {}

    port_list = PortList(
        enterprise=enterprise,
        kind=kind,
        created_by=by,
        digest=digest_of("\n".join(entries)),
        total=len(rows),
    )
    records = []
    for position, (entry, e164, problems, suggestion) in enumerate(rows, start=1):
        reason = carrier = spid = line_type = rate_center = ""
        if not problems:
            answer = answers.get(e164)
            if answer is None:
                problems.append("not_portable")
                reason = "no answer from the carrier lookup"
            else:
                if not answer.portable:
                    problems.append("not_portable")
                    reason = answer.reason[:120]
                carrier, spid = answer.carrier[:80], answer.spid[:8]
                line_type, rate_center = answer.line_type[:10], answer.rate_center[:40]
        if problems:
            port_list.error_count += 1
        elif line_type == LineType.WIRELESS:
            port_list.wireless_count += 1
        records.append(
            (
                position,
                entry,
                e164,
                ",".join(problems),
                suggestion,
                reason,
                carrier,
                spid,
                line_type,
                rate_center,
            )
        )
    with transaction.atomic():
        port_list.save()
        _insert_numbers(port_list, records)
    return port_list


def _check_entry(entry, kind):
    if NANP_TEN_DIGITS.fullmatch(entry):
        # The parser's work for "+1" and ten digits is this, at a tenth of its time.
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(entry[2:]))
        return _check_number(number, kind, problems=[])
    if STRICT_E164.fullmatch(entry):
        region, problems = None, []
    elif kind == PortKind.INTERNATIONAL and not entry.startswith("+"):
        return _Checked(problems=("not_e164",))
    else:
        region, problems = "US", ["not_e164"]
    try:
        number = phonenumbers.parse(entry, region)
    except phonenumbers.NumberParseException:
        return _Checked(problems=("not_a_number",))
    if number.extension:
        # E.164 has no room for an extension: the number without it may not be the one meant.
        return _Checked(problems=("not_e164",))
    return _check_number(number, kind, problems=problems)


def _check_number(number, kind, *, problems):
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(e164) > 16:
        return _Checked(problems=("invalid_number",))
    region = phonenumbers.region_code_for_number(number)
    if not _valid_in(number, region):
        return _Checked(e164=e164, problems=(*problems, "invalid_number"))
    suggestion = e164 if problems else ""
    if number.country_code == 1:
        exchange, line = e164[5:8], e164[8:]
        if exchange[1:] == "11":
            problems.append("n11_exchange")
        elif exchange == "555" and "0100" <= line <= "0199":
            problems.append("fictional_number")
    if _kind_of(e164, region) != kind:
        problems.append("wrong_kind")
    return _Checked(e164=e164, problems=tuple(problems), suggestion=suggestion)


def _valid_in(number, region):
    """phonenumbers.is_valid_number(number), given the region it found for the number."""
    if region is None:
        return False
    # Where a country code has several regions, as +1 has, region_code_for_number() finds the
    # region by matching the number against the region's number types (unless the region has
    # leading digits of its own): that match is the validity check, which is not run twice.
    if _found_by_type(number.country_code, region):
        return True
    return phonenumbers.is_valid_number_for_region(number, region)


@cache
def _found_by_type(country_code, region):
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return len(regions) > 1 and metadata is not None and not metadata.leading_digits


def _kind_of(e164, region):
    """The tab a valid number is ported from."""
    if not e164.startswith("+1"):
        return PortKind.INTERNATIONAL
    if e164[2:5] in TOLL_FREE_NPAS:
        return PortKind.TOLL_FREE
    return PortKind.US_DOMESTIC if region == "US" else PortKind.INTERNATIONAL


def _matching(queryset, e164s):
    """queryset narrowed to e164 in e164s, as one query on PostgreSQL (an array parameter:
    a long IN list would pass the protocol's 65,535 parameters), in chunks elsewhere."""
    if connection.vendor == "postgresql":
        yield queryset.filter(e164__in=RawSQL("SELECT unnest(%s::text[])", (list(e164s),)))
        return
    e164s = list(e164s)
    for start in range(0, len(e164s), SQLITE_CHUNK):
        yield queryset.filter(e164__in=e164s[start : start + SQLITE_CHUNK])


# The two checks below look past the tenant on purpose: a number in service with any
# enterprise, or in any enterprise's open port order, cannot be ported in again.


def _in_inventory(e164s):
    if not e164s:
        return set()
    with scopes_disabled():
        numbers = PhoneNumber.objects.exclude(status=PhoneNumber.Status.DISCONNECTED)
        return {
            e164
            for queryset in _matching(numbers, e164s)
            for e164 in queryset.values_list("e164", flat=True)
        }


def _open_port_numbers():
    return PortNumber.objects.filter(
        ~Q(e164=""), port_list__port_order__order__status__in=OPEN_PORT_STATUSES
    )


def _in_open_ports(e164s):
    if not e164s:
        return set()
    with scopes_disabled():
        return {
            e164
            for queryset in _matching(_open_port_numbers(), e164s)
            for e164 in queryset.values_list("e164", flat=True)
        }


NUMBER_COLUMNS = (
    "position",
    "entry",
    "e164",
    "problems",
    "suggestion",
    "not_portable_reason",
    "carrier",
    "spid",
    "line_type",
    "rate_center",
)


def _insert_numbers(port_list, records):
    if connection.vendor == "postgresql":
        columns = ", ".join(("enterprise_id", "port_list_id", *NUMBER_COLUMNS))
        owner = (port_list.enterprise_id, port_list.pk)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {PortNumber._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for record in records:
                copy.write_row(owner + record)
        return
    PortNumber.objects.bulk_create(
        (
            PortNumber(
                enterprise_id=port_list.enterprise_id,
                port_list=port_list,
                **dict(zip(NUMBER_COLUMNS, record, strict=True)),
            )
            for record in records
        ),
        batch_size=SQLITE_CHUNK // (len(NUMBER_COLUMNS) + 2),
    )


# The list as the form shows it.


def digest_of(text):
    """The digest of a Port Numbers text as PortList.digest holds it: a browser posts a
    textarea's line breaks as CRLF, and the same list must give the same digest."""
    return hashlib.sha256(text.replace("\r\n", "\n").strip().encode()).hexdigest()


def list_text(port_list):
    """The entries in the list's order, one a line: what the form's textarea shows."""
    entries = port_list.numbers.order_by("position").values_list("entry", flat=True)
    return "\n".join(entries.iterator(chunk_size=LINES_CHUNK))


def _to_review(pin_given):
    """The numbers the customer must look at: those with problems, and the wireless ones while
    the form has no PIN. Written as the partial indexes' conditions, so a page reads them."""
    if pin_given:
        return ~Q(problems="")
    return ~Q(problems="") | Q(line_type=LineType.WIRELESS)


def summary(port_list, *, pin_given):
    """What the form's Errors field says about the list: counts, reasons, carriers."""
    by_code = dict.fromkeys(PROBLEMS, 0)
    combinations = (
        port_list.numbers.filter(~Q(problems=""))
        .order_by()
        .values_list("problems")
        .annotate(count=Count("*"))
    )
    for problems, count in combinations:
        for code in problems.split(","):
            by_code[code] += count
    reasons = [(PROBLEMS[code], count) for code, count in by_code.items() if count]
    error_count = port_list.error_count
    if not pin_given and port_list.wireless_count:
        error_count += port_list.wireless_count
        reasons.append((WIRELESS_NEEDS_PIN, port_list.wireless_count))
    carrier_counts = (
        port_list.numbers.filter(problems="")
        .order_by()
        .values_list("carrier", "spid")
        .annotate(count=Count("*"))
        .order_by("-count", "carrier", "spid")
    )
    return {
        "total": port_list.total,
        "error_count": error_count,
        "wireless_count": port_list.wireless_count,
        "reasons": reasons,
        "carriers": list(carrier_counts),
    }


@dataclass
class ReviewRow:
    position: int
    entry: str
    e164: str
    reasons: list


def review_page(port_list, *, pin_given, after=0, size=50):
    """The numbers to review after position `after`, at most size of them, and the position to
    read the next page after (None on the last page)."""
    numbers = list(
        port_list.numbers.filter(_to_review(pin_given), position__gt=after)
        .order_by("position")
        .values_list("position", "entry", "e164", "problems", "suggestion", "not_portable_reason")[
            : size + 1
        ]
    )
    more = len(numbers) > size
    rows = _review_rows(port_list, numbers[:size])
    return rows, (rows[-1].position if more else None)


def error_lines(port_list, *, pin_given):
    """The Review Numbers download: "entry<TAB>reasons" lines, each ending with a line break,
    read LINES_CHUNK rows at a time."""
    after = 0
    while after is not None:
        rows, after = review_page(port_list, pin_given=pin_given, after=after, size=LINES_CHUNK)
        for row in rows:
            yield f"{row.entry}\t{'; '.join(row.reasons)}\n"


def _review_rows(port_list, numbers):
    conflicting = [
        number[2] for number in numbers if "in_inventory" in number[3] or "open_port" in number[3]
    ]
    owners = _inventory_owners(conflicting) if conflicting else {}
    orders = _open_port_orders(conflicting, port_list) if conflicting else {}
    rows = []
    for position, entry, e164, problems, suggestion, reason in numbers:
        codes = problems.split(",") if problems else []
        reasons = [
            _reason(code, port_list, e164, suggestion, reason, owners, orders) for code in codes
        ]
        if not codes:
            reasons.append(WIRELESS_NEEDS_PIN)
        rows.append(ReviewRow(position, entry, e164, reasons))
    return rows


def _reason(code, port_list, e164, suggestion, reason, owners, orders):
    """A problem of one number in words, with what the customer can do about it."""
    if code == "not_e164":
        if suggestion:
            return f"Not in E.164: write it as {suggestion}"
        if port_list.kind == PortKind.INTERNATIONAL:
            return "Not in E.164: write it with + and the country code"
        return "Not in E.164: write it as + and the country code, e.g. +13075551212"
    if code == "not_a_number":
        return "Cannot be read as a phone number"
    if code == "n11_exchange":
        return "Not a valid number: its exchange is an N11 code (211 to 911)"
    if code == "fictional_number":
        return "A fictional number (555-0100 to 555-0199), not in service"
    if code == "wrong_kind":
        return _wrong_kind_reason(e164)
    if code == "duplicate":
        return "Listed more than once: only the first is kept"
    if code == "in_inventory":
        if owners.get(e164) == port_list.enterprise_id:
            return "Already one of your numbers"
        return "Already in service with us"
    if code == "open_port":
        if e164 in orders:
            return f"Already in port order {orders[e164]}"
        return "Already being ported in by another customer"
    if code == "not_portable":
        return f"Not portable: {reason}" if reason else "Not portable"
    return PROBLEMS[code]


def _wrong_kind_reason(e164):
    number = phonenumbers.parse(e164, None)
    kind = _kind_of(e164, phonenumbers.region_code_for_number(number))
    if kind == PortKind.TOLL_FREE:
        return "A toll-free number: port it from the Toll-Free tab"
    if kind == PortKind.US_DOMESTIC:
        return "A US number: port it from the US Domestic tab"
    return "Not a US number: port it from the International tab"


def _inventory_owners(e164s):
    """e164 -> the enterprise whose number it is."""
    with scopes_disabled():
        numbers = PhoneNumber.objects.exclude(status=PhoneNumber.Status.DISCONNECTED)
        return dict(numbers.filter(e164__in=e164s).values_list("e164", "enterprise_id"))


def _open_port_orders(e164s, port_list):
    """e164 -> the reference of the enterprise's own open port order holding it."""
    with scopes_disabled():
        numbers = _open_port_numbers().filter(e164__in=e164s, enterprise=port_list.enterprise_id)
        numbers = numbers.exclude(port_list=port_list)
        return dict(numbers.values_list("e164", "port_list__port_order__order__reference"))


# Acting on the list.


def remove_errors(port_list, *, pin_given):
    """Delete the numbers to review; return how many. Positions keep their gaps."""
    with transaction.atomic():
        removed, _ = port_list.numbers.filter(_to_review(pin_given)).delete()
        port_list.total -= removed
        port_list.error_count = 0
        if not pin_given:
            port_list.wireless_count = 0
        port_list.digest = _digest_in_database(port_list)
        port_list.save(update_fields=["total", "error_count", "wireless_count", "digest"])
    return removed


def _digest_in_database(port_list):
    """digest_of(list_text(port_list)), computed where the rows are."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT encode(sha256(convert_to("
                "coalesce(string_agg(entry, E'\\n' ORDER BY position), ''), 'UTF8')), 'hex') "
                "FROM porting_portnumber WHERE port_list_id = %s",
                [port_list.pk],
            )
            return cursor.fetchone()[0]
    return digest_of(list_text(port_list))


def conflicts_now(port_list):
    """How many of the list's numbers are now in service with us or in another open port order
    (checked again when the order is submitted). Looks past the tenant, as check_list does."""
    with scopes_disabled():
        in_service = PhoneNumber.objects.exclude(status=PhoneNumber.Status.DISCONNECTED)
        elsewhere = _open_port_numbers().exclude(port_list=port_list)
        return (
            PortNumber.objects.filter(port_list=port_list, problems="")
            .filter(Q(e164__in=in_service.values("e164")) | Q(e164__in=elsewhere.values("e164")))
            .count()
        )

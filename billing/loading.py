"""Loading usage records: files from the carrier's mediation system, and rows from the API.

`load_file(kind, fileobj, name=...)` reads one file (CSV, UTF-8 with or without a BOM, CRLF or
LF, gzipped or not) whose header names the kind's columns (billing.columns) in any order;
`load_rows(kind, rows)` takes the same lines as dicts, for the API. Both go through one path:

- Lines are read and checked a chunk at a time, column by column (Cell.find_errors: for the
  usual chunk one regex over each whole column, in C), each bad one reported by its line number
  (the first REPORT_LIMIT of them in RecordFile.report, all counted); a bad line never stops
  the good ones.
- Each record is mapped to its enterprise by its trunk (a call's `trunk` column), or else by
  its customer number (a number of the inventory that is not disconnected), each trunk and
  number looked up once per load. A record that maps to none is kept as an UnmatchedRecord for
  staff.
- Records are stored a chunk at a time. On PostgreSQL: COPY of the checked lines as they came
  into a temporary table, then one INSERT into the record table, whose primary key (time,
  carrier's id) keeps a record loaded twice stored once: ON CONFLICT DO NOTHING, or a plain
  INSERT where no record is stored yet in the chunk's time span. The rows it really inserted
  are added to the hourly rollups in the same statement (billing.rollups), so duplicates count
  nowhere; each call is rated in it too, joined to its rate (billing.rating). Other databases
  (SQLite under `make run`) get bulk_create, then the calls of the span touched rated and its
  hours rebuilt. Chunks are stored by threads of their own (STORERS) while the next one is
  checked (_load).

A file whose content (sha256) was loaded before is not read again: its RecordFile answers.
Loads run server side, for every enterprise at once: outside any tenant scope.
"""

import csv
import gzip
import hashlib
import io
import logging
import os
import re
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain, compress, islice, repeat
from operator import add, eq, itemgetter, le, lt
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from core.partitions import ensure_partitions
from phone_numbers.models import PhoneNumber
from trunks.models import Trunk

from . import delivery, rating, rollups
from .columns import APP_COLUMNS, CALL_COLUMNS, MESSAGE_COLUMNS
from .models import (
    AppRecord,
    CallRecord,
    DestinationClass,
    Direction,
    Disposition,
    MessageRecord,
    RecordFile,
    RecordKind,
    UnmatchedRecord,
)

logger = logging.getLogger(__name__)

# What the mapping gives a record, in the order _Owners tells it.
MAPPED = ("enterprise_id", "package_id", "trunk_id")
# Lines stored per transaction: big enough for COPY to pay, small enough to hold in memory.
CHUNK_ROWS = 50_000
# Other databases take the records a few hundred at a time (SQLite's limit on parameters).
SMALL_BATCH = 500
# Malformed lines kept in a file's report; the rest are only counted.
REPORT_LIMIT = 1_000
READ_BYTES = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
UTC_OFFSET = timedelta(0)
# The spool's folder of each kind; files of these suffixes are still being written there.
SPOOL_FOLDERS = {"calls": RecordKind.CALL, "messages": RecordKind.MESSAGE, "apps": RecordKind.APP}
WRITING = {".part", ".tmp"}
# A claimed file not finished in this time was left by a run that died: loaded again.
STALE_CLAIM = timedelta(hours=1)


class Invalid(ValueError):
    """A value of a line that is not what its column holds."""


class Refused(Exception):
    """The file as a whole cannot be loaded (its header, its encoding at the start)."""


# What a cell holds. Each kind of value is checked two ways: a whole column at once, by
# one regex over the column's values joined by line breaks (in C, over one string: far fewer
# steps than one match per value), for the usual chunk in which every value is good; and one
# value at a time, to say which line is bad and why, when one is not.


def _every(pattern, values):
    """Whether each value matches pattern, a compiled `(?:...\\n)*`: one match over the values
    joined, each ended by a line break. A value holding a line break of its own is told by the
    count (and then checked one at a time)."""
    if not values:
        return True
    joined = "\n".join(values) + "\n"
    return joined.count("\n") == len(values) and pattern.fullmatch(joined) is not None


def _column_pattern(pattern):
    return re.compile(f"(?:(?:{pattern})\n)*", re.ASCII)


class Text:
    def __init__(self, model, field_name):
        self.limit = model._meta.get_field(field_name).max_length

    def all_good(self, values):
        # PostgreSQL's text holds no NUL character.
        return max(map(len, values), default=0) <= self.limit and "\0" not in "".join(values)

    def parse(self, value):
        if len(value) > self.limit:
            raise Invalid(f"is longer than {self.limit} characters")
        if "\0" in value:
            raise Invalid("holds a NUL character")
        return value


class Time:
    # The one way of writing a time in UTC that the file takes (and PostgreSQL reads as is).
    shape = re.compile(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]00:?00)", re.ASCII
    ).fullmatch
    # The same, with the days each month has (the 29th of February left to parse()) and the
    # ranges of hours, minutes and seconds: a time it matches is one.
    column = _column_pattern(
        r"(?!0000)\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
        r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
        r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-]00:?00)"
    )

    def all_good(self, values):
        return _every(self.column, values)

    def parse(self, value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise Invalid(
                f"{value!r} is not an ISO 8601 time such as 2026-12-07T14:03:15Z"
            ) from None
        if moment.utcoffset() != UTC_OFFSET:
            raise Invalid(f"{value!r} is not in UTC: end it with Z")
        if not self.shape(value):
            raise Invalid(f"{value!r} is not written as 2026-12-07T14:03:15Z")
        return moment


def _up_to(limit):
    """A regex of the whole numbers from 0 to limit: those with fewer digits, and those with as
    many that start as it does, then have a smaller digit (and the limit itself)."""
    digits = str(limit)
    options = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for at, digit in enumerate(digits):
        if digit != "0":
            options.append(f"{digits[:at]}[0-{int(digit) - 1}][0-9]{{{len(digits) - at - 1}}}")
    return "|".join([*options, digits])


class Whole:
    digits = re.compile(r"[0-9]{1,10}").fullmatch

    def __init__(self, limit):
        self.limit = limit
        self.column = _column_pattern(_up_to(limit))

    def all_good(self, values):
        return _every(self.column, values)

    def parse(self, value):
        if self.digits(value):
            if int(value) <= self.limit:
                return int(value)
            raise Invalid(f"{value} is more than {self.limit:,}")
        if value.startswith("-") and self.digits(value[1:]):
            raise Invalid(f"{value} is negative")
        raise Invalid(f"{value!r} is not a whole number")


class Pattern:
    def __init__(self, pattern, example):
        self.match = re.compile(pattern, re.ASCII).fullmatch
        self.column = _column_pattern(pattern)
        self.example = example

    def all_good(self, values):
        return _every(self.column, values)

    def parse(self, value):
        if self.match(value):
            return value
        raise Invalid(f"{value!r} is not {self.example}")


class Choice:
    def __init__(self, choices):
        self.values = frozenset(choices.values)
        self.names = ", ".join(choices.values)
        self.column = _column_pattern("|".join(map(re.escape, choices.values)))

    def all_good(self, values):
        return _every(self.column, values)

    def parse(self, value):
        if value in self.values:
            return value
        raise Invalid(f"{value!r} is not one of {self.names}")


E164 = Pattern(r"\+[1-9]\d{6,14}", "an E.164 number such as +13035551234")
COUNTRY = Pattern(r"[A-Z]{2}", "a two-letter ISO country code such as GB")
TRUNK_ID = Pattern(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "a trunk ID"
)
SMALL = 32_767  # PositiveSmallIntegerField
LARGE = 2_147_483_647  # PositiveIntegerField


@dataclass(frozen=True)
class Cell:
    column: str  # in the file
    field: str | None  # of the record; None: only maps the record (a call's trunk)
    value: object  # Text, Time, Whole, Pattern or Choice
    required: bool
    empty: str  # stored for an empty optional cell: "" is NULL, or '' in a text column
    null: bool

    @property
    def is_text(self):
        return isinstance(self.value, Text)

    def find_errors(self, values, errors):
        """Add to errors {row: error} the rows whose value is not good for this column."""
        if self.required:
            if "" not in values and self.value.all_good(values):
                return
        elif self.value.all_good(list(filter(None, values))):
            return
        for row, value in enumerate(values):
            if row in errors:
                continue
            if not value:
                if self.required:
                    errors[row] = f"{self.column} is missing"
                continue
            try:
                self.value.parse(value)
            except Invalid as invalid:
                errors[row] = f"{self.column}: {invalid}"

    def python(self, text):
        """The value for the ORM (other databases than PostgreSQL)."""
        text = text or self.empty
        if text:
            return self.value.parse(text)
        return None if self.null else ""


@dataclass(frozen=True)
class Kind:
    """How one kind of record is read, checked and stored."""

    kind: str
    model: type
    cells: tuple
    id_column: str
    time_column: str
    check: object  # rules across columns: fn(columns by name, errors) adds {row: error}

    @property
    def columns(self):
        return [cell.column for cell in self.cells]

    @property
    def mapped_fields(self):
        """What the mapping gives the record, of enterprise, package and trunk."""
        names = {field.attname for field in self.model._meta.concrete_fields}
        return [name for name in ("enterprise_id", "package_id", "trunk_id") if name in names]


def _kind(kind, model, columns, values, *, id_column, time_column, check=None):
    cells = []
    for column in columns:
        field_name, value = values[column.name]
        empty, null = "", False
        if field_name:
            model_field = model._meta.get_field(field_name)
            null = model_field.null
            if model_field.has_default() and not column.required:
                empty = str(model_field.default)
        cells.append(Cell(column.name, field_name, value, column.required, empty, null))
    return Kind(
        kind, model, tuple(cells), id_column, time_column, check or (lambda columns, errors: None)
    )


# The times as the mediation system writes them, 2026-12-07T14:03:15Z: written alike, they
# compare as text as they do as times.
PLAIN_TIME_LENGTH = 20


def _calls_all_good(columns):
    """Whether every call keeps the rules across columns, checked column by column in C;
    only where all its times are written the plain way (else: one call at a time)."""
    starts, answers, ends = columns["start_time"], columns["answer_time"], columns["end_time"]
    given = list(filter(None, answers))
    was_answered = list(map(bool, answers))
    dispositions, classes = columns["disposition"], columns["destination_class"]
    international = map(eq, classes, repeat(DestinationClass.INTERNATIONAL.value))
    return (
        set(map(len, starts)) | set(map(len, ends)) | set(map(len, given)) <= {PLAIN_TIME_LENGTH}
        and not any(map(lt, ends, starts))
        and all(map(le, compress(starts, was_answered), given))
        and all(map(le, given, compress(ends, was_answered)))
        and list(map(eq, dispositions, repeat(Disposition.ANSWERED.value))) == was_answered
        and all(compress(columns["destination_country"], international))
    )


def _check_calls(columns, errors):
    if _calls_all_good(columns):
        return
    answered = Disposition.ANSWERED
    international = DestinationClass.INTERNATIONAL
    rows = zip(
        columns["start_time"],
        columns["answer_time"],
        columns["end_time"],
        columns["disposition"],
        columns["destination_class"],
        columns["destination_country"],
        strict=True,
    )
    parse = datetime.fromisoformat
    for row, (start, answer, end, disposition, destination, country) in enumerate(rows):
        if parse(end) < parse(start):
            errors[row] = "end_time is before start_time"
        elif answer and not parse(start) <= parse(answer) <= parse(end):
            errors[row] = "answer_time is not between start_time and end_time"
        elif (disposition == answered) != bool(answer):
            errors[row] = "answer_time is given if, and only if, the disposition is answered"
        elif destination == international and not country:
            errors[row] = "destination_country is missing for an international call"


KINDS = {
    RecordKind.CALL: _kind(
        RecordKind.CALL,
        CallRecord,
        CALL_COLUMNS,
        {
            "call_id": ("call_id", Text(CallRecord, "call_id")),
            "start_time": ("started_at", Time()),
            "answer_time": ("answered_at", Time()),
            "end_time": ("ended_at", Time()),
            "duration": ("duration", Whole(LARGE)),
            "billable_seconds": ("billable_seconds", Whole(LARGE)),
            "direction": ("direction", Choice(Direction)),
            "from": ("from_number", E164),
            "to": ("to_number", E164),
            "customer_number": ("number", E164),
            "trunk": (None, TRUNK_ID),
            "destination_class": ("destination_class", Choice(DestinationClass)),
            "destination_country": ("destination_country", COUNTRY),
            "disposition": ("disposition", Choice(Disposition)),
            "sip_code": ("sip_code", Whole(699)),
            "q850_cause": ("q850_cause", Whole(127)),
            "post_dial_delay_ms": ("post_dial_delay_ms", Whole(LARGE)),
        },
        id_column="call_id",
        time_column="start_time",
        check=_check_calls,
    ),
    RecordKind.MESSAGE: _kind(
        RecordKind.MESSAGE,
        MessageRecord,
        MESSAGE_COLUMNS,
        {
            "message_id": ("message_id", Text(MessageRecord, "message_id")),
            "sent_time": ("sent_at", Time()),
            "direction": ("direction", Choice(Direction)),
            "kind": ("kind", Choice(MessageRecord.Kind)),
            "from": ("from_number", E164),
            "to": ("to_number", E164),
            "customer_number": ("number", E164),
            "segments": ("segments", Whole(SMALL)),
            "status": ("status", Choice(MessageRecord.Status)),
            "error_code": ("error_code", Text(MessageRecord, "error_code")),
        },
        id_column="message_id",
        time_column="sent_time",
    ),
    RecordKind.APP: _kind(
        RecordKind.APP,
        AppRecord,
        APP_COLUMNS,
        {
            "event_id": ("event_id", Text(AppRecord, "event_id")),
            "time": ("occurred_at", Time()),
            "application": ("application", Text(AppRecord, "application")),
            "event": ("event", Text(AppRecord, "event")),
            "customer_number": ("number", E164),
            "other_party": ("counterpart", E164),
            "channel": ("channel", Text(AppRecord, "channel")),
            "result": ("result", Text(AppRecord, "result")),
            "duration": ("duration", Whole(LARGE)),
            "units": ("units", Whole(LARGE)),
        },
        id_column="event_id",
        time_column="time",
    ),
}


@dataclass
class Outcome:
    """What became of the lines loaded: RecordFile's counts, for a load without a file."""

    lines: int = 0
    loaded: int = 0
    duplicates: int = 0
    unmatched: int = 0
    rejected: int = 0
    report: list = field(default_factory=list)

    def stored(self, new, duplicates):
        self.loaded += new
        self.duplicates += duplicates

    def reject(self, line, error):
        self.rejected += 1
        if len(self.report) < REPORT_LIMIT:
            self.report.append({"line": line, "error": error})


# Reading the file


def _digest(fileobj):
    digest, size = hashlib.sha256(), 0
    while block := fileobj.read(READ_BYTES):
        digest.update(block)
        size += len(block)
    fileobj.seek(0)
    return digest.hexdigest(), size


class _Lines:
    """The text lines of a file, gzipped or not, in UTF-8 (a BOM dropped), line ends kept.

    A line that is not UTF-8 is given as an empty line and its number kept in `undecodable`.
    When the gzip data ends early or is damaged, the lines before are given, the cut last one
    is not, and `broken` says what happened.
    """

    def __init__(self, fileobj):
        self.undecodable = set()
        self.broken = ""
        self.given = 0
        gzipped = fileobj.read(2) == GZIP_MAGIC
        fileobj.seek(0)
        # A gzip stream is read a piece at a time (read1): a whole read() that meets the end
        # of a truncated file raises, losing what it had decompressed before.
        self.read = gzip.GzipFile(fileobj=fileobj).read1 if gzipped else fileobj.read

    def __iter__(self):
        # The lines of each block are handed on in C, not one at a time through Python.
        return chain.from_iterable(self._blocks())

    def _blocks(self):
        """The lines of the file, a list of them per block read."""
        pending = b""
        first = True
        while True:
            try:
                block = self.read(READ_BYTES)
            except EOFError:
                self._break(pending, "The gzip file is truncated")
                return
            except (gzip.BadGzipFile, zlib.error):
                self._break(pending, "The gzip data is damaged")
                return
            if not block:
                break
            if first:
                block = block.removeprefix(b"\xef\xbb\xbf")
                first = False
            block = pending + block
            end = block.rfind(b"\n") + 1
            pending = block[end:]
            yield self._decode(block[:end])
        if pending:
            yield self._decode(pending)

    def _break(self, pending, what):
        if pending:
            self.broken = (
                f"{what}: line {self.given + 1} is cut short and was not loaded; "
                "nothing after it could be read."
            )
        else:
            self.broken = f"{what}: nothing after line {self.given} could be read."

    def _decode(self, block):
        try:
            text = block.decode()
        except UnicodeDecodeError:
            return self._decode_each(block)
        # newline="": only CR, LF and CRLF end lines, as in CSV (not U+2028 and the like).
        lines = list(io.StringIO(text, newline=""))
        self.given += len(lines)
        return lines

    def _decode_each(self, block):
        lines = []
        for raw in io.BytesIO(block):
            self.given += 1
            try:
                lines.append(raw.decode())
            except UnicodeDecodeError:
                self.undecodable.add(self.given)
                lines.append("\n")
        return lines


def _header_problem(header, spec):
    if not header:
        return "The file is empty: it needs a header line naming its columns."
    expected = spec.columns
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    doubled = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}")
    if doubled:
        problems.append(f"columns given twice: {', '.join(doubled)}")
    if not problems:
        return None
    label = RecordKind(spec.kind).label
    return f"The header does not have the columns of a {label} file: " + "; ".join(problems) + "."


def load_file(kind, fileobj, *, name, by=None):
    """Load one file of records of kind (a RecordKind) from a binary file object; return its
    RecordFile. A file loaded before (same kind, same content) is not read again."""
    spec = KINDS[kind]
    digest, size = _digest(fileobj)
    with scopes_disabled():
        earlier = (
            RecordFile.objects.filter(kind=kind, sha256=digest, status=RecordFile.Status.LOADED)
            .order_by("-started_at")
            .first()
        )
        if earlier:
            logger.info("%s was loaded before as record file %s: not again.", name, earlier.pk)
            return earlier
        record_file = RecordFile.objects.create(
            kind=kind, name=name[:200], sha256=digest, size=size
        )
        try:
            _read(spec, fileobj, record_file)
        except Refused as refusal:
            record_file.status = RecordFile.Status.FAILED
            record_file.message = str(refusal)[:500]
        else:
            record_file.status = RecordFile.Status.LOADED
        record_file.finished_at = timezone.now()
        record_file.save()
    logger.info(
        "Record file %s (%s) loaded by %s: %s lines, %s new, %s duplicates, %s unmatched, "
        "%s rejected.",
        name,
        record_file.pk,
        by or "the server",
        record_file.lines,
        record_file.loaded,
        record_file.duplicates,
        record_file.unmatched,
        record_file.rejected,
    )
    return record_file


def _read(spec, fileobj, record_file):
    lines = _Lines(fileobj)
    source = iter(lines)
    reader = csv.reader(source)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise Refused(f"The header line is not CSV: {error}.") from None
    header = [name.strip() for name in header]
    if lines.broken and not header:
        raise Refused(lines.broken)
    if problem := _header_problem(header, spec):
        raise Refused(problem)
    # Each line's cells in the kind's column order, whatever the file's order was.
    order = [header.index(column) for column in spec.columns]
    in_order = order == list(range(len(order)))
    width = len(header)

    def chunks():
        read = reader.line_num
        while chunk := _read_chunk(source, read, lines.undecodable, width):
            (numbers, rows, rejected), read = chunk
            if not in_order:
                rows = list(map(itemgetter(*order), rows))
            yield numbers, rows, rejected

    outcome = _load(spec, chunks(), record_file)
    if lines.broken:
        record_file.message = lines.broken[:500]
    return outcome


def _read_chunk(source, read, undecodable, width):
    """The next CHUNK_ROWS lines of the file, after the `read` first ones: ((line numbers,
    cells, [(line, error)] of the lines that are not CSV of the header's width), lines read);
    None at the end of the file."""
    lines = list(islice(source, CHUNK_ROWS))
    if not lines:
        return None
    # The usual chunk has no quoted cell: each line is one row, read at once.
    rows = None
    if '"' not in "".join(lines):
        try:
            rows = list(csv.reader(lines))
        except csv.Error:
            rows = None
    if rows is not None:
        numbers, rejected = range(read + 1, read + len(rows) + 1), []
        read += len(rows)
    else:
        # A quoted cell may hold line breaks, and its row go on past the chunk's lines.
        numbers, rows, rejected = [], [], []
        reader = csv.reader(chain(lines, source))
        while reader.line_num < len(lines):
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                rejected.append((read + reader.line_num, f"not CSV: {error}"))
                continue
            rows.append(row)
            numbers.append(read + reader.line_num)
        read += reader.line_num
    # Every line whole and UTF-8, as usual; else each line is looked at.
    if set(map(len, rows)) != {width} or not undecodable.isdisjoint(numbers):
        whole_numbers, whole_rows = [], []
        for line, row in zip(numbers, rows, strict=True):
            if line in undecodable:
                rejected.append((line, "not UTF-8 text"))
            elif not row:  # a blank line
                continue
            elif len(row) != width:
                rejected.append((line, f"{len(row)} values where the header has {width}"))
            else:
                whole_numbers.append(line)
                whole_rows.append(row)
        numbers, rows = whole_numbers, whole_rows
    return (numbers, rows, rejected), read


def load_rows(kind, rows, *, file=None):
    """Load records given as dicts of the kind's column names to text (the file's cells), for
    the API; line n is the n-th row. Returns the Outcome (also saved on file, if given)."""
    spec = KINDS[kind]
    columns = spec.columns
    known = set(columns)
    given = enumerate(rows, start=1)

    def chunks():
        while numbered := list(islice(given, CHUNK_ROWS)):
            numbers, cells, rejected = [], [], []
            for line, row in numbered:
                if unknown := sorted(set(row) - known):
                    rejected.append((line, f"unknown columns: {', '.join(unknown)}"))
                else:
                    numbers.append(line)
                    cells.append(["" if row.get(c) is None else str(row[c]) for c in columns])
            yield numbers, cells, rejected

    with scopes_disabled():
        return _load(spec, chunks(), file)


# Checking, mapping and storing

# Chunks stored at once, each by a thread and a database connection of its own, beside the
# checking here. One: two at once were slower, on two cores shared with the checking and with
# the rollups' rows (the same hours, minutes and numbers) updated by both in turn.
STORERS = 1


def _load(spec, chunks, record_file):
    """Check and map each chunk of lines here, and store it beside: the storing, PostgreSQL's
    work, goes on while the next chunk is checked. Inside a transaction of the caller's, or on
    another database, a chunk is stored here, in turn."""
    outcome = Outcome()
    owners = _Owners()
    beside = connection.vendor == "postgresql" and not connection.in_atomic_block
    with ThreadPoolExecutor(max_workers=STORERS) as storer:
        storing = []
        for chunk in chunks:
            rows, columns = _checked(spec, chunk, outcome)
            staged = _mapped(spec, rows, columns, owners, outcome, record_file)
            # At most STORERS chunks are being stored while the next is checked; the counts
            # are saved as each is done.
            while storing and (len(storing) >= STORERS or storing[0].done()):
                outcome.stored(*storing.pop(0).result())
            if staged is not None:
                # Here, not in the storers: two of them making one month would clash.
                ensure_partitions(spec.model, staged.first, staged.last)
                if beside:
                    storing.append(storer.submit(_store_beside, spec, staged))
                else:
                    outcome.stored(*_store(spec, staged))
            _save_counts(record_file, outcome)
        for future in storing:
            outcome.stored(*future.result())
        if beside:
            _save_counts(record_file, outcome)
            # Each storer closes its connection: all wait until each has one of these.
            closing = threading.Barrier(STORERS)
            for future in [storer.submit(_close, closing) for _ in range(STORERS)]:
                future.result()
    return outcome


def _checked(spec, chunk, outcome):
    """The good lines of the chunk, as rows and by column; the others rejected in the
    outcome."""
    numbers, rows, rejected = chunk
    outcome.lines += len(numbers) + len(rejected)
    columns, errors = _check_chunk(spec, rows)
    rejected += [(numbers[row], error) for row, error in errors.items()]
    for line, error in sorted(rejected):
        outcome.reject(line, error)
    if errors:
        good = [row for row in range(len(rows)) if row not in errors]
        rows = [rows[row] for row in good]
        columns = _only(columns, good)
    return rows, columns


def _close(closing):
    closing.wait()
    connections.close_all()


def _store_beside(spec, staged):
    # A thread of its own: its own database connection, and no scope but this one.
    with scopes_disabled():
        return _store(spec, staged)


def _check_chunk(spec, rows):
    """The chunk's cells by column, and {row: error} of its malformed rows (the first
    error of each, by column, then the rules across columns)."""
    transposed = zip(*rows, strict=True) if rows else [()] * len(spec.cells)
    columns = dict(zip(spec.columns, transposed, strict=True))
    errors = {}
    for cell in spec.cells:
        cell.find_errors(columns[cell.column], errors)
    good = [row for row in range(len(rows)) if row not in errors] if errors else None
    # The rules across columns read only lines whose every value is good.
    across = {}
    spec.check(_only(columns, good) if errors else columns, across)
    errors.update({(good[row] if errors else row): error for row, error in across.items()})
    return columns, errors


def _only(columns, rows):
    return {name: [values[row] for row in rows] for name, values in columns.items()}


def _save_counts(record_file, outcome):
    if record_file is None:
        return
    for name in ("lines", "loaded", "duplicates", "unmatched", "rejected", "report"):
        setattr(record_file, name, getattr(outcome, name))
    record_file.save(
        update_fields=["lines", "loaded", "duplicates", "unmatched", "rejected", "report"]
    )


class _Owners:
    """(enterprise, package, trunk) of each record, or None: by its trunk, else its customer
    number. Each trunk and number is looked up once per load (one query per chunk for those it
    brings first), and kept for the chunks after."""

    def __init__(self):
        self.trunks = {}
        self.numbers = {}

    def of(self, columns):
        trunk_ids = list(map(str.lower, columns.get("trunk", ())))
        if new := set(trunk_ids) - self.trunks.keys() - {""}:
            self.trunks.update(dict.fromkeys(new))
            self.trunks.update(
                (str(public_id), (enterprise, package, pk))
                for public_id, enterprise, package, pk in Trunk.objects.filter(
                    public_id__in=new
                ).values_list("public_id", "enterprise_id", "package_id", "pk")
            )
        numbers = columns["customer_number"]
        if new := set(numbers) - self.numbers.keys() - {""}:
            self.numbers.update(dict.fromkeys(new))
            self.numbers.update(
                (e164, (enterprise, package, trunk))
                for e164, enterprise, package, trunk in PhoneNumber.objects.filter(e164__in=new)
                .exclude(status=PhoneNumber.Status.DISCONNECTED)
                .values_list("e164", "enterprise_id", "package_id", "trunk_id")
            )
        by_number = list(map(self.numbers.get, numbers))
        if not any(map(self.trunks.get, trunk_ids)):
            return by_number
        return [
            self.trunks.get(trunk) or owner
            for trunk, owner in zip(trunk_ids, by_number, strict=True)
        ]


@dataclass
class Staged:
    """A chunk's records mapped to their enterprises, ready to store."""

    count: int
    first: datetime
    last: datetime
    rows: object  # PostgreSQL: the CSV that COPY reads; others: the values by field
    packages: set = field(default_factory=set)  # of the records, for their rates


def _mapped(spec, rows, columns, owners, outcome, record_file):
    """The chunk's records that map to an enterprise, staged; those that map to none kept for
    staff."""
    owned = owners.of(columns)
    if None in owned:
        matched = [row for row, owner in enumerate(owned) if owner is not None]
        unmatched = [row for row, owner in enumerate(owned) if owner is None]
        _keep_unmatched(spec, _only(columns, unmatched), record_file)
        outcome.unmatched += len(unmatched)
        columns = _only(columns, matched)
        rows = [rows[row] for row in matched]
        owned = [owned[row] for row in matched]
    if not owned:
        return None
    # The times are all written alike (Time.shape): as text, the first is the earliest.
    times = columns[spec.time_column]
    first, last = datetime.fromisoformat(min(times)), datetime.fromisoformat(max(times))
    if connection.vendor != "postgresql":
        mapped = dict(
            zip(("enterprise_id", "package_id", "trunk_id"), zip(*owned, strict=True), strict=True)
        )
        return Staged(len(owned), first, last, _python_values(spec, columns, mapped))
    packages = {package for _enterprise, package, _trunk in set(owned)} - {None}
    return Staged(len(owned), first, last, _csv(spec, rows, columns, owned), packages)


def _csv(spec, rows, columns, owned):
    """The CSV that COPY reads: each line's cells as they came (the staging table has a column
    for each), then its enterprise, package and trunk as the record has them."""
    positions = [MAPPED.index(name) for name in spec.mapped_fields]
    endings = {
        owner: "".join("," + ("" if owner[at] is None else str(owner[at])) for at in positions)
        + "\n"
        for owner in set(owned)
    }
    # Checked cells hold no comma, quote or line break, but text cells may (quoted in the file):
    # the usual chunk is written by joining its cells, one that holds one by the csv module.
    texts = "".join("".join(columns[cell.column]) for cell in spec.cells if cell.is_text)
    if not any(map(texts.__contains__, ',"\r\n')):
        return "".join(map(add, map(",".join, rows), map(endings.__getitem__, owned)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row, owner in zip(rows, owned, strict=True):
        writer.writerow([*row, *(owner[at] for at in positions)])
    return buffer.getvalue()


def _store(spec, staged):
    """Store a staged chunk (its months' partitions made): (records new, duplicates)."""
    if connection.vendor == "postgresql":
        new = _insert_copy(spec, staged)
    else:
        new = _insert_orm(spec, staged.rows)
    return new, staged.count - new


def _keep_unmatched(spec, columns, record_file):
    names = spec.columns
    UnmatchedRecord.objects.bulk_create(
        [
            UnmatchedRecord(
                kind=spec.kind,
                record_id=line[spec.id_column],
                at=datetime.fromisoformat(line[spec.time_column]),
                number=line["customer_number"],
                trunk=line.get("trunk", ""),
                line=line,
                file=record_file,
            )
            for line in (
                dict(zip(names, cells, strict=True))
                for cells in zip(*(columns[name] for name in names), strict=True)
            )
        ],
        ignore_conflicts=True,
        batch_size=SMALL_BATCH,
    )


def _insert_copy(spec, staged):
    """COPY the records (CSV) into a temporary table and INSERT the new ones; return their
    count.

    A chunk whose time span holds no stored record yet (the usual load of new records) is
    inserted plainly; one that may hold stored ones, or meets a record stored meanwhile by
    another load (the primary key refuses it), with ON CONFLICT DO NOTHING, which skips them.
    """
    model = spec.model
    table = model._meta.db_table
    time_field = model._meta.pk_fields[0].column
    # The staging table has a column for each of the line's cells, as in the file: a cell
    # that is no field of the record's (a call's trunk) has one of its own.
    staged_names = [
        model._meta.get_field(cell.field).column if cell.field else f"file_{cell.column}"
        for cell in spec.cells
    ] + spec.mapped_fields
    extra = "".join(f', "file_{cell.column}" text' for cell in spec.cells if not cell.field)
    # Every text column is NOT NULL: an empty cell is '' there, not NULL.
    texts = ", ".join(
        f'"{field.column}"'
        for field in model._meta.concrete_fields
        if field.get_internal_type() == "CharField"
    )
    cells = [cell for cell in spec.cells if cell.field]
    cell_fields = [model._meta.get_field(cell.field).column for cell in cells]
    fields = cell_fields + spec.mapped_fields
    # An empty optional cell of a field with a default (an event's units) stores the default.
    values = [
        f'COALESCE("{name}", %s)' if cell.empty else f'"{name}"'
        for cell, name in zip(cells, cell_fields, strict=True)
    ] + [f'"{name}"' for name in spec.mapped_fields]
    params = [cell.empty for cell in cells if cell.empty]
    with transaction.atomic(), connection.cursor() as cursor:
        source = "billing_staged AS c"
        if model is CallRecord:
            # Each call rated as it is stored: joined to the rates of its package in force
            # over the chunk's span (billing.rating).
            joins = rating.rate_tables(
                cursor, staged.packages, staged.first, staged.last + timedelta(microseconds=1)
            )
            fields = [*fields, "rate_id", "rated_seconds", "charge"]
            values = [*values, rating.RATING]
            source = f"{source} {joins}"
        insert = (
            f'INSERT INTO "{table}" ({", ".join(f'"{name}"' for name in fields)}) '  # noqa: S608
            f"SELECT {', '.join(values)} FROM {source}"
        )
        cursor.execute(
            f'CREATE TEMPORARY TABLE billing_staged (LIKE "{table}"{extra}) ON COMMIT DROP'
        )
        for cell, name in zip(cells, cell_fields, strict=True):
            if cell.empty:
                cursor.execute(f'ALTER TABLE billing_staged ALTER "{name}" DROP NOT NULL')
        names = ", ".join(f'"{name}"' for name in staged_names)
        with cursor.copy(
            f"COPY billing_staged ({names}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({texts}))"
        ) as copy:
            copy.write(staged.rows)
        cursor.execute(
            f'SELECT EXISTS (SELECT FROM "{table}" WHERE "{time_field}" BETWEEN %s AND %s)',  # noqa: S608
            [staged.first, staged.last],
        )
        new = None
        if not cursor.fetchone()[0]:
            try:
                with transaction.atomic():
                    new = _insert(model, cursor, insert, params)
            except IntegrityError:
                new = None  # stored meanwhile, or twice in the chunk
        if new is None:
            new = _insert(model, cursor, f"{insert} ON CONFLICT DO NOTHING", params)
        # Dropped now, not at the commit: inside an outer transaction the next chunk makes it.
        cursor.execute("DROP TABLE billing_staged")
        if model is CallRecord:
            rating.drop_rate_tables(cursor)
    return new


def _insert(model, cursor, insert, params):
    if model is CallRecord:
        return rollups.add_calls(
            cursor, f"{insert} RETURNING {', '.join(rollups.CALL_COLUMNS)}", params
        )
    if model is AppRecord:
        # Each enterprise's span of new events: a day whose ADR file was delivered before they
        # came is delivered again with them.
        cursor.execute(
            f"WITH new AS ({insert} RETURNING enterprise_id, occurred_at) "  # noqa: S608 - ours
            "SELECT enterprise_id, min(occurred_at), max(occurred_at), count(*) "
            "FROM new GROUP BY 1",
            params,
        )
        spans = cursor.fetchall()
        delivery.deliver_again_with_late_events(
            (enterprise_id, first, last) for enterprise_id, first, last, _count in spans
        )
        return sum(count for *_span, count in spans)
    cursor.execute(insert, params)
    return cursor.rowcount


def _python_values(spec, columns, mapped):
    """{(time, id): the record's values by field}, for the ORM."""
    cells = [cell for cell in spec.cells if cell.field]
    key_fields = [field.name for field in spec.model._meta.pk_fields]  # (time, carrier's id)
    lines = zip(*(columns[cell.column] for cell in cells), strict=True)
    records = {}
    for row, texts in enumerate(lines):
        record = {cell.field: cell.python(text) for cell, text in zip(cells, texts, strict=True)}
        record.update({name: mapped[name][row] for name in spec.mapped_fields})
        records.setdefault(tuple(record[name] for name in key_fields), record)
    return records


def _insert_orm(spec, records):
    """The same with the ORM (SQLite): the records not stored yet, calls rated first, then
    the hours they touch rebuilt from the records."""
    model = spec.model
    key_fields = [field.name for field in model._meta.pk_fields]
    new = dict(records)
    keys = list(new)
    for start in range(0, len(keys), SMALL_BATCH):
        stored = model.objects.filter(pk__in=keys[start : start + SMALL_BATCH])
        for key in stored.values_list(*key_fields):
            new.pop(key, None)
    if model is CallRecord and new:
        _rate_in_python(new.values())
    with transaction.atomic():
        model.objects.bulk_create(
            [model(**record) for record in new.values()],
            ignore_conflicts=True,
            batch_size=SMALL_BATCH,
        )
        if model is CallRecord:
            spans = {}
            for record in new.values():
                first, last = spans.get(record["enterprise_id"], (record["started_at"],) * 2)
                spans[record["enterprise_id"]] = (
                    min(first, record["started_at"]),
                    max(last, record["started_at"]),
                )
            for enterprise_id, (first, last) in spans.items():
                rollups.rebuild(enterprise_id, first, last)
        if model is AppRecord:
            spans = {}
            for record in new.values():
                first, last = spans.get(record["enterprise_id"], (record["occurred_at"],) * 2)
                spans[record["enterprise_id"]] = (
                    min(first, record["occurred_at"]),
                    max(last, record["occurred_at"]),
                )
            delivery.deliver_again_with_late_events(
                (enterprise_id, first, last) for enterprise_id, (first, last) in spans.items()
            )
    return len(new)


def _rate_in_python(calls):
    """Give the new calls their rating before they are stored (billing.rating's rules)."""
    calls = list(calls)
    times = [call["started_at"] for call in calls]
    rate = rating.python_rater(
        {call["package_id"] for call in calls if call["package_id"]},
        min(times),
        max(times) + timedelta(microseconds=1),
    )
    for call in calls:
        call["rate_id"], call["rated_seconds"], call["charge"] = rate(call)


# The spool: files dropped by the mediation system, loaded by cron


def spool_dir():
    return Path(settings.USAGE_SPOOL_DIR)


def load_spool():
    """Load every file waiting in the spool's folders (calls/, messages/, apps/); move each to
    done/ or failed/ beside it. Returns the RecordFiles.

    A file is claimed by renaming it into loading/ first, so two runs at once never load the
    same file; one left there by a run that died is put back after STALE_CLAIM. Names that
    start with a dot or end in .part or .tmp are files still being written: they wait.
    """
    loaded = []
    for folder, kind in SPOOL_FOLDERS.items():
        incoming = spool_dir() / folder
        for sub in ("loading", "done", "failed"):
            (incoming / sub).mkdir(parents=True, exist_ok=True)
        _release_stale_claims(incoming)
        for path in sorted(incoming.iterdir()):
            if path.is_file() and not path.name.startswith(".") and path.suffix not in WRITING:
                record_file = _load_spooled(kind, path)
                if record_file is not None:
                    loaded.append(record_file)
    return loaded


def _load_spooled(kind, path):
    claimed = path.parent / "loading" / path.name
    try:
        # Touched first: the time of the claim is what tells a stale one.
        os.utime(path)
        path.rename(claimed)
    except FileNotFoundError:
        return None  # another run took it
    try:
        with claimed.open("rb") as fileobj:
            record_file = load_file(kind, fileobj, name=path.name)
    except Exception:
        logger.exception("Loading the spooled file %s failed.", path)
        claimed.rename(_free_name(path.parent / "failed", path.name))
        raise
    finished = "failed" if record_file.status == RecordFile.Status.FAILED else "done"
    claimed.rename(_free_name(path.parent / finished, path.name))
    return record_file


def _release_stale_claims(incoming):
    stale_before = time.time() - STALE_CLAIM.total_seconds()
    for path in (incoming / "loading").iterdir():
        try:
            if path.stat().st_mtime < stale_before:
                path.rename(_free_name(incoming, path.name))
        except FileNotFoundError:
            continue  # released by another run


def _free_name(folder, name):
    """folder/name, or with a time before its suffix when a file of that name is there."""
    target = folder / name
    if target.exists():
        stem, dot, suffix = name.partition(".")
        target = folder / f"{stem}-{timezone.now():%Y%m%dT%H%M%S%f}{dot}{suffix}"
    return target

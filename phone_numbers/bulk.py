"""Managing Bulk Actions: a file naming numbers and what to do to each, previewed, then applied.

The user uploads a CSV (or a .txt of comma- or tab-separated values) whose first line names its
columns (TEMPLATE_COLUMNS). Every line is checked - its number is E.164 and one of the
enterprise's, not repeated in the file, its action known and its values valid - and the preview
shows each line OK or with its error. Nothing changes until the user confirms; then the file is
checked again (someone may have changed the numbers since) and, if the preview still holds, all
OK lines are applied in one transaction: grouped by action and values, each group by one call of
the set-based services of phone_numbers.manage.

An upload is kept in the default storage, which is not served to the web, under
bulk/<enterprise id>/<token>: the file itself and its state (the checked lines, JSON). Files
of more than NUMBERS_BULK_INLINE_LINES lines are checked and applied by the worker, whose page
shows the progress. A file is deleted once applied, its state after UPLOAD_KEEP.
"""

import csv
import hashlib
import io
import json
import re
import secrets
from dataclasses import astuple, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from core.phones import normalize_phone
from trunks.models import Package, RoutingPolicy, Trunk

from . import manage
from .cnam import clean_cnam
from .e911 import add_address
from .e911 import normalize as normalize_e911
from .models import PhoneNumber

ACTIONS = {
    "move": "Move to another package",
    "routing": "Change routing",
    "cnam": "Set Caller ID / CNAM",
    "e911": "Set E911 address",
    "forward": "Remote Call Forward",
    "disconnect": "Disconnect",
}
E911_COLUMNS = {
    "e911_street": "street",
    "e911_unit": "unit",
    "e911_city": "city",
    "e911_state": "state",
    "e911_zip": "zip_code",
}
TEMPLATE_COLUMNS = ["number", "action", "package", "routing", "cnam", *E911_COLUMNS, "forward_to"]
TEMPLATE_ROWS = [
    ["+13035550100", "move", "Chicago Usage", "", "", "", "", "", "", "", ""],
    ["+13035550101", "routing", "", "Policy: Main", "", "", "", "", "", "", ""],
    ["+13035550102", "routing", "", "default", "", "", "", "", "", "", ""],
    ["+13035550103", "cnam", "", "", "ACME TELECOM", "", "", "", "", "", ""],
    [
        "+13035550104",
        "e911",
        "",
        "",
        "",
        "1801 California St",
        "Ste 2400",
        "Denver",
        "CO",
        "80202",
        "",
    ],
    ["+13035550105", "forward", "", "", "", "", "", "", "", "", "+13125550199"],
    ["+13035550106", "disconnect", "", "", "", "", "", "", "", "", ""],
]
E164 = re.compile(r"\+[1-9]\d{6,14}")
LOOKUP_CHUNK = 10_000
PROGRESS_EVERY = 10_000
UPLOAD_KEEP = timedelta(days=1)
MAX_ERRORS_IN_WORDS = 5


def max_bytes():
    return settings.NUMBERS_BULK_MAX_BYTES


def inline_lines():
    """Files with more lines than this are checked and applied by the worker."""
    return settings.NUMBERS_BULK_INLINE_LINES


@dataclass
class Line:
    """One line of the file: what it asks for and whether it can be done."""

    line: int
    number: str
    action: str
    summary: str = ""
    error: str = ""
    values: dict = field(default_factory=dict)

    @property
    def ok(self):
        return not self.error


def template_csv():
    """The downloadable template: the columns and an example line of each action."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue()


def read_rows(data):
    """The file's lines as (line number, {column: value}); raise ValidationError for the file."""
    if not data.strip():
        raise ValidationError("The file is empty.", code="empty")
    if len(data) > max_bytes():
        raise ValidationError(
            "The file has %(size)s bytes; the limit is %(limit)s.",
            code="too_large",
            params={"size": f"{len(data):,}", "limit": f"{max_bytes():,}"},
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise ValidationError(
            "This is not a CSV or text file: save it from your spreadsheet as CSV.",
            code="not_text",
        )
    header_line = text.lstrip().split("\n", 1)[0]
    delimiter = "\t" if "\t" in header_line and "," not in header_line else ","
    reader = csv.reader(io.StringIO(text.lstrip()), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    unknown = [name for name in header if name not in TEMPLATE_COLUMNS]
    if unknown:
        raise ValidationError(
            "Unknown columns: %(unknown)s. The columns are %(columns)s (see the template).",
            code="unknown_columns",
            params={"unknown": ", ".join(unknown), "columns": ", ".join(TEMPLATE_COLUMNS)},
        )
    if "number" not in header or "action" not in header:
        raise ValidationError(
            "The first line must name the columns, at least number and action (see the template).",
            code="no_header",
        )
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        row = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(header)}
        if len(cells) > len(header):
            row["_extra"] = "yes"
        rows.append((reader.line_num, row))
    if not rows:
        raise ValidationError("The file names no numbers, only its columns.", code="empty")
    return rows


class Checker:
    """Checks lines against the enterprise's numbers, packages, policies and trunks."""

    def __init__(self, enterprise):
        self.enterprise = enterprise
        self.packages = {p.name.lower(): p for p in Package.objects.filter(enterprise=enterprise)}
        self.policies = {
            (p.package_id, p.name.lower()): p
            for p in RoutingPolicy.objects.filter(enterprise=enterprise)
        }
        self.trunks = {
            (t.package_id, t.name.lower()): t for t in Trunk.objects.filter(enterprise=enterprise)
        }

    def check(self, rows, progress=None):
        lines = []
        seen = {}
        for position, (line_no, row) in enumerate(rows, start=1):
            line = Line(line_no, row.get("number", ""), row.get("action", "").lower())
            line.error = self._number_error(line, seen) or self._values_error(line, row)
            lines.append(line)
            if progress and position % PROGRESS_EVERY == 0:
                progress(position)
        self._check_ownership(lines, progress)
        return lines

    def _number_error(self, line, seen):
        if not line.number:
            return "No number on this line."
        if not E164.fullmatch(line.number):
            try:
                line.number = normalize_phone(line.number)
            except ValidationError:
                return f"“{line.number}” is not a phone number in E.164 form, e.g. +13035551234."
        if line.number in seen:
            return f"{line.number} is already on line {seen[line.number]}."
        seen[line.number] = line.line
        return ""

    def _values_error(self, line, row):
        if row.get("_extra"):
            return "This line has more values than the first line names columns."
        if line.action not in ACTIONS:
            return (
                f"Unknown action “{line.action}”: use one of {', '.join(ACTIONS)}."
                if line.action
                else f"No action on this line: use one of {', '.join(ACTIONS)}."
            )
        try:
            line.values, line.summary = getattr(self, f"_{line.action}")(row)
        except ValidationError as error:
            return " ".join(error.messages)
        return ""

    def _move(self, row):
        name = row.get("package", "")
        package = self.packages.get(name.lower())
        if package is None:
            raise ValidationError(
                f"No package named “{name}”." if name else "Name the package to move to."
            )
        return {"package": package.pk}, f"Move to {package.name}"

    def _routing(self, row):
        # Checked against the number's package once the number is known (_check_ownership).
        target = " ".join(row.get("routing", "").split())
        if not target:
            raise ValidationError(
                "Name the routing: Policy: <name>, Trunk: <name> or default (the package's)."
            )
        return {"routing": target}, ""

    def _cnam(self, row):
        cnam = clean_cnam(row.get("cnam", ""))
        return {"cnam": cnam}, f"Caller ID “{cnam}”" if cnam else "Remove the Caller ID"

    def _e911(self, row):
        fields = {name: row.get(column, "") for column, name in E911_COLUMNS.items()}
        try:
            address = normalize_e911(fields)
        except ValidationError as error:
            columns = {name: column for column, name in E911_COLUMNS.items()}
            raise ValidationError(
                [
                    f"{columns[name]}: {message}"
                    for name, messages in error.message_dict.items()
                    for message in messages
                ]
            ) from None
        unit = f" {address['unit']}" if address["unit"] else ""
        return address, (
            f"E911: {address['street']}{unit}, {address['city']}, "
            f"{address['state']} {address['zip_code']}"
        )

    def _forward(self, row):
        forward_to = row.get("forward_to", "")
        if not forward_to:
            raise ValidationError("Enter the number to forward to in forward_to.")
        try:
            forward_to = normalize_phone(forward_to)
        except ValidationError as error:
            raise ValidationError(f"forward_to: {' '.join(error.messages)}") from None
        return {"forward_to": forward_to}, f"Forward to {forward_to}"

    def _disconnect(self, row):
        return {}, "Disconnect"

    def _check_ownership(self, lines, progress=None):
        """Refuse numbers that are not the enterprise's (whoever's they are: nothing leaks)."""
        wanted = [line for line in lines if line.number and E164.fullmatch(line.number)]
        owned = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = [line.number for line in wanted[start : start + LOOKUP_CHUNK]]
            owned.update(
                (e164, (pk, package_id, status))
                for e164, pk, package_id, status in numbers_named(chunk).values_list(
                    "e164", "pk", "package_id", "status"
                )
            )
        for line in wanted:
            if line.number not in owned:
                line.error = line.error or f"{line.number} is not one of your numbers."
                continue
            _pk, package_id, status = owned[line.number]
            if line.error:
                continue
            if status != PhoneNumber.Status.ACTIVE:
                line.error = f"{line.number} is pending: it can be changed once it is active."
            elif line.action == "routing":
                self._resolve_routing(line, package_id)
            elif line.action == "forward" and line.values["forward_to"] == line.number:
                line.error = f"{line.number} cannot forward to itself."
        if progress:
            progress(len(lines))

    def _resolve_routing(self, line, package_id):
        """ "Policy: Main", "Trunk: Denver SBC 1", a bare name (a policy's first) or "default"."""
        target = line.values.pop("routing")
        if target.lower() in {"default", "package default"}:
            line.values = {"policy": None, "trunk": None}
            line.summary = "Route by the package default"
            return
        kind, _, name = target.rpartition(":")
        kind, name = kind.strip().lower(), name.strip().lower()
        policy = self.policies.get((package_id, name)) if kind in {"", "policy"} else None
        trunk = self.trunks.get((package_id, name)) if kind in {"", "trunk"} else None
        if policy is not None:
            line.values = {"policy": policy.pk, "trunk": None}
            line.summary = f"Route to Policy: {policy.name}"
        elif trunk is not None:
            line.values = {"policy": None, "trunk": trunk.pk}
            line.summary = f"Route to Trunk: {trunk.name}"
        else:
            line.error = f"The number's package has no routing policy or trunk “{target}”."


def numbers_named(e164s):
    """The scope's numbers in service among e164s, whatever their count.

    On PostgreSQL the list is one array parameter: a 100,000-number IN list would pass the
    protocol's limit of 65,535 parameters.
    """
    numbers = PhoneNumber.objects.exclude(status=PhoneNumber.Status.DISCONNECTED)
    if connection.vendor == "postgresql":
        return numbers.filter(e164__in=RawSQL("SELECT unnest(%s::text[])", (list(e164s),)))
    return numbers.filter(e164__in=list(e164s))


# Uploads in the storage.


def _folder(enterprise_id, token):
    return f"bulk/{enterprise_id}/{token}"


def save_upload(enterprise, data, filename, *, line_count, by):
    """Keep the file for its preview and confirmation; return its token."""
    purge_expired_uploads(enterprise.pk)
    token = secrets.token_urlsafe(16)
    default_storage.save(f"{_folder(enterprise.pk, token)}/upload.csv", ContentFile(data))
    _save_state(
        enterprise.pk,
        token,
        {
            "filename": filename,
            "line_count": line_count,
            "created_by": by.pk,
            "status": "new",
            "lines": [],
            "digest": "",
            "message": "",
        },
    )
    return token


def load_state(enterprise_id, token):
    """The upload's state, or None when it does not exist (or has expired)."""
    path = f"{_folder(enterprise_id, token)}/state.json"
    if not re.fullmatch(r"[\w-]{10,40}", token) or not default_storage.exists(path):
        return None
    if default_storage.get_modified_time(path) < timezone.now() - UPLOAD_KEEP:
        return None
    with default_storage.open(path) as file:
        state = json.load(file)
    state["lines"] = [Line(*values) for values in state["lines"]]
    return state


def _save_state(enterprise_id, token, state):
    path = f"{_folder(enterprise_id, token)}/state.json"
    data = {**state, "lines": [astuple(line) for line in state["lines"]]}
    default_storage.delete(path)
    default_storage.save(path, ContentFile(json.dumps(data).encode()))


def _read_upload(enterprise_id, token):
    with default_storage.open(f"{_folder(enterprise_id, token)}/upload.csv") as file:
        return file.read()


def purge_expired_uploads(enterprise_id):
    """Delete the enterprise's uploads older than UPLOAD_KEEP (run at each new upload)."""
    root = f"bulk/{enterprise_id}"
    if not default_storage.exists(root):
        return
    cutoff = timezone.now() - UPLOAD_KEEP
    for token in default_storage.listdir(root)[0]:
        state = f"{root}/{token}/state.json"
        if not default_storage.exists(state) or default_storage.get_modified_time(state) < cutoff:
            _delete_upload(enterprise_id, token)


def _delete_upload(enterprise_id, token):
    folder = _folder(enterprise_id, token)
    for name in ("upload.csv", "state.json"):
        default_storage.delete(f"{folder}/{name}")


def _digest(lines):
    return hashlib.sha256(json.dumps([astuple(line) for line in lines]).encode()).hexdigest()


# Checking and applying.


def preview(enterprise, token, progress=None):
    """Check every line of the upload and keep the result; return the state."""
    state = load_state(enterprise.pk, token)
    rows = read_rows(_read_upload(enterprise.pk, token))
    lines = Checker(enterprise).check(rows, progress)
    state.update(status="previewed", lines=lines, digest=_digest(lines), message="")
    _save_state(enterprise.pk, token, state)
    return state


def confirm(enterprise, token, *, by, ip_address):
    """Apply all OK lines at once if the file still checks as previewed; return the state.

    The state's status is then "applied" (its message says what changed), or "changed" when
    someone changed the numbers since the preview: the new preview is kept, nothing applied.
    """
    state = load_state(enterprise.pk, token)
    if state["status"] == "applied":
        return state
    rows = read_rows(_read_upload(enterprise.pk, token))
    with transaction.atomic():
        lines = Checker(enterprise).check(rows)
        if _digest(lines) != state["digest"]:
            state.update(
                status="changed",
                lines=lines,
                digest=_digest(lines),
                message=(
                    "Some of these numbers changed since the preview. Nothing was applied: "
                    "check the new preview and confirm again."
                ),
            )
        else:
            applied = apply_lines(
                enterprise, [line for line in lines if line.ok], by=by, ip_address=ip_address
            )
            state.update(status="applied", message=_applied_in_words(applied))
    _save_state(enterprise.pk, token, state)
    if state["status"] == "applied":
        default_storage.delete(f"{_folder(enterprise.pk, token)}/upload.csv")
    return state


def apply_lines(enterprise, lines, *, by, ip_address):
    """Apply OK lines, grouped by action and values, one service call per group.

    Runs inside the caller's transaction: a group the services refuse undoes them all.
    Returns {action: number of numbers}.
    """
    groups = {}
    for line in lines:
        key = (line.action, json.dumps(line.values, sort_keys=True))
        groups.setdefault(key, []).append(line.number)
    applied = {}
    for (action, values), numbers in groups.items():
        _apply_group(enterprise, action, json.loads(values), numbers_named(numbers), by, ip_address)
        applied[action] = applied.get(action, 0) + len(numbers)
    return applied


def _apply_group(enterprise, action, values, numbers, by, ip_address):
    audit = {"by": by, "ip_address": ip_address}
    if action == "move":
        package = Package.objects.get(enterprise=enterprise, pk=values["package"])
        manage.move_to_package(numbers, package, **audit)
    elif action == "routing":
        policy = RoutingPolicy.objects.get(pk=values["policy"]) if values["policy"] else None
        trunk = Trunk.objects.get(pk=values["trunk"]) if values["trunk"] else None
        manage.change_routing(numbers, routing_policy=policy, trunk=trunk, **audit)
    elif action == "cnam":
        manage.set_cnam(numbers, values["cnam"], **audit)
    elif action == "e911":
        manage.set_e911(numbers, add_address(enterprise, values, by=by), **audit)
    elif action == "forward":
        manage.set_forward(numbers, values["forward_to"], **audit)
    elif action == "disconnect":
        manage.disconnect(numbers, **audit)


def _applied_in_words(applied):
    total = sum(applied.values())
    parts = [f"{ACTIONS[action].lower()}: {count:,}" for action, count in applied.items()]
    return f"Applied to {total:,} number{'s' if total != 1 else ''} ({'; '.join(parts)})."


# The worker's side, for large files.


def preview_in_worker(job, token):
    """Check a large upload in the worker, with progress; return the preview's URL."""
    # Outside any transaction: each report is committed, and seen by the job's page, at once.
    job.report_progress(0, load_state(job.enterprise_id, token)["line_count"])
    preview(job.enterprise, token, progress=job.report_progress)
    return reverse("phone_numbers:bulk_review", args=[token])


def confirm_in_worker(job, token, user_id, ip_address):
    """Apply a large upload in the worker; return the URL of its outcome."""
    from django.contrib.auth import get_user_model

    by = get_user_model().objects.filter(pk=user_id).first()
    confirm(job.enterprise, token, by=by, ip_address=ip_address)
    return reverse("phone_numbers:bulk_review", args=[token])

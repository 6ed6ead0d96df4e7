"""The forms of support cases: Open a Case, the call search, a reply, raising the priority.

Forms only read and check what was typed or picked; whatever they offer or accept is the
user's enterprise's own (numbers, trunks, orders, port batches, call records, colleagues), and
anything else is refused at its field. The services in support.cases act on the result.
"""

import re
import zoneinfo
from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from accounts.models import offered_time_zones
from billing.models import CallRecord
from core.filters import start_of_day
from core.phones import display_phone, normalize_phone
from orders.models import Order
from phone_numbers.models import PhoneNumber
from porting.models import PortBatch
from trunks.models import Trunk

from . import attachments, sla
from .models import Case, Category

MAX_NUMBERS = 100
MAX_PICKED_CALLS = 10
MAX_FILES = 10
CALLS_SHOWN = 20
RECENT_ORDERS = 20
ACCEPTED_FILES = ".pcap,.pcapng,.cap,.txt,.log,.csv,.png,.jpg,.jpeg,.pdf,.zip,.gz,.tgz"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPTED_FILES})
        )
        kwargs.setdefault("required", False)
        # Empty files are refused by attachments.check, in its words.
        kwargs.setdefault("allow_empty_file", True)
        kwargs.setdefault(
            "help_text",
            "Packet captures (PCAP), text logs, PNG or JPEG screenshots, PDFs, or logs in a ZIP "
            f"or gzip archive; up to {MAX_FILES} files of at most "
            f"{filesizeformat(attachments.max_bytes())} each.",
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if len(files) > MAX_FILES:
            raise ValidationError(f"Attach at most {MAX_FILES} files at a time.")
        # Their content is checked once, by the service that keeps them (support.cases).
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


def call_token(record):
    """How a picked call record is posted: its start and carrier call ID (its primary key)."""
    return f"{record.started_at.isoformat()}|{record.call_id}"


def calls_of_tokens(enterprise, tokens):
    """The enterprise's call records the tokens name; unknown ones are left out."""
    keys = []
    for token in tokens[:MAX_PICKED_CALLS]:
        started, _, call_id = token.partition("|")
        try:
            started_at = datetime.fromisoformat(started)
        except ValueError:
            continue
        if started_at.tzinfo is not None:
            keys.append((started_at, call_id))
    records = []
    for started_at, call_id in keys:
        # Each one read by its primary key, within the partition of its month.
        record = CallRecord.objects.filter(
            enterprise=enterprise, started_at=started_at, call_id=call_id
        ).first()
        if record is not None:
            records.append(record)
    return records


class CaseForm(forms.Form):
    """Open a Case. The picked call records and the typed call examples come with it (see
    CallExampleFormSet); the user's own details fill the contact."""

    category = forms.ChoiceField(choices=[("", "Choose...")] + Category.choices)
    priority = forms.ChoiceField(
        choices=sla.priority_choices(),
        widget=forms.RadioSelect,
        help_text="The first response is due by the target of the priority; P3's clock runs "
        "during our support team's business hours only.",
    )
    subject = forms.CharField(max_length=Case._meta.get_field("subject").max_length)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What happens, since when, what you have tried.",
    )
    numbers = forms.CharField(
        label="Affected numbers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Your numbers, one per line or separated by commas, e.g. +13035551234.",
    )
    trunk = forms.ModelChoiceField(queryset=Trunk.objects.none(), required=False)
    order = forms.CharField(
        label="Order Reference ID",
        max_length=12,
        required=False,
        help_text="e.g. TO-7K3M9Q; your latest orders are offered as you type.",
        widget=forms.TextInput(attrs={"list": "recent-orders", "autocomplete": "off"}),
    )
    port_batch = forms.CharField(label="Port batch ID", max_length=20, required=False)
    contact_name = forms.CharField(max_length=120)
    contact_phone = forms.CharField(max_length=20)
    contact_email = forms.EmailField(label="Contact email")
    watchers = forms.ModelMultipleChoiceField(
        label="Also keep informed",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Colleagues who get the case's e-mails and see it under Support Cases.",
    )
    picked_calls = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    attachments = MultipleFileField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        enterprise = user.enterprise
        self.fields["trunk"].queryset = Trunk.objects.filter(enterprise=enterprise).exclude(
            status=Trunk.Status.DISCONNECTED
        )
        self.fields["watchers"].queryset = (
            enterprise.users.filter(is_active=True).exclude(pk=user.pk).order_by("name", "email")
        )
        self.recent_orders = Order.objects.filter(enterprise=enterprise).order_by(
            "-placed_at", "-id"
        )[:RECENT_ORDERS]
        # What the call search picked, shown again (checked) when the form comes back; a call
        # found again by a second search is picked once.
        tokens = self.data.getlist("picked_calls") if hasattr(self.data, "getlist") else []
        self.picked_tokens = list(dict.fromkeys(tokens))
        self.picked = calls_of_tokens(enterprise, self.picked_tokens)

    def error_fields(self):
        return [field for field in self if field.errors]

    def clean_numbers(self):
        typed = [item for item in re.split(r"[\s,;]+", self.cleaned_data["numbers"]) if item]
        if len(typed) > MAX_NUMBERS:
            raise ValidationError(f"Name at most {MAX_NUMBERS} numbers.")
        numbers, errors = [], []
        for item in typed:
            try:
                numbers.append(normalize_phone(item))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        numbers = list(dict.fromkeys(numbers))
        found = {
            number.e164: number
            for number in PhoneNumber.objects.filter(
                enterprise=self.user.enterprise, e164__in=numbers
            )
        }
        missing = [display_phone(number) for number in numbers if number not in found]
        if missing:
            raise ValidationError(
                f"Not among your numbers: {', '.join(missing)}. Name only your enterprise's "
                "numbers (Inventory)."
            )
        return [found[number] for number in numbers]

    def clean_order(self):
        reference = self.cleaned_data["order"].strip().upper()
        if not reference:
            return None
        order = Order.objects.filter(enterprise=self.user.enterprise, reference=reference).first()
        if order is None:
            raise ValidationError(f"{reference} is not one of your orders (View Orders).")
        return order

    def clean_port_batch(self):
        reference = self.cleaned_data["port_batch"].strip().upper()
        if not reference:
            return None
        batch = PortBatch.objects.filter(
            enterprise=self.user.enterprise, reference=reference
        ).first()
        if batch is None:
            raise ValidationError(f"{reference} is not a batch of your port orders.")
        return batch

    def clean_contact_phone(self):
        return normalize_phone(self.cleaned_data["contact_phone"])

    def clean_picked_calls(self):
        if len(self.picked_tokens) > MAX_PICKED_CALLS:
            raise ValidationError(f"Pick at most {MAX_PICKED_CALLS} calls.")
        if len(self.picked) != len(self.picked_tokens):
            raise ValidationError("A picked call is not among your call records: search again.")
        return self.picked

    def call_examples(self, typed):
        """The call examples to keep: the picked records', then the typed ones."""
        picked = [
            {
                "calling_number": record.from_number,
                "called_number": record.to_number,
                "started_at": record.started_at,
                "sip_code": record.sip_code,
                "call_id": record.call_id,
            }
            for record in self.cleaned_data["picked_calls"]
        ]
        return picked + typed


class CallExampleForm(forms.Form):
    """A call typed by hand: when it was, in the zone the user says, and how it ended."""

    calling_number = forms.CharField(max_length=20)
    called_number = forms.CharField(max_length=20)
    started_at = forms.DateTimeField(
        label="Date and time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    time_zone = forms.ChoiceField(choices=())
    sip_code = forms.IntegerField(
        label="SIP response", min_value=100, max_value=699, required=False, help_text="e.g. 503"
    )

    def __init__(self, *args, zone_name="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = offered_time_zones(zone_name)
        self.fields["time_zone"].initial = zone_name

    def has_changed(self):
        # A row is typed when a call is: its zone alone (preset to the user's) is not one.
        return any(
            self.data.get(self.add_prefix(name))
            for name in ("calling_number", "called_number", "started_at", "sip_code")
        )

    def clean_calling_number(self):
        return normalize_phone(self.cleaned_data["calling_number"])

    def clean_called_number(self):
        return normalize_phone(self.cleaned_data["called_number"])

    def clean(self):
        cleaned_data = super().clean()
        started_at, zone = cleaned_data.get("started_at"), cleaned_data.get("time_zone")
        if started_at and zone:
            # The time as the user read it on their clock, in the zone they chose.
            local = started_at.replace(tzinfo=None)
            cleaned_data["started_at"] = local.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        return cleaned_data

    def example(self):
        data = self.cleaned_data
        return {
            "calling_number": data["calling_number"],
            "called_number": data["called_number"],
            "started_at": data["started_at"],
            "sip_code": data["sip_code"],
        }


class BaseCallExampleFormSet(forms.BaseFormSet):
    def examples(self):
        return [form.example() for form in self.forms if form.has_changed()]


CallExampleFormSet = forms.formset_factory(
    CallExampleForm, formset=BaseCallExampleFormSet, extra=1, max_num=5, validate_max=True
)


class CallSearchForm(forms.Form):
    """The call search of Open a Case: one of your numbers, a day, and a time to start from."""

    number = forms.CharField(label="Your number", max_length=20)
    day = forms.DateField(label="Day of the calls", widget=forms.DateInput(attrs={"type": "date"}))
    after = forms.TimeField(
        label="From", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def clean_number(self):
        return normalize_phone(self.cleaned_data["number"])

    def calls(self):
        """Up to CALLS_SHOWN calls of the number that day (the user's zone), from the time
        given: read from the (enterprise, number, started_at) index."""
        data = self.cleaned_data
        start = start_of_day(data["day"])
        if data["after"]:
            start = start.replace(hour=data["after"].hour, minute=data["after"].minute)
        end = start_of_day(data["day"] + timedelta(days=1))
        return list(
            CallRecord.objects.filter(
                number=data["number"], started_at__gte=start, started_at__lt=end
            ).order_by("started_at")[:CALLS_SHOWN]
        )


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField()


class RaisePriorityForm(forms.Form):
    priority = forms.ChoiceField(label="New priority", choices=())
    reason = forms.CharField(
        max_length=300, help_text="Why it is more urgent now: what changed, what is affected."
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [
            (value, label)
            for value, label in sla.priority_choices()
            if sla.is_higher(value, case.priority)
        ]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why it is not solved", max_length=300, required=False, widget=forms.TextInput
    )

"""Back office of porting: port orders, their batches with the carriers, and the statistics.

A port order moves through its batches, so every change is a batch's move made through
porting.submission (the customer's timeline and audit log say what happened): staff send a
batch whose sending failed for good, and make the carrier's moves by hand (FOC date, complete,
reject) for a carrier worked by hand. Everything else is read only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join

from audit.records import client_ip
from core.actors import STAFF
from core.admin import ReadOnlyAdmin
from core.models import Job
from orders import services as order_services
from orders.models import Order

from . import documents, submission
from .carriers import REJECTION_REASONS
from .lifecycle import BATCH_LIFECYCLE
from .models import CarrierExchange, PortBatch, PortDocument, PortOrder, SandboxPortRequest

Status = Order.Status

# The staff moves of a batch: (URL and move name, target status, words on the button).
MOVES = {
    "send": (Status.SUBMITTED, "Send to carrier"),
    "foc": (Status.FOC_CONFIRMED, "Set FOC date"),
    "complete": (Status.COMPLETED, "Complete"),
    "reject": (Status.REJECTED, "Reject"),
    "cancel": (Status.CANCELLED, "Cancel order"),
}
SENDING_FAILED = "Sending failed — send again"


def sending_failed(batch):
    """The batch waits for staff: its sending failed for good (Send to carrier)."""
    job = batch.submit_job
    return batch.awaits_sending and job is not None and job.status == Job.Status.FAILED


def _offered(batch, request, move):
    if move == "send":
        return submission.send_refusal(batch, by=request.user) is None
    return BATCH_LIFECYCLE.allows(STAFF, batch.status, MOVES[move][0])


class FocForm(forms.Form):
    foc_date = forms.DateField(
        label="FOC date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The date the carrier committed to release the numbers on.",
    )


class RejectForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        choices=[
            (code, "Other: the carrier's words below" if code == "other" else message)
            for code, (message, _fields) in REJECTION_REASONS.items()
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text="The customer reads these on the order's page and corrects what they name.",
    )
    note = forms.CharField(
        label="The carrier's words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="With Other: what the customer reads for it.",
    )

    def clean(self):
        cleaned = super().clean()
        other = "other" in cleaned.get("reasons", ())
        note = cleaned.get("note", "").strip()
        if other and not note:
            self.add_error("note", "Say what the carrier gave as the reason.")
        if note and not other:
            self.add_error("note", "The carrier's words go with Other: tick it too.")
        cleaned["note"] = note
        return cleaned

    def rejection(self):
        """[(code, message)] for submission.reject; an empty message takes the code's."""
        note = self.cleaned_data["note"]
        return [(code, note if code == "other" else "") for code in self.cleaned_data["reasons"]]


def _apply(request, batch, move, form):
    """Make one move of the batch as the staff member; say what happened."""
    by = request.user
    try:
        if move == "send":
            submission.staff_send(batch, by=by)
        elif move == "foc":
            submission.set_foc(batch, form.cleaned_data["foc_date"], by=by)
        elif move == "complete":
            submission.complete(batch, by=by)
        elif move == "reject":
            submission.reject(batch, form.rejection(), by=by)
        else:
            order_services.cancel(batch.port_order.order, by=by, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return
    batch.refresh_from_db()
    if move == "send":
        messages.success(request, f"{batch.reference} is being sent to {batch.carrier}.")
    elif move == "cancel":
        messages.success(request, f"Order {batch.port_order.order.reference} is cancelled.")
    else:
        messages.success(request, f"{batch.reference} is now {batch.get_status_display()}.")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PortBatchInline(ReadOnlyInline):
    model = PortBatch
    fields = [
        "batch",
        "carrier",
        "spid",
        "number_count",
        "status",
        "version",
        "sent_version",
        "foc_date",
        "rejection_count",
    ]
    readonly_fields = fields

    @admin.display(description="Batch ID")
    def batch(self, batch):
        url = reverse("admin:porting_portbatch_change", args=[batch.pk])
        return format_html('<a href="{}">{}</a>', url, batch.reference)


class PortDocumentInline(ReadOnlyInline):
    model = PortDocument
    fields = ["kind", "name", "uploaded_by", "uploaded_at", "signed", "download"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description="Signed by")
    def signed(self, document):
        if not document.signed_at:
            return None
        return f"{document.signed_name}, {document.signed_title} (from {document.signed_ip})"

    @admin.display(description="File")
    def download(self, document):
        url = reverse(
            "admin:porting_portorder_document", args=[document.port_order_id, document.pk]
        )
        return format_html('<a href="{}">Download</a>', url)


@admin.register(PortOrder)
class PortOrderAdmin(admin.ModelAdmin):
    list_display = [
        "order",
        "enterprise",
        "kind",
        "current_carrier",
        "package",
        "order_status",
        "requested_at",
    ]
    list_filter = ["kind", "enterprise"]
    list_select_related = ["order", "enterprise", "package"]
    search_fields = ["=order__reference", "current_carrier", "btn"]
    inlines = [PortBatchInline, PortDocumentInline]
    show_full_result_count = False

    @admin.display(description="Status", ordering="order__status")
    def order_status(self, port_order):
        return port_order.order.get_status_display()

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/documents/<int:document_id>/",
                self.admin_site.admin_view(self.document_view),
                name="porting_portorder_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request, object_id, document_id):
        """The stored file, downloaded: never shown in the browser as anything else."""
        port_order = self.get_object(request, object_id)
        if port_order is None:
            raise Http404
        if not self.has_view_permission(request, port_order):
            raise PermissionDenied
        document = get_object_or_404(PortDocument, pk=document_id, port_order=port_order)
        return documents.file_response(document)


class CarrierExchangeInline(ReadOnlyInline):
    model = CarrierExchange
    fields = ["at", "call", "version", "ok", "summary"]
    readonly_fields = fields


class Median(Aggregate):
    """PostgreSQL's median of an expression."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def carrier_statistics():
    """One row per losing carrier, over the batches sent to it: how it answers.

    Days to FOC count from the batch's last sending to the carrier's first FOC date, so a
    batch confirmed before a supplement was sent is left out of them.
    """
    days_to_foc = F("foc_confirmed_at") - F("sent_at")
    confirmed = Q(foc_confirmed_at__gte=F("sent_at"))
    averages = {"average_to_foc": Avg(days_to_foc, filter=confirmed, output_field=DurationField())}
    if connection.vendor == "postgresql":
        averages["median_to_foc"] = Median(
            days_to_foc, filter=confirmed, output_field=DurationField()
        )
    rows = (
        PortBatch.objects.filter(sent_version__isnull=False)
        .values("carrier")
        .annotate(
            sent=Count("id"),
            foc_confirmed=Count("id", filter=Q(foc_confirmed_at__isnull=False)),
            completed=Count("id", filter=Q(status=Status.COMPLETED)),
            rejected=Count("id", filter=Q(rejection_count__gt=0)),
            open=Count("id", filter=Q(status__in=BATCH_LIFECYCLE.open_statuses)),
            **averages,
        )
        .order_by("carrier")
    )
    return [
        {
            **row,
            "average_days": _days(row["average_to_foc"]),
            "median_days": _days(row.get("median_to_foc")),
            "rejection_rate": f"{row['rejected'] / row['sent']:.0%}",
        }
        for row in rows
    ]


def _days(duration):
    return "—" if duration is None else f"{duration.total_seconds() / 86400:.1f}"


@admin.register(PortBatch)
class PortBatchAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "enterprise",
        "carrier",
        "status",
        "number_count",
        "versions",
        "foc_date",
        "sending",
        "rejection_count",
    ]
    list_filter = ["status", "carrier"]
    list_select_related = ["enterprise", "submit_job"]
    # An exact batch ID (its unique index), or the start of a carrier's name.
    search_fields = ["=reference", "^carrier"]
    fields = [
        "reference",
        "order",
        "enterprise",
        "carrier",
        "spid",
        "status",
        "number_count",
        "version",
        "sent_version",
        "sent_at",
        "carrier_reference",
        "sending",
        "foc_date",
        "foc_confirmed_at",
        "rejection_reasons",
        "rejection_count",
        "completed_at",
    ]
    readonly_fields = fields
    inlines = [CarrierExchangeInline]
    show_full_result_count = False

    @admin.display(description="Version / sent")
    def versions(self, batch):
        sent = "—" if batch.sent_version is None else batch.sent_version
        return f"{batch.version} / {sent}"

    @admin.display(description="Sending")
    def sending(self, batch):
        if sending_failed(batch):
            return SENDING_FAILED
        job = batch.submit_job
        if job is None:
            return None
        try:
            url = reverse("admin:core_job_change", args=[job.pk])
        except NoReverseMatch:  # the Jobs pages are not in the back office
            return job.get_status_display()
        return format_html('<a href="{}">{}</a>', url, job.get_status_display())

    @admin.display(description="Port order")
    def order(self, batch):
        port_order = batch.port_order
        url = reverse("admin:porting_portorder_change", args=[port_order.pk])
        return format_html('<a href="{}">{}</a>', url, port_order.order.reference)

    @admin.display(description="Rejection")
    def rejection_reasons(self, batch):
        if not batch.rejection:
            return None
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({})</li>",
                ((reason["message"], reason["code"]) for reason in batch.rejection),
            ),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("port_order__order", "submit_job")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "statistics/",
                self.admin_site.admin_view(self.statistics_view),
                name="porting_portbatch_statistics",
            ),
            path(
                "<path:object_id>/move/<slug:move>/",
                self.admin_site.admin_view(self.move_view),
                name="porting_portbatch_move",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        buttons = []
        if batch is not None and self.may_move(request):
            buttons = [
                (label, reverse("admin:porting_portbatch_move", args=[batch.pk, move]))
                for move, (_status, label) in MOVES.items()
                if _offered(batch, request, move)
            ]
        extra_context = {
            **(extra_context or {}),
            "move_buttons": buttons,
            "sending_failed": batch is not None and sending_failed(batch),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def may_move(self, request):
        # The batch's page is read only; its moves need the right to change batches.
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def move_view(self, request, object_id, move):
        """Confirm one move of one batch; the FOC date and a rejection ask for more."""
        if move not in MOVES or not self.may_move(request):
            raise PermissionDenied
        batch = self.get_object(request, object_id)
        if batch is None:
            raise Http404
        form_class = {"foc": FocForm, "reject": RejectForm}.get(move)
        form = None
        if form_class:
            form = form_class(request.POST) if request.method == "POST" else form_class()
        if request.method == "POST" and (form is None or form.is_valid()):
            _apply(request, batch, move, form)
            return redirect("admin:porting_portbatch_change", batch.pk)
        label = MOVES[move][1]
        return TemplateResponse(
            request,
            "admin/porting/portbatch/move.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"{label}: batch {batch.reference}",
                "batch": batch,
                "form": form,
                "label": label,
                "cancels_order": move == "cancel",
            },
        )

    def statistics_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/porting/portbatch/statistics.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Porting statistics per losing carrier",
                "rows": carrier_statistics(),
                "with_median": connection.vendor == "postgresql",
            },
        )


@admin.register(SandboxPortRequest)
class SandboxPortRequestAdmin(ReadOnlyAdmin):
    """The sandbox carrier's memory: what it was sent, as the carrier would see it."""

    list_display = [
        "pon",
        "version",
        "received_at",
        "carrier_reference",
        "numbers",
        "foc_date",
        "completes_at",
        "cancelled_at",
    ]
    list_filter = ["version"]
    search_fields = ["pon", "carrier_reference"]

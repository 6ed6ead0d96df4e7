"""Back office of usage records: the record files loaded, the records no one's, and the ADR files.

Staff see each file that came in (from the spool or uploaded here) with what became of its
lines, upload a file by hand, and look up the records that matched no enterprise's number or
trunk. Records are never changed here: a file loaded again stores nothing twice.

The daily ADR files of each enterprise are listed with their delivery: a file whose delivery
keeps failing shows why, and staff may start it again at once (the scheduler does every hour).
The secure FTP logins and their credentials are read here; customers manage them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from core.admin import ReadOnlyAdmin
from core.models import Job

from . import (
    admin_disputes,  # noqa: F401 - disputes and spend alerts
    admin_invoices,  # noqa: F401 - invoices, credit notes and billing profiles
    admin_payments,  # noqa: F401 - registers the payments' pages
    admin_rates,  # noqa: F401 - rate plans, taxes, unrated calls, re-rating
)
from .delivery import restart_delivery
from .loading import load_file
from .models import (
    AdrFile,
    RecordFile,
    RecordKind,
    RecordRetention,
    SftpAccount,
    SftpCredential,
    UnmatchedRecord,
)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=RecordKind.choices)
    file = forms.FileField(
        help_text="CSV with a header line naming the kind's columns, possibly gzipped; "
        "see docs/usage-records.md."
    )


@admin.register(RecordFile)
class RecordFileAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "kind",
        "status",
        "lines",
        "loaded",
        "duplicates",
        "unmatched",
        "rejected",
        "started_at",
        "finished_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["name", "=sha256"]
    ordering = ["-started_at"]
    fields = [
        "name",
        "kind",
        "status",
        "message",
        "lines",
        "loaded",
        "duplicates",
        "unmatched",
        "rejected",
        "rejected_lines",
        "sha256",
        "size",
        "started_at",
        "finished_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="Rejected lines")
    def rejected_lines(self, record_file):
        if not record_file.report:
            return None
        shown = format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>Line {}: {}</li>", ((e["line"], e["error"]) for e in record_file.report)
            ),
        )
        if record_file.rejected > len(record_file.report):
            return format_html(
                "{}<p>The first {} of {} are shown.</p>",
                shown,
                len(record_file.report),
                record_file.rejected,
            )
        return shown

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="billing_recordfile_upload",
            ),
            *super().get_urls(),
        ]

    def may_upload(self, request):
        return request.user.has_perm("billing.add_recordfile")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_upload": self.may_upload(request)}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request):
        """Load a file of records now, in this request; then show what became of it."""
        if not self.may_upload(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            record_file = load_file(
                form.cleaned_data["kind"], upload, name=upload.name, by=request.user
            )
            if record_file.status == RecordFile.Status.FAILED:
                messages.error(request, f"Not loaded: {record_file.name}. {record_file.message}")
            else:
                messages.success(
                    request,
                    f"Loaded {record_file.name}: {record_file.lines:,} lines, "
                    f"{record_file.loaded:,} new, {record_file.duplicates:,} duplicates, "
                    f"{record_file.unmatched:,} unmatched, {record_file.rejected:,} rejected.",
                )
            return redirect("admin:billing_recordfile_change", record_file.pk)
        return TemplateResponse(
            request,
            "admin/billing/recordfile/upload.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Upload a record file",
                "form": form,
            },
        )


@admin.register(UnmatchedRecord)
class UnmatchedRecordAdmin(ReadOnlyAdmin):
    list_display = ["record_id", "kind", "at", "number", "trunk", "file", "received_at"]
    list_filter = ["kind"]
    list_select_related = ["file"]
    search_fields = ["=record_id", "number", "=trunk"]
    ordering = ["-received_at"]


@admin.register(RecordRetention)
class RecordRetentionAdmin(admin.ModelAdmin):
    """One row: how many months of usage records are kept."""

    list_display = ["__str__", "changed_at"]
    search_fields = ["months"]

    def has_add_permission(self, request):
        return not RecordRetention.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AdrFile)
class AdrFileAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "enterprise",
        "status",
        "rows",
        "size",
        "deliveries",
        "job_status",
        "error",
        "delivered_at",
    ]
    list_filter = ["status", "day"]
    list_select_related = ["enterprise", "job"]
    search_fields = ["name", "enterprise__name", "enterprise__account_number"]
    ordering = ["-day", "enterprise__name"]
    actions = ["deliver_again"]

    @admin.display(description="Last delivery job")
    def job_status(self, adr_file):
        return adr_file.job.get_status_display() if adr_file.job else None

    def has_deliver_permission(self, request):
        return request.user.has_perm("billing.change_adrfile")

    @admin.action(description="Deliver again now", permissions=["deliver"])
    def deliver_again(self, request, queryset):
        """Start again the files whose delivery has failed for good; leave the others."""
        started = sum(
            restart_delivery(adr_file)
            for adr_file in queryset.filter(job__status=Job.Status.FAILED).select_related(
                "enterprise"
            )
        )
        skipped = queryset.count() - started
        if started:
            messages.success(request, f"Started the delivery of {started} file(s) again.")
        if skipped:
            messages.info(
                request,
                f"{skipped} file(s) left alone: delivered, or their delivery is still being tried.",
            )


class SftpCredentialInline(admin.TabularInline):
    model = SftpCredential
    fields = ["kind", "fingerprint", "created_by", "created_at", "revoked_at", "last_used_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SftpAccount)
class SftpAccountAdmin(ReadOnlyAdmin):
    list_display = ["username", "enterprise", "created_at"]
    list_select_related = ["enterprise"]
    search_fields = ["username", "enterprise__name", "enterprise__account_number"]
    list_filter = ["enterprise__adr_delivery_enabled"]
    inlines = [SftpCredentialInline]

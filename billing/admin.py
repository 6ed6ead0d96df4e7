"""Back office of usage records: the record files loaded, and the records no one's.

Staff see each file that came in (from the spool or uploaded here) with what became of its
lines, upload a file by hand, and look up the records that matched no enterprise's number or
trunk. Records are never changed here: a file loaded again stores nothing twice.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from core.admin import ReadOnlyAdmin

from .loading import load_file
from .models import RecordFile, RecordKind, RecordRetention, UnmatchedRecord


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

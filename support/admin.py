"""Back office of Help & Support: FAQs, Contact Us, and the support cases staff work.

The case queue comes sorted by when the first response is due: the cases still waiting for it
first (those overdue in red), then the others being worked, then the ended ones. A case's page
shows the conversation, internal notes marked, and the history; staff reply there (a canned
reply to start from, or an internal note the customer never sees), assign the case and change
its status, through support.cases and support.staffing. Duplicates are merged from the queue
(the "Merge" action).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Value, When
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html

from accounts.models import User
from core.phones import display_phone

from . import attachments as attached_files
from . import cases, notify, sla, staffing
from .forms import MultipleFileField
from .models import CannedReply, Case, CaseAttachment, Contact, Faq, Status


@admin.register(Faq)
class FaqAdmin(admin.ModelAdmin):
    list_display = ["question", "topic", "position", "published"]
    list_editable = ["position", "published"]
    list_filter = ["topic", "published"]
    search_fields = ["question", "answer"]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "subtitle": "Help & Support also lists the FAQs each app writes about what it "
            "builds. A FAQ here with the same question replaces one of them; unpublished, it "
            "hides it.",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["label", "team", "phone", "email", "hours", "position"]
    list_editable = ["position"]
    list_filter = ["team"]
    search_fields = ["label", "phone", "email"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "body"]
    search_fields = ["title", "body"]


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _staff_members():
    return User.objects.filter(is_staff=True, is_active=True).order_by("name", "email")


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 8}))
    internal = forms.BooleanField(
        label="Internal note: staff only, the customer never sees or gets it", required=False
    )
    attachments = MultipleFileField(label="Files")


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        queryset=_staff_members(), required=False, empty_label="Nobody", label="Assigned to"
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in Status if s != Status.NEW])
    reason = forms.CharField(
        max_length=300, required=False, help_text="The customer reads it in the case's history."
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Case.objects.none(),
        widget=forms.RadioSelect,
        label="Merge into",
        help_text="The others are closed; their conversation, files, numbers and call examples "
        "move to this one.",
    )
    reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = cases


# The queue's order: awaiting the first response, then being worked, then ended.
QUEUE_RANK = SqlCase(
    When(status__in=[Status.RESOLVED, Status.CLOSED], then=Value(2)),
    When(first_response_at__isnull=True, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "subject",
        "enterprise",
        "priority",
        "status",
        "first_response",
        "assigned_to",
        "updated_at",
    ]
    list_filter = ["status", "priority", "category", "assigned_to", "enterprise"]
    list_select_related = ["enterprise", "assigned_to"]
    search_fields = ["=reference", "subject", "enterprise__name", "=enterprise__account_number"]
    actions = ["merge_cases"]
    show_full_result_count = False
    fields = [
        "reference",
        "enterprise",
        "subject",
        "category",
        "priority",
        "status",
        "first_response",
        "assigned_to",
        "opened",
        "contact",
        "description",
        "about",
        "numbers_list",
        "call_examples_list",
        "follows",
        "merged_into",
    ]
    readonly_fields = fields

    class Media:
        css = {"all": ["support/admin.css"]}

    def get_ordering(self, request):
        return [QUEUE_RANK.asc(), "first_response_due", "pk"]

    @admin.display(description="First response", ordering="first_response_due")
    def first_response(self, case):
        clock = sla.clock(case, timezone.now())
        when = _when(clock.responded_at or clock.due)
        text = f"{clock.state}: {'given' if clock.responded_at else 'due'} {when}"
        if clock.breached:
            return format_html('<strong class="case-breached">{}</strong>', text)
        return text

    @admin.display(description="Opened")
    def opened(self, case):
        return f"{_when(case.opened_at)} by {case.opened_by or '—'}"

    @admin.display(description="Contact")
    def contact(self, case):
        return f"{case.contact_name}, {display_phone(case.contact_phone)}, {case.contact_email}"

    @admin.display(description="About")
    def about(self, case):
        linked = [
            ("Trunk", case.trunk),
            ("Order", case.order and case.order.reference),
            ("Port batch", case.port_batch and case.port_batch.reference),
        ]
        return (
            "; ".join(f"{label} {value}" for label, value in linked if value)
            or self.get_empty_value_display()
        )

    @admin.display(description="Numbers")
    def numbers_list(self, case):
        return (
            ", ".join(str(number) for number in case.numbers.all())
            or self.get_empty_value_display()
        )

    @admin.display(description="Call examples")
    def call_examples_list(self, case):
        examples = [
            f"{display_phone(call.calling_number)} to {display_phone(call.called_number)} at "
            f"{_when(call.started_at)}" + (f" (SIP {call.sip_code})" if call.sip_code else "")
            for call in case.call_examples.all()
        ]
        return "; ".join(examples) or self.get_empty_value_display()

    def has_add_permission(self, request):
        return False  # customers open cases, on their pages

    def has_change_permission(self, request, obj=None):
        return False  # the page shows the case; staff act through its forms

    def has_delete_permission(self, request, obj=None):
        return False

    def may_work(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def has_merge_permission(self, request):
        return self.may_work(request)

    def get_urls(self):
        def view(name, func):
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(func),
                name=f"support_case_{name}",
            )

        return [
            view("reply", self.reply_view),
            view("assign", self.assign_view),
            view("status", self.status_view),
            path(
                "<path:object_id>/attachments/<uuid:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="support_case_attachment",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        context = {}
        if case is not None:
            canned = CannedReply.objects.filter(pk=request.GET.get("canned") or None).first()
            context = {
                "case": case,
                "conversation": case.messages.select_related("author").prefetch_related(
                    "attachments"
                ),
                "events": [(event, *notify.event_labels(event)) for event in case.events.all()],
                "may_work": self.may_work(request),
                "canned_replies": CannedReply.objects.all(),
                "reply_form": ReplyForm(initial={"body": canned.body if canned else ""}),
                "assign_form": AssignForm(initial={"assigned_to": case.assigned_to_id}),
                "status_form": StatusForm(initial={"status": case.status}),
            }
        return super().change_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    def reply_view(self, request, object_id):
        return self._act(request, object_id, ReplyForm, self._reply)

    def assign_view(self, request, object_id):
        return self._act(request, object_id, AssignForm, self._assign)

    def status_view(self, request, object_id):
        return self._act(request, object_id, StatusForm, self._status)

    def _act(self, request, object_id, form_class, act):
        """Apply a posted form to the case with act(case, user, data); say what happened, or
        what is wrong, on the case's page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.may_work(request):
            raise PermissionDenied
        case = self.get_object(request, object_id)
        if case is None:
            raise Http404
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            for field, errors in form.errors.items():
                messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
        else:
            try:
                messages.success(request, act(case, request.user, form.cleaned_data))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return redirect("admin:support_case_change", case.pk)

    @staticmethod
    def _reply(case, user, data):
        message = cases.add_message(
            case,
            author=user,
            body=data["body"].strip(),
            from_staff=True,
            internal=data["internal"],
            attachments=data["attachments"],
        )
        if message.internal:
            return "The internal note is added."
        return "The reply is added and e-mailed to the customer."

    @staticmethod
    def _assign(case, user, data):
        staffing.assign(case, data["assigned_to"], by=user)
        return f"{case.reference} is assigned to {data['assigned_to'] or 'nobody'}."

    @staticmethod
    def _status(case, user, data):
        cases.change_status(case, data["status"], actor=user, reason=data["reason"].strip())
        return f"{case.reference} is {Status(data['status']).label}."

    def attachment_view(self, request, object_id, attachment_id):
        """A case's file, downloaded: never shown in the browser as anything else."""
        case = self.get_object(request, object_id)
        if case is None or not self.has_view_permission(request, case):
            raise Http404
        attachment = get_object_or_404(CaseAttachment, public_id=attachment_id, case=case)
        return attached_files.file_response(attachment)

    @admin.action(description="Merge the selected cases into one", permissions=["merge"])
    def merge_cases(self, request, queryset):
        """Ask which case the others merge into, then merge them (support.staffing.merge)."""
        selected = queryset.select_related("enterprise").order_by("opened_at")
        if len({case.enterprise_id for case in selected}) > 1:
            messages.error(request, "Only cases of the same enterprise can be merged.")
            return None
        if len(selected) < 2:
            messages.error(request, "Select at least two cases to merge.")
            return None
        form = MergeForm(
            request.POST if "apply" in request.POST else None,
            cases=selected,
            initial={"into": selected[0].pk},
        )
        if form.is_valid():
            into = form.cleaned_data["into"]
            try:
                merged = staffing.merge(
                    list(selected), into, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return None
            messages.success(request, f"{', '.join(merged)} merged into {into.reference}.")
            return redirect("admin:support_case_change", into.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Merge cases",
            "form": form,
            "cases": selected,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/support/case/merge.html", context)

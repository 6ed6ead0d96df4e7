"""Back office of what the carrier charges: rate plans with their rates, taxes and fees, the
calls no rate covered, and the re-rate of a month still open (docs/rating.md).

Plans never overlap (RatePlan.clean, checked under a lock so that two staff saving at once are
taken in turn). A plan that has rated calls of an invoiced month keeps its charges: only its
name and its last day may change, and a change of charges is a new plan from a later day.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from accounts.models import Enterprise
from trunks.models import Package

from .models import DestinationClass, Direction, NumberRate, RatePlan, TaxRate, UsageHour, UsageRate
from .rating import ClosedMonth, plan_for, start_rerate

# The groups of unrated calls listed at most.
UNRATED_ROWS = 200


class ClosedPlanInline(admin.TabularInline):
    """A plan's rates: fixed once the plan has rated an invoiced month."""

    extra = 0

    def _open(self, obj):
        return obj is None or obj.closed_through() is None

    def has_add_permission(self, request, obj=None):
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj) and super().has_delete_permission(request, obj)


class UsageRateInline(ClosedPlanInline):
    model = UsageRate
    fields = ["direction", "destination_class", "prefix", "description", "per_minute"]


class NumberRateInline(ClosedPlanInline):
    model = NumberRate
    fields = ["kind", "monthly", "order_fee"]


class RatePlanForm(forms.ModelForm):
    class Meta:
        model = RatePlan
        fields = [
            "name",
            "package_type",
            "enterprise",
            "effective_from",
            "effective_to",
            "first_increment",
            "next_increment",
            "connect_fee",
            "package_monthly",
            "included_channels",
            "channel_monthly",
            "cnam_monthly",
            "e911_monthly",
            "port_fee",
        ]

    def clean(self):
        cleaned = super().clean()
        # The admin saves in one transaction: the lock is held until the plan is saved, so
        # the overlap check (RatePlan.clean, next) sees the other staff's plan saved before.
        # (A closed plan's type and enterprise are read-only: its own.)
        RatePlan(
            package_type=cleaned.get("package_type", self.instance.package_type),
            enterprise=cleaned.get("enterprise", self.instance.enterprise),
        ).lock_overlaps()
        return cleaned


@admin.register(RatePlan)
class RatePlanAdmin(admin.ModelAdmin):
    form = RatePlanForm
    list_display = [
        "name",
        "package_type",
        "enterprise",
        "effective_from",
        "effective_to",
        "first_increment",
        "next_increment",
        "connect_fee",
    ]
    list_filter = ["package_type", ("enterprise", admin.EmptyFieldListFilter), "effective_from"]
    list_select_related = ["enterprise"]
    search_fields = ["name", "enterprise__name", "enterprise__account_number"]
    autocomplete_fields = ["enterprise"]
    inlines = [UsageRateInline, NumberRateInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.closed_through() is not None:
            return [
                field.name
                for field in RatePlan._meta.concrete_fields
                if field.name not in RatePlan.CHANGEABLE_WHEN_CLOSED and field.editable
            ]
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        plan = self.get_object(request, object_id)
        closed = plan.closed_through() if plan is not None else None
        if closed is not None and request.method == "GET":
            messages.info(
                request,
                f"This plan has rated calls of invoiced months (through {closed:%B %-d, %Y}): its "
                "charges and rates stay as they are. To change them, end it and add a new plan "
                "from a later day.",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_changeform_initial_data(self, request):
        # The unrated calls' link fills in the package type and enterprise.
        return {
            name: request.GET[name]
            for name in ("package_type", "enterprise")
            if name in request.GET
        }

    def get_urls(self):
        return [
            path(
                "unrated/",
                self.admin_site.admin_view(self.unrated_view),
                name="billing_rateplan_unrated",
            ),
            path(
                "rerate/",
                self.admin_site.admin_view(self.rerate_view),
                name="billing_rateplan_rerate",
            ),
            *super().get_urls(),
        ]

    def may_rerate(self, request):
        return request.user.has_perm("billing.change_rateplan")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_rerate": self.may_rerate(request)}
        return super().changelist_view(request, extra_context)

    def _page(self, request, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/billing/rateplan/{template}",
            {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context},
        )

    def unrated_view(self, request):
        """The answered calls no rate covered, by enterprise, month (UTC), package, direction
        and destination, latest first, each with where to add its rate."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        groups = list(
            UsageHour.objects.filter(unrated__gt=0)
            .annotate(month=TruncMonth("hour"))
            .values(
                "enterprise_id",
                "month",
                "package_id",
                "direction",
                "destination_class",
                "destination_country",
            )
            .annotate(calls=Sum("unrated"))
            .order_by("-month", "enterprise_id", "package_id", "direction", "destination_class")[
                : UNRATED_ROWS + 1
            ]
        )
        enterprises = Enterprise.objects.in_bulk({row["enterprise_id"] for row in groups})
        packages = Package.objects.in_bulk({row["package_id"] for row in groups} - {None})
        plans = {}  # (enterprise, package type, month): its plan, looked up once
        rows = [
            self._unrated_row(row, enterprises, packages, plans) for row in groups[:UNRATED_ROWS]
        ]
        return self._page(
            request, "unrated.html", "Unrated calls", rows=rows, limited=len(groups) > UNRATED_ROWS
        )

    def _unrated_row(self, row, enterprises, packages, plans):
        package = packages.get(row["package_id"])
        destination = DestinationClass(row["destination_class"]).label
        if row["destination_country"]:
            destination = f"{destination} ({row['destination_country']})"
        plan = None
        if package is not None:
            key = (row["enterprise_id"], package.type, row["month"].date())
            if key not in plans:
                plans[key] = plan_for(*key)
            plan = plans[key]
        if plan is not None:
            fix, fix_url = (
                f"Add a rate to {plan}",
                reverse("admin:billing_rateplan_change", args=[plan.pk]),
            )
        elif package is not None:
            fix = f"Add a {package.get_type_display()} plan"
            fix_url = (
                reverse("admin:billing_rateplan_add")
                + "?"
                + urlencode({"package_type": package.type})
            )
        else:
            fix, fix_url = (
                "No package: see the enterprise's numbers",
                reverse("admin:accounts_enterprise_change", args=[row["enterprise_id"]]),
            )
        return {
            "enterprise": enterprises.get(row["enterprise_id"], row["enterprise_id"]),
            "month": row["month"],
            "package": package or "—",
            "direction": Direction(row["direction"]).label,
            "destination": destination,
            "calls": row["calls"],
            "fix": fix,
            "fix_url": fix_url,
        }

    def rerate_view(self, request):
        """Start the job that rates a month still open again."""
        if not self.may_rerate(request):
            raise PermissionDenied
        form = RerateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = start_rerate(
                    form.cleaned_data["month"],
                    form.cleaned_data["enterprise"],
                    by=request.user,
                )
            except ClosedMonth as closed:
                form.add_error("month", closed.message)
            else:
                messages.success(request, f"Started: {job.title}.")
                return redirect("admin:core_job_change", job.pk)
        return self._page(request, "rerate.html", "Rate a month again", form=form)


class RerateForm(forms.Form):
    month = forms.DateField(
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text="A month not invoiced yet, e.g. 2026-11.",
    )
    enterprise = forms.ModelChoiceField(
        queryset=Enterprise.objects.order_by("name"),
        required=False,
        empty_label="Every enterprise whose month is open",
    )


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "state", "rate", "amount", "effective_from"]
    list_filter = ["kind", "state", "effective_from"]
    search_fields = ["state"]

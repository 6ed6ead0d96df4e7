"""The numbers a Manage action applies to: boxes checked on a page, or all matching a filter.

A selection travels as a query string, never as a list of a million ids: the tab's kind, and
either the checked numbers (`number=<public_id>`, one page's worth at most) or `all=1` with the
tab's filters, the same filters that made the list the user saw. What it denotes is read again
at every step, and its fingerprint (how many numbers, and the sum of their ids unless the kept
counts say how many) tells the confirmation whether someone changed them since the preview.
"""

import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, QueryDict
from django.urls import reverse

from core.progress import report_progress

from .forms.manage import ACTIONS
from .models import Kind, NumberCount, PhoneNumber
from .permissions import MANAGE_NUMBERS
from .tables import IN_INVENTORY, TABLES


def tab_url(kind, filters=None):
    """The kind's Inventory tab, with the filters (a QueryDict) if any."""
    url = reverse(f"phone_numbers:{Kind(kind).value}")
    return f"{url}?{filters.urlencode()}" if filters else url


# Boxes come from one page of a table at a time; a longer list is no selection the portal made.
MAX_CHECKED = 500


class Selection:
    def __init__(self, user, params):
        """Read the selection from a query string or form data; 404 for anything not the
        user's: an unknown kind, an id that is not a number of the user's enterprise."""
        self.user = user
        try:
            self.kind = Kind(params.get("kind", ""))
        except ValueError:
            raise Http404 from None
        self.all_matching = params.get("all") == "1"
        self.table_class = TABLES[self.kind]
        filter_names = self.table_class.filterset_class.base_filters
        self.filters = QueryDict(mutable=True)
        for name in filter_names:
            value = params.get(name, "")
            if value:
                self.filters[name] = value
        self.public_ids = []
        if not self.all_matching:
            try:
                self.public_ids = sorted({uuid.UUID(value) for value in params.getlist("number")})
            except ValueError:
                raise Http404 from None
            if len(self.public_ids) > MAX_CHECKED:
                raise Http404
            found = PhoneNumber.objects.filter(kind=self.kind, public_id__in=self.public_ids)
            if found.count() != len(self.public_ids):
                raise Http404

    @classmethod
    def all_matching_filter(cls, user, kind, params):
        """Every number of the kind's tab that matches the filters in params."""
        query = params.copy()
        query["kind"] = Kind(kind).value
        query["all"] = "1"
        return cls(user, query)

    @property
    def is_empty(self):
        return not self.all_matching and not self.public_ids

    def numbers(self):
        """The selected numbers that are in the inventory, unordered, for a set-based update."""
        if self.all_matching:
            return self.table_class(self.user, self.filters).queryset.order_by()
        return PhoneNumber.objects.filter(
            kind=self.kind, public_id__in=self.public_ids, status__in=IN_INVENTORY
        )

    @property
    def count_is_kept(self):
        """Whether NumberCount holds the count: all numbers of a tab, a package or a status."""
        return self.all_matching and set(self.filters) <= {"package", "status"}

    def count(self):
        """How many numbers: from the kept counts when they hold it, else counted."""
        if not self.count_is_kept:
            return self.numbers().count()
        status = self.filters.get("status")
        counts = NumberCount.objects.filter(
            kind=self.kind, status__in=[status] if status else IN_INVENTORY
        )
        if "package" in self.filters:
            try:
                counts = counts.filter(package__public_id=self.filters["package"])
            except ValidationError:
                return 0
        return counts.aggregate(total=Sum("count", default=0))["total"]

    def fingerprint(self):
        """What the confirmation compares with what the preview showed."""
        if self.count_is_kept:
            # All of a tab, a package or a status: the filter itself says which numbers, and
            # only numbers coming or going change what it holds, which the kept counts show.
            return str(self.count())
        totals = self.numbers().aggregate(count=Count("pk"), ids=Sum("pk", default=0))
        return f"{totals['count']}-{totals['ids']}"

    def query(self):
        """The selection as form data or a query string."""
        params = QueryDict(mutable=True)
        params["kind"] = self.kind.value
        if self.all_matching:
            params["all"] = "1"
            params.update(self.filters)
        else:
            params.setlist("number", [str(public_id) for public_id in self.public_ids])
        return params


def numbers_in_words(count):
    return "1 number" if count == 1 else f"{count:,} numbers"


def apply_in_worker(job, user_id, selection_query, action_key, form_values, ip_address):
    """Apply a Manage action to a large selection, in the worker, all numbers or none.

    The selection and the action's values are read again from what the user confirmed; the
    user must still be allowed to manage numbers. Returns the tab's URL, the job's result.
    """
    user = get_user_model().objects.get(pk=user_id, enterprise=job.enterprise_id)
    if not user.has_perm(MANAGE_NUMBERS):
        raise PermissionDenied(f"{user} may no longer manage numbers.")
    selection = Selection(user, QueryDict(selection_query))
    action = ACTIONS[action_key]
    form = action.form(QueryDict(form_values))
    if not form.is_valid():
        raise ValueError(f"{action.label}: {form.errors.as_text()}")
    total = selection.count()
    report_progress(job, 0, total)
    done = form.apply(
        selection.numbers(),
        by=user,
        ip_address=ip_address,
        progress=lambda done: report_progress(job, done, total),
    )
    report_progress(job, total, total, message=f"{action.done} {numbers_in_words(done)}.")
    return tab_url(selection.kind, selection.filters)

"""What only staff do to cases, beside replying and moving them (support.cases): assign a case,
and merge duplicates into one.

Each change is made on the locked rows, in the case's enterprise's scope, with a CaseEvent for
its history.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.tenancy import enterprise_scope

from . import cases
from .models import (
    CallExample,
    Case,
    CaseAttachment,
    CaseMessage,
    CaseNumber,
    CaseWatcher,
    Status,
)


def assign(case, staff_member, *, by):
    """Assign the case to a staff member (None: to nobody); return the CaseEvent, or None when
    nothing changes."""
    if staff_member is not None and not (staff_member.is_staff and staff_member.is_active):
        raise ValidationError(f"{staff_member} is not an active staff member.")
    with enterprise_scope(case.enterprise_id), transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.assigned_to_id == (staff_member.pk if staff_member else None):
            return None
        old = str(case.assigned_to) if case.assigned_to_id else ""
        case.assigned_to = staff_member
        case.save(update_fields=["assigned_to"])
        return cases.record_event(case, "assigned_to", old, str(staff_member or ""), actor=by)


def merge(duplicates, into, *, by, reason=""):
    """Merge the duplicate cases into the case `into`, of the same enterprise.

    Their messages, attachments, numbers, call examples and watchers move to it (their openers
    become its watchers, so they follow it); each duplicate is Closed, with merged_into set and
    an event on both sides. Returns the duplicates' references.
    """
    duplicates = [case for case in duplicates if case.pk != into.pk]
    if not duplicates:
        raise ValidationError("Choose the cases to merge into this one.")
    if any(case.enterprise_id != into.enterprise_id for case in duplicates):
        raise ValidationError("Only cases of the same enterprise can be merged.")
    with enterprise_scope(into.enterprise_id), transaction.atomic():
        ids = sorted([into.pk, *(case.pk for case in duplicates)])
        locked = {case.pk: case for case in Case.objects.select_for_update().filter(pk__in=ids)}
        target = locked[into.pk]
        sources = [locked[case.pk] for case in duplicates]
        for case in [target, *sources]:
            if case.merged_into_id is not None:
                raise ValidationError(f"{case.reference} was merged into another case already.")
        for source in sources:
            _move_contents(source, target)
            cases.change_status(
                source, Status.CLOSED, actor=by, reason=f"Merged into {target.reference}"
            )
            Case.objects.filter(pk=source.pk).update(merged_into=target)
            cases.record_event(source, "merged", "", target.reference, actor=by, reason=reason)
            cases.record_event(
                target, "merged", source.reference, target.reference, actor=by, reason=reason
            )
        target.updated_at = timezone.now()
        target.save(update_fields=["updated_at"])
    return [source.reference for source in sources]


def _move_contents(source, target):
    for model in (CaseMessage, CaseAttachment, CallExample):
        model.objects.filter(case=source).update(case=target)
    # A number or a watcher once per case: those the target has already stay behind.
    numbers = target.case_numbers.values("number_id")
    CaseNumber.objects.filter(case=source).exclude(number_id__in=numbers).update(case=target)
    watching = set(target.case_watchers.values_list("user_id", flat=True))
    CaseWatcher.objects.filter(case=source).exclude(user_id__in=watching).update(case=target)
    opener = source.opened_by
    if (
        opener is not None
        and opener.is_active
        and opener.pk != target.opened_by_id
        and opener.pk not in watching
        and not CaseWatcher.objects.filter(case=target, user=opener).exists()
    ):
        CaseWatcher.objects.create(enterprise_id=target.enterprise_id, case=target, user=opener)

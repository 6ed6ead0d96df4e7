"""Support cases: opening one, its conversation, and its moves from New to Closed.

Statuses: New (nobody at the carrier has answered yet) -> Open (being worked) <-> Waiting on
Customer -> Resolved -> Closed. The first staff reply opens a New case; a customer's reply to
one Waiting on Customer opens it again. A customer marks a case resolved, or reopens it within
REOPEN_DAYS of its resolution; after that a reply (on the page or by e-mail) opens a new case
that follows the old one. Resolved cases close by themselves after CLOSE_AFTER_DAYS
(close_resolved, from cron).

Every change happens here, on the case's locked row, with a CaseEvent for its history; the
e-mails (support.notify) go once the transaction commits.
"""

from datetime import timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from core.actors import PORTAL, as_actor
from core.jobs import emails_on
from core.tenancy import enterprise_scope
from orders.models import new_reference

from . import attachments as attached_files
from . import notify, sla
from .models import (
    CallExample,
    Case,
    CaseEvent,
    CaseMessage,
    CaseNumber,
    CaseWatcher,
    Priority,
    Status,
)
from .permissions import OPEN_CASES, VIEW_ALL_CASES

REOPEN_DAYS = 14
CLOSE_AFTER_DAYS = 7
ENDED = {Status.RESOLVED, Status.CLOSED}


def _email_after_commit(func, *args):
    if emails_on():
        transaction.on_commit(partial(func, *args))


def visible_cases(user):
    """The cases of the user's enterprise this user may see: all of them with VIEW_ALL_CASES,
    otherwise those they opened or watch. In the enterprise's scope."""
    cases = Case.objects.all()
    if user.has_perm(VIEW_ALL_CASES):
        return cases
    watched = CaseWatcher.objects.filter(user=user).values("case_id")
    return cases.filter(Q(opened_by=user) | Q(pk__in=watched))


def set_watching(case, user, watching):
    """Give the user the case's e-mails (a watcher), or take them off; a member who neither
    opened the case nor may see all cases no longer sees it once off."""
    if watching:
        CaseWatcher.objects.get_or_create(enterprise_id=case.enterprise_id, case=case, user=user)
    else:
        CaseWatcher.objects.filter(case=case, user=user).delete()


def may_reopen(case, now=None):
    """Whether the case ended (resolved or closed) less than REOPEN_DAYS ago."""
    ended_at = case.resolved_at or case.closed_at
    if case.status not in ENDED or ended_at is None:
        return False
    return (now or timezone.now()) < ended_at + timedelta(days=REOPEN_DAYS)


def _check_files(files):
    """Each file with its content type; a ValidationError at "attachments" naming every file
    refused (a form shows it at its field of that name)."""
    checked, errors = [], []
    for file in files:
        try:
            checked.append((file, attached_files.check(file)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def _label(user, from_staff=False):
    if user is None:
        return "Carrier staff" if from_staff else PORTAL.display
    return as_actor(user).display


def record_event(case, field, old, new, *, actor, reason=""):
    """Add to the case's history: field went from old to new, by actor (a member, staff, or
    None for the portal itself)."""
    return CaseEvent.objects.create(
        enterprise_id=case.enterprise_id,
        case=case,
        actor=actor,
        actor_label=_label(actor),
        field=field,
        old=old,
        new=new,
        reason=reason,
    )


@transaction.atomic
def open_case(
    user,
    *,
    category,
    priority,
    subject,
    description,
    contact_name,
    contact_phone,
    contact_email,
    numbers=(),
    trunk=None,
    order=None,
    port_batch=None,
    call_examples=(),
    attachments=(),
    watchers=(),
):
    """Open a case for the user's enterprise and return it.

    numbers, trunk, order, port_batch and watchers must be the enterprise's own (the form picks
    them from its rows; this says so again for any other caller). call_examples: dicts of
    calling_number, called_number, started_at, sip_code and, when picked from the call records,
    call_id. attachments: files, checked here.
    """
    if not user.has_perm(OPEN_CASES):
        raise PermissionDenied("Your role does not allow opening support cases.")
    enterprise_id = user.enterprise_id
    for related in (*numbers, trunk, order, port_batch, *watchers):
        if related is not None and related.enterprise_id != enterprise_id:
            raise ValidationError(f"{related} is not one of your enterprise's.")
    checked = _check_files(attachments)
    now = timezone.now()
    case = Case.objects.create(
        enterprise_id=enterprise_id,
        reference=new_reference("CS"),
        category=category,
        priority=priority,
        subject=subject,
        description=description,
        trunk=trunk,
        order=order,
        port_batch=port_batch,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        opened_by=user,
        opened_at=now,
        updated_at=now,
        first_response_due=sla.first_response_due(priority, now),
    )
    CaseNumber.objects.bulk_create(
        CaseNumber(enterprise_id=enterprise_id, case=case, number=number) for number in numbers
    )
    CaseWatcher.objects.bulk_create(
        CaseWatcher(enterprise_id=enterprise_id, case=case, user=watcher)
        for watcher in watchers
        if watcher != user
    )
    CallExample.objects.bulk_create(
        CallExample(enterprise_id=enterprise_id, case=case, **example) for example in call_examples
    )
    record_event(case, "status", "", Status.NEW, actor=user)
    _keep(case, checked, by=user)
    _email_after_commit(notify.case_opened, case)
    return case


def _keep(case, checked, *, message=None, by=None):
    """Store the checked files, the last step of a change: a failure while storing deletes those
    already written, and the rows go with the transaction."""
    stored = []
    try:
        for file, content_type in checked:
            stored.append(
                attached_files.store(case, file, content_type=content_type, message=message, by=by)
            )
    except BaseException:
        attached_files.delete_files(stored)
        raise
    return stored


def _move(case, status, *, actor, reason="", now=None):
    """Move the locked case to status, with its event; the e-mails go after commit."""
    now = now or timezone.now()
    old = case.status
    case.status = status
    case.updated_at = now
    if status == Status.RESOLVED:
        case.resolved_at = now
    elif status == Status.CLOSED:
        case.closed_at = now
    else:
        case.resolved_at = case.closed_at = None
    case.save(update_fields=["status", "updated_at", "resolved_at", "closed_at"])
    event = record_event(case, "status", old, status, actor=actor, reason=reason)
    _email_after_commit(notify.status_changed, case, event)
    return event


def _locked(case):
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def change_status(case, status, *, actor, reason=""):
    """Move the case to status (staff's moves, and the portal's); return the CaseEvent, or None
    when it is in that status already."""
    case = _locked(case)
    if case.status == status:
        return None
    return _move(case, status, actor=actor, reason=reason)


@transaction.atomic
def add_message(
    case,
    *,
    author=None,
    body,
    from_staff=False,
    internal=False,
    by_email=False,
    email_message_id="",
    attachments=(),
    author_label="",
):
    """Add a message to the case's conversation and return it.

    The first staff reply (not an internal note) is the case's first response and opens a New
    case; a customer's reply opens a case Waiting on Customer, or one resolved less than
    REOPEN_DAYS ago. A customer's reply to a case that ended longer ago goes to a new case that
    follows it (message.case is then that one). author_label names an author who is no user
    (an e-mail from the case's contact). attachments: files, checked here.
    """
    checked = _check_files(attachments)
    case = _locked(case)
    now = timezone.now()
    if not from_staff and case.status in ENDED and not may_reopen(case, now):
        case = _follow_up(case, author, now)
    message = CaseMessage.objects.create(
        enterprise_id=case.enterprise_id,
        case=case,
        author=author,
        author_label=author_label or _label(author, from_staff),
        from_staff=from_staff,
        internal=internal,
        body=body,
        by_email=by_email,
        email_message_id=email_message_id,
        created_at=now,
    )
    if not internal:
        changed = ["updated_at"]
        case.updated_at = now
        if from_staff and case.first_response_at is None:
            case.first_response_at = now
            changed.append("first_response_at")
        case.save(update_fields=changed)
        if from_staff and case.status == Status.NEW:
            _move(case, Status.OPEN, actor=author, now=now)
        elif not from_staff and case.status in {Status.WAITING, *ENDED}:
            reason = "Reopened by the customer's reply" if case.status in ENDED else ""
            _move(case, Status.OPEN, actor=author, reason=reason, now=now)
    _keep(case, checked, message=message, by=author)
    _email_after_commit(notify.message_added, message)
    return message


def _follow_up(case, author, now):
    """A new case following case, which ended too long ago to reopen: same enterprise, kind,
    contact and subject of the report, and the same numbers, trunk, order and watchers."""
    follow_up = Case.objects.create(
        enterprise_id=case.enterprise_id,
        reference=new_reference("CS"),
        category=case.category,
        priority=case.priority,
        subject=f"Follow-up to {case.reference}: {case.subject}"[:150],
        description=(
            f"A reply to {case.reference}, which was closed more than {REOPEN_DAYS} days ago."
        ),
        trunk_id=case.trunk_id,
        order_id=case.order_id,
        port_batch_id=case.port_batch_id,
        contact_name=case.contact_name,
        contact_phone=case.contact_phone,
        contact_email=case.contact_email,
        opened_by=author if author is not None and not author.is_staff else None,
        opened_at=now,
        updated_at=now,
        first_response_due=sla.first_response_due(case.priority, now),
        follows=case,
    )
    CaseNumber.objects.bulk_create(
        CaseNumber(enterprise_id=case.enterprise_id, case=follow_up, number_id=number_id)
        for number_id in case.case_numbers.values_list("number_id", flat=True)
    )
    CaseWatcher.objects.bulk_create(
        CaseWatcher(enterprise_id=case.enterprise_id, case=follow_up, user_id=user_id)
        for user_id in case.case_watchers.values_list("user_id", flat=True)
    )
    record_event(
        follow_up, "status", "", Status.NEW, actor=author, reason=f"Follows {case.reference}"
    )
    _email_after_commit(notify.case_opened, follow_up)
    return follow_up


def _check_may_act(user):
    if not user.has_perm(OPEN_CASES):
        raise PermissionDenied("Your role does not allow working on support cases.")


def resolve_refusal(case):
    """Why the case may not be marked resolved now, or None."""
    if case.status in ENDED:
        return f"Case {case.reference} is {case.get_status_display()} already."
    return None


def reopen_refusal(case, now=None):
    """Why the case may not be reopened now, or None."""
    if case.status not in ENDED:
        return f"Case {case.reference} is {case.get_status_display()}: it has not ended."
    if not may_reopen(case, now):
        return (
            f"Case {case.reference} ended more than {REOPEN_DAYS} days ago: reply to it to open "
            "a new case that follows it."
        )
    return None


def raise_refusal(case):
    """Why the case's priority may not go up now, or None."""
    if case.status in ENDED:
        return f"Case {case.reference} is {case.get_status_display()}: its priority stays."
    if case.priority == Priority.P1:
        return f"Case {case.reference} is {case.get_priority_display()}, the highest priority."
    return None


def _refuse(refusal):
    if refusal:
        raise ValidationError(refusal)


@transaction.atomic
def resolve(case, *, by):
    """The customer says the problem is solved."""
    _check_may_act(by)
    case = _locked(case)
    _refuse(resolve_refusal(case))
    return _move(case, Status.RESOLVED, actor=by, reason="Marked resolved by the customer")


@transaction.atomic
def reopen(case, *, by, reason=""):
    """Open a resolved or closed case again, within REOPEN_DAYS of its resolution."""
    _check_may_act(by)
    case = _locked(case)
    _refuse(reopen_refusal(case))
    return _move(case, Status.OPEN, actor=by, reason=reason or "Reopened by the customer")


@transaction.atomic
def raise_priority(case, priority, *, by, reason):
    """Raise the case's priority, saying why; its first response is due by the sooner of the
    time already set and the new priority's target counted from now."""
    _check_may_act(by)
    case = _locked(case)
    _refuse(raise_refusal(case))
    if not sla.is_higher(priority, case.priority):
        raise ValidationError(
            f"Choose a priority higher than {case.get_priority_display()}: a priority is raised "
            "here, never lowered."
        )
    if not reason.strip():
        raise ValidationError("Say why the priority goes up.")
    now = timezone.now()
    old = case.priority
    case.priority = priority
    case.first_response_due = min(case.first_response_due, sla.first_response_due(priority, now))
    case.updated_at = now
    case.save(update_fields=["priority", "first_response_due", "updated_at"])
    event = record_event(case, "priority", old, priority, actor=by, reason=reason.strip())
    # The same e-mail as a change of status; a case raised to P1 alerts the on-call engineer.
    _email_after_commit(notify.status_changed, case, event)
    return event


def close_resolved():
    """Close the cases resolved CLOSE_AFTER_DAYS ago or more, as the portal. From cron; a run
    twice or late closes each case once. Returns how many it closed."""
    cutoff = timezone.now() - timedelta(days=CLOSE_AFTER_DAYS)
    with scopes_disabled():
        due = list(
            Case.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff).values_list(
                "pk", "enterprise_id"
            )
        )
    closed = 0
    for pk, enterprise_id in due:
        with enterprise_scope(enterprise_id), transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.status != Status.RESOLVED or case.resolved_at > cutoff:
                continue
            _move(
                case,
                Status.CLOSED,
                actor=None,
                reason=f"Resolved for {CLOSE_AFTER_DAYS} days",
            )
            closed += 1
    return closed

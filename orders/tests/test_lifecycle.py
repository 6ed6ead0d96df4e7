"""Who acts, each kind's lifecycle, events on the timeline, and moves made twice.

Services run in the scope of the enterprise they act for, as a request or a job does.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from audit.models import AuditEvent
from core.actors import PORTAL, Actor, as_actor
from core.tenancy import enterprise_scope
from orders import services
from orders.lifecycle import ORDER_LIFECYCLE, Lifecycle, roll_up
from orders.models import Order, OrderEvent

from .kinds import KEY, PORT_KEY, PORT_KIND, hook_calls, place, registered

Status = Order.Status


@pytest.fixture
def order(general_user):
    return place(general_user)


@pytest.fixture
def port_kind():
    with registered(PORT_KIND) as kind:
        yield kind


@pytest.fixture
def port_order(port_kind, general_user):
    return place(general_user, kind=PORT_KEY)


def detail_url(order):
    return reverse("orders:order_detail", args=[order.public_id])


# Who acts


def test_the_portal_moves_an_order_and_the_timeline_audit_and_e_mail_say_so(
    order, enterprise, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with enterprise_scope(enterprise), django_capture_on_commit_callbacks(execute=True):
        services.complete(order, by=PORTAL)

    event = order.events.last()
    assert (event.actor, event.actor_label, event.to_status) == (None, "Portal", Status.COMPLETED)
    audit = AuditEvent.objects.get(action="orders.order.status_changed")
    assert (audit.actor, audit.details["actor"]) == (None, "Portal")
    assert audit.enterprise == enterprise
    run_jobs()
    assert "Completed (Portal," in mailoutbox[0].body
    assert hook_calls == [(order.reference, Status.SUBMITTED, Status.COMPLETED, None)]


def test_none_is_the_portal_and_is_asked_like_anyone_else(order, enterprise):
    with enterprise_scope(enterprise):
        assert services.refusal(order, Status.IN_PROGRESS, by=None) is None
        services.start(order, by=None)
    assert order.events.last().actor_label == "Portal"


def test_staff_are_carrier_staff_in_the_timeline_and_the_customers_audit_log(
    order, enterprise, staff_user
):
    with enterprise_scope(enterprise):
        services.start(order, by=staff_user)
    assert order.events.last().actor_label == "Carrier staff"
    audit = AuditEvent.objects.get(action="orders.order.status_changed")
    assert (audit.actor, audit.details["actor"]) == (staff_user, "Carrier staff")


def test_an_api_key_acts_for_the_customer(order, enterprise):
    key = Actor.api_key("Billing sync")
    with enterprise_scope(enterprise):
        with pytest.raises(ValidationError, match="Only carrier staff"):
            services.start(order, by=key)
        services.cancel(order, by=key)
    assert order.events.last().actor_label == "API key Billing sync"
    assert AuditEvent.objects.filter(details__actor="API key Billing sync").count() == 1


def test_as_actor_takes_a_user_an_actor_or_none(general_user, staff_user):
    assert as_actor(general_user) == Actor(Actor.USER, user=general_user)
    assert as_actor(general_user).display == "Bob General"
    assert as_actor(staff_user).display == "Carrier staff"
    assert as_actor(None) is PORTAL
    assert as_actor(PORTAL) is PORTAL


# Each kind declares its lifecycle


def test_a_kind_without_a_lifecycle_of_its_own_has_todays_table(port_kind):
    from orders import kinds

    assert kinds.get(KEY).lifecycle is ORDER_LIFECYCLE
    assert ORDER_LIFECYCLE.open_statuses == {Status.SUBMITTED, Status.IN_PROGRESS}


def test_a_port_like_kind_moves_as_its_lifecycle_says(port_order, enterprise, general_user):
    assert port_order.status == Status.DRAFT
    assert port_order.events.get().to_status == Status.DRAFT
    with enterprise_scope(enterprise):
        services.move(port_order, Status.PENDING_DOCUMENTS, by=general_user)
        services.move(port_order, Status.SUBMITTED, by=general_user)
        # The losing carrier's callback: the portal confirms the FOC date.
        services.move(port_order, Status.FOC_CONFIRMED, by=Actor.portal("Carrier callback"))
        with pytest.raises(ValidationError, match="Portal cannot move an order to Completed"):
            services.complete(port_order, by=PORTAL)
        services.reject(port_order, by=PORTAL, reason="Batch 2: the account number is wrong.")
        # Rejected asks the customer to act: they fix it and submit again.
        services.move(port_order, Status.SUBMITTED, by=general_user)

    port_order.refresh_from_db()
    assert port_order.status == Status.SUBMITTED
    assert port_order.is_open
    assert [e.to_status for e in port_order.events.all()] == [
        Status.DRAFT,
        Status.PENDING_DOCUMENTS,
        Status.SUBMITTED,
        Status.FOC_CONFIRMED,
        Status.REJECTED,
        Status.SUBMITTED,
    ]


def test_a_kind_refuses_the_statuses_it_does_not_use(order, port_order, enterprise, staff_user):
    with enterprise_scope(enterprise):
        with pytest.raises(ValidationError, match="A test order is never FOC Confirmed"):
            services.move(order, Status.FOC_CONFIRMED, by=staff_user)
        with pytest.raises(ValidationError, match="never In Progress"):
            services.start(port_order, by=staff_user)


def test_what_cancelling_means_is_the_kinds_to_say(admin_client, admin_user, port_kind):
    order = place(admin_user, kind=PORT_KEY)
    page = admin_client.get(reverse("orders:cancel_order", args=[order.public_id])).text
    assert "Your numbers stay with the carrier you have now." in page
    assert "Carrier staff have not started work" not in page


def test_the_open_orders_are_those_their_kinds_lifecycle_calls_open(
    port_kind, enterprise, general_user, staff_user
):
    draft, documents, rejected, foc, cancelled = (
        place(general_user, kind=PORT_KEY) for _ in range(5)
    )
    submitted, started, completed = (place(general_user) for _ in range(3))
    with enterprise_scope(enterprise):
        for port in (documents, rejected, foc, cancelled):
            services.move(port, Status.PENDING_DOCUMENTS, by=general_user)
        for port in (rejected, foc):
            services.move(port, Status.SUBMITTED, by=general_user)
        services.move(foc, Status.FOC_CONFIRMED, by=staff_user)
        services.reject(rejected, by=staff_user, reason="The account number is wrong.")
        services.cancel(cancelled, by=general_user)
        services.start(started, by=staff_user)
        services.complete(completed, by=staff_user)

    found = set(Order.objects.filter(Order.open_filter()))

    # Draft, Pending Documents and a Rejected port the customer may submit again are open.
    assert found == {draft, documents, rejected, foc, submitted, started}
    assert found == {order for order in Order.objects.all() if order.is_open}


def test_the_open_filter_reaches_orders_from_rows_that_point_to_them(order, enterprise, staff_user):
    events = OrderEvent.objects.filter(Order.open_filter("order__"))
    assert list(events) == list(order.events.all())
    with enterprise_scope(enterprise):
        services.complete(order, by=staff_user)
    assert not events.all().exists()


def test_a_lifecycle_refuses_moves_between_statuses_it_does_not_have():
    with pytest.raises(ValueError, match="statuses the lifecycle lacks"):
        Lifecycle(
            statuses=(Status.SUBMITTED, Status.COMPLETED),
            customer_moves={},
            staff_moves={Status.COMPLETED: {Status.IN_PROGRESS}},
        )


@pytest.mark.parametrize(
    ("batches", "rolled_up"),
    [
        ([Status.SUBMITTED], Status.SUBMITTED),
        ([Status.FOC_CONFIRMED, Status.SUBMITTED], Status.SUBMITTED),
        ([Status.FOC_CONFIRMED, Status.COMPLETED], Status.FOC_CONFIRMED),
        ([Status.COMPLETED, Status.COMPLETED], Status.COMPLETED),
        ([Status.COMPLETED, Status.REJECTED, Status.FOC_CONFIRMED], Status.REJECTED),
        ([Status.PENDING_DOCUMENTS, Status.SUBMITTED], Status.PENDING_DOCUMENTS),
        ([Status.CANCELLED, Status.COMPLETED], Status.COMPLETED),
        ([Status.CANCELLED, Status.CANCELLED], Status.CANCELLED),
    ],
)
def test_the_status_of_an_order_of_several_batches_is_rolled_up(batches, rolled_up):
    assert roll_up(batches) == rolled_up


def test_rolling_up_nothing_is_an_error():
    with pytest.raises(ValueError):
        roll_up([])


# Events on the timeline


def test_events_go_on_the_timeline_with_their_part_and_e_mail_when_the_kind_asks(
    admin_client,
    admin_user,
    staff_user,
    enterprise,
    port_kind,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
):
    order = place(admin_user, kind=PORT_KEY, notify=False)
    with enterprise_scope(enterprise), django_capture_on_commit_callbacks(execute=True):
        services.note_event(order, "loa_uploaded", by=admin_user, message="loa-signed.pdf")
        services.note_event(
            order, "foc_date_set", by=PORTAL, part="Batch 2", message="FOC date 2027-01-15."
        )

    assert [(e.event_type, e.part, e.to_status) for e in order.events.all()[1:]] == [
        ("loa_uploaded", "", ""),
        ("foc_date_set", "Batch 2", ""),
    ]
    timeline = admin_client.get(detail_url(order)).text.split("Timeline")[1]
    assert "LOA uploaded</strong>" in timeline and "by Alice Admin: loa-signed.pdf" in timeline
    assert "FOC date set</strong> (Batch 2)" in timeline and "by Portal" in timeline
    # Only the FOC date asks for an e-mail.
    assert run_jobs() == 1
    (message,) = mailoutbox
    assert message.subject == f"[Carrier Portal] Test port order {order.reference}: " + (
        "FOC date set (Batch 2)"
    )
    assert "FOC date 2027-01-15." in message.body
    audit = AuditEvent.objects.filter(action="orders.order.event_noted").order_by("id")
    assert [event.details.get("part") for event in audit] == [None, "Batch 2"]


def test_an_event_the_kind_does_not_declare_is_refused(order, enterprise, general_user):
    with enterprise_scope(enterprise), pytest.raises(ValueError, match="declares no event"):
        services.note_event(order, "loa_uploaded", by=general_user)
    assert order.events.count() == 1


# Moves made twice, and placing outside a transaction


def test_a_move_made_twice_is_made_once(
    order, enterprise, staff_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with enterprise_scope(enterprise), django_capture_on_commit_callbacks(execute=True):
        services.complete(order, by=PORTAL)
        # A retried job, a callback delivered twice, a second click.
        again = services.complete(order, by=PORTAL)
        services.complete(order, by=staff_user)

    assert again.status == Status.COMPLETED
    assert order.events.count() == 2
    assert len(hook_calls) == 1
    assert AuditEvent.objects.filter(action="orders.order.status_changed").count() == 1
    assert run_jobs() == 1


def test_a_rejection_made_twice_keeps_the_first_reason(order, enterprise, staff_user):
    with enterprise_scope(enterprise):
        services.reject(order, by=staff_user, reason="No answer.")
        services.reject(order, by=staff_user, reason="Still no answer.")
    order.refresh_from_db()
    assert order.rejection_reason == "No answer."
    assert order.events.filter(to_status=Status.REJECTED).count() == 1


def test_a_customer_may_not_pass_off_a_staff_move_as_a_no_op(order, enterprise, staff_user):
    with enterprise_scope(enterprise):
        services.complete(order, by=staff_user)
        with pytest.raises(ValidationError, match="Only carrier staff"):
            services.complete(order, by=order.placed_by)


@pytest.mark.django_db(transaction=True)
def test_place_order_runs_only_inside_the_callers_transaction(general_user, enterprise):
    with enterprise_scope(enterprise):
        with pytest.raises(RuntimeError, match="inside the transaction"):
            services.place_order(enterprise=enterprise, kind=KEY, by=general_user)
        assert not Order.objects.exists()
        with transaction.atomic():
            order = services.place_order(enterprise=enterprise, kind=KEY, by=general_user)
    assert OrderEvent.objects.get().order == order


def test_staff_see_the_events_in_the_back_office(client, staff_user, admin_user, port_kind):
    order = place(admin_user, kind=PORT_KEY, notify=False)
    with enterprise_scope(admin_user.enterprise):
        services.note_event(order, "batch_rejected", by=PORTAL, part="Batch 2", notify=False)
    client.force_login(staff_user)  # staff_user has the authenticator app staff need
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).text
    assert "Batch rejected (Batch 2)" in page

"""The porting services: batches by carrier, drafts that expire, lists nobody took, the demo."""

from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from orders.models import Order
from phone_numbers.models import PhoneNumber
from porting import services
from porting.models import BATCH_SIZE, PortBatch, PortList, PortNumber, PortOrder
from tests.scopes import as_a_server

from .factories import draft_order, first_slot, port_list, submitted_order


def test_numbers_are_split_into_batches_by_carrier_of_at_most_500(acme_scope, admin_user):
    denver = [f"+1303747{n:04d}" for n in range(1000, 2300) if n % 100 not in (13, 44, 66, 97)]
    chicago = [f"+1312263{n:04d}" for n in range(150, 160)]
    order = submitted_order(admin_user, entries=[*denver[:1201], *chicago], account_pin="4321")
    batches = list(
        PortBatch.objects.filter(port_order__order=order)
        .order_by("sequence")
        .values_list("carrier", "number_count")
    )
    assert batches == [
        ("Lakeshore Telephone Co.", BATCH_SIZE),
        ("Lakeshore Telephone Co.", BATCH_SIZE),
        ("Lakeshore Telephone Co.", 201),
        ("Summit Telephone", 10),
    ]
    numbers = PortNumber.objects.filter(port_list=order.port.port_list)
    assert not numbers.filter(batch__isnull=True).exists()
    for batch in PortBatch.objects.filter(port_order__order=order):
        assert batch.numbers.count() == batch.number_count
        assert set(batch.numbers.values_list("carrier", flat=True)) == {batch.carrier}
    # The first 500 of the list's Denver numbers are the first batch.
    first = PortBatch.objects.get(port_order__order=order, sequence=1)
    assert set(first.numbers.values_list("e164", flat=True)) == set(denver[:500])


def test_a_draft_submitted_twice_is_placed_once(acme_scope, admin_user):
    draft = draft_order(admin_user)
    port = draft.port
    values = {field: getattr(port, field) for field in services.FIELDS}
    values["requested_at"] = first_slot()
    for _attempt in range(2):
        services.submit(
            by=admin_user,
            package=port.package,
            kind=port.kind,
            values=values,
            port_list=port.port_list,
            order=draft,
            notify=False,
        )
    draft.refresh_from_db()
    assert draft.status == Order.Status.PENDING_DOCUMENTS
    assert PortBatch.objects.filter(port_order=port).count() == 1


def test_drafts_expire_after_30_days(acme_scope, admin_user):
    old, recent = draft_order(admin_user), draft_order(admin_user, package_name="Other")
    Order.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))
    # Run as the cron's worker runs it: with no scope at all.
    with as_a_server():
        assert services.expire_drafts() == 1
        assert services.expire_drafts() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (Order.Status.CANCELLED, Order.Status.DRAFT)
    event = old.events.last()
    assert event.actor_label == "Portal" and "30 days" in event.note


def test_lists_no_order_took_are_deleted_in_one_statement(acme_scope, admin_user):
    unused = port_list(admin_user, [f"+1303747{n}" for n in range(4100, 4150)])
    kept = draft_order(admin_user).port.port_list
    PortList.objects.filter(pk__in=[unused.pk, kept.pk]).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    with as_a_server(), CaptureQueriesContext(connection) as queries:
        assert services.delete_unused_lists() > 0
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 2  # the numbers, then the list: no number read into Python
    assert list(PortList.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not PortNumber.objects.filter(port_list_id=unused.pk).exists()


def test_the_demo_has_port_orders_in_every_state(db):
    call_command("demo_data", stdout=None)
    with scopes_disabled():
        orders = Order.objects.filter(kind="port")
        assert sorted(orders.values_list("status", flat=True)) == [
            "cancelled",
            "completed",
            "draft",
            "draft",
            "foc_confirmed",
            "pending_documents",
            "rejected",
            "submitted",
        ]
        with_errors = PortOrder.objects.filter(port_list__error_count__gt=0)
        assert with_errors.get().order.status == "draft"
        pending = PortOrder.objects.get(order__status="pending_documents")
        assert pending.batches.count() == 2
        assert list(pending.documents.values_list("kind", flat=True)) == ["loa_to_sign"]
        rejected = PortBatch.objects.get(port_order__order__status="rejected")
        assert [reason["code"] for reason in rejected.rejection] == [
            "account_number_mismatch",
            "address_mismatch",
        ]
        completed = Order.objects.get(kind="port", status="completed")
        assert PhoneNumber.objects.filter(order=completed, status="active").count() == 3
        submitted = Order.objects.get(kind="port", status="submitted")
        assert PhoneNumber.objects.filter(order=submitted, kind="temporary").count() == 2
        call_command("demo_data", stdout=None)  # again: nothing is added twice
        assert orders.count() == 8

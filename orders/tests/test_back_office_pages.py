"""The order pages of the back office read as staff's: who acted, where a move page sits."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from orders import services
from tests.totp import enable_totp

from .kinds import place


@pytest.fixture
def staff_client(client, staff_user):
    if not Authenticator.objects.filter(user=staff_user, type=Authenticator.Type.TOTP).exists():
        enable_totp(staff_user)
    client.force_login(staff_user)
    return client


@pytest.fixture
def order(general_user):
    return place(general_user)


def test_an_events_actor_is_one_column_saying_who_it_was(staff_client, order, staff_user):
    services.start(order, by=staff_user)
    page = staff_client.get(reverse("admin:orders_order_change", args=[order.pk])).text
    assert "Actor label" not in page
    assert '<th class="column-who">Who' in page
    assert "Carrier staff (staff@carrier.test)" in page
    assert "Bob General (bob@acme.test)" in page


def test_the_customer_reference_is_explained_to_staff(staff_client, order):
    page = staff_client.get(reverse("admin:orders_order_change", args=[order.pk])).text
    assert "Your own reference" not in page
    assert "<div>The customer's own reference, if they gave one.</div>" in page


@pytest.mark.parametrize("move", ["start", "complete", "reject", "cancel"])
def test_a_move_page_leads_back_to_its_order(staff_client, order, move):
    page = staff_client.get(reverse("admin:orders_order_move", args=[order.pk, move])).text
    crumbs = page[page.index('<ol class="breadcrumbs">') : page.index("</ol>")]
    changelist = reverse("admin:orders_order_changelist")
    change = reverse("admin:orders_order_change", args=[order.pk])
    assert crumbs.index(changelist) < crumbs.index(f'<a href="{change}">{order.reference}</a>')
    assert 'aria-current="page">' in crumbs

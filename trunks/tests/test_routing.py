"""The Routing Policy Manager: ordered trunks with priority and weight, a fallback, a default."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from trunks.models import Package, RoutingPolicy
from trunks.routing import Target, save_policy
from trunks.tests.factories import active_trunk, new_package, trunk_fields


@pytest.fixture
def trunk(admin_user, staff_user):
    return active_trunk(admin_user, staff_user, name="Usage", type=Package.Type.USAGE)


@pytest.fixture
def second(admin_user, trunk):
    from trunks import services

    order = services.order_trunk(
        trunk.package,
        by=admin_user,
        trunk=trunk_fields("Usage SBC 2"),
        signaling=[{"host": "34.120.10.6", "port": 5060, "transport": "udp"}],
    )
    return order.trunk_order.trunk


def policy_data(*targets, name="Main", is_default="on", fallback="+1 303 555 0100"):
    data = {
        "name": name,
        "is_default": is_default,
        "fallback_number": fallback,
        "targets-TOTAL_FORMS": str(len(targets)),
        "targets-INITIAL_FORMS": "0",
    }
    for number, (trunk, priority, weight) in enumerate(targets):
        data[f"targets-{number}-trunk"] = str(getattr(trunk, "public_id", trunk))
        data[f"targets-{number}-priority"] = str(priority)
        data[f"targets-{number}-weight"] = str(weight)
    return data


def create_url(package):
    return reverse("trunks:policy_create", args=[package.public_id])


def test_it_saves_a_policy_with_its_ordered_trunks(admin_client, trunk, second):
    response = admin_client.post(
        create_url(trunk.package), policy_data((second, 2, 50), (trunk, 1, 100))
    )
    assert response.status_code == 302
    policy = RoutingPolicy.objects.get()
    assert (policy.name, policy.is_default, policy.fallback_number) == (
        "Main",
        True,
        "+13035550100",
    )
    assert [(t.trunk.name, t.priority, t.weight) for t in policy.targets.all()] == [
        ("Denver SBC 1", 1, 100),
        ("Usage SBC 2", 2, 50),
    ]
    page = admin_client.get(reverse("trunks:routing_manager", args=[trunk.package.public_id])).text
    assert "Main" in page and "Default" in page and "(303) 555-0100" in page


@pytest.mark.parametrize(
    ("priority", "weight", "message"),
    [
        (1, 0, "Weight must be at least 1."),
        (1, -5, "Weight must be at least 1."),
        (1, "1.5", "Weight must be a whole number."),
        (1, "heavy", "Weight must be a whole number."),
        (0, 10, "Priority must be at least 1."),
        (1, 5000, "Weight must be at most 1000."),
        (1, "", "Enter the weight of Denver SBC 1."),
        ("", 10, "Enter the priority of Denver SBC 1."),
    ],
)
def test_weights_and_priorities_are_positive_whole_numbers(
    admin_client, trunk, priority, weight, message
):
    response = admin_client.post(create_url(trunk.package), policy_data((trunk, priority, weight)))
    form = response.context["formset"].forms[0]
    assert message in str(form.errors)
    assert 'aria-invalid="true"' in str(response.context["formset"].forms[0])
    assert not RoutingPolicy.objects.exists()


def test_a_trunk_is_listed_once(admin_client, trunk):
    response = admin_client.post(
        create_url(trunk.package), policy_data((trunk, 1, 1), (trunk, 2, 1))
    )
    assert "already in this policy" in str(response.context["formset"].forms[1].errors)
    assert not RoutingPolicy.objects.exists()


def test_a_policy_needs_a_trunk(admin_client, trunk):
    response = admin_client.post(create_url(trunk.package), policy_data())
    assert "Choose at least one trunk." in response.text
    assert not RoutingPolicy.objects.exists()


def test_an_empty_policy_says_so_once_and_not_under_a_row(admin_client, trunk):
    # The form as first shown, with only a name: rows hold their default priority and weight.
    page = admin_client.get(create_url(trunk.package))
    data = {
        "name": "Main",
        "targets-TOTAL_FORMS": "3",
        "targets-INITIAL_FORMS": "3",
        **{f"targets-{row}-priority": str(row + 1) for row in range(3)},
        **{f"targets-{row}-weight": "100" for row in range(3)},
    }
    assert 'name="targets-INITIAL_FORMS" value="3"' in page.text

    response = admin_client.post(create_url(trunk.package), data)

    assert response.text.count("Choose at least one trunk.") == 1
    assert not any(form.errors for form in response.context["formset"].forms)
    assert "This field is required" not in response.text
    assert not RoutingPolicy.objects.exists()


def test_rows_without_a_trunk_are_ignored(admin_client, trunk):
    data = policy_data((trunk, 1, 100), ("", "bad", ""))
    response = admin_client.post(create_url(trunk.package), data)
    assert response.status_code == 302
    policy = RoutingPolicy.objects.get()
    assert [(t.trunk, t.priority, t.weight) for t in policy.targets.all()] == [(trunk, 1, 100)]


def test_add_row_without_javascript_shows_the_form_again_one_row_longer(admin_client, trunk):
    data = policy_data((trunk, 1, 70), ("", 2, 100), ("", 3, 100), name="Night", fallback="")
    data["add_row"] = "1"

    response = admin_client.post(create_url(trunk.package), data)

    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 4
    assert 'name="targets-TOTAL_FORMS" value="4"' in response.text
    assert 'name="targets-3-trunk"' in response.text
    assert 'value="Night"' in response.text
    assert f'value="{trunk.public_id}" selected' in response.text
    assert 'name="targets-0-weight" value="70"' in response.text
    assert "errorlist" not in response.text  # nothing was checked: nothing was saved
    assert not RoutingPolicy.objects.exists()


def test_more_than_three_rows_are_saved(admin_client, trunk, second):
    data = policy_data(("", 1, 100), ("", 2, 100), ("", 3, 100), (trunk, 4, 100), (second, 5, 50))
    response = admin_client.post(create_url(trunk.package), data)
    assert response.status_code == 302
    policy = RoutingPolicy.objects.get()
    assert [(t.trunk, t.priority) for t in policy.targets.all()] == [(trunk, 4), (second, 5)]


def test_the_form_offers_add_row_with_and_without_javascript(admin_client, trunk):
    page = admin_client.get(create_url(trunk.package)).text
    assert 'name="add_row"' in page and "Add row" in page
    assert "data-routing-row-template" in page and "targets-__prefix__-trunk" in page
    assert "Rows without a trunk are ignored." in page
    assert "Save to get more rows" not in page


def test_the_fallback_is_a_valid_number(admin_client, trunk):
    response = admin_client.post(
        create_url(trunk.package), policy_data((trunk, 1, 1), fallback="555")
    )
    assert response.context["form"].errors["fallback_number"]
    assert not RoutingPolicy.objects.exists()


@pytest.mark.parametrize("whose", ["other package", "other enterprise", "outbound only"])
def test_trunks_from_elsewhere_are_not_a_valid_choice(
    admin_client, admin_user, outsider, trunk, whose
):
    if whose == "other enterprise":
        stranger = new_package(outsider, name="Theirs", type=Package.Type.USAGE)
    elif whose == "outbound only":
        stranger = new_package(admin_user, name="Dialer", type=Package.Type.OUTBOUND_ONLY)
    else:
        stranger = new_package(admin_user, name="Other", type=Package.Type.USAGE)
    response = admin_client.post(
        create_url(trunk.package), policy_data((stranger.trunk_order.trunk, 1, 1))
    )
    assert "Choose the trunk from the list." in str(response.context["formset"].forms[0].errors)
    assert not RoutingPolicy.objects.exists()


def test_outbound_only_packages_have_no_inbound_routing(admin_client, admin_user):
    dialer = new_package(admin_user, name="Dialer", type=Package.Type.OUTBOUND_ONLY)
    trunk = dialer.trunk_order.trunk
    page = admin_client.get(create_url(trunk.package)).text
    assert "Outbound Only packages do not receive calls" in page
    admin_client.post(create_url(trunk.package), policy_data((trunk, 1, 1)))
    assert not RoutingPolicy.objects.exists()
    # The rule holds in the service too, whatever the form.
    with pytest.raises(ValidationError, match="Outbound Only"):
        save_policy(
            trunk.package,
            by=admin_user,
            name="Sneaky",
            is_default=False,
            fallback_number="",
            targets=[Target(trunk, 1, 1)],
        )


def test_the_service_refuses_another_packages_trunk(admin_user, trunk):
    other = new_package(admin_user, name="Other", type=Package.Type.USAGE).trunk_order.trunk
    with pytest.raises(ValidationError, match="is not a trunk of"):
        save_policy(
            trunk.package,
            by=admin_user,
            name="Main",
            is_default=False,
            fallback_number="",
            targets=[Target(other, 1, 1)],
        )


def test_one_default_policy_per_package(admin_client, admin_user, trunk):
    admin_client.post(create_url(trunk.package), policy_data((trunk, 1, 1), name="First"))
    admin_client.post(create_url(trunk.package), policy_data((trunk, 1, 1), name="Second"))
    assert dict(RoutingPolicy.objects.values_list("name", "is_default")) == {
        "First": False,
        "Second": True,
    }


def main_policy(by, trunk, *, name="Main", is_default=True):
    return save_policy(
        trunk.package,
        by=by,
        name=name,
        is_default=is_default,
        fallback_number="",
        targets=[Target(trunk, 1, 1)],
    )


def test_a_new_default_says_it_takes_the_flag_from_the_old_one(admin_client, admin_user, trunk):
    main = main_policy(admin_user, trunk)
    form_page = admin_client.get(create_url(trunk.package)).text
    assert "ticking this takes the flag from “Main”" in form_page

    response = admin_client.post(
        create_url(trunk.package), policy_data((trunk, 1, 1), name="Night"), follow=True
    )

    assert "The routing policy Night was saved. It is now the package&#x27;s default policy, " in (
        response.text
    )
    assert "instead of Main." in response.text
    main.refresh_from_db()
    assert not main.is_default
    assert RoutingPolicy.objects.get(name="Night").is_default


def test_editing_the_default_names_no_other_default(admin_client, admin_user, trunk):
    main = main_policy(admin_user, trunk)
    url = reverse("trunks:policy_edit", args=[main.public_id])
    assert "takes the flag from" not in admin_client.get(url).text
    response = admin_client.post(url, policy_data((trunk, 1, 1), name="Main"), follow=True)
    assert "The routing policy Main was saved." in response.text
    assert "instead of" not in response.text


def test_deleting_the_default_policy_says_what_happens_to_calls(admin_client, admin_user, trunk):
    main = main_policy(admin_user, trunk)
    main_policy(admin_user, trunk, name="Night", is_default=False)
    url = reverse("trunks:policy_delete", args=[main.public_id])

    page = admin_client.get(url).text

    assert "Main is the default policy of Usage" in page
    assert "the package has no default policy, and calls to those numbers go unanswered" in page
    assert "first edit another policy and tick Package default" in page
    assert "follow the package's default policy" not in page
    response = admin_client.post(url, follow=True)
    assert "Usage has no default policy now." in response.text
    assert list(RoutingPolicy.objects.values_list("name", "is_default")) == [("Night", False)]


def test_deleting_another_policy_names_the_default_its_numbers_follow(
    admin_client, admin_user, trunk
):
    main_policy(admin_user, trunk)
    night = main_policy(admin_user, trunk, name="Night", is_default=False)
    page = admin_client.get(reverse("trunks:policy_delete", args=[night.public_id])).text
    assert "Numbers that use Night follow the package's default policy, Main" in page
    assert "unanswered" not in page


def test_policy_names_are_unique_in_a_package(admin_client, trunk):
    admin_client.post(create_url(trunk.package), policy_data((trunk, 1, 1), name="Main"))
    response = admin_client.post(create_url(trunk.package), policy_data((trunk, 1, 1), name="main"))
    assert response.context["form"].errors["name"]
    assert RoutingPolicy.objects.count() == 1


def test_editing_replaces_the_trunks(admin_client, admin_user, trunk, second):
    policy = save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 1)],
    )
    url = reverse("trunks:policy_edit", args=[policy.public_id])
    assert 'value="Main"' in admin_client.get(url).text
    admin_client.post(url, policy_data((second, 1, 10), name="Main"))
    assert [t.trunk for t in policy.targets.all()] == [second]


def test_deleting_a_policy(admin_client, admin_user, trunk):
    policy = save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 1)],
    )
    url = reverse("trunks:policy_delete", args=[policy.public_id])
    assert "Delete the routing policy Main?" in admin_client.get(url).text
    admin_client.post(url)
    assert not RoutingPolicy.objects.exists()


def test_another_enterprises_policy_is_not_found(admin_client, outsider, staff_user):
    theirs = active_trunk(outsider, staff_user, name="Theirs", type=Package.Type.USAGE)
    policy = save_policy(
        theirs.package,
        by=outsider,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(theirs, 1, 1)],
    )
    for name in ("trunks:policy_edit", "trunks:policy_delete"):
        assert admin_client.post(reverse(name, args=[policy.public_id])).status_code == 404
    assert RoutingPolicy.objects.count() == 1


def test_the_manager_takes_as_many_queries_for_many_trunks_as_for_one(
    admin_client, admin_user, trunk, django_assert_max_num_queries
):
    from trunks import services

    url = reverse("trunks:routing_manager", args=[trunk.package.public_id])
    with django_assert_max_num_queries(12) as one:
        admin_client.get(url)
    for number in range(5):
        services.order_trunk(
            trunk.package,
            by=admin_user,
            trunk=trunk_fields(f"Usage SBC {number + 2}"),
            signaling=[{"host": f"34.120.10.{number + 6}", "port": 5060, "transport": "udp"}],
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = admin_client.get(url).text
    assert "34.120.10.10:5060/UDP" in page


def test_a_crafted_edit_cannot_route_to_an_outbound_only_trunk(admin_client, admin_user, trunk):
    policy = save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 1)],
    )
    dialer = new_package(admin_user, name="Dialer", type=Package.Type.OUTBOUND_ONLY)
    outbound = dialer.trunk_order.trunk
    response = admin_client.post(
        reverse("trunks:policy_edit", args=[policy.public_id]),
        policy_data((trunk, 1, 1), (outbound, 2, 1)),
    )
    assert "Choose the trunk from the list." in str(response.context["formset"].forms[1].errors)
    assert [t.trunk for t in policy.targets.all()] == [trunk]


def test_a_new_trunk_that_is_never_turned_up_leaves_its_policies(
    admin_client, admin_user, staff_user, trunk, second
):
    from audit.models import AuditEvent
    from orders import services as orders

    policy = save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 1), Target(second, 1, 1)],
    )
    orders.reject(second.orders.get().order, by=staff_user, reason="Wrong switch.")

    # Its calls go to the trunks that remain; a disconnected trunk receives none.
    assert [t.trunk for t in policy.targets.all()] == [trunk]
    event = AuditEvent.objects.filter(action="trunks.routing_policy.saved").latest("id")
    assert "Usage SBC 2" in event.changes[0]["before"]
    assert "Usage SBC 2" not in event.changes[0]["after"]
    page = admin_client.get(reverse("trunks:routing_manager", args=[trunk.package.public_id]))
    assert "Usage SBC 2 <span" not in page.text


def test_the_service_says_as_the_form_that_a_policy_needs_a_trunk(admin_user, trunk):
    with pytest.raises(ValidationError) as refused:
        save_policy(
            trunk.package,
            by=admin_user,
            name="Main",
            is_default=False,
            fallback_number="",
            targets=[],
        )
    assert refused.value.messages == ["Choose at least one trunk."]

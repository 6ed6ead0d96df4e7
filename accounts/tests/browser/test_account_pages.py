"""My Account, the users' Edit and Deactivate pop-ups, the Roles tab and the Audit Log, as a
person uses them in a browser."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_edits_their_details_and_password_from_my_account(
    page, general_user, password, signed_in
):
    signed_in(page, general_user)
    page.get_by_text("My Account", exact=True).first.click()
    page.get_by_role("navigation", name="My Account").get_by_role("link", name="My Account").click()
    expect(page.get_by_role("heading", name="My Account", level=1)).to_be_visible()

    page.get_by_label("Name").fill("Robert General")
    page.get_by_label("Phone").fill("+1 303 555 0142")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Your details were saved.")).to_be_visible()
    general_user.refresh_from_db()
    assert (general_user.name, general_user.phone) == ("Robert General", "+13035550142")

    page.get_by_role("link", name="Change password").click()
    page.get_by_label("Current Password").fill(password)
    page.get_by_label(re.compile(r"^New Password:?$")).fill("a fresh passphrase for robert")
    page.get_by_label("New Password (again)").fill("a fresh passphrase for robert")
    page.get_by_role("button", name="Change password").click()

    expect(page.get_by_text("Password successfully changed.")).to_be_visible()
    general_user.refresh_from_db()
    assert general_user.check_password("a fresh passphrase for robert")


def test_an_administrator_changes_a_role_and_deactivates_a_user(
    page, admin_user, general_user, read_only_user, signed_in
):
    signed_in(page, admin_user, "/users/")

    bob = page.get_by_role("row", name=re.compile("Bob General"))
    bob.get_by_role("link", name="Edit").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Role").select_option(label="Read Only")
    dialog.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Bob General was updated.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Bob General"))).to_contain_text("Read Only")
    assert User.objects.get(pk=general_user.pk).role.slug == Role.READ_ONLY

    rita = page.get_by_role("row", name=re.compile("Rita Reader"))
    rita.get_by_role("link", name="Deactivate").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Rita Reader")
    dialog.get_by_role("button", name=re.compile("Deactivate")).click()

    expect(page.get_by_text("Rita Reader was deactivated.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Rita Reader"))).to_contain_text("Deactivated")
    assert not User.objects.get(pk=read_only_user.pk).is_active


def test_the_roles_tab_shows_what_each_role_allows(page, read_only_user, signed_in):
    signed_in(page, read_only_user, "/users/")
    page.get_by_role("link", name="Roles", exact=True).click()

    matrix = page.locator("#role-permissions")
    expect(matrix).to_be_visible()
    row = matrix.get_by_role("row", name=re.compile("Change Enterprise Settings"))
    expect(row.get_by_role("cell")).to_have_text(["Yes", "No", "No", "No"])


def test_the_audit_log_is_filtered_by_action(page, admin_user, general_user, signed_in):
    from accounts import actions
    from audit.records import record

    record(actions.USER_DEACTIVATED, actor=admin_user, obj=general_user)
    record(actions.SIGN_IN, actor=admin_user, obj=admin_user)
    signed_in(page, admin_user, "/audit-log/")

    page.get_by_role("search", name="Filter").get_by_label("Action").select_option(
        label="User deactivated"
    )
    page.get_by_role("button", name="Filter").click()

    table = page.locator("table")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("User deactivated")
    expect(table).to_contain_text("Bob General")
    expect(table).not_to_contain_text("Signed in")


def test_an_acted_upon_search_reads_on_past_a_window_without_a_match(
    page, admin_user, general_user, signed_in, monkeypatch
):
    from accounts import actions
    from audit.records import record
    from audit.views import AuditTable

    # A window of 4 events, and "many matches" from 2: Bob's two events lie behind four newer
    # ones, so the first page stops at its window and Next finds them.
    for name, value in [("search_glance", 2), ("search_window", 4), ("search_cap", 2)]:
        monkeypatch.setattr(AuditTable, name, value)
    record(actions.USER_DEACTIVATED, actor=admin_user, obj=general_user)
    record(actions.USER_REACTIVATED, actor=admin_user, obj=general_user)
    for _ in range(4):
        record(actions.SIGN_IN, actor=admin_user, obj=admin_user)
    signed_in(page, admin_user, "/audit-log/")

    page.get_by_role("search", name="Filter").get_by_label("Acted upon").fill("bob")
    page.get_by_role("button", name="Filter").click()

    expect(page.locator("table")).to_contain_text("No match in the rows searched so far.")
    expect(page.get_by_text("The search stopped after 4 rows: Next searches on.")).to_be_visible()
    page.get_by_role("link", name="Next").click()

    rows = page.locator("table tbody").get_by_role("row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("User reactivated")
    expect(rows.last).to_contain_text("User deactivated")
    expect(page.get_by_role("link", name="Previous")).to_be_visible()

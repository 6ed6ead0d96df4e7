import re

import pytest
from playwright.sync_api import expect

from accounts.models import Invitation, Role, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVITE = re.compile(r"^invite user$", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _links_to_the_live_server(settings, live_server):
    # Invitation e-mails link to SITE_URL; here that is the test server.
    settings.SITE_URL = live_server.url


def invitation_link(message):
    match = re.search(r"https?://\S+/invitation/[\w-]+/", message.body)
    assert match, f"no invitation link in:\n{message.body}"
    return match.group(0)


def fill_invitation(form, email, name, role):
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Name").fill(name)
    form.get_by_label("Role").select_option(label=role)
    form.get_by_role("button", name="Send invitation").click()


def test_it_invites_a_user_who_accepts(
    page, new_context, admin_user, run_jobs, mailoutbox, signed_in, screenshot
):
    signed_in(page, admin_user)
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="User Management"
    ).click()
    expect(page.get_by_role("heading", name="User Management", level=1)).to_be_visible()
    screenshot(page, "users")

    page.get_by_role("link", name=INVITE).click()

    dialog = page.get_by_role("dialog", name=INVITE)
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile(r"/users/$"))
    screenshot(page, "invite-dialog")
    fill_invitation(dialog, "dana@acme.test", "Dana Newcomer", "General User")

    expect(page).to_have_url(re.compile(r"/users/$"))
    expect(page.get_by_text("An invitation was sent to dana@acme.test.")).to_be_visible()
    pending = page.get_by_role("region", name="Pending invitations")
    expect(pending.get_by_role("row", name=re.compile(r"dana@acme\.test"))).to_contain_text(
        "General User"
    )
    assert mailoutbox == []
    assert run_jobs() == 1
    (message,) = mailoutbox
    assert message.to == ["dana@acme.test"]

    invitee = new_context().new_page()
    invitee.goto(invitation_link(message))
    expect(invitee.get_by_role("heading", name="Join Acme Telecom")).to_be_visible()
    expect(invitee.get_by_label("Your name")).to_have_value("Dana Newcomer")
    invitee.get_by_label(re.compile(r"^Password:?$")).fill("a long passphrase for dana")
    invitee.get_by_label("Password (again)").fill("a long passphrase for dana")
    screenshot(invitee, "accept-invitation")
    invitee.get_by_role("button", name="Create my account").click()

    expect(invitee).to_have_url(re.compile(r"/$"))
    expect(invitee.get_by_role("heading", name="Welcome, Dana")).to_be_visible()
    expect(invitee.get_by_role("heading", name="My Applications")).to_be_visible()
    dana = User.objects.get(email="dana@acme.test")
    assert dana.enterprise == admin_user.enterprise
    assert dana.role.slug == Role.GENERAL_USER
    assert dana.check_password("a long passphrase for dana")
    assert Invitation.objects.get(email="dana@acme.test").accepted_at is not None


def test_it_invites_from_a_full_page_without_javascript(
    new_context, admin_user, run_jobs, mailoutbox, signed_in
):
    page = new_context(java_script_enabled=False).new_page()
    signed_in(page, admin_user, "/users/")

    page.get_by_role("link", name=INVITE).click()

    expect(page).to_have_url(re.compile(r"/users/invite/$"))
    expect(page.get_by_role("heading", name=INVITE, level=1)).to_be_visible()
    fill_invitation(page.get_by_role("main"), "erin@acme.test", "Erin Early", "Read Only")

    expect(page).to_have_url(re.compile(r"/users/$"))
    expect(page.get_by_text("An invitation was sent to erin@acme.test.")).to_be_visible()
    assert run_jobs() == 1
    assert [message.to for message in mailoutbox] == [["erin@acme.test"]]

"""Walk every URL the portal defines with every persona.

Anonymous visitors are sent to sign-in, another enterprise's objects are a 404, a missing
permission is a 403. A URL added without an entry here fails test_every_portal_url_is_listed.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Invitation
from portal.jobs import start_job

from .factories import role

PORTAL_APPS = ("portal.", "accounts.", "support.")
PERSONAS = ["admin", "general", "read_only", "outsider"]


@dataclass
class Case:
    method: str = "get"
    kwargs: str | None = None  # name of a builder in OBJECTS giving the URL's kwargs
    allowed: dict = field(default_factory=dict)  # persona -> status; others: default
    default: int = 200


ADMIN_ONLY = {"general": 403, "read_only": 403}
ADMIN_OWN_OBJECT = {**ADMIN_ONLY, "outsider": 404}


def _own_objects(enterprise, admin_user, general_user):
    invitation = Invitation(
        enterprise=enterprise,
        email="new@acme.test",
        role=role("general-user"),
        invited_by=admin_user,
    )
    token = invitation.issue_token()
    invitation.save()
    job = start_job(_noop, title="Test job", enterprise=enterprise, created_by=admin_user)
    return {
        "user": {"public_id": general_user.public_id},
        "invitation": {"public_id": invitation.public_id},
        "token": {"token": token},
        "job": {"public_id": job.public_id},
        "table": {"table_name": "users"},
    }


def _noop(job):
    return ""


# Objects belong to Acme: the outsider, an Administrator of Globex, must get a 404 for each.
CASES = {
    "dashboard": Case(),
    "job_status": Case(kwargs="job", allowed={"outsider": 404}),
    "table_columns": Case(method="post", kwargs="table", default=302),
    "support:help": Case(),
    "support:contact": Case(),
    "accounts:my_account": Case(),
    "accounts:enterprise_settings": Case(allowed=ADMIN_ONLY),
    "accounts:audit_log": Case(allowed=ADMIN_ONLY),
    "accounts:users": Case(allowed=ADMIN_ONLY),
    "accounts:invite_user": Case(allowed=ADMIN_ONLY),
    "accounts:user_edit": Case(kwargs="user", allowed=ADMIN_OWN_OBJECT),
    "accounts:deactivate_user": Case(kwargs="user", allowed=ADMIN_OWN_OBJECT),
    "accounts:reactivate_user": Case(kwargs="user", allowed=ADMIN_OWN_OBJECT),
    "accounts:resend_invitation": Case(
        method="post", kwargs="invitation", allowed=ADMIN_OWN_OBJECT, default=302
    ),
    "accounts:revoke_invitation": Case(
        method="post", kwargs="invitation", allowed=ADMIN_OWN_OBJECT, default=302
    ),
    # Anyone signed in is told to sign out first; anonymous visitors get the form.
    "accounts:accept_invitation": Case(kwargs="token"),
}


def _portal_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _portal_url_names(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            module = getattr(entry.callback, "__module__", "")
            if module.startswith(PORTAL_APPS):
                yield f"{namespace}{entry.name}"


def test_every_portal_url_is_listed():
    assert set(_portal_url_names()) == set(CASES)


@pytest.fixture
def urls(enterprise, admin_user, general_user):
    objects = _own_objects(enterprise, admin_user, general_user)
    return {
        name: reverse(name, kwargs=objects[case.kwargs] if case.kwargs else None)
        for name, case in CASES.items()
    }


@pytest.fixture
def personas(admin_user, general_user, read_only_user, outsider):
    return {
        "admin": admin_user,
        "general": general_user,
        "read_only": read_only_user,
        "outsider": outsider,
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_is_sent_to_sign_in(client, urls, name):
    case = CASES[name]
    if name == "accounts:accept_invitation":
        pytest.skip("the invitation link is for people who are not signed in")
    response = getattr(client, case.method)(urls[name])
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_persona_gets_what_their_role_allows(client, urls, personas, name, persona):
    case = CASES[name]
    client.force_login(personas[persona])
    response = getattr(client, case.method)(urls[name])
    assert response.status_code == case.allowed.get(persona, case.default)

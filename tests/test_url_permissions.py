"""Walk every URL of every portal app with every persona.

Anonymous visitors are sent to sign-in, another enterprise's objects are a 404, a missing
permission is a 403. Each app lists its URLs in <app>/tests/url_cases.py; the apps come from
settings.PORTAL_APPS, so an app without that module, or a URL it does not list, fails here.
Each URL's objects are made once for all its visitors: making them is most of the time these
tests take.
"""

from contextlib import ExitStack
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.url_cases import PERSONAS


def _case_modules():
    return [import_module(f"{app}.tests.url_cases") for app in settings.PORTAL_APPS]


CASES = {name: case for module in _case_modules() for name, case in module.CASES.items()}


def _portal_url_names(resolver=None, namespace=""):
    apps = tuple(f"{app}." for app in settings.PORTAL_APPS)
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                # The back office is for staff only: tests/test_admin.py covers its pages.
                continue
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _portal_url_names(entry, prefix)
        elif (
            isinstance(entry, URLPattern)
            and entry.name
            and getattr(entry.callback, "__module__", "").startswith(apps)
        ):
            yield f"{namespace}{entry.name}"


def test_every_portal_url_is_listed():
    assert set(_portal_url_names()) == set(CASES)


@pytest.fixture
def urls(enterprise, admin_user, general_user):
    objects = {}
    with ExitStack() as stack:
        for module in _case_modules():
            # What an app's cases need while they run (orders: the order kind of its tests).
            if hasattr(module, "in_place"):
                stack.enter_context(module.in_place())
            objects.update(module.objects(enterprise, admin_user, general_user))
        yield {
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


# Those refused first, so that nothing an allowed request changes (a POST) is seen by them.
REFUSED_FIRST = sorted(PERSONAS, key=lambda persona: persona == "admin")


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_persona_gets_what_their_role_allows(client, urls, personas, name):
    """One URL's objects serve every visitor: anonymous, then each persona."""
    case = CASES[name]
    request = getattr(client, case.method)
    if name != "accounts:accept_invitation":  # the link is for people who are not signed in
        response = request(urls[name])
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    answers = {}
    for persona in REFUSED_FIRST:
        client.force_login(personas[persona])
        answers[persona] = request(urls[name]).status_code
    assert answers == {persona: case.expected(persona) for persona in REFUSED_FIRST}

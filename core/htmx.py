"""Helpers for views whose pages also open as htmx pop-ups (see components/modal.html)."""

from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect

MODAL_TARGET = "modal"


def wants_modal(request):
    return bool(request.htmx) and request.htmx.target == MODAL_TARGET


def redirect_after_post(request, to, *args, **kwargs):
    """Redirect the whole page, also when the form was posted from a pop-up."""
    if wants_modal(request):
        return HttpResponseClientRedirect(resolve_url(to, *args, **kwargs))
    return redirect(to, *args, **kwargs)

"""The pages shown when a request goes wrong: in the portal's layout, with a way back.

403, 404 and 429 show the menu to signed-in users. The 500 page uses neither the database
nor the context processors: whatever failed may fail again while the page is drawn.
"""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token


def error_page(request, template_name, status, **context):
    """Render an error page in the layout that fits who is looking, with links back."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not signed_in:
        home_url, home_label = reverse("account_login"), "Sign In"
    elif getattr(request, "enterprise", None) is None and user.is_staff:
        home_url, home_label = reverse("admin:index"), "Go to the back office"
    else:
        home_url, home_label = reverse("dashboard"), "Go to the Dashboard"
    context = {
        "layout": "layouts/app.html" if signed_in else "layouts/auth.html",
        "home_url": home_url,
        "home_label": home_label,
        "previous_url": previous_page(request),
        **context,
    }
    return render(request, template_name, context, status=status)


def previous_page(request):
    """The page the user came from, when it is one of ours and not this one."""
    referer = request.headers.get("referer", "")
    if not referer or referer == request.build_absolute_uri():
        return ""
    if not url_has_allowed_host_and_scheme(
        referer, {request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return referer


@requires_csrf_token
def permission_denied(request, exception):
    # Messages of PermissionDenied are written for users ("Your role does not allow this.").
    return error_page(request, "403.html", 403, message=str(exception))


@requires_csrf_token
def page_not_found(request, exception):
    # The exception's text is for developers (which query found nothing): not shown.
    return error_page(request, "404.html", 404)


@requires_csrf_token
def too_many_requests(request):
    return error_page(request, "429.html", 429)


def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render())

"""ADR file delivery: the secure FTP site's card on Enterprise Settings, its credentials, and
the page of the daily ADR files with their downloads."""

import html
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from audit.records import client_ip
from core.htmx import redirect_after_post
from core.tables import Column, table_rows
from core.tenancy import enterprise_permission_required, get_for_member

from . import credentials
from .forms_adr import AddPublicKeyForm, SetPasswordForm
from .models import AdrFile, SftpAccount, SftpCredential
from .permissions import MANAGE_ADR_DELIVERY, VIEW_ADR_FILES
from .sftp import SftpError, SftpSite

SETTINGS_URL = "accounts:enterprise_settings"
SITE_DOWN_MESSAGE = "The secure FTP site cannot be reached right now; try again in a few minutes."
DOWNLOAD_CHUNK_BYTES = 64 * 1024

# What customers read of a file's status: the reason of a failure is for staff.
CUSTOMER_STATUS = {
    AdrFile.Status.PENDING: ("Being delivered", "warn"),
    AdrFile.Status.DELIVERED: ("Delivered", "ok"),
    AdrFile.Status.FAILED: ("Delivery failing – we are retrying", "danger"),
    AdrFile.Status.REMOVED: (AdrFile.Status.REMOVED.label, "muted"),
}


def _site_address():
    site = settings.ADR_SFTP
    return site["PUBLIC_HOST"], site["PUBLIC_PORT"]


def connect_command(username):
    host, port = _site_address()
    port_option = "" if port == 22 else f"-P {port} "
    return f"sftp {port_option}{username}@{host}"


# Enterprise Settings ---------------------------------------------------------------------------


def secure_ftp_section(request):
    """The context of the "Secure FTP site" card on Enterprise Settings."""
    enterprise = request.enterprise
    account = SftpAccount.objects.filter(enterprise=enterprise).first()
    can_manage = request.user.has_perm(MANAGE_ADR_DELIVERY)
    host, port = _site_address()
    active = []
    if account is not None:
        active = list(credentials.active_credentials(enterprise).select_related("created_by"))
    return {
        "host": host,
        "port": port,
        "account": account,
        "connect_command": connect_command(account.username) if account else "",
        "credentials": active,
        "delivery_enabled": enterprise.adr_delivery_enabled,
        "keep_days": settings.ADR_KEEP_DAYS,
        "can_manage": can_manage,
        "key_form": AddPublicKeyForm() if can_manage else None,
        "password_form": SetPasswordForm() if can_manage else None,
    }


def _back_to_settings():
    return redirect(f"{reverse(SETTINGS_URL)}#secure-ftp")


@enterprise_permission_required(MANAGE_ADR_DELIVERY)
def add_public_key(request):
    """Let one more public key sign in to the enterprise's login on the secure FTP site."""
    form = AddPublicKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            credential = credentials.add_public_key(
                request.enterprise,
                form.cleaned_data["public_key"],
                by=request.user,
                ip_address=client_ip(request),
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, f"The public key {credential.fingerprint} can now sign in.")
            return _back_to_settings()
    return render(request, "billing/adr/add_key.html", {"form": form})


@never_cache
@enterprise_permission_required(MANAGE_ADR_DELIVERY)
def set_password(request):
    """Give the login a new password, shown once in the answer to the POST itself: a reload
    or the Back button never shows it again, and it is kept nowhere in clear."""
    form = SetPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            password = credentials.set_password(
                request.enterprise,
                by=request.user,
                password=form.cleaned_data["password"],
                ip_address=client_ip(request),
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            account = credentials.account_for(request.enterprise)
            return render(
                request,
                "billing/adr/password_set.html",
                {
                    "password": password,
                    "generated": form.cleaned_data["password"] is None,
                    "account": account,
                    "connect_command": connect_command(account.username),
                },
            )
    return render(request, "billing/adr/set_password.html", {"form": form})


@enterprise_permission_required(MANAGE_ADR_DELIVERY)
def revoke_credential(request, pk):
    """Ask to confirm on GET; on POST stop the credential from signing in."""
    credential = get_for_member(request, SftpCredential.objects.all(), pk=pk)
    if request.method == "POST":
        credentials.revoke(
            request.enterprise, credential.pk, by=request.user, ip_address=client_ip(request)
        )
        messages.success(request, f"{_credential_name(credential)} can no longer sign in.")
        # No #secure-ftp here: from the pop-up, a link to the page itself plus an anchor
        # would only scroll, not load the page that shows the change.
        return redirect_after_post(request, SETTINGS_URL)
    return render(
        request,
        "billing/adr/revoke.html",
        {"credential": credential, "name": _credential_name(credential)},
    )


def _credential_name(credential):
    if credential.kind == SftpCredential.Kind.PUBLIC_KEY:
        return f"The public key {credential.fingerprint}"
    return "The password"


# ADR files -------------------------------------------------------------------------------------


def _day_cell(adr_file, viewer):
    words = formats.date_format(adr_file.day, "l, F j, Y")
    return mark_safe(f'<time datetime="{adr_file.day.isoformat()}">{html.escape(words)}</time>')  # noqa: S308


def _download_cell(adr_file, viewer):
    if adr_file.status != AdrFile.Status.DELIVERED:
        return ""
    url = reverse("billing:adr_file_download", args=[adr_file.day.isoformat()])
    label = f"Download {adr_file.name}"
    return mark_safe(  # noqa: S308 - escaped parts
        f'<a class="button button--secondary button--small" href="{html.escape(url)}" '
        f'aria-label="{html.escape(label)}">Download</a>'
    )


def _checksum_cell(adr_file, viewer):
    return mark_safe(f"<code>{html.escape(adr_file.sha256)}</code>") if adr_file.sha256 else ""  # noqa: S308


ADR_FILE_COLUMNS = [
    Column("day", "Day", html=_day_cell),
    Column("name", "File"),
    Column(
        "status",
        "Status",
        value=lambda f: CUSTOMER_STATUS[f.status][0],
        badge=lambda f: CUSTOMER_STATUS[f.status][1],
    ),
    Column("rows", "Rows", value=lambda f: "" if f.rows is None else f"{f.rows:,}"),
    Column("size", "Size", value=lambda f: "" if f.size is None else filesizeformat(f.size)),
    Column("delivered_at", "Delivered at"),
    Column("download", "Download", html=_download_cell),
    # Last: the widest, and read only to check a download.
    Column("sha256", "SHA-256 checksum", html=_checksum_cell),
]


def kept_files(enterprise):
    """The enterprise's files of the days the site keeps, newest first."""
    today = timezone.localdate(timezone=ZoneInfo(enterprise.time_zone))
    first_day = today - timedelta(days=settings.ADR_KEEP_DAYS)
    # At most ADR_KEEP_DAYS rows: today's file is made tomorrow.
    return AdrFile.objects.filter(enterprise=enterprise, day__gte=first_day).order_by("-day")


@enterprise_permission_required(VIEW_ADR_FILES)
def adr_files(request):
    """The daily ADR files of the last ADR_KEEP_DAYS days, each downloadable once delivered."""
    files = kept_files(request.enterprise)
    return render(
        request,
        "billing/adr/files.html",
        {
            "columns": ADR_FILE_COLUMNS,
            "rows": table_rows(ADR_FILE_COLUMNS, files, request.user),
            "keep_days": settings.ADR_KEEP_DAYS,
            "delivery_enabled": request.enterprise.adr_delivery_enabled,
        },
    )


def _day_in_url(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404("No ADR file of that day.") from None


@enterprise_permission_required(VIEW_ADR_FILES)
def download_adr_file(request, day):
    """Stream a delivered file from the secure FTP site, as it lies there."""
    adr_file = get_for_member(
        request,
        AdrFile.objects.filter(status=AdrFile.Status.DELIVERED),
        day=_day_in_url(day),
    )
    account = get_for_member(request, SftpAccount.objects.all(), enterprise=request.enterprise)
    try:
        # A connection of its own, which stays open while the server sends the body and
        # closes with the file.
        remote = SftpSite.open_file(account.directory, adr_file.name)
    except FileNotFoundError:
        raise Http404("The file is no longer on the secure FTP site.") from None
    except SftpError:
        return render(
            request, "billing/adr/site_down.html", {"message": SITE_DOWN_MESSAGE}, status=503
        )
    # FileResponse closes the file, and with it the connection, however the download ends.
    response = FileResponse(
        remote,
        as_attachment=True,
        filename=adr_file.name,
        content_type="text/csv; charset=utf-8",
    )
    response.block_size = DOWNLOAD_CHUNK_BYTES
    if adr_file.size is not None:
        response["Content-Length"] = str(adr_file.size)
    return response


urlpatterns = [
    path("usage/adr-files/", adr_files, name="adr_files"),
    path("usage/adr-files/<str:day>/", download_adr_file, name="adr_file_download"),
    path("usage/secure-ftp/keys/add/", add_public_key, name="sftp_add_key"),
    path("usage/secure-ftp/password/", set_password, name="sftp_set_password"),
    path("usage/secure-ftp/credentials/<int:pk>/revoke/", revoke_credential, name="sftp_revoke"),
]

from django.urls import path

from . import views, views_cases, views_inbound

app_name = "support"

urlpatterns = [
    path("", views.help_index, name="help"),
    path("contact/", views.contact_us, name="contact"),
    # The mail server's endpoint, not a page: unnamed, so the URL x persona walk (people signing
    # in) leaves it to support/tests/test_inbound.py.
    path("inbound-mail/", views_inbound.inbound_mail),
    path("cases/", views_cases.case_list, name="cases"),
    path("cases/open/", views_cases.open_case, name="open_case"),
    path("cases/calls/", views_cases.call_search, name="call_search"),
    path("cases/<uuid:public_id>/", views_cases.case_detail, name="case"),
    path("cases/<uuid:public_id>/reply/", views_cases.reply, name="reply"),
    path("cases/<uuid:public_id>/priority/", views_cases.raise_priority, name="raise_priority"),
    path("cases/<uuid:public_id>/resolve/", views_cases.resolve, name="resolve"),
    path("cases/<uuid:public_id>/reopen/", views_cases.reopen, name="reopen"),
    path("cases/<uuid:public_id>/watch/", views_cases.watch, name="watch"),
    path(
        "cases/attachments/<uuid:public_id>/",
        views_cases.download_attachment,
        name="attachment",
    ),
]

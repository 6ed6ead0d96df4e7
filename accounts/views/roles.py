"""The Roles page of User Management: what each role allows, read only."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import path, reverse

from accounts.models import Role
from accounts.permissions import VIEW_USERS
from accounts.roles import in_matrix_order
from core import permissions
from core.navigation import tabs
from core.tenancy import enterprise_permission_required


def user_management_tabs(request):
    return tabs(
        request,
        [("Users", reverse("accounts:users")), ("Roles", reverse("accounts:roles"))],
    )


@enterprise_permission_required(VIEW_USERS)
def roles(request):
    active_here = Q(users__enterprise=request.enterprise, users__is_active=True)
    role_list = in_matrix_order(
        Role.objects.annotate(active_users=Count("users", filter=active_here))
    )
    allowed = {role.pk: role.allowed for role in role_list}
    groups = [
        {
            "name": name,
            "rows": [
                {
                    "label": permission.label,
                    "cells": [permission.code in allowed[role.pk] for role in role_list],
                }
                for permission in members
            ],
        }
        for name, members in permissions.grouped_by_app()
    ]
    return render(
        request,
        "accounts/users/roles.html",
        {"roles": role_list, "groups": groups, "tabs": user_management_tabs(request)},
    )


urlpatterns = [
    path("users/roles/", roles, name="roles"),
]
